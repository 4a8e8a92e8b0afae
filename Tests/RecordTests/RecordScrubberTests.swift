import JSON
@testable import MockCLI
import XCTest

final class RecordScrubberTests: XCTestCase {
    let salt = Array("a salt of at least sixteen bytes".utf8)

    func scrub(_ text: String, keep: Set<String> = []) throws -> String {
        let scrubber = RecordScrubber(pseudonymiser: Pseudonymiser(salt: salt), keptMembers: keep)
        let bytes = Array(text.utf8)
        return String(decoding: try scrubber.scrub(bytes[...]), as: UTF8.self)
    }

    /// An odd device: wrong types, nulls, empty strings, escapes, unknown members, an unusual
    /// member order and layout. Everything but the identifying values must come out byte for byte.
    let oddDevice = """
        {"lastSyncTime" : "2025-05-20T16:45:12.5+02:00","uuid":"550e8400-e29b-41d4-a716-446655440000",
          "displayName": 12345, "originalDisplayName":"Caf\\u00e9-PC\\n", "description": true,
          "isMobile":"true","functionalityProblemCount":"3","deviceType":"DEVICE_TYPE_VIRTUAL_MACHINE",
          "primaryLocalIpAddress":"192.168.1.42","publicIpAddress":null,"managementDomain":"",
          "tags":"single-tag","futureField":{"nested":[null,true,1.5,-3,"FUTURE_ENUM_VALUE","jane@corp.example.com","Bob's laptop"]},
          "operatingSystem":{"displayName":"Windows 11 Pro","familyId":"1","version":{"id":"10.0.22631","name":"Windows 11"}},
          "hardwareProfiles":[{"manufacturer":"LENOVO","model":"20XW","bios":{"serialNumber":"PF3ABC12","uuid":"A1B2C3D4-0000-4000-8000-00000000AAAA"},
            "networkAdapters":[{"caption":"Intel(R) Wi-Fi 6","macAddress":"3C:22:FB:12:34:56"},{"macAddress":"not-a-mac"},{"macAddress":""}]}],
          "deployedComponents":[{"displayName":"ESET Endpoint Security","version":{"id":"11.0.2032.0"},"name":"eea"}],
          "ownerEmail":"owner@example.org"}
        """

    func testOnlyIdentifyingValuesChangeAndEverythingElseIsKeptByteForByte() throws {
        let output = try scrub(oddDevice)
        let pseudonymiser = Pseudonymiser(salt: salt)
        // Every change is one of these values, replaced by its pseudonym: rebuild the output.
        var expected = oddDevice
        let replacements: [(String, String)] = [
            ("\"550e8400-e29b-41d4-a716-446655440000\"", "\"\(pseudonymiser.identifier("550e8400-e29b-41d4-a716-446655440000"))\""),
            ("\"displayName\": 12345", "\"displayName\": " + String(decoding: pseudonymiser.number(Array("12345".utf8)), as: UTF8.self)),
            ("\"Caf\\u00e9-PC\\n\"", String(decoding: RecordScrubber.encodeString(pseudonymiser.name("Café-PC\n")), as: UTF8.self)),
            ("\"192.168.1.42\"", "\"\(pseudonymiser.ipAddress("192.168.1.42")!)\""),
            ("\"single-tag\"", "\"\(pseudonymiser.name("single-tag"))\""),
            ("\"jane@corp.example.com\"", "\"\(pseudonymiser.name("jane@corp.example.com"))\""),
            ("\"Bob's laptop\"", "\"\(pseudonymiser.name("Bob's laptop"))\""),
            ("\"PF3ABC12\"", "\"\(pseudonymiser.identifier("PF3ABC12", isReference: false))\""),
            ("\"A1B2C3D4-0000-4000-8000-00000000AAAA\"", "\"\(pseudonymiser.identifier("A1B2C3D4-0000-4000-8000-00000000AAAA"))\""),
            ("\"3C:22:FB:12:34:56\"", "\"\(pseudonymiser.macAddress("3C:22:FB:12:34:56")!)\""),
            ("\"not-a-mac\"", "\"\(pseudonymiser.name("not-a-mac"))\""),
            ("\"owner@example.org\"", "\"\(pseudonymiser.name("owner@example.org"))\""),
        ]
        for (original, pseudonym) in replacements {
            XCTAssertNotEqual(original, pseudonym)
            XCTAssertNotNil(expected.range(of: original), original)
            expected = expected.replacingOccurrences(of: original, with: pseudonym)
        }
        XCTAssertEqual(output, expected)
        // And the result is still the same JSON shape: same members in the same order, same types.
        XCTAssertEqual(try skeleton(output), try skeleton(oddDevice))
    }

    func testAPseudonymIsTheSameInEveryFieldSoReferencesHold() throws {
        let device = try scrub(#"{"uuid":"d1","parentGroupUuid":"03d82110-d67f-44ba-80f8-d49bed9f8ed3","cloningConfiguration":{"securityGroupUuid":"03d82110-d67f-44ba-80f8-d49bed9f8ed3"}}"#)
        let group = try scrub(#"{"uuid":"03d82110-d67f-44ba-80f8-d49bed9f8ed3","displayName":"Mac computers"}"#)
        let groupUUID = try XCTUnwrap(JSONParser.parse(group)["uuid"]?.stringValue)
        XCTAssertEqual(try JSONParser.parse(device)["parentGroupUuid"]?.stringValue, groupUUID)
        XCTAssertEqual(try JSONParser.parse(device)["cloningConfiguration"]?["securityGroupUuid"]?.stringValue, groupUUID)
    }

    func testKeepKeepsANamedMemberVerbatim() throws {
        let text = #"{"displayName":"PC-1","managementDomain":"corp.example","tags":["a","b"]}"#
        let output = try scrub(text, keep: ["managementDomain", "tags"])
        XCTAssertTrue(output.contains(#""managementDomain":"corp.example""#), output)
        XCTAssertTrue(output.contains(#""tags":["a","b"]"#), output)
        XCTAssertFalse(output.contains("PC-1"), output)
    }

    func testUndocumentedMembersAreJudgedByContent() {
        XCTAssertTrue(RecordScrubber.looksHarmless("DEVICE_STATE_ONLINE"))
        XCTAssertTrue(RecordScrubber.looksHarmless("10.0.19041"))
        XCTAssertTrue(RecordScrubber.looksHarmless("2025-05-21T10:00:00Z"))
        XCTAssertFalse(RecordScrubber.looksHarmless("10.0.0.1"), "a dotted quad is an address")
        XCTAssertFalse(RecordScrubber.looksHarmless("FINANCE"), "one word in capitals may be a name")
        XCTAssertFalse(RecordScrubber.looksHarmless("jdoe"))
    }

    /// The member names, value types and order of a JSON text, recursively.
    func skeleton(_ text: String) throws -> String {
        func walk(_ value: JSONValue) -> String {
            switch value {
            case .object(let object): return "{" + object.members.map { "\($0.key):\(walk($0.value))" }.joined(separator: ",") + "}"
            case .array(let array): return "[" + array.map(walk).joined(separator: ",") + "]"
            default: return value.typeName
            }
        }
        return walk(try JSONParser.parse(text))
    }
}
