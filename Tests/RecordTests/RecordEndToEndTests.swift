import ESET
import ESETMock
import Foundation
import HTTPClient
import JSON
@testable import MockCLI
import XCTest

/// Records the mock through the real client, then checks what the issue promises: nothing
/// identifying left, the recording serves, and collecting from it gives the same inventory.
final class RecordEndToEndTests: XCTestCase {
    /// The repository's default tenant, which holds the hand-written edge devices (wrong types,
    /// nulls, unknown members, odd addresses) next to the generated ones.
    func testRecordingTheDefaultTenantLeavesNoIdentifierAndCollectsTheSameInventory() async throws {
        try await recordAndCompare(source: ESETMockServer.defaultDataDirectory)
    }

    /// The edge-case data set, when it exists (MockData/edge-cases).
    func testRecordingTheEdgeCaseDataSet() async throws {
        let edgeCases = ESETMockServer.defaultDataDirectory.appendingPathComponent("edge-cases", isDirectory: true)
        guard FileManager.default.fileExists(atPath: edgeCases.appendingPathComponent("devices.json").path) else {
            throw XCTSkip("MockData/edge-cases is not in this tree yet; the default tenant test covers its devices")
        }
        try await recordAndCompare(source: edgeCases)
    }

    func recordAndCompare(source: URL) async throws {
        let scratch = try scratchDirectory(self)
        let original = try startMock(data: source)
        defer { original.stop(timeout: 1) }
        let out = scratch.appendingPathComponent("recording").path
        let spy = TokenSpyTransport()
        let summary = try await Recorder(settings: recordSettings(from: original, into: out), transport: spy).run()

        // Counts: everything the mock serves, in pages of 100.
        let sourceDevices = try JSONParser.parse(Array(try Data(contentsOf: source.appendingPathComponent("devices.json"))))
        let sourceGroups = try JSONParser.parse(Array(try Data(contentsOf: source.appendingPathComponent("device_groups.json"))))
        let deviceCount = try XCTUnwrap(sourceDevices.arrayValue).count
        XCTAssertEqual(summary.devices, deviceCount)
        XCTAssertEqual(summary.devicePages, max(1, (deviceCount + 99) / 100))
        XCTAssertEqual(summary.groups, try XCTUnwrap(sourceGroups.arrayValue).count)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: out)), ["devices.json", "device_groups.json", "RECORDING.md"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["recording"], "no temporary directory left")

        // No original identifier, and no credential, anywhere in the recording.
        var identifiers = Set<String>()
        for document in [sourceDevices, sourceGroups] {
            values(of: ["uuid", "parentGroupUuid", "displayName", "originalDisplayName", "primaryLocalIpAddress", "publicIpAddress",
                        "macAddress", "serialNumber", "subscriptionUuid", "unitPoolUuid", "securityGroupUuid", "managementDomain", "description", "tags"],
                   in: document, into: &identifiers)
        }
        var kept = Set<String>()  // values also held by members kept verbatim (OS and product names)
        values(of: ["operatingSystem", "deployedComponents", "activeProducts", "deviceType", "lastSyncTime", "model", "manufacturer", "caption",
                    "hardDrives", "processors"],
               in: sourceDevices, into: &kept)
        let fixedAddresses: Set<String> = ["127.0.0.1", "0.0.0.0", "::1", "::", "00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF", ""]
        let mustVanish = identifiers.subtracting(kept).subtracting(fixedAddresses)
        XCTAssertGreaterThan(mustVanish.count, deviceCount, "the scan has something to look for")
        var recorded = Set<String>()
        for file in ["devices.json", "device_groups.json"] {
            stringValues(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(file)))), into: &recorded)
        }
        let leaked = mustVanish.intersection(recorded)
        XCTAssertTrue(leaked.isEmpty, "original values still in the recording: \(leaked.sorted().prefix(20))")
        let note = try String(contentsOfFile: out + "/RECORDING.md", encoding: .utf8)
        let everything = try ["devices.json", "device_groups.json"].map { try String(contentsOfFile: out + "/" + $0, encoding: .utf8) }.joined() + note
        let everythingBytes = Data(everything.utf8)
        XCTAssertFalse(spy.tokens.isEmpty)
        for secret in spy.tokens + [demoPassword, demoUser] {
            XCTAssertNil(everythingBytes.range(of: Data(secret.utf8)), "a credential is in the recording")
        }
        // Long identifiers (uuids, MACs, hostnames) are not even substrings of anything; an
        // address is looked for as a whole string (10.0.0.1 is a part of 10.0.0.12).
        for value in mustVanish where value.count >= 12 && !value.contains(" ") {
            let needle = Pseudonymiser.parseIPv4(value) != nil || value.contains(":") ? "\"\(value)\"" : value
            XCTAssertNil(everythingBytes.range(of: Data(needle.utf8)), "'\(value)' appears in the recording")
        }
        XCTAssertTrue(note.contains("Devices: \(deviceCount) in"), note)

        // Device by device: the same members in the same order with the same types, addresses
        // of the same kind (equal stays equal), MAC vendors kept.
        let recordedDevices = try XCTUnwrap(JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/devices.json")))).arrayValue)
        XCTAssertEqual(recordedDevices.count, deviceCount)
        for (index, (was, now)) in zip(try XCTUnwrap(sourceDevices.arrayValue), recordedDevices).enumerated() {
            XCTAssertEqual(skeleton(now), skeleton(was), "device \(index): structure or types changed")
            let addressesWas = ["primaryLocalIpAddress", "publicIpAddress"].map { was[$0]?.stringValue }
            let addressesNow = ["primaryLocalIpAddress", "publicIpAddress"].map { now[$0]?.stringValue }
            for (old, new) in zip(addressesWas, addressesNow) {
                guard let old, let new else { continue }
                XCTAssertEqual(addressKind(new), addressKind(old), "device \(index): \(old) → \(new)")
                if addressKind(old) != "loopback" && !old.isEmpty && addressKind(old) != "not an address" { XCTAssertNotEqual(new, old, "device \(index)") }
            }
            if let a = addressesWas[0], let b = addressesWas[1] {
                XCTAssertEqual(addressesNow[0] == addressesNow[1], a == b, "device \(index): equal stays equal, distinct stays distinct")
            }
            let macsWas = (was["hardwareProfiles"]?.arrayValue ?? []).flatMap { $0["networkAdapters"]?.arrayValue ?? [] }.compactMap { $0["macAddress"]?.stringValue }
            let macsNow = (now["hardwareProfiles"]?.arrayValue ?? []).flatMap { $0["networkAdapters"]?.arrayValue ?? [] }.compactMap { $0["macAddress"]?.stringValue }
            XCTAssertEqual(macsNow.count, macsWas.count)
            for (old, new) in zip(macsWas, macsNow) where old.count == 17 && old != "00:00:00:00:00:00" {
                let universallyAdministered = (UInt8(old.prefix(2), radix: 16) ?? 2) & 0x02 == 0
                if universallyAdministered { XCTAssertEqual(new.prefix(8), old.prefix(8), "device \(index): vendor part kept") }
                XCTAssertNotEqual(new, old, "device \(index)")
            }
        }

        // Checked against ESET's OpenAPI description, the recording fares as its source does.
        XCTAssertEqual(runMockCLI(["lint", out]), runMockCLI(["lint", source.path]), "lint judges the recording as its source")

        // The recording serves, and collecting from it gives the same inventory.
        let replay = try startMock(data: URL(fileURLWithPath: out, isDirectory: true))
        defer { replay.stop(timeout: 1) }
        let before = try await collectEvents(from: original, scratch: scratch, name: "original")
        let after = try await collectEvents(from: replay, scratch: scratch, name: "recorded")
        XCTAssertEqual(after.count, before.count)
        XCTAssertGreaterThan(before.count, 0)
        let pseudonymiser = Pseudonymiser(salt: testSalt)
        for (index, (was, now)) in zip(before, after).enumerated() {
            XCTAssertEqual(masked(now), masked(was), "event \(index): a non-identifying field changed")
            // Groups by pseudonym: the membership survived.
            let groupsWas = was["device"]?["groups"]?.arrayValue ?? []
            let groupsNow = now["device"]?["groups"]?.arrayValue ?? []
            XCTAssertEqual(groupsNow.count, groupsWas.count, "event \(index)")
            for (old, new) in zip(groupsWas, groupsNow) {
                let uid = try XCTUnwrap(old["uid"]?.stringValue)
                XCTAssertEqual(new["uid"]?.stringValue, pseudonymiser.identifier(uid), "event \(index)")
                XCTAssertNotEqual(new["uid"]?.stringValue, uid)
            }
            if let uid = was["device"]?["uid"]?.stringValue {
                XCTAssertEqual(now["device"]?["uid"]?.stringValue, pseudonymiser.identifier(uid), "event \(index)")
            }
        }
    }

    /// The event with identifying values replaced by their type, so presence and type still count.
    func masked(_ event: JSONValue) -> JSONValue {
        let identifying: Set<String> = ["uid", "hostname", "name", "desc", "ip", "domain", "mac"]
        func walk(_ value: JSONValue, path: [String]) -> JSONValue {
            switch value {
            case .object(let object):
                var members: [(key: String, value: JSONValue)] = []
                for member in object.members {
                    let inDevice = path.first == "device"
                    // Names kept verbatim: the OS's and each adapter's (its caption).
                    let keptName = member.key == "name" && (path.last == "os" || path.last == "network_interfaces[]")
                    if inDevice && identifying.contains(member.key) && !keptName && path.last != "metadata" {
                        members.append((member.key, .string("<\(member.value.typeName)>")))
                    } else if member.key == "groups" {
                        members.append((member.key, .int(Int64(member.value.arrayValue?.count ?? -1))))
                    } else {
                        members.append((member.key, walk(member.value, path: path + [member.key])))
                    }
                }
                return .object(JSONObject(members))
            case .array(let array):
                return .array(array.map { walk($0, path: Array(path.dropLast()) + [(path.last ?? "") + "[]"]) })
            default:
                return value
            }
        }
        var result = walk(event, path: [])
        // Without a lastSyncTime, `time` is the moment of mapping: it differs between two runs.
        if event["device"]?["last_seen_time"] == nil, case .object(var object) = result {
            object.members = object.members.map { $0.key == "time" ? ($0.key, .string("<mapping time>")) : $0 }
            result = .object(object)
        }
        return result
    }

    func testTheSameSaltGivesTheSameRecordingAndARandomOneAnother() async throws {
        let scratch = try scratchDirectory(self)
        let server = try startMock(data: nil)
        defer { server.stop(timeout: 1) }
        var files: [Data] = []
        for (index, salt) in [testSalt, testSalt, Array("a different salt of 32 bytes!!!!".utf8)].enumerated() {
            let out = scratch.appendingPathComponent("r\(index)").path
            _ = try await Recorder(settings: recordSettings(from: server, into: out, salt: salt, pageSize: 1000), transport: URLSessionTransport()).run()
            files.append(try Data(contentsOf: URL(fileURLWithPath: out + "/devices.json")))
        }
        XCTAssertEqual(files[0], files[1], "re-recording with one salt maps each device to the same pseudonym")
        XCTAssertNotEqual(files[0], files[2])
    }

    func testAFailedRecordingLeavesNothingBehind() async throws {
        let scratch = try scratchDirectory(self)
        let server = try startMock(data: nil, scenarios: ["missing-permission"])
        defer { server.stop(timeout: 1) }
        let out = scratch.appendingPathComponent("recording").path
        do {
            _ = try await Recorder(settings: recordSettings(from: server, into: out), transport: URLSessionTransport()).run()
            XCTFail("a 403 must fail the recording")
        } catch let error as ESETClientError {
            XCTAssertEqual(error.kind, .accessDenied)
            XCTAssertFalse("\(error)".contains(demoPassword))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "neither DIR nor a temporary directory remains")
    }

    func testAFailureAfterSomePagesLeavesNothingBehind() async throws {
        let scratch = try scratchDirectory(self)
        let server = try startMock(data: nil, scenarios: ["malformed-page"])
        defer { server.stop(timeout: 1) }
        let out = scratch.appendingPathComponent("recording").path
        do {
            _ = try await Recorder(settings: recordSettings(from: server, into: out, maxRetries: 0), transport: URLSessionTransport()).run()
            XCTFail("a malformed page without retries must fail the recording")
        } catch let error as ESETClientError {
            XCTAssertEqual(error.kind, .retriesExhausted, "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testANonEmptyOutputDirectoryIsRefusedAndLeftAlone() async throws {
        let scratch = try scratchDirectory(self)
        let server = try startMock(data: nil)
        defer { server.stop(timeout: 1) }
        try Data("keep me".utf8).write(to: scratch.appendingPathComponent("notes.txt"))
        do {
            _ = try await Recorder(settings: recordSettings(from: server, into: scratch.path), transport: URLSessionTransport()).run()
            XCTFail("a non-empty directory must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["notes.txt"])
        XCTAssertEqual(server.journal.count, 0, "refused before any call")
    }
}
