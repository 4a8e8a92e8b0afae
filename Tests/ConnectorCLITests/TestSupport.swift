@testable import ConnectorCLI
import ConnectorDemo
import ESETMock
import Foundation
import JSON
import XCTest

/// A deterministic fleet built in memory, so that every test knows the exact set of uuids the
/// connector must deliver.
struct TestFleet {
    /// Raw device JSON texts, in fixture order (rejects included).
    var devices: [String] = []
    var groups: [String] = []
    /// The uuids that must be delivered, each once.
    var deliverable: Set<String> = []

    /// `count` devices spread over `groupCount` groups, synced one second apart from
    /// 2025-05-21T10:00:00Z; every 10th has no lastSyncTime.
    init(devices count: Int, groups groupCount: Int = 3, rejects: Int = 0) {
        groups = (0..<groupCount).map { "{\"uuid\":\"group-\($0)\",\"displayName\":\"Group \($0)\",\"isSecurityGroup\":false}" }
        for index in 0..<count { add(index: index, groupCount: groupCount) }
        for index in 0..<rejects {
            devices.insert("{\"displayName\":\"NO-UUID-\(index)\",\"uuid\":\(index % 2 == 0 ? "null" : "\"\"")}", at: min(devices.count, 3 + index * 7))
        }
    }

    static func uuid(_ index: Int) -> String {
        let digits = String(index)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    static func syncTime(_ index: Int, base: Int = 0) -> String {
        let second = base + index
        return String(format: "2025-05-21T%02d:%02d:%02dZ", 10 + second / 3600, second / 60 % 60, second % 60)
    }

    mutating func add(index: Int, groupCount: Int = 3, syncBase: Int = 0) {
        let uuid = Self.uuid(index)
        var fields = [
            "\"uuid\":\"\(uuid)\"", "\"displayName\":\"DEV-\(index)\"", "\"deviceType\":\"DEVICE_TYPE_DESKTOP\"",
            "\"primaryLocalIpAddress\":\"10.0.\(index / 250).\(index % 250 + 1)\"",
            "\"operatingSystem\":{\"displayName\":\"Windows 11\",\"familyId\":1}",
        ]
        if index % 10 != 9 { fields.append("\"lastSyncTime\":\"\(Self.syncTime(index, base: syncBase))\"") }
        if groupCount > 0 { fields.append("\"parentGroupUuid\":\"group-\(index % groupCount)\"") }
        devices.append("{" + fields.joined(separator: ",") + "}")
        deliverable.insert(uuid)
    }

    func fixtures() throws -> MockFixtures {
        try MockFixtures(
            devicesJSON: Array(("[" + devices.joined(separator: ",\n") + "]").utf8),
            deviceGroupsJSON: Array(("[" + groups.joined(separator: ",\n") + "]").utf8))
    }
}

/// A running mock ESET API + Sekoia.io intake on a free port.
final class MockServer {
    let server: ESETMockServer
    static let password = "demo-password"
    static let apiKey = "sekoia-demo-key"
    static let connectorUUID = "11111111-2222-4333-8444-555555555555"

    static let library: [MockScenario] = {
        do {
            return try ESETMockConfiguration.loadScenarioLibrary()
        } catch {
            XCTFail("cannot load MockData/scenarios: \(error)")
            return []
        }
    }()

    init(fleet: TestFleet, scenarios: [String] = [], rateLimit: Int? = nil, configure: (inout ESETMockConfiguration) -> Void = { _ in }) throws {
        var configuration = ESETMockConfiguration(fixtures: try fleet.fixtures(), scenarioLibrary: Self.library)
        configuration.rateLimitPerSecond = rateLimit
        configuration.activeScenarios = scenarios
        configuration.sekoiaAPIKey = Self.apiKey
        configure(&configuration)
        server = try ESETMockServer(configuration: configuration)
        try server.start()
    }

    deinit { server.stop(timeout: 1) }

    var baseURL: String { server.baseURL }

    /// The `device.uid` of every item the intake received, in arrival order (duplicates kept).
    var receivedUIDs: [String] {
        server.receivedSekoiaItems().compactMap { item in
            guard let json = try? JSONParser.parse(item), case .string(let uid)? = json["device"]?["uid"] else { return nil }
            return uid
        }
    }

    /// The arguments that point `collect` at this mock, fast retries, no client rate limit;
    /// an option in `extra` replaces the default of the same name.
    func collectArguments(region: String = "eu", sekoia: Bool = true, extra: [String] = []) -> [String] {
        var defaults: [(String, String)] = [
            ("--region", region), ("--username", "demo@example.com"), ("--eset-url", baseURL),
            ("--rate-limit", "off"), ("--retry-delay", "0.02"), ("--timeout", "5"),
        ]
        if sekoia {
            defaults += [("--sekoia-url", server.sekoiaBaseURL), ("--connector-uuid", Self.connectorUUID)]
        }
        var arguments = ["collect"]
        for (option, value) in defaults where !extra.contains(option) { arguments += [option, value] }
        return arguments + extra
    }
}

/// What one in-process run of `eset-connector` produced.
struct ConnectorRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// `device.uid` of each NDJSON line on stdout.
    var stdoutUIDs: [String] { uids(ndjson: stdout) }

    /// The value of a summary line such as `  mapped: 12`.
    func summary(_ key: String) -> String? {
        for line in stderr.split(separator: "\n") where line.hasPrefix("  \(key): ") {
            return String(line.dropFirst(key.count + 4))
        }
        return nil
    }

    func summaryInt(_ key: String) -> Int? { summary(key).flatMap { Int($0.split(separator: " ").first ?? "") } }
}

func uids(ndjson: String) -> [String] {
    ndjson.split(separator: "\n").compactMap { line in
        guard let json = try? JSONParser.parse(String(line)), case .string(let uid)? = json["device"]?["uid"] else { return nil }
        return uid
    }
}

/// Runs `eset-connector` in-process with captured streams.
func runConnector(_ arguments: [String], environment: [String: String]? = nil) async -> ConnectorRun {
    let stdout = TextStream.memory()
    let stderr = TextStream.memory()
    let context = CLIContext(
        environment: environment ?? ["ESET_PASSWORD": MockServer.password, "SEKOIA_API_KEY": MockServer.apiKey],
        standardOutput: stdout, standardError: stderr)
    let status = await runESETConnector(arguments, context: context)
    return ConnectorRun(status: status, stdout: stdout.text, stderr: stderr.text)
}

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "eset-connector-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Asserts that `delivered` holds each uuid of `expected` exactly once and nothing else.
func assertDeliveredExactly(_ delivered: [String], _ expected: Set<String>, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let counts = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +)
    let duplicated = counts.filter { $0.value > 1 }.map(\.key).sorted()
    XCTAssertEqual(duplicated, [], "delivered more than once \(message)", file: file, line: line)
    let missing = expected.subtracting(counts.keys).sorted()
    XCTAssertEqual(missing, [], "never delivered \(message)", file: file, line: line)
    let unexpected = Set(counts.keys).subtracting(expected).sorted()
    XCTAssertEqual(unexpected, [], "delivered but not expected \(message)", file: file, line: line)
}
