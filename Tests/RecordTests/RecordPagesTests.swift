import ESET
import ESETMock
import Foundation
import HTTPClient
import JSON
@testable import MockCLI
import XCTest

/// Answers the token call and serves fixed page bodies, to drive the recorder with pages the
/// mock cannot serve (entries that are not objects, odd layouts).
final class ScriptedPagesTransport: HTTPTransport {
    let groupPages: [String]
    let devicePages: [String]

    init(groupPages: [String], devicePages: [String]) {
        self.groupPages = groupPages
        self.devicePages = devicePages
    }

    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        if request.url.hasSuffix("/oauth/token") {
            return HTTPClientResponse(status: 200, body: Array(#"{"access_token":"scripted-access-token-123","expires_in":3600}"#.utf8))
        }
        let pages = request.url.contains("/v1/device_groups") ? groupPages : devicePages
        var index = 0
        if let range = request.url.range(of: "pageToken=p") { index = Int(request.url[range.upperBound...].prefix { $0.isNumber }) ?? 0 }
        return HTTPClientResponse(status: 200, body: Array(pages[index].utf8))
    }
}

final class RecordPagesTests: XCTestCase {
    func settings(_ out: String) -> RecordSettings {
        RecordSettings(
            region: .de, username: "api@example.com", password: Secret("scripted-password"), esetURL: "http://127.0.0.1:9",
            outputDirectory: out, keptMembers: [], keepsMACVendor: true, salt: testSalt, saltFromFile: false, pageSize: 2,
            callsPerSecond: nil, requestTimeout: 5, retry: RetryPolicy(maxRetries: 0))
    }

    func testEntriesThatAreNotObjectsAreCountedAndListedAndTheRestIsKeptExactly() async throws {
        let scratch = try scratchDirectory(self)
        let out = scratch.appendingPathComponent("rec").path
        let device1 = "{ \"uuid\" : \"d-1\",\n  \"deviceType\":\"DEVICE_TYPE_SERVER\", \"weird\\u0041member\": [1, 2.50, -0, 1e3] }"
        let device2 = #"{"displayName":"","isMuted":null,"lastSyncTime":"2025-05-21T10:00:00.123456789Z"}"#
        let transport = ScriptedPagesTransport(
            groupPages: [#"[{"uuid":"g-1","displayName":"Root"}]"#],
            devicePages: [
                "{\"devices\": [\(device1), \"a string\", null], \"nextPageToken\": \"p1\"}",
                "{\"totalSize\": 9, \"devices\": [[1], \(device2)], \"nextPageToken\": \"\"}",
            ])
        let summary = try await Recorder(settings: settings(out), transport: transport).run()
        XCTAssertEqual(summary.devices, 2)
        XCTAssertEqual(summary.devicePages, 2)
        XCTAssertEqual(summary.groups, 1)
        XCTAssertEqual(summary.skipped, [
            "devices page 1, index 1: a string, not an object", "devices page 1, index 2: null, not an object",
            "devices page 2, index 0: an array, not an object",
        ])
        let note = try String(contentsOfFile: out + "/RECORDING.md", encoding: .utf8)
        XCTAssertTrue(note.contains("devices page 2, index 0: an array, not an object"), note)
        XCTAssertTrue(note.contains("Region: de"), note)
        XCTAssertFalse(note.contains("api@example.com") || note.contains("scripted-password") || note.contains("scripted-access-token-123"))

        let devices = try String(contentsOfFile: out + "/devices.json", encoding: .utf8)
        let pseudonymiser = Pseudonymiser(salt: testSalt)
        let expected = "[\n" + device1.replacingOccurrences(of: "\"d-1\"", with: "\"\(pseudonymiser.identifier("d-1"))\"") + ",\n" + device2 + "\n]\n"
        XCTAssertEqual(devices, expected, "layout, escapes, number spellings and nulls kept byte for byte")
        // And the mock serves it.
        XCTAssertEqual(try MockFixtures(directory: URL(fileURLWithPath: out)).deviceCount, 2)
    }

    func testAnEmptyTenantGivesEmptyArraysThatServe() async throws {
        let scratch = try scratchDirectory(self)
        let out = scratch.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)  // an empty DIR is allowed
        let transport = ScriptedPagesTransport(groupPages: [#"{"deviceGroups":null}"#], devicePages: [#"{"devices":[]}"#])
        let summary = try await Recorder(settings: settings(out), transport: transport).run()
        XCTAssertEqual(summary.devices, 0)
        XCTAssertEqual(try String(contentsOfFile: out + "/devices.json", encoding: .utf8), "[\n]\n")
        XCTAssertEqual(try MockFixtures(directory: URL(fileURLWithPath: out)).deviceCount, 0)
    }

    func testPagesAreSplitLikeTheDecodedPages() throws {
        let page = try RawListPage.split(Array(#"{"nextPageToken":"t","devices":[ {"a":1} ,{"b":[2]}]}"#.utf8), member: "devices", page: 3)
        XCTAssertEqual(page.elementRanges.map { String(decoding: page.body[$0], as: UTF8.self) }, [#"{"a":1}"#, #"{"b":[2]}"#])
        XCTAssertEqual(page.nextPageToken, "t")
        XCTAssertNil(try RawListPage.split(Array(#"{"devices":[],"nextPageToken":""}"#.utf8), member: "devices", page: 1).nextPageToken)
        XCTAssertThrowsError(try RawListPage.split(Array(#"{"devices":{}}"#.utf8), member: "devices", page: 2)) { error in
            XCTAssertEqual("\(error)", "'devices' is a JSON object, not an array")
        }
        XCTAssertThrowsError(try RawListPage.split(Array(#"{"devices":[1,]}"#.utf8), member: "devices", page: 2)) { error in
            XCTAssertTrue("\(error)".hasPrefix("malformed JSON at line 1"), "\(error)")
        }
    }
}

/// The command line: secrets never on argv, clear usage errors, and a full run.
final class RecordCommandTests: XCTestCase {
    func testUsageErrors() throws {
        let scratch = try scratchDirectory(self)
        let shortSalt = scratch.appendingPathComponent("salt").path
        try Data("short".utf8).write(to: URL(fileURLWithPath: shortSalt))
        let base = ["record", "--region", "eu", "--username", "demo@example.com", "--eset-url", "http://127.0.0.1:9"]
        XCTAssertEqual(runMockCLI(base + ["--password", "x", "--out", scratch.path + "/a"]), 64)
        XCTAssertEqual(runMockCLI(base + ["--password-file", "/nonexistent", "--out", scratch.path + "/a"]), 64)
        let passwordFile = scratch.appendingPathComponent("pw").path
        try Data("demo-password\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        XCTAssertEqual(runMockCLI(base + ["--password-file", passwordFile]), 64, "--out is required")
        XCTAssertEqual(runMockCLI(base + ["--password-file", passwordFile, "--out", scratch.path + "/a", "--salt-file", shortSalt]), 64)
        XCTAssertEqual(runMockCLI(base + ["--password-file", passwordFile, "--out", scratch.path + "/a", "--region", "mars"]), 64)
        XCTAssertEqual(runMockCLI(base + ["--password-file", passwordFile, "--out", scratch.path + "/a", "--page-size", "0"]), 64)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/a"))
    }

    func testTheCommandRecordsWithASaltFileAndKeptMembers() throws {
        let scratch = try scratchDirectory(self)
        let server = try startMock(data: nil)
        defer { server.stop(timeout: 1) }
        let passwordFile = scratch.appendingPathComponent("pw").path
        try Data("demo-password\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        let saltFile = scratch.appendingPathComponent("salt").path
        try Data(testSalt).write(to: URL(fileURLWithPath: saltFile))
        let out = scratch.appendingPathComponent("tenant").path
        let status = runMockCLI([
            "record", "--region", "eu", "--username", "demo@example.com", "--password-file", passwordFile, "--eset-url", server.baseURL,
            "--out", out, "--salt-file", saltFile, "--keep", "managementDomain", "--page-size", "1000", "--rate-limit", "off",
        ])
        XCTAssertEqual(status, 0)
        let note = try String(contentsOfFile: out + "/RECORDING.md", encoding: .utf8)
        XCTAssertTrue(note.contains("Salt: from --salt-file; fingerprint \(Pseudonymiser(salt: testSalt).saltFingerprint)"), note)
        let source = try Data(contentsOf: ESETMockServer.defaultDataDirectory.appendingPathComponent("devices.json"))
        let domains = try XCTUnwrap(JSONParser.parse(Array(source)).arrayValue).filter { $0["managementDomain"] != nil }.count
        XCTAssertTrue(note.contains("Kept verbatim by --keep: managementDomain (\(domains))"), note)
        let devices = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/devices.json"))))
        XCTAssertEqual(devices.arrayValue?.first?["managementDomain"]?.stringValue, "eu.automation.eset.systems")
        XCTAssertNotEqual(devices.arrayValue?.first?["displayName"]?.stringValue, "DESKTOP-ABC123")
    }
}
