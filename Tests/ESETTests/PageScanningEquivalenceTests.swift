@testable import ESET
import Foundation
import Fleet
import JSON
import XCTest

/// `DevicePage.decode(bytes:page:)` must give exactly what the general path gives
/// (`JSONParser.parse` then `DevicePage.decode(_:page:)`): the same devices, positions,
/// rejections (with the same raw JSON), next-page token, and the same errors.
final class PageScanningEquivalenceTests: XCTestCase {
    // MARK: Real data

    /// The spec-valid default tenant and the edge-case tenant (off-contract values on purpose).
    func testTheShippedFleetsDecodeInPlaceAndAgree() throws {
        for file in ["MockData/devices.json", "MockData/edge-cases/devices.json"] {
            let devices = try repositoryFile(file)
            assertEquivalent(devices, page: nil, context: file)
            XCTAssertTrue(scanStaysInPlace(devices), "\(file) must not need the general path")

            let compact = try JSONParser.parse(devices).serialized()
            assertEquivalent(compact, page: 3, context: file)
            let page = Array(#"{"devices":"#.utf8) + compact + Array(#","nextPageToken":"next-1"}"#.utf8)
            assertEquivalent(page, page: 1, context: file)
            XCTAssertTrue(scanStaysInPlace(page))
            let decoded = try DevicePage.decode(bytes: page, page: 1)
            XCTAssertEqual(decoded.devices.count, 260, file)
            XCTAssertEqual(decoded.nextPageToken, "next-1")
        }
    }

    func testEveryConformanceCaseAgrees() throws {
        let root = repositoryRoot.appendingPathComponent("Conformance/cases/mapping")
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 50)
        var checked = 0
        for name in cases {
            let path = root.appendingPathComponent(name).appendingPathComponent("devices.json")
            guard let data = FileManager.default.contents(atPath: path.path) else { continue }
            assertEquivalent(Array(data), page: 2, context: name)
            checked += 1
        }
        XCTAssertEqual(checked, cases.count, "every case has a devices.json")
    }

    // MARK: Mutated devices

    /// Devices of the edge-case fleet with members changed: deleted, given a value of another JSON
    /// type, repeated before or after with another value, at the top or along the mapped paths.
    func testMutatedDevicesAgree() throws {
        let fleet = try JSONParser.parse(try repositoryFile("MockData/edge-cases/devices.json"))
        guard case .array(let devices) = fleet else { return XCTFail("MockData/edge-cases/devices.json is not an array") }
        var random = TestRandom(seed: 7)
        var checked = 0
        for device in devices.prefix(120) {
            guard case .object(let object) = device else { continue }
            for _ in 0..<12 {
                var mutated = object
                for _ in 0...random.below(3) { mutate(&mutated, random: &random, depth: 0) }
                let text = JSONValue.object(mutated).serialized()
                assertEquivalent(Array(#"{"devices":["#.utf8) + text + Array("]}".utf8), page: 9)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    /// Byte-level damage (truncation, a byte inserted or removed) must fail with the very same
    /// located error, or succeed identically when the damage happens to stay valid.
    func testCorruptedPagesFailTheSameWay() throws {
        let fleet = try repositoryFile("MockData/edge-cases/devices.json")
        let ranges = try JSONParser.arrayElementRanges(fleet)
        let page = Array(#"{"devices":["#.utf8) + Array(fleet[ranges[0].lowerBound..<ranges[20].upperBound]) + Array("]}".utf8)
        var random = TestRandom(seed: 11)
        let noise: [UInt8] = Array(#"{}[]",:\-.0123456789eEtrufalsn "#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        for _ in 0..<600 {
            var bytes = page
            switch random.below(3) {
            case 0: bytes.removeLast(random.below(bytes.count))
            case 1: bytes.insert(noise[random.below(noise.count)], at: random.below(bytes.count))
            default: bytes.remove(at: random.below(bytes.count))
            }
            assertEquivalent(bytes, page: 4)
        }
        assertEquivalent(Array(fleet.prefix(40_000)), page: nil)  // cut in the middle of a device
    }

    // MARK: Edge cases

    func testPageShapesAndRepeatedMembers() {
        let cases = [
            #"{"devices": [{"uuid": "a"}], "nextPageToken": "t"}"#,
            #"{"devices": [{"uuid": "a"}], "nextPageToken": ""}"#,
            #"{"devices": [{"uuid": "a"}], "nextPageToken": null}"#,
            #"{"devices": [{"uuid": "a"}], "nextPageToken": 5}"#,
            #"{"nextPageToken": "t", "devices": [{"uuid": "a"}], "nextPageToken": 7}"#,
            #"{"devices": [{"uuid": "a"}], "devices": [{"uuid": "b"}, 3]}"#,
            #"{"devices": [{"uuid": "a"}], "devices": null}"#,
            #"{"devices": [{"uuid": "a"}], "devices": 5}"#,
            #"{"devices": 5, "devices": [{"uuid": "a"}]}"#,
            #"{"devices": {"uuid": "a"}}"#,
            #"{"devices": "x"}"#,
            #"{"devices": null}"#,
            #"{"devices": []}"#,
            #"{}"#,
            #"[]"#,
            #" [ ] "#,
            #"[{"uuid": "a"}, null, 1, "s", [], {}, {"uuid": null}, {"uuid": ""}, {"uuid": 1.5}, {"uuid": true}, {"uuid": {}}]"#,
            #"[{"uuid": "a", "uuid": "b"}, {"uuid": "a", "uuid": null}, {"uuid": null, "uuid": "c"}, {"uuid": 1, "uuid": "d"}]"#,
            #"[{"\u0075uid": "escaped key"}, {"uu\"id": "x"}, {"uuid\u0000": "y"}, {"\u212Auuid": "z"}]"#,
            #"[{"uuid": "a\u0000b\n\"\\\/\ud83d\ude00\ud83d", "displayName": "\u00e9t\u00E9"}]"#,
            #"[{"uuid": "a", "isMobile": true}, {"uuid": "b", "isMobile": "true"}, {"uuid": "c", "isMobile": 1}, {"uuid": "d", "isMobile": true, "isMobile": false}]"#,
            #"[{"uuid": "a", "operatingSystem": {"familyId": "007", "editionId": 1.0, "version": {"name": "v", "name": 3}}}]"#,
            #"[{"uuid": "a", "operatingSystem": {"familyId": 1e0, "editionId": -1, "version": "x"}}, {"uuid": "b", "operatingSystem": []}]"#,
            #"[{"uuid": "a", "operatingSystem": {"familyId": 99999999999999999999}, "operatingSystem": {"displayName": ""}}]"#,
            #"[{"uuid": "a", "operatingSystem": {"familyId": "99999999999999999999999", "editionId": "1.5"}}]"#,
            #"[{"uuid": "a", "hardwareProfiles": [null, {"manufacturer": "m", "networkAdapters": [1, {"macAddress": "x"}, {}]}, 5]}]"#,
            #"[{"uuid": "a", "hardwareProfiles": {"manufacturer": "m"}}, {"uuid": "b", "hardwareProfiles": [], "hardwareProfiles": [{}]}]"#,
            #"[{"uuid": "a", "hardwareProfiles": [{"networkAdapters": {"macAddress": "x"}, "model": "", "model": "M"}]}]"#,
            #"[{"uuid": "a", "extra": {"deep": [[[[{"x": [1, 2.5e-3, -0, true, false, null, "s"]}]]]]}}]"#,
            #"[{"uuid": "a", "extra": 1e999}]"#,
            #"[{"uuid": "a", "extra": -1e999}]"#,
            #"[{"uuid": "a", "displayName": 1e999}]"#,
            #"[{"uuid": "a", "extra": [01]}]"#,
            #"[{"uuid": "a", "extra": tru}]"#,
            #"[{"uuid": "a", "isMobile": tru}]"#,
            #"[{"uuid": "a"}] x"#,
            #"[{"uuid": "a"},]"#,
            #"{"devices": [{"uuid": "a"}],}"#,
            #"{"devices": [{"uuid": "a"}]"#,
            #""just a string""#,
            #"42"#,
            #"null"#,
            "",
            "   ",
        ]
        for text in cases {
            assertEquivalent(Array(text.utf8), page: 5, context: text)
        }
    }

    func testInvalidUTF8AndControlBytes() {
        let cases: [[UInt8]] = [
            Array(#"[{"uuid": "a"#.utf8) + [0xFF, 0xFE] + Array(#"", "displayName": "x"#.utf8) + [0xC3] + Array(#""}]"#.utf8),
            Array(#"[{"uu"#.utf8) + [0xC3, 0xA9] + Array(#"id": "a", "uuid": "b"}]"#.utf8),
            Array(#"[{"uuid": "a"#.utf8) + [0x01] + Array(#""}]"#.utf8),
            Array(#"[{"uuid": "a", "x"#.utf8) + [0x1F] + Array(#"": 1}]"#.utf8),
        ]
        for bytes in cases { assertEquivalent(bytes, page: nil) }
    }

    /// The uuid's U+FFFD check takes a byte shortcut for ASCII; every other uuid must still be
    /// judged as the tree decoder judges it, and devices filled in place must come out whole.
    func testUUIDsWithReplacementCharactersAndNonASCIIAgree() {
        let uuids = [
            #""550e8400-e29b-41d4-a716-446655440000""#, #""\ufffd""#, #""a\uFFFDb""#, #""é-\ufffd""#, #""é""#,
            #""\u00e9""#, #""ꙮ-uuid-with-a-long-tail-of-more-than-sixteen-bytes""#, #""\ud800""#, #""""#, "7", "null",
            #""0123456""#, #""01234567""#, #""012345678""#,
        ]
        for uuid in uuids {
            let page = #"{"devices": [{"displayName": "x", "uuid": "# + uuid + #", "hardwareProfiles": [{"model": "m"}]}, "#
                + #"{"uuid": "b", "displayName": "y"}, {"uuid": "# + uuid + #"}], "nextPageToken": "t"}"#
            assertEquivalent(Array(page.utf8), page: 3, context: uuid)
        }
        // Raw bytes: U+FFFD written as UTF-8 and bytes that are not UTF-8 (repaired into U+FFFD).
        for raw: [UInt8] in [[0xEF, 0xBF, 0xBD], [0x61, 0xEF, 0xBF, 0xBD, 0x62], [0xFF], [0xEF, 0xBF], [0xC3, 0xA9]] {
            let page = Array(#"[{"uuid": "x"#.utf8) + raw + Array(#""}, {"uuid": "ok"}]"#.utf8)
            assertEquivalent(page, page: nil, context: "\(raw)")
        }
    }

    func testNestingLimitIsTheParsersOwn() {
        for depth in [508, 509, 510, 511, 512, 513, 600] {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            for text in [#"{"devices": [{"uuid": "a", "x": "# + nested + "}]}", "[{\"uuid\": \"a\", \"x\": " + nested + "}]"] {
                assertEquivalent(Array(text.utf8), page: 1, context: "depth \(depth)")
            }
        }
    }

    // MARK: Support

    private func assertEquivalent(_ bytes: [UInt8], page: Int?, context: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let general: Result<DevicePage, DevicePageError>
        do {
            let json = try JSONParser.parse(bytes)
            do {
                general = .success(try DevicePage.decode(json, page: page))
            } catch {
                general = .failure(.notAPage(error))
            }
        } catch {
            general = .failure(.malformedJSON(error))
        }
        let scanned: Result<DevicePage, DevicePageError>
        do {
            scanned = .success(try DevicePage.decode(bytes: bytes, page: page))
        } catch {
            scanned = .failure(error)
        }
        let excerpt = context.isEmpty ? String(decoding: bytes.prefix(200), as: UTF8.self) : context
        switch (general, scanned) {
        case (.success(let expected), .success(let actual)):
            XCTAssertEqual(actual.devices, expected.devices, excerpt, file: file, line: line)
            XCTAssertEqual(actual.positions, expected.positions, excerpt, file: file, line: line)
            XCTAssertEqual(actual.rejections, expected.rejections, excerpt, file: file, line: line)
            XCTAssertEqual(actual.nextPageToken, expected.nextPageToken, excerpt, file: file, line: line)
        case (.failure(let expected), .failure(let actual)):
            XCTAssertEqual(actual, expected, excerpt, file: file, line: line)
        default:
            XCTFail("general path \(general), scan \(scanned) for \(excerpt)", file: file, line: line)
        }
    }

    /// Whether the scan decoded `bytes` itself rather than handing them to the general path.
    private func scanStaysInPlace(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            if case .page = DevicePage.scan(buffer, page: nil) { return true }
            return false
        }
    }

    private static let mappedKeys = [
        "uuid", "displayName", "originalDisplayName", "description", "deviceType", "enrollmentStatus", "isMobile",
        "lastSyncTime", "managementDomain", "parentGroupUuid", "primaryLocalIpAddress", "publicIpAddress",
        "operatingSystem", "hardwareProfiles", "familyId", "editionId", "version", "name", "manufacturer", "model",
        "networkAdapters", "caption", "macAddress",
    ]

    /// Changes one member of `object`, or of an object nested in it along the mapped paths.
    private func mutate(_ object: inout JSONObject, random: inout TestRandom, depth: Int) {
        let nested = object.members.indices.filter {
            switch object.members[$0].value {
            case .object, .array: return depth < 3 && Self.mappedKeys.contains(object.members[$0].key)
            default: return false
            }
        }
        if !nested.isEmpty, random.below(3) == 0 {
            let index = nested[random.below(nested.count)]
            switch object.members[index].value {
            case .object(var inner):
                mutate(&inner, random: &random, depth: depth + 1)
                object.members[index].value = .object(inner)
            case .array(var elements) where !elements.isEmpty:
                let position = random.below(elements.count)
                if case .object(var inner) = elements[position] {
                    mutate(&inner, random: &random, depth: depth + 1)
                    elements[position] = .object(inner)
                } else {
                    elements[position] = randomValue(&random)
                }
                object.members[index].value = .array(elements)
            default:
                break
            }
            return
        }
        let key = random.below(4) == 0 || object.members.isEmpty
            ? Self.mappedKeys[random.below(Self.mappedKeys.count)]
            : object.members[random.below(object.members.count)].key
        switch random.below(4) {
        case 0: object.members.removeAll { $0.key == key }
        case 1: object.members.append((key, randomValue(&random)))  // a repeat: the last one counts
        case 2: object.members.insert((key, randomValue(&random)), at: 0)  // an earlier one: ignored
        default: object[key] = randomValue(&random)
        }
    }

    private func randomValue(_ random: inout TestRandom) -> JSONValue {
        let strings = [
            "", "x", "DEVICE_TYPE_SERVER", "2025-05-21T10:00:00Z", "ſerver", "é\"\\\n\u{0}", "1", "007",
            "99999999999999999999999", "-1", "1.0",
        ]
        switch random.below(10) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .int(Int64(random.below(9)) - 1)
        case 3: return .int(Int64.max)
        case 4: return .double([1.0, 1.5, -0.0, 3e10, 1e300][random.below(5)])
        case 5, 6: return .string(strings[random.below(strings.count)])
        case 7: return .array([.string("a"), .object(JSONObject([("macAddress", .string("m"))])), .null])
        case 8: return .object(JSONObject([("name", .string("n")), ("manufacturer", .int(1)), ("uuid", .string("u"))]))
        default: return .object(JSONObject())
        }
    }
}

/// The fleet generator's SplitMix64, so that failures reproduce from their seed.
typealias TestRandom = SplitMix64

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repositoryFile(_ relativePath: String) throws -> [UInt8] {
    let url = repositoryRoot.appendingPathComponent(relativePath)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
    }
    return Array(data)
}
