import ESETMock
import Foundation
import HTTPServer
import HTTPTesting
import JSON
import Synchronization
import XCTest

/// A tiny deterministic fleet for tests: `count` devices with distinct uuids and names, and
/// `groupCount` groups; device JSON can be replaced per index to plant odd values.
struct TestFleet {
    var devices: [String]
    var groups: [String]

    init(devices count: Int, groups groupCount: Int = 3) {
        devices = (0..<count).map { TestFleet.device($0) }
        groups = (0..<groupCount).map { index in
            "{\"uuid\":\"group-\(index)\",\"displayName\":\"Group \(index)\",\"isSecurityGroup\":false}"
        }
    }

    static func uuid(_ index: Int) -> String {
        let digits = String(index)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    static func device(_ index: Int) -> String {
        let status = index % 3 == 0 ? "DEVICE_FUNCTIONALITY_STATUS_OK" : "DEVICE_FUNCTIONALITY_STATUS_ATTENTION_REQUIRED"
        return "{\"uuid\":\"\(uuid(index))\",\"displayName\":\"DEV-\(index)\",\"functionalityStatus\":\"\(status)\","
            + "\"isMuted\":\(index % 2 == 1),\"lastSyncTime\":\"2025-05-21T10:00:00Z\"}"
    }

    var devicesJSON: [UInt8] { Array(("[" + devices.joined(separator: ",\n") + "]").utf8) }
    var groupsJSON: [UInt8] { Array(("[" + groups.joined(separator: ",\n") + "]").utf8) }

    func fixtures() throws -> MockFixtures {
        try MockFixtures(devicesJSON: devicesJSON, deviceGroupsJSON: groupsJSON)
    }
}

/// One running mock plus a small client for it. Every request uses a fresh connection, so a
/// deliberately broken answer (reset, truncation) cannot disturb the next request.
final class MockHarness: Sendable {
    let server: ESETMockServer
    static let library: [MockScenario] = {
        // The repository's own scenario files: the tests prove the shipped data, not a copy.
        do {
            return try ESETMockConfiguration.loadScenarioLibrary()
        } catch {
            XCTFail("cannot load MockData/scenarios: \(error)")
            return []
        }
    }()

    /// Every answer's contract violations not declared on purpose (see `ContractWatch`).
    let contract: ContractWatch

    /// - Parameter offContract: the kinds of contract violation this test provokes on purpose
    ///   (planted off-contract devices, inline scenarios breaking answers); every other
    ///   violation of any answer fails the test when the harness goes away.
    init(fleet: TestFleet = TestFleet(devices: 7), scenarios: [String] = [], rateLimit: Int? = nil,
         offContract: Set<ContractViolation.Kind> = [], requestTimeout: Double = 10,
         file: StaticString = #filePath, line: UInt = #line,
         configure: (inout ESETMockConfiguration) -> Void = { _ in }) throws {
        contract = ContractWatch(allowed: offContract, file: file, line: line)
        self.requestTimeout = requestTimeout
        var configuration = ESETMockConfiguration(fixtures: try fleet.fixtures(), scenarioLibrary: MockHarness.library)
        configuration.rateLimitPerSecond = rateLimit
        configuration.activeScenarios = scenarios
        configuration.responseObserver = contract.observer()
        configure(&configuration)
        server = try ESETMockServer(configuration: configuration)
        try server.start()
    }

    deinit {
        server.stop()
        contract.assertClean()
    }

    static let eu = MockRegion.eu.deviceManagementHost
    static let euToken = MockRegion.eu.tokenHost

    /// Sends one request over a new connection and reads the answer.
    /// Seconds a request may take; the contract test lowers it for scenarios whose answers never
    /// end on purpose.
    let requestTimeout: Double

    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> RawHTTPResponse {
        let connection = try RawHTTPConnection(port: server.port, timeout: requestTimeout)
        defer { connection.close() }
        return try connection.request(method, target, headers: headers, body: body)
    }

    func get(_ target: String, token: String?, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        return try request("GET", target, headers: all)
    }

    func form(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&").utf8)
    }

    func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func tokenRequest(region: MockRegion = .eu, _ fields: [(String, String)],
                      contentType: String = "application/x-www-form-urlencoded") throws -> RawHTTPResponse {
        try request("POST", "/\(region.tokenHost)/oauth/token", headers: [("Content-Type", contentType)], body: form(fields))
    }

    /// A password grant for `username`/`password` that must succeed; returns (access, refresh, expires_in).
    func login(region: MockRegion = .eu, username: String = "demo@example.com", password: String = "demo-password",
               file: StaticString = #filePath, line: UInt = #line) throws -> (access: String, refresh: String, expiresIn: Int64) {
        let response = try tokenRequest(region: region, [("grant_type", "password"), ("username", username), ("password", password)])
        XCTAssertEqual(response.status, 200, response.bodyText, file: file, line: line)
        let json = try JSONParser.parse(response.body)
        guard let access = json["access_token"]?.stringValue, let refresh = json["refresh_token"]?.stringValue,
              case .int(let expires) = json["expires_in"] else {
            throw RawHTTPError("unexpected token answer: \(response.bodyText)")
        }
        return (access, refresh, expires)
    }

    /// Walks `GET /v1/devices` (or groups) page by page, returning the pages' bodies.
    func walk(_ listing: String = "devices", token: String, pageSize: Int? = nil, region: MockRegion = .eu,
              maxPages: Int = 100) throws -> (items: [JSONValue], pages: [JSONValue]) {
        var items: [JSONValue] = []
        var pages: [JSONValue] = []
        var pageToken = ""
        for _ in 0..<maxPages {
            var query: [String] = []
            if let pageSize { query.append("pageSize=\(pageSize)") }
            if !pageToken.isEmpty { query.append("pageToken=\(formEncode(pageToken))") }
            let target = "/\(region.deviceManagementHost)/v1/\(listing)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            let response = try get(target, token: token)
            guard response.status == 200 else { throw RawHTTPError("page answered \(response.status): \(response.bodyText)") }
            let page = try JSONParser.parse(response.body)
            pages.append(page)
            items += page[listing == "devices" ? "devices" : "deviceGroups"]?.arrayValue ?? []
            guard let next = page["nextPageToken"]?.stringValue, !next.isEmpty else { return (items, pages) }
            pageToken = next
        }
        throw RawHTTPError("more than \(maxPages) pages")
    }

    func adminJSON(_ path: String, method: String = "GET", body: String? = nil) throws -> (status: Int, json: JSONValue) {
        let response = try request(method, "/__admin/\(path)",
                                   headers: body == nil ? [] : [("Content-Type", "application/json")],
                                   body: body.map { Array($0.utf8) } ?? [])
        return (response.status, try JSONParser.parse(response.body))
    }
}

extension JSONValue {
    /// The `uuid` of each element of an array value.
    var uuids: [String] { (arrayValue ?? []).compactMap { $0["uuid"]?.stringValue } }
}

extension Array where Element == JSONValue {
    var uuids: [String] { compactMap { $0["uuid"]?.stringValue } }
}

/// Waits for `condition` up to `timeout` seconds, polling briefly; never a bare sleep.
func waitUntil(timeout: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// Checks every answer of a mock against ESET's OpenAPI contract (the response observer hook).
/// A violation is accepted when the scenario that produced the answer lists its kind in
/// `offContract`, or when the test declared the kind; any other fails the test.
final class ContractWatch: Sendable {
    let allowed: Set<ContractViolation.Kind>
    let file: StaticString
    let line: UInt
    private let found = Mutex<[String]>([])
    private let checked = Mutex(0)
    private let accepted = Mutex(0)

    init(allowed: Set<ContractViolation.Kind> = [], file: StaticString = #filePath, line: UInt = #line) {
        self.allowed = allowed
        self.file = file
        self.line = line
    }

    func observer() -> @Sendable (MockObservedExchange) -> Void {
        { [self] exchange in
            let violations = OpenAPIContract.eset.check(exchange)
            let exempt = allowed.union(exchange.declaredOffContract)
            let unexpected = violations.filter { !exempt.contains($0.kind) }
            checked.withLock { $0 += 1 }
            let onPurpose = violations.count - unexpected.count
            if onPurpose > 0 { accepted.withLock { $0 += onPurpose } }
            guard !unexpected.isEmpty else { return }
            let text = "\(exchange.method) \(exchange.path) → \(exchange.status)"
                + (exchange.scenario.map { " (scenario \($0))" } ?? "") + ": "
                + unexpected.prefix(3).map(\.description).joined(separator: "; ")
            found.withLock { if $0.count < 50 { $0.append(text) } }
        }
    }

    /// Answers observed so far.
    var checkedCount: Int { checked.withLock { $0 } }
    /// Violations seen and accepted because they were declared on purpose.
    var acceptedCount: Int { accepted.withLock { $0 } }
    /// Unexpected violations so far, one line per answer.
    var violations: [String] { found.withLock { $0 } }

    func assertClean() {
        let list = violations
        if !list.isEmpty {
            XCTFail("answers off ESET's OpenAPI contract:\n" + list.joined(separator: "\n"), file: file, line: line)
        }
    }
}
