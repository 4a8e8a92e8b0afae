@testable import ESETMock
import ESETMockTesting
import Foundation
import HTTPTesting
import JSON
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The security promises of the mock and the connector: tokens unguessable and compared in
/// constant time, loopback by default (with a warning otherwise), the admin API off the data
/// path, and no secret in anything the connector prints or writes, even when it fails.
final class SecurityTests: XCTestCase {
    func startMock() throws -> (ESETMockServer, MockExpectations) {
        let configuration = try ESETMockConfiguration.testing()
        let mock = try ESETMockServer(configuration: configuration)
        try mock.start()
        return (mock, try MockExpectations(configuration.fixtures))
    }

    /// 1,000 password grants: 2,000 tokens, all distinct, all at full length (352 random bits),
    /// with no shared structure a counter or clock would leave.
    func testThousandTokensAreDistinctAndFullLength() throws {
        let (mock, expectations) = try startMock()
        defer { mock.stop(timeout: 2) }
        let client = CheckedMockClient(port: mock.port, expectations: expectations)
        defer { client.close() }
        var tokens: [String] = []
        for _ in 0..<1000 {
            let pair = try client.token()
            tokens += [pair.access, pair.refresh]
        }
        XCTAssertEqual(Set(tokens).count, 2000, "tokens repeat")
        XCTAssertTrue(tokens.allSatisfy(CheckedMockClient.isFullLengthToken), "a token is short or of another shape")
        // 16 random characters per selector: even 4-character prefixes almost never repeat among 2,000.
        let prefixes = Set(tokens.map { $0.prefix(4) })
        XCTAssertGreaterThanOrEqual(prefixes.count, 1990, "selectors share prefixes: not random")
        let secretParts = Set(tokens.map { $0.split(separator: ".")[1].prefix(4) })
        XCTAssertGreaterThanOrEqual(secretParts.count, 1990, "secret parts share prefixes: not random")
        // Every base64url character shows up in roughly equal measure (2,000 × 59 characters).
        var counts: [Character: Int] = [:]
        for token in tokens { for character in token where character != "." { counts[character, default: 0] += 1 } }
        let mean = Double(counts.values.reduce(0, +)) / 64
        XCTAssertEqual(counts.count, 64, "the token alphabet is not fully used")
        XCTAssertTrue(counts.values.allSatisfy { abs(Double($0) - mean) < mean * 0.25 }, "character frequencies are skewed: \(counts)")
        reportFigures("tokens", ["grants": 1000, "tokens": tokens.count, "distinct": Set(tokens).count, "prefixes": prefixes.count])
    }

    /// The comparator gives the right answers, and its time does not depend on where two tokens
    /// first differ (an early exit would make a first-byte difference far faster to reject).
    func testConstantTimeComparator() {
        let a = [UInt8](repeating: 0x41, count: 256 * 1024)
        var differsFirst = a
        differsFirst[0] = 0x42
        var differsLast = a
        differsLast[a.count - 1] = 0x42
        XCTAssertTrue(SecureToken.constantTimeEquals(a, a))
        XCTAssertFalse(SecureToken.constantTimeEquals(a, differsFirst))
        XCTAssertFalse(SecureToken.constantTimeEquals(a, differsLast))
        XCTAssertFalse(SecureToken.constantTimeEquals(a, Array(a.dropLast())))
        XCTAssertFalse(SecureToken.constantTimeEquals([], [0]))
        XCTAssertTrue(SecureToken.constantTimeEquals("abc.def", "abc.def"))
        XCTAssertFalse(SecureToken.constantTimeEquals("abc.def", "abc.deg"))

        func fastest(_ other: [UInt8]) -> Double {
            var best = Double.infinity
            for _ in 0..<7 {
                let start = WireClient.now()
                _ = SecureToken.constantTimeEquals(a, other)
                best = min(best, WireClient.now() - start)
            }
            return best
        }
        let first = fastest(differsFirst), last = fastest(differsLast)
        let ratio = max(first, last) / max(min(first, last), 1e-9)
        XCTAssertLessThan(ratio, 3, "comparison time depends on where the inputs differ: \(first) s vs \(last) s")
        reportFigures("constant-time", ["bytes": a.count, "first-diff-s": String(format: "%.6f", first),
                                        "last-diff-s": String(format: "%.6f", last), "ratio": String(format: "%.2f", ratio)])
    }

    /// The configuration defaults to loopback, and a started mock listens on 127.0.0.1 only.
    func testMockBindsLoopbackByDefault() throws {
        XCTAssertEqual(ESETMockConfiguration().host, "127.0.0.1")
        let (mock, _) = try startMock()
        defer { mock.stop(timeout: 2) }
        XCTAssertEqual(mock.configuration.host, "127.0.0.1")
        let portHex = String(format: "%04X", mock.port)
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        XCTAssertEqual(Self.listeningAddresses(table: table, portHex: portHex), ["0100007F:\(portHex)"],
                       "the mock listens elsewhere than 127.0.0.1")
        let table6 = (try? String(contentsOfFile: "/proc/net/tcp6", encoding: .utf8)) ?? ""
        XCTAssertEqual(Self.listeningAddresses(table: table6, portHex: portHex), [], "the mock listens on IPv6 too")
    }

    /// Local addresses of sockets in LISTEN state (`0A`) on the port, from a /proc/net/tcp table.
    static func listeningAddresses(table: String, portHex: String) -> [String] {
        var addresses: [String] = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3 else { continue }
            let local = String(fields[1])
            if local.hasSuffix(":" + portHex) && fields[3] == "0A" { addresses.append(local) }
        }
        return addresses
    }

    /// `eset-mock serve` says where it listens (127.0.0.1 by default) and warns before binding a
    /// non-loopback address. 192.0.2.1 (TEST-NET-1) is not on this machine, so nothing is exposed:
    /// the bind fails right after the warning.
    func testMockCLIListensOnLoopbackAndWarnsOtherwise() throws {
        guard let binary = ConnectorKillTests.binary("eset-mock") else { throw XCTSkip("eset-mock is not built next to the tests") }
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("rel-mockcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }

        let served = try ConnectorKillTests.launch(binary, ["serve", "--port", "0"], environment: [:], logs: logs)
        XCTAssertTrue(waitUntil(20) { served.stdoutText.contains("\n") }, "no first line: \(served.stderrText)")
        XCTAssertTrue(served.stdoutText.hasPrefix("eset-mock listening on http://127.0.0.1:"), served.stdoutText)
        XCTAssertFalse(served.stderrText.contains("warning"), served.stderrText)
        kill(served.process.processIdentifier, SIGTERM)
        XCTAssertTrue(served.waitForExit(within: 20))
        XCTAssertEqual(served.process.terminationStatus, 0)

        let elsewhere = try ConnectorKillTests.launch(binary, ["serve", "--host", "192.0.2.1", "--port", "0"], environment: [:], logs: logs)
        XCTAssertTrue(elsewhere.waitForExit(within: 20))
        XCTAssertTrue(elsewhere.stderrText.contains("warning: binding 192.0.2.1, not a loopback address"), elsewhere.stderrText)
        XCTAssertEqual(elsewhere.process.terminationStatus, 1, "binding an address this machine lacks must fail")
    }

    /// The admin API answers only at `/__admin`: never under a regional prefix, a regional Host,
    /// an encoded or dot-segment path; a reset sent that way resets nothing.
    func testAdminAPIIsNotReachableThroughTheDataPath() throws {
        let (mock, expectations) = try startMock()
        defer { mock.stop(timeout: 2) }
        let client = CheckedMockClient(port: mock.port, expectations: expectations)
        defer { client.close() }
        let token = try client.token().access
        var attempts: [(String, String, [(String, String)])] = []
        for region in MockRegion.allCases {
            for host in [region.deviceManagementHost, region.tokenHost] {
                for path in ["__admin/health", "__admin/journal", "__admin/scenarios", "__admin/sekoia/items", "%5F%5Fadmin/health",
                             "v1/../__admin/health", "v1/%2E%2E/__admin/health", "sekoia/api/v1/tasks/x"] {
                    attempts.append(("GET", "/\(host)/\(path)", []))
                }
                attempts.append(("GET", "/__admin/health", [("Host", host)]))
                attempts.append(("GET", "/__admin/journal", [("Host", "\(host):443")]))
                attempts.append(("POST", "/\(host)/__admin/reset", []))
            }
        }
        attempts.append(("GET", "//__admin/health", []))
        var statuses: [Int: Int] = [:]
        for (method, target, headers) in attempts {
            let response = try client.send(method, target, headers: headers)
            statuses[response.status, default: 0] += 1
            XCTAssertTrue([400, 401, 404, 405].contains(response.status), "\(method) \(target) \(headers): \(response.status)")
            XCTAssertFalse(response.bodyText.contains("activeScenarios") || response.bodyText.contains("\"entries\""),
                           "\(method) \(target) served admin data")
        }
        // The token still works: no reset went through.
        try client.groups(token: token)
        let health = try client.send("GET", "/__admin/health")
        XCTAssertEqual(health.status, 200, "the real admin path still works")
        reportFigures("admin-off-data-path", ["attempts": attempts.count,
                                              "statuses": statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")])
    }

    /// Wrong credentials and a wrong API key: the connector fails clearly, and neither the right
    /// secrets nor the wrong ones show in what it prints or writes, nor in the mock's journal.
    func testWrongSecretsFailWithoutShowingAnySecret() async throws {
        let fleet = ReliabilityFleet(devices: 30)
        let harness = try RecordingMock(fleet: fleet)
        defer { harness.front.stop(timeout: 1) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rel-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let wrongPassword = "Wrong-pw-" + UUID().uuidString
        let wrongKey = "wrong-key-" + UUID().uuidString
        let badPassword = await runInProcess(harness.collectArguments(directory: directory),
                                             environment: ["ESET_PASSWORD": wrongPassword, "SEKOIA_API_KEY": harness.secrets.sekoiaAPIKey])
        XCTAssertEqual(badPassword.status, 1)
        XCTAssertTrue(badPassword.stderr.contains(harness.secrets.username), "the error should name the user: \(badPassword.stderr)")
        // Secrets in files are read and trimmed too.
        let keyFile = directory.appendingPathComponent("key")
        try Data((wrongKey + "\n").utf8).write(to: keyFile)
        let badKey = await runInProcess(harness.collectArguments(directory: directory, extra: ["--sekoia-api-key-file", keyFile.path]),
                                        environment: ["ESET_PASSWORD": harness.secrets.password])
        XCTAssertEqual(badKey.status, 1)
        XCTAssertTrue(badKey.stderr.lowercased().contains("403") || badKey.stderr.lowercased().contains("key"), badKey.stderr)
        try FileManager.default.removeItem(at: keyFile)

        let texts = [("stderr, wrong password", badPassword.stderr), ("stdout, wrong password", badPassword.stdout),
                     ("stderr, wrong key", badKey.stderr), ("stdout, wrong key", badKey.stdout), ("journal", try harness.journalText())]
        let files = RunArtifacts(directory: directory).files
        var leaks = secretLeaks(secrets: harness.secrets, tokens: harness.tokens, texts: texts, files: files)
        for (place, text) in texts {
            if text.contains(wrongPassword) { leaks.append("the wrong password found in \(place)") }
            if text.contains(wrongKey) { leaks.append("the wrong API key found in \(place)") }
        }
        for leak in leaks { XCTFail(leak) }
        XCTAssertFalse(harness.tokens.isEmpty, "the key run should have obtained tokens to look for")
    }
}
