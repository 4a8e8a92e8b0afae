import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

/// `eset-mock serve` with the issue-12 additions: the admin token from a file (never argv), the
/// foreign-origin trap announced, and an endless answer that cannot hold up SIGTERM.
final class CLIHostileTests: XCTestCase {
    func testAdminTokenFileAndSIGTERMDuringAnEndlessAnswer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fleet = TestFleet(devices: 5)
        try Data(fleet.devicesJSON).write(to: directory.appendingPathComponent("devices.json"))
        try Data(fleet.groupsJSON).write(to: directory.appendingPathComponent("device_groups.json"))
        let secret = "adm-\(UUID().uuidString)"
        let tokenFile = directory.appendingPathComponent("admin-token")
        try Data((secret + "\r\n").utf8).write(to: tokenFile)

        let cli = try CLIProcess(["serve", "--data", directory.path, "--rate-limit", "off", "--scenario", "endless-body",
                                  "--admin-token-file", tokenFile.path])
        defer { cli.kill() }
        let line = try XCTUnwrap(cli.firstLine(timeout: 20), "no first line; stderr: \(cli.standardError)")
        let port = try XCTUnwrap(Int(line.split(separator: ":").last ?? ""))

        let admin = try RawHTTPConnection(port: port)
        defer { admin.close() }
        XCTAssertEqual(try admin.request("GET", "/__admin/health").status, 401)
        XCTAssertEqual(try admin.request("GET", "/__admin/health", headers: [("Authorization", "Bearer \(secret)")]).status, 200,
                       "one trailing CRLF is stripped from the file")

        let form = Array("grant_type=password&username=demo%40example.com&password=demo-password".utf8)
        let token = try JSONParser.parse(try admin.request("POST", "/eu.business-account.iam.eset.systems/oauth/token",
                                                           headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form).body)
        let stream = try RawHTTPConnection(port: port)
        defer { stream.close() }
        try stream.send(RawHTTPConnection.encodeRequest("GET", "/eu.device-management.eset.systems/v1/devices",
                                                        headers: [("Authorization", "Bearer \(token["access_token"]?.stringValue ?? "")")]))
        let (head, _, ended) = try stream.readHeadAndBodyPrefix(maxBodyBytes: 256 * 1024)
        XCTAssertEqual(head.status, 200)
        XCTAssertFalse(ended)

        // The stream is in flight and its client has stopped reading: SIGTERM must still stop the mock.
        cli.terminate()
        XCTAssertEqual(cli.waitForExit(timeout: 20), 0, cli.standardError)
        XCTAssertTrue(stream.isClosedByPeer(timeout: 10))
        let output = cli.standardOutput + cli.standardError
        XCTAssertTrue(output.contains("(token required)"), output)
        XCTAssertTrue(output.contains("foreign-origin trap: http://127.0.0.1:"), output)
        XCTAssertFalse(output.contains(secret), "the admin token is never printed")
    }

    func testUnusableAdminTokenFilesAreUsageErrors() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-token-\(UUID().uuidString)")
        try Data("\n".utf8).write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        for path in [empty.path, "/nonexistent/admin-token"] {
            let cli = try CLIProcess(["serve", "--admin-token-file", path])
            XCTAssertEqual(cli.waitForExit(timeout: 20), 64, path)
            XCTAssertTrue(cli.standardError.contains("admin token") || cli.standardError.contains("--admin-token-file"), cli.standardError)
        }
    }
}
