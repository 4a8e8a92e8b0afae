import ConnectorCLI
import ESET
import ESETMock
import Foundation
import HTTPClient
import JSON
@testable import MockCLI
import Synchronization
import XCTest

let demoUser = "demo@example.com"
let demoPassword = "demo-password"
let testSalt = Array("record tests: a fixed salt of 32b".utf8)

/// Passes every request to the real transport and keeps the tokens the server handed out, so a
/// test can look for them in the recording.
final class TokenSpyTransport: HTTPTransport {
    private let inner = URLSessionTransport()
    private let seen = Mutex<[String]>([])
    var tokens: [String] { seen.withLock { $0 } }

    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response = try await inner.send(request)
        if request.url.hasSuffix("/oauth/token"), let json = try? JSONParser.parse(response.body) {
            for key in ["access_token", "refresh_token"] {
                if let token = json[key]?.stringValue, !token.isEmpty { seen.withLock { $0.append(token) } }
            }
        }
        return response
    }
}

/// A mock serving `directory` (nil: the repository's MockData) on a free loopback port.
func startMock(data directory: URL?, scenarios: [String] = []) throws -> ESETMockServer {
    var configuration = try ESETMockConfiguration.load(dataDirectory: directory)
    configuration.rateLimitPerSecond = nil
    configuration.activeScenarios = scenarios
    let server = try ESETMockServer(configuration: configuration)
    try server.start()
    return server
}

func recordSettings(from server: ESETMockServer, into directory: String, salt: [UInt8] = testSalt, pageSize: Int = 100,
                    keep: Set<String> = [], maxRetries: Int = 2) -> RecordSettings {
    RecordSettings(
        region: .eu, username: demoUser, password: Secret(demoPassword), esetURL: server.baseURL, outputDirectory: directory,
        keptMembers: keep, keepsMACVendor: true, salt: salt, saltFromFile: true, pageSize: pageSize, callsPerSecond: nil,
        requestTimeout: 5, retry: RetryPolicy(maxRetries: maxRetries, maxRetryTime: 10, initialDelay: 0.01, maxDelay: 0.05))
}

/// A fresh temporary directory (removed at the end of the test) and a path inside it that does not exist yet.
func scratchDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("record-tests-" + UUID().uuidString, isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Runs `eset-connector collect` in-process against `server` and returns the NDJSON events.
func collectEvents(from server: ESETMockServer, scratch: URL, name: String) async throws -> [JSONValue] {
    let output = scratch.appendingPathComponent("\(name).ndjson").path
    let stderr = TextStream.memory()
    let context = CLIContext(environment: ["ESET_PASSWORD": demoPassword], standardOutput: .memory(), standardError: stderr)
    let status = await runConnectorCLI(
        ["collect", "--region", "eu", "--username", demoUser, "--eset-url", server.baseURL, "--rate-limit", "off",
         "--retry-delay", "0.02", "--timeout", "5", "-o", output], context: context)
    XCTAssertTrue(status == 0 || status == 2, "collect from \(name) failed: \(stderr.text)")
    let text = try String(contentsOfFile: output, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
}

/// Every string value (and member name) of a JSON document, recursively.
func stringValues(_ value: JSONValue, into set: inout Set<String>) {
    switch value {
    case .string(let text): set.insert(text)
    case .array(let array): for element in array { stringValues(element, into: &set) }
    case .object(let object): for member in object.members { stringValues(member.value, into: &set) }
    default: break
    }
}

/// The string values of the members named in `keys`, anywhere in the document.
func values(of keys: Set<String>, in value: JSONValue, into set: inout Set<String>) {
    switch value {
    case .array(let array): for element in array { values(of: keys, in: element, into: &set) }
    case .object(let object):
        for member in object.members {
            if keys.contains(member.key) { stringValues(member.value, into: &set) }
            values(of: keys, in: member.value, into: &set)
        }
    default: break
    }
}

/// The member names, value types and order of a JSON value, recursively.
func skeleton(_ value: JSONValue) -> String {
    switch value {
    case .object(let object): return "{" + object.members.map { "\($0.key):\(skeleton($0.value))" }.joined(separator: ",") + "}"
    case .array(let array): return "[" + array.map(skeleton).joined(separator: ",") + "]"
    default: return value.typeName
    }
}

/// What kind of address `text` is, independently of the code under test: the block a pseudonym
/// must stay in.
func addressKind(_ text: String) -> String {
    if text.contains(":") {
        let lower = text.lowercased()
        if lower.hasPrefix("fe80:") { return "v6 link-local" }
        if lower.hasPrefix("fd") || lower.hasPrefix("fc") { return "v6 unique-local" }
        if lower == "::1" { return "v6 loopback" }
        return "v6 other"
    }
    let parts = text.split(separator: ".").compactMap { Int($0) }
    guard parts.count == 4, text.split(separator: ".").count == 4 else { return "not an address" }
    switch (parts[0], parts[1], parts[2]) {
    case (10, _, _): return "10/8"
    case (172, 16...31, _): return "172.16/12"
    case (192, 168, _): return "192.168/16"
    case (127, _, _): return "loopback"
    case (169, 254, _): return "link-local"
    case (100, 64...127, _): return "shared"
    case (192, 0, 2), (198, 51, 100), (203, 0, 113): return "documentation \(parts[0])"
    default: return "public"
    }
}
