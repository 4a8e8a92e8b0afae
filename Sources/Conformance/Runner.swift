import ConnectorCLI
import ESETMock
import Foundation
import JSON

/// Runs cases the way a user would run the connector: a mock on a free loopback port per case,
/// the real `eset-connector collect` over HTTP against it (only `--eset-url` differs from
/// production), then a comparison of what came out.
package struct ConformanceRunner: Sendable {
    package var catalog: RuleCatalog
    /// Scenario files beyond MockData/scenarios (a user's own).
    package var scenarioLibrary: [MockScenario]
    /// Installed on every mock the runner starts (`ESETMockConfiguration.responseObserver`): lets
    /// a test check every answer against ESET's contract. Fixtures other than the default tenant
    /// (case files, the edge-case data set) are declared off-contract (`body-schema`) on purpose.
    package var responseObserver: (@Sendable (MockObservedExchange) -> Void)?

    package init(catalog: RuleCatalog, scenarioLibrary: [MockScenario]) {
        self.catalog = catalog
        self.scenarioLibrary = scenarioLibrary
    }

    /// The demo account every region of the mock knows (public by design: it only opens the mock).
    static let username = "demo@example.com"
    static let password = "demo-password"

    /// Runs one case; never throws: a case that cannot run is a failed case saying why.
    package func run(_ testCase: ConformanceCase) async -> CaseResult {
        let started = Date()
        do {
            switch testCase.kind {
            case .mapping: return try await runMapping(testCase, started: started)
            case .error: return try await runError(testCase, started: started)
            case .delivery: return try await runDelivery(testCase, started: started)
            }
        } catch {
            return CaseResult(
                name: testCase.name, kind: testCase.kind, profile: testCase.profile, rules: testCase.rules,
                failedRules: testCase.rules, problems: ["cannot run: \(error)"], seconds: Date().timeIntervalSince(started))
        }
    }

    /// Runs every case, one after another (each has its own mock), and builds the report.
    package func run(_ cases: [ConformanceCase], progress: (@Sendable (CaseResult) -> Void)? = nil) async -> ConformanceReport {
        var results: [CaseResult] = []
        for testCase in cases {
            let result = await run(testCase)
            progress?(result)
            results.append(result)
        }
        return ConformanceReport(catalog: catalog, results: results)
    }

    // MARK: Mapping cases

    func runMapping(_ testCase: ConformanceCase, started: Date) async throws -> CaseResult {
        let expected = try testCase.expectedEvents()
        let (output, run) = try await produce(testCase)
        var result = MappingEvaluation.evaluate(testCase, expected: expected, output: output, catalog: catalog, seconds: Date().timeIntervalSince(started))
        if !result.passed, run.status != 0, run.status != 2 {
            result.problems.append("connector stderr: " + run.standardError.suffix(600))
        }
        return result
    }

    /// Serves the case's fleet and collects it with the real connector.
    package func produce(_ testCase: ConformanceCase) async throws -> (MappingRunOutput, ConnectorRun) {
        let fixtures = try caseFixtures(testCase.directory)
        let workspace = try Workspace()
        defer { workspace.remove() }
        let output = workspace.path("events.ndjson")
        let rejects = workspace.path("rejects.ndjson")
        let mock = try startMock(fixtures: fixtures, scenarios: [], rateLimit: nil)
        defer { mock.stop() }
        let pageSize = 1000
        let windowStart = Date().timeIntervalSince1970
        let run = await runConnector(
            mock: mock,
            arguments: ["--rate-limit", "off", "--page-size", String(pageSize), "--output", output, "--rejects", rejects, "--profile", testCase.profile])
        let windowEnd = Date().timeIntervalSince1970
        let events = try readNDJSON(output, allowMissing: true)
        let rejected = try readNDJSON(rejects, allowMissing: true).compactMap { line -> Int? in
            guard let index = intValue(line["index"]) else { return nil }
            return ((intValue(line["page"]) ?? 1) - 1) * pageSize + index
        }
        return (MappingRunOutput(events: events, exitStatus: run.status, rejectedIndices: rejected, runWindowSeconds: windowStart...windowEnd), run)
    }

    // MARK: Shared pieces

    /// What one `eset-connector collect` run printed and returned.
    package struct ConnectorRun: Sendable {
        package var status: Int32
        package var standardOutput: String
        package var standardError: String
    }

    func caseFixtures(_ directory: URL) throws -> MockFixtures {
        let devices = directory.appendingPathComponent("devices.json")
        let groups = directory.appendingPathComponent("device_groups.json")
        guard let devicesData = FileManager.default.contents(atPath: devices.path) else {
            throw CaseError(devices.path, "no such file")
        }
        let groupsData = FileManager.default.contents(atPath: groups.path) ?? Data("[]".utf8)
        return try MockFixtures(devicesJSON: Array(devicesData), deviceGroupsJSON: Array(groupsData))
    }

    func startMock(fixtures: MockFixtures, scenarios: [String], rateLimit: Int?, specValidFixtures: Bool = false) throws -> ESETMockServer {
        var configuration = ESETMockConfiguration(fixtures: fixtures, scenarioLibrary: scenarioLibrary)
        configuration.rateLimitPerSecond = rateLimit
        configuration.activeScenarios = scenarios
        configuration.responseObserver = responseObserver
        if !specValidFixtures { configuration.fixturesOffContract = [.bodySchema] }
        let server = try ESETMockServer(configuration: configuration)
        try server.start()
        return server
    }

    func runConnector(mock: ESETMockServer, region: String = "eu", arguments: [String], environment: [String: String] = [:]) async -> ConnectorRun {
        var env = environment
        env["ESET_PASSWORD"] = env["ESET_PASSWORD"] ?? Self.password
        let context = CLIContext(environment: env, standardOutput: .memory(), standardError: .memory())
        let status = await runConnectorCLI(
            ["collect", "--region", region, "--username", Self.username, "--eset-url", mock.baseURL] + arguments, context: context)
        return ConnectorRun(status: status, standardOutput: context.standardOutput.text, standardError: context.standardError.text)
    }

    func readNDJSON(_ path: String, allowMissing: Bool) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if allowMissing { return [] }
            throw CaseError(path, "no such file")
        }
        var values: [JSONValue] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            do {
                values.append(try JSONParser.parse(String(line)))
            } catch {
                throw CaseError(path, "line \(number + 1): \(error)")
            }
        }
        return values
    }
}

/// A temporary directory for one case's files.
struct Workspace {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("eset-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}
