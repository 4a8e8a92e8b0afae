import Foundation
import XCTest
@testable import Fleet

final class FleetGeneratorTests: XCTestCase {
    // MARK: Determinism

    func testSameSeedGivesIdenticalBytesWhateverTheChunkSize() {
        let generator = FleetGenerator(seed: 99)
        let groups = generator.groups()
        var inOneChunk: [UInt8] = []
        generator.writeDevices(count: 300, groups: groups, chunkSize: 1 << 24) { inOneChunk.append(contentsOf: $0) }
        var deviceByDevice: [UInt8] = []
        generator.writeDevices(count: 300, groups: groups, chunkSize: 1) { deviceByDevice.append(contentsOf: $0) }
        XCTAssertEqual(inOneChunk, deviceByDevice)
        XCTAssertEqual(inOneChunk, FleetGenerator(seed: 99).devicesJSON(count: 300))
        XCTAssertEqual(generator.groupsJSON(groups), FleetGenerator(seed: 99).groupsJSON(FleetGenerator(seed: 99).groups()))
    }

    func testDifferentSeedsGiveDifferentFleets() throws {
        let first = FleetGenerator(seed: 1).devicesJSON(count: 50)
        let second = FleetGenerator(seed: 2).devicesJSON(count: 50)
        XCTAssertNotEqual(first, second)
        let firstUuids = Set(try TestJSON.objects(first).compactMap { $0["uuid"] as? String })
        let secondUuids = Set(try TestJSON.objects(second).compactMap { $0["uuid"] as? String })
        XCTAssertTrue(firstUuids.isDisjoint(with: secondUuids), "two seeds should not share device uuids")
        XCTAssertNotEqual(FleetGenerator(seed: 1).groups().map(\.uuid), FleetGenerator(seed: 2).groups().map(\.uuid))
    }

    func testDeviceAtIndexIsTheSameAloneAndInTheArray() throws {
        let generator = FleetGenerator(seed: 5)
        let groups = generator.groups()
        let whole = generator.devicesJSON(count: 40, groups: groups)
        // Compact layout: "[\n", then one device per line.
        let lines = whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for index in [0, 1, 17, 39] {
            var line = Array(lines[index + 1])
            if line.last == UInt8(ascii: ",") { line.removeLast() }
            XCTAssertEqual(generator.deviceJSON(index: index, groups: groups), line, "device \(index)")
        }
    }

    func testPrettyAndCompactLayoutsCarryTheSameData() throws {
        let compact = try JSONSerialization.jsonObject(with: Data(FleetGenerator(seed: 3).devicesJSON(count: 60))) as? NSArray
        let pretty = try JSONSerialization.jsonObject(with: Data(FleetGenerator(seed: 3, layout: .pretty).devicesJSON(count: 60))) as? NSArray
        XCTAssertNotNil(compact)
        XCTAssertEqual(compact, pretty)
    }

    // MARK: Validity

    func testEmptyFleetIsAnEmptyArray() throws {
        XCTAssertEqual(try TestJSON.objects(FleetGenerator().devicesJSON(count: 0)).count, 0)
        XCTAssertEqual(try TestJSON.objects(FleetGenerator().groupsJSON([])).count, 0)
    }

    func testDevicesAreValidJSONWithUniqueWellFormedUuids() throws {
        let devices = try TestJSON.objects(FleetGenerator(seed: 11).devicesJSON(count: 2000))
        XCTAssertEqual(devices.count, 2000)
        let uuids = devices.compactMap { $0["uuid"] as? String }
        XCTAssertEqual(uuids.count, 2000, "every device has a uuid")
        XCTAssertEqual(Set(uuids).count, 2000, "uuids are unique")
        let uuidShape = try NSRegularExpression(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        for uuid in uuids {
            XCTAssertNotNil(uuidShape.firstMatch(in: uuid, range: NSRange(uuid.startIndex..., in: uuid)), uuid)
        }
    }

    func testUniqueUuidScrambleIsAPermutation() {
        var seen = Set<UInt64>()
        for index: UInt64 in 0..<50_000 { seen.insert(Formats.permute48(index)) }
        XCTAssertEqual(seen.count, 50_000)
    }

    func testEveryTimestampIsAcceptedRFC3339InTheNinetyDaysBeforeTheReference() throws {
        let devices = try TestJSON.objects(FleetGenerator(seed: 8).devicesJSON(count: 1500))
        let reference = FleetGenerator.referenceEpochSeconds
        for device in devices {
            guard let text = device["lastSyncTime"] as? String else { continue }
            guard let parts = TimestampParts(text) else {
                XCTFail("\(text) is not a timestamp M12 accepts")
                continue
            }
            XCTAssertTrue((reference - 90 * 86_400...reference).contains(parts.epochSeconds), text)
        }
    }

    // MARK: Coverage and distribution

    func testAFullCoverageFleetContainsEveryVariant() throws {
        for seed: UInt64 in [1, 42, DefaultFleet.seed] {
            let count = FleetGenerator.fullCoverageDeviceCount
            let shapes = try TestJSON.objects(FleetGenerator(seed: seed, edgeCases: true).devicesJSON(count: count)).map(DeviceShape.init)
            let context = "seed \(seed), \(count) devices, edge cases"

            assertCoversEveryVariant(shapes, context)
            // Nothing outside the API's vocabulary: odd values belong to the hand-written edge devices.
            XCTAssertEqual(Set(shapes.compactMap(\.deviceType)), allDeviceTypes, context)
            XCTAssertFalse(shapes.contains { $0.isMobile == .otherType || $0.familyId == .otherString }, context)
        }
    }

    func testSpecValidModeDiffersOnlyInTheOffContractValues() throws {
        let count = FleetGenerator.fullCoverageDeviceCount
        let valid = try TestJSON.objects(FleetGenerator(seed: 42).devicesJSON(count: count))
        let edge = try TestJSON.objects(FleetGenerator(seed: 42, edgeCases: true).devicesJSON(count: count))
        XCTAssertEqual(valid.map { $0["uuid"] as? String }, edge.map { $0["uuid"] as? String }, "the same devices")
        XCTAssertEqual(valid.map { $0["deviceType"] as? String }, edge.map { $0["deviceType"] as? String })
        let shapes = valid.map(DeviceShape.init)
        XCTAssertFalse(shapes.contains { $0.familyId == .digitString || $0.familyId == .otherString })
        let timestamps = shapes.compactMap(\.lastSyncTime)
        XCTAssertFalse(timestamps.contains { $0.contains(" ") || $0.hasSuffix("z") }, "T and Z only")
        XCTAssertEqual(Set(timestamps.compactMap(TimestampParts.init).map(\.fractionDigits)), Set(0...9))
        let raw = String(decoding: FleetGenerator(seed: 42).devicesJSON(count: count), as: UTF8.self)
        XCTAssertFalse(raw.contains("null"))
        XCTAssertNil(raw.range(of: #""id":"[0-9]+\."#, options: .regularExpression), "numeric version ids")
        XCTAssertNil(raw.range(of: #""functionalityProblemCount":""#, options: .regularExpression))
        XCTAssertTrue(raw.contains(#""malformedData":"macAddress""#), "malformedData as the API's field mask")
    }

    func testEveryFractionLengthAppearsInALargerFleet() throws {
        let shapes = try TestJSON.objects(FleetGenerator(seed: 1).devicesJSON(count: 1500)).map(DeviceShape.init)
        let digits = Set(shapes.compactMap(\.lastSyncTime).compactMap(TimestampParts.init).map(\.fractionDigits))
        XCTAssertEqual(digits, Set(0...9))
    }

    func testEnrollmentStatusesDescriptionsAndParentsVary() throws {
        let generator = FleetGenerator(seed: 21)
        let groups = generator.groups()
        let devices = try TestJSON.objects(generator.devicesJSON(count: FleetGenerator.fullCoverageDeviceCount, groups: groups))
        let statuses = Set(devices.map { $0["enrollmentStatus"] as? String ?? "absent" })
        XCTAssertEqual(statuses, [
            "DEVICE_ENROLLMENT_STATUS_FINISHED", "DEVICE_ENROLLMENT_STATUS_PENDING", "DEVICE_ENROLLMENT_STATUS_FAILED",
            "DEVICE_ENROLLMENT_STATUS_UNSPECIFIED", "absent",
        ])
        XCTAssertTrue(devices.contains { $0["description"] == nil })
        XCTAssertTrue(devices.contains { ($0["description"] as? String) == "" })
        XCTAssertTrue(devices.contains { $0["displayName"] == nil && $0["originalDisplayName"] != nil })
        XCTAssertTrue(devices.contains { $0["displayName"] == nil && $0["originalDisplayName"] == nil })

        let known = Set(groups.map(\.uuid))
        let parents = devices.compactMap { $0["parentGroupUuid"] as? String }
        XCTAssertTrue(parents.contains(FleetGenerator.orphanGroupUuid))
        XCTAssertTrue(devices.contains { $0["parentGroupUuid"] == nil })
        for parent in parents where parent != FleetGenerator.orphanGroupUuid {
            XCTAssertTrue(known.contains(parent), "parentGroupUuid \(parent) is not a generated group")
        }
        XCTAssertFalse(parents.contains(groups[0].uuid), "devices are not placed in the root group")
    }

    func testDistributionIsMostlyWindowsAndSizeIsRealistic() throws {
        let count = 5000
        let bytes = FleetGenerator(seed: 1).devicesJSON(count: count)
        let devices = try TestJSON.objects(bytes)
        let windows = devices.filter { device in
            let familyId = (device["operatingSystem"] as? [String: Any])?["familyId"]
            return TestJSON.kind(familyId) == .number ? (familyId as? NSNumber)?.intValue == 1 : (familyId as? String) == "1"
        }
        let windowsShare = Double(windows.count) / Double(count)
        XCTAssertTrue((0.60...0.85).contains(windowsShare), "Windows share \(windowsShare)")
        let desktopsAndNotebooks = windows.filter { ["DEVICE_TYPE_DESKTOP", "DEVICE_TYPE_NOTEBOOK"].contains($0["deviceType"] as? String ?? "") }
        XCTAssertGreaterThan(Double(desktopsAndNotebooks.count) / Double(count), 0.5)
        let mobile = devices.filter { TestJSON.isTrue($0["isMobile"]) }
        XCTAssertTrue((0.02...0.15).contains(Double(mobile.count) / Double(count)), "mobile share")

        let averageSize = Double(bytes.count) / Double(count)
        XCTAssertTrue((1200...2000).contains(averageSize), "average compact device size \(averageSize) bytes")
        for device in devices.prefix(200) {
            for key in ["tags", "deployedComponents"] {
                XCTAssertNotNil(device[key], "\(key) is always written")
            }
        }
        XCTAssertTrue(devices.contains { $0["cloningConfiguration"] != nil })
        XCTAssertTrue(devices.contains { ($0["activeProducts"] as? [Any])?.isEmpty == false })
        XCTAssertTrue(devices.contains { (($0["hardwareProfiles"] as? [[String: Any]])?.first?["bios"] as? [String: Any])?["serialNumber"] != nil })
    }

    // MARK: Streaming

    func testStreamingALargeFleetKeepsChunksBounded() throws {
        let count = 20_000
        let chunkSize = 16 * 1024
        let generator = FleetGenerator(seed: 77)
        var received: [UInt8] = []
        var chunkSizes: [Int] = []
        generator.writeDevices(count: count, groups: generator.groups(), chunkSize: chunkSize) { chunk in
            chunkSizes.append(chunk.count)
            received.append(contentsOf: chunk)
        }
        // A chunk is flushed as soon as it reaches `chunkSize`, so it holds at most one device more.
        XCTAssertLessThanOrEqual(chunkSizes.max() ?? 0, chunkSize + 8 * 1024)
        XCTAssertGreaterThan(chunkSizes.count, received.count / (chunkSize + 8 * 1024))
        // Compact layout: "[", one device per line, "]". Parsing 30 MB with Foundation takes
        // seconds, so every line is checked for framing and uuid, and a sample is parsed fully.
        let lines = received.split(separator: UInt8(ascii: "\n"))
        XCTAssertEqual(lines.count, count + 2)
        XCTAssertEqual(Array(lines.first ?? []), Array("[".utf8))
        XCTAssertEqual(Array(lines.last ?? []), Array("]".utf8))
        let prefix = Array(#"{"uuid":""#.utf8)
        var uuids = Set<ArraySlice<UInt8>>()
        for (position, line) in lines.dropFirst().dropLast().enumerated() {
            XCTAssertTrue(line.starts(with: prefix), "device \(position) starts with its uuid")
            XCTAssertEqual(line.last, position == count - 1 ? UInt8(ascii: "}") : UInt8(ascii: ","))
            uuids.insert(line.dropFirst(prefix.count).prefix(36))
            if position % 97 == 0 {
                let json = line.last == UInt8(ascii: ",") ? line.dropLast() : line
                XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any], "device \(position)")
            }
        }
        XCTAssertEqual(uuids.count, count, "uuids are unique")
    }

    func testSinkErrorsStopTheStream() {
        struct Full: Error {}
        var calls = 0
        XCTAssertThrowsError(try FleetGenerator().writeDevices(count: 10_000, groups: [], chunkSize: 4096) { _ in
            calls += 1
            if calls == 3 { throw Full() }
        }) { XCTAssertTrue($0 is Full) }
        XCTAssertEqual(calls, 3)
    }

    // MARK: Groups

    func testGroupsFormATreeUnderTheRoot() throws {
        for count in [1, 12, 15, 40] {
            let groups = FleetGenerator(seed: 4).groups(count: count)
            XCTAssertEqual(groups.count, count)
            XCTAssertNil(groups[0].parentGroupUuid, "the first group is the root")
            XCTAssertEqual(groups[0].displayName, "All")
            XCTAssertEqual(Set(groups.map(\.uuid)).count, count)
            var seen: Set<String> = []
            for group in groups {
                if let parent = group.parentGroupUuid {
                    XCTAssertTrue(seen.contains(parent), "\(group.displayName ?? group.uuid): parent listed before it")
                }
                seen.insert(group.uuid)
            }
        }
        let groups = FleetGenerator(seed: 4).groups(count: 12)
        let names = Set(groups.compactMap(\.displayName))
        XCTAssertTrue(names.isSuperset(of: ["Windows computers", "Linux computers", "Mac computers", "Mobile devices", "Servers", "Lost & found"]))
        XCTAssertEqual(groups.filter { $0.displayName == nil }.count, 1, "one group without displayName")
        XCTAssertTrue(groups.contains { $0.parentGroupUuid != nil && $0.parentGroupUuid != groups[0].uuid }, "grandchildren exist")
        XCTAssertTrue(groups.contains(where: \.isSecurityGroup))
        XCTAssertTrue(Set(groups.map(\.linkedEntityType)).isSuperset(of: ["DEVICE_GROUP_ENTITY_TYPE_COMPANY", "DEVICE_GROUP_ENTITY_TYPE_SITE"]))
    }

    func testGroupsJSONRoundTrips() throws {
        let groups = FleetGenerator(seed: 4).groups(count: 15)
        let parsed = try TestJSON.objects(FleetGenerator(layout: .pretty).groupsJSON(groups))
        XCTAssertEqual(parsed.count, groups.count)
        for (group, object) in zip(groups, parsed) {
            XCTAssertEqual(object["uuid"] as? String, group.uuid)
            XCTAssertEqual(object["displayName"] as? String, group.displayName)
            XCTAssertEqual(object["parentGroupUuid"] as? String, group.parentGroupUuid)
            XCTAssertEqual(object["linkedEntityType"] as? String, group.linkedEntityType)
            XCTAssertEqual(TestJSON.isTrue(object["isSecurityGroup"]), group.isSecurityGroup)
            XCTAssertEqual(object["etag"] as? String, group.etag)
        }
        XCTAssertTrue(parsed.contains { $0["displayName"] == nil }, "a missing name is left out, not null")
    }

    // MARK: Files

    func testWriteFleetWritesBothFilesAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString)/nested")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try FleetGenerator(seed: 6).writeFleet(devices: 300, to: directory)
        let devices = try TestJSON.objects(Array(try Data(contentsOf: directory.appendingPathComponent("devices.json"))))
        let groups = try TestJSON.objects(Array(try Data(contentsOf: directory.appendingPathComponent("device_groups.json"))))
        XCTAssertEqual(devices.count, 300)
        XCTAssertEqual(groups.count, 12)
        let groupUuids = Set(groups.compactMap { $0["uuid"] as? String })
        for parent in devices.compactMap({ $0["parentGroupUuid"] as? String }) where parent != FleetGenerator.orphanGroupUuid {
            XCTAssertTrue(groupUuids.contains(parent))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["device_groups.json", "devices.json"])
    }

    func testWriteFleetNamesThePathItCannotWrite() throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-blocker-\(UUID().uuidString)")
        try Data("not a directory".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }
        let target = blocker.appendingPathComponent("fleet")
        XCTAssertThrowsError(try FleetGenerator().writeFleet(devices: 3, to: target)) { error in
            XCTAssertTrue(String(describing: error).contains(target.path), "\(error)")
        }
    }
}
