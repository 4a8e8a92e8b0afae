import ESETMock
import Foundation
import HTTPTesting
import JSON
import Synchronization
import XCTest

/// The `eset-mock` executable, run as a subprocess the way scripts and CI use it.
final class CLITests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fleet = TestFleet(devices: 5)
        try Data(fleet.devicesJSON).write(to: directory.appendingPathComponent("devices.json"))
        try Data(fleet.groupsJSON).write(to: directory.appendingPathComponent("device_groups.json"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testServePrintsItsAddressFirstServesAndStopsOnSIGTERM() throws {
        let cli = try CLIProcess(["serve", "--data", directory.path, "--port", "0", "--rate-limit", "off",
                                  "--scenario", "last-page-token-null", "--token-lifetime", "1799"])
        defer { cli.kill() }
        let port = try cli.listeningPort()

        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        let token = try Self.demoPasswordGrant(on: connection)
        XCTAssertEqual(token.status, 200)
        let json = try JSONParser.parse(token.body)
        XCTAssertEqual(json["expires_in"], .int(1799))
        let access = try XCTUnwrap(json["access_token"]?.stringValue)
        let page = try connection.request("GET", "/eu.device-management.eset.systems/v1/devices",
                                          headers: [("Authorization", "Bearer \(access)")])
        let body = try JSONParser.parse(page.body)
        XCTAssertEqual(body["devices"]?.arrayValue?.count, 5)
        XCTAssertEqual(body["nextPageToken"], .null, "the --scenario is active")
        connection.close()

        cli.terminate()
        XCTAssertEqual(cli.waitForExit(timeout: 20), 0)
        let output = cli.standardOutput
        XCTAssertTrue(output.contains("admin: http://127.0.0.1:\(port)/__admin/health"), output)
        XCTAssertTrue(output.contains("demo account: demo@example.com"), output)
        XCTAssertFalse(output.contains("demo-password"), "no password in the output")
        XCTAssertFalse(output.contains("sekoia-demo-key"), "no API key in the output")
        XCTAssertTrue(output.contains("fleet: 5 devices, 3 groups"), output)
    }

    func testUsageErrorsExit64NamingTheFlag() throws {
        for (arguments, mention) in [(["serve", "--port", "abc"], "--port"), (["serve", "--rate-limit", "fast"], "--rate-limit"),
                                     (["serve", "--bogus"], "--bogus"), (["generate", "--out", "/tmp/x"], "--devices"),
                                     (["generate", "--devices", "3"], "--out"), (["frobnicate"], "frobnicate")] {
            let cli = try CLIProcess(arguments)
            XCTAssertEqual(cli.waitForExit(timeout: 20), 64, "\(arguments)")
            XCTAssertTrue(cli.standardError.contains(mention), "\(arguments): \(cli.standardError)")
        }
    }

    func testFixtureErrorExits1WithFileLineAndColumn() throws {
        try Data("[\n  {\"uuid\": \"a\"},\n  {\"uuid\": \"b\",}\n]".utf8).write(to: directory.appendingPathComponent("devices.json"))
        let cli = try CLIProcess(["serve", "--data", directory.path])
        XCTAssertEqual(cli.waitForExit(timeout: 20), 1)
        XCTAssertTrue(cli.standardError.contains(directory.appendingPathComponent("devices.json").path + ":3:16:"), cli.standardError)
        XCTAssertEqual(cli.standardOutput, "", "nothing is served half-loaded")
    }

    func testUnknownScenarioExits1ListingTheAvailableOnes() throws {
        let cli = try CLIProcess(["serve", "--data", directory.path, "--scenario", "nope"])
        XCTAssertEqual(cli.waitForExit(timeout: 20), 1)
        XCTAssertTrue(cli.standardError.contains("unknown scenario 'nope'"), cli.standardError)
        XCTAssertTrue(cli.standardError.contains("token-expiry"), cli.standardError)
    }

    func testLintExits0OnCleanFixturesAnd1NamingFileIndexAndPath() throws {
        let clean = try CLIProcess(["lint", directory.path])
        XCTAssertEqual(clean.waitForExit(timeout: 20), 0, clean.standardError)
        XCTAssertEqual(clean.standardOutput, "")
        XCTAssertTrue(clean.standardError.contains("5 devices and 3 groups"), clean.standardError)

        var fleet = TestFleet(devices: 3)
        fleet.devices[2] = #"{"uuid": "odd", "isMobile": "yes", "operatingSystem": {"familyId": "1"}}"#
        try Data(fleet.devicesJSON).write(to: directory.appendingPathComponent("devices.json"))
        let dirty = try CLIProcess(["lint", directory.path])
        XCTAssertEqual(dirty.waitForExit(timeout: 20), 1)
        let devices = directory.appendingPathComponent("devices.json").path
        XCTAssertEqual(dirty.standardOutput.split(separator: "\n").sorted(), [
            "\(devices): device index 2 (odd): $.isMobile: expected a boolean, found the string \"yes\"",
            "\(devices): device index 2 (odd): $.operatingSystem.familyId: expected an integer (int64), found the string \"1\"",
        ])
        XCTAssertTrue(dirty.standardError.contains("2 off-contract values"), dirty.standardError)

        let usage = try CLIProcess(["lint"])
        XCTAssertEqual(usage.waitForExit(timeout: 20), 64)
        let missing = try CLIProcess(["lint", directory.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.waitForExit(timeout: 20), 1)
        XCTAssertTrue(missing.standardError.contains("nope/devices.json"), missing.standardError)
    }

    func testGenerateWritesASpecValidFleetUnlessAskedForEdgeCases() throws {
        for (flags, clean) in [([String](), true), (["--edge-cases"], false)] {
            let out = directory.appendingPathComponent(clean ? "valid" : "edge")
            let cli = try CLIProcess(["generate", "--devices", "300", "--seed", "3", "--out", out.path] + flags)
            XCTAssertEqual(cli.waitForExit(timeout: 30), 0, cli.standardError)
            let lint = try FixtureLinter.lint(directory: out)
            XCTAssertEqual(lint.total == 0, clean, "\(flags): \(lint.total) findings")
        }
    }

    func testGenerateWritesADeterministicFleetTheServerLoads() throws {
        let first = directory.appendingPathComponent("a")
        let second = directory.appendingPathComponent("b")
        for out in [first, second] {
            let cli = try CLIProcess(["generate", "--devices", "25", "--seed", "42", "--out", out.path])
            XCTAssertEqual(cli.waitForExit(timeout: 30), 0, cli.standardError)
        }
        let fixtures = try MockFixtures(directory: first)
        XCTAssertEqual(fixtures.deviceCount, 25)
        XCTAssertEqual(fixtures.deviceGroupCount, 12)
        XCTAssertEqual(Set(fixtures.deviceUUIDs.compactMap { $0 }).count, 25)
        for name in ["devices.json", "device_groups.json"] {
            XCTAssertEqual(try Data(contentsOf: first.appendingPathComponent(name)),
                           try Data(contentsOf: second.appendingPathComponent(name)), "\(name) differs for the same seed")
        }
    }

    func testHelpAndScenarioListing() throws {
        let help = try CLIProcess(["serve", "--help"])
        XCTAssertEqual(help.waitForExit(timeout: 20), 0)
        XCTAssertTrue(help.standardOutput.contains("--rate-limit"))
        let list = try CLIProcess(["scenarios"])
        XCTAssertEqual(list.waitForExit(timeout: 20), 0)
        XCTAssertTrue(list.standardOutput.contains("fleet-changes-between-pages\n"), list.standardOutput)
        XCTAssertTrue(list.standardOutput.contains("expect: "))
    }

    /// The demo account's password grant in the EU region.
    private static func demoPasswordGrant(on connection: RawHTTPConnection) throws -> RawHTTPResponse {
        let form = Array("grant_type=password&username=demo%40example.com&password=demo-password".utf8)
        return try connection.request("POST", "/eu.business-account.iam.eset.systems/oauth/token",
                                      headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
    }

    func testTheDefaultTenantIsFoundFromAnyWorkingDirectory() throws {
        // The data is a resource beside the executable, not a path relative to the checkout.
        var environment = ProcessInfo.processInfo.environment
        environment["ESET_MOCK_DATA"] = nil
        let cli = try CLIProcess(["serve", "--port", "0", "--rate-limit", "off"], directory: URL(fileURLWithPath: "/"),
                                 environment: environment)
        defer { cli.kill() }
        let port = try cli.listeningPort()
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        let token = try Self.demoPasswordGrant(on: connection)
        let access = try XCTUnwrap(try JSONParser.parse(token.body)["access_token"]?.stringValue, token.bodyText)
        let page = try connection.request("GET", "/eu.device-management.eset.systems/v1/devices?pageSize=1000",
                                          headers: [("Authorization", "Bearer \(access)")])
        XCTAssertEqual(page.status, 200, page.bodyText)
        XCTAssertEqual(try JSONParser.parse(page.body)["devices"]?.arrayValue?.count,
                       try MockFixtures(directory: ESETMockServer.defaultDataDirectory).deviceCount)
        cli.terminate()
        XCTAssertEqual(cli.waitForExit(timeout: 20), 0)
    }
}

/// A child process with its output collected on background threads, so reading the first line
/// and waiting for the exit both have deadlines.
final class CLIProcess: Sendable {
    private let process: Process
    private let output = ByteBuffer()
    private let errorOutput = ByteBuffer()
    private let outputDone = DispatchSemaphore(value: 0)
    private let errorDone = DispatchSemaphore(value: 0)

    static var executable: URL {
        // The test bundle is an executable next to the package's products.
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("eset-mock")
    }

    init(_ arguments: [String], directory: URL? = nil, environment: [String: String]? = nil) throws {
        let executable = CLIProcess.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw RawHTTPError("\(executable.path) is missing: build the eset-mock product before the tests")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        CLIProcess.drain(stdout.fileHandleForReading, into: output, done: outputDone)
        CLIProcess.drain(stderr.fileHandleForReading, into: errorOutput, done: errorDone)
    }

    private static func drain(_ handle: FileHandle, into buffer: ByteBuffer, done: DispatchSemaphore) {
        let box = HandleBox(handle: handle)
        Thread.detachNewThread {
            while true {
                let data = box.handle.availableData
                if data.isEmpty { break }
                buffer.bytes.withLock { $0.append(contentsOf: data) }
            }
            done.signal()
        }
    }

    /// The first line of standard output, without its newline; nil if none came in time.
    func firstLine(timeout: Double) -> String? {
        var line: String?
        _ = waitUntil(timeout: timeout) {
            output.bytes.withLock { bytes in
                if let newline = bytes.firstIndex(of: 0x0A) { line = String(decoding: bytes[..<newline], as: UTF8.self) }
            }
            return line != nil || !process.isRunning
        }
        return line
    }

    /// The port of `serve`'s first line, which must be the listening line.
    func listeningPort() throws -> Int {
        let line = try XCTUnwrap(firstLine(timeout: 20), "no first line; stderr: \(standardError)")
        let prefix = "eset-mock listening on http://127.0.0.1:"
        XCTAssertTrue(line.hasPrefix(prefix), line)
        return try XCTUnwrap(Int(line.dropFirst(prefix.count)), line)
    }

    func terminate() { process.terminate() }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The exit status, or nil (after killing the process) if it did not exit in time.
    func waitForExit(timeout: Double) -> Int32? {
        guard waitUntil(timeout: timeout, { !process.isRunning }) else {
            kill()
            return nil
        }
        process.waitUntilExit()
        _ = outputDone.wait(timeout: .now() + 5)
        _ = errorDone.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    var standardOutput: String { output.bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    var standardError: String { errorOutput.bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// FileHandle is thread-safe for this use (one reader) but not annotated Sendable.
private struct HandleBox: @unchecked Sendable { let handle: FileHandle }

/// Bytes appended by a reader thread and read by the test.
final class ByteBuffer: Sendable {
    let bytes = Mutex<[UInt8]>([])
}
