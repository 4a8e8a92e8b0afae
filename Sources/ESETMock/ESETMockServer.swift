internal import ESETMockData
import Foundation
import HTTPServer
import JSON

/// The mock ESET Connect API (every region, token and device-management hosts) and the mock
/// Sekoia.io intake, on one HTTP server. In tests, prefer `ESETMockServer.withRunning(_:_:)` from
/// `ESETMockTesting`, which starts it on a free port and always stops it; here, `start()`,
/// `baseURL` and `stop()` are the building blocks (and `eset-mock serve` runs it). Instances are
/// independent.
///
/// URLs: `{baseURL}/{region}.business-account.iam.eset.systems/oauth/token`,
/// `{baseURL}/{region}.device-management.eset.systems/v1/devices`, `{baseURL}/sekoia/api/...`,
/// `{baseURL}/__admin/...`.
public final class ESETMockServer: Sendable {
    /// The configuration the server was created with.
    public let configuration: ESETMockConfiguration
    let engine: MockEngine
    /// The underlying socket server (for `installSignalStop` and connection statistics).
    public let httpServer: HTTPServer

    /// Prepares a stopped server. Scenario names in `configuration.activeScenarios` are resolved
    /// now, so a typo fails here rather than at the first request.
    /// - Throws: `ESETMockError` for an unknown scenario name.
    public init(configuration: ESETMockConfiguration) throws {
        self.configuration = configuration
        var scenarios: [MockScenario] = []
        for name in configuration.activeScenarios {
            guard let scenario = configuration.scenarioLibrary.first(where: { $0.name == name }) else {
                let known = configuration.scenarioLibrary.map(\.name).joined(separator: ", ")
                throw ESETMockError("unknown scenario '\(name)' (available: \(known.isEmpty ? "none" : known))")
            }
            scenarios.append(scenario)
        }
        let engine = MockEngine(configuration: configuration, scenarios: scenarios)
        self.engine = engine
        var http = configuration.http
        http.host = configuration.host
        http.port = configuration.port
        let ordinaryLimit = configuration.http.maxBodyBytes
        let intakeLimit = configuration.sekoiaMaxBodyBytes
        http.bodyLimit = { head in MockEngine.isIntakeRequest(head) ? intakeLimit : ordinaryLimit }
        httpServer = HTTPServer(configuration: http) { request in engine.handle(request) }
    }

    /// Binds and starts serving, with the foreign-origin trap on a second loopback port.
    /// - Throws: `HTTPServerError` naming the address when it cannot bind.
    public func start() throws {
        try engine.foreign.start()
        do {
            try httpServer.start()
        } catch {
            engine.foreign.stop(timeout: 0)
            throw error
        }
    }

    /// Stops accepting, lets in-flight requests finish (up to `timeout` seconds), and returns.
    /// Endless and huge-length answers are cut at once.
    public func stop(timeout: Double = 5) {
        httpServer.stop(timeout: timeout)
        engine.foreign.stop(timeout: timeout)
    }

    /// Blocks until `stop()` has completed (e.g. after a signal).
    public func waitUntilStopped() { httpServer.waitUntilStopped() }

    /// The bound port (0 before `start()`).
    public var port: Int { httpServer.port }

    /// `http://HOST:PORT`.
    public var baseURL: String { httpServer.baseURL }

    /// `{baseURL}/{region}.business-account.iam.eset.systems/oauth/token`.
    public func tokenURL(region: MockRegion = .eu) -> String { "\(baseURL)/\(region.tokenHost)/oauth/token" }

    /// `{baseURL}/{region}.device-management.eset.systems` (append `/v1/devices`, …).
    public func deviceManagementURL(region: MockRegion = .eu) -> String { "\(baseURL)/\(region.deviceManagementHost)" }

    /// `{baseURL}/sekoia`: the base a Sekoia.io client uses instead of `https://api.sekoia.io`.
    public var sekoiaBaseURL: String { "\(baseURL)/sekoia" }

    /// `{baseURL}/__admin`.
    public var adminURL: String { "\(baseURL)/__admin" }

    /// `http://127.0.0.1:PORT` of the foreign-origin trap (`::1` when the mock binds IPv6): the
    /// other host that `redirect: "foreign-origin"` rules send clients to. Valid after `start()`.
    public var foreignOriginURL: String { engine.foreign.baseURL }

    /// Every request that reached the foreign-origin trap since start (or the last reset),
    /// oldest first: method, path, and whether it carried `Authorization` or any credential.
    /// Empty is what a correct client leaves behind.
    public var foreignOriginRequests: [MockForeignRequest] { engine.foreign.requests }

    /// Answers one request in-process, without a socket (connection faults such as `reset`
    /// show only as the response's `disposition`).
    public func respond(to request: HTTPRequest) -> HTTPResponse { engine.handle(request) }

    // MARK: Admin

    /// The request journal, oldest first (bounded by `journalCapacity`; no secrets).
    public var journal: [MockJournalEntry] { engine.journal.withLock { $0.storedEntries } }

    /// Calls by route and status since the last reset.
    public var counters: MockCounters { engine.counters }

    /// The items received by the Sekoia intake, verbatim JSON, in arrival order (the newest
    /// `sekoiaItemCapacity` of them).
    public func receivedSekoiaItems() -> [[UInt8]] { Array(engine.state.withLock { $0.storedSekoiaItems }) }

    /// Items received by the Sekoia intake since the last reset, including those no longer stored.
    public var receivedSekoiaItemCount: Int { engine.state.withLock { $0.sekoiaItemsReceived } }

    /// The accepted Sekoia batches, in arrival order.
    public func receivedSekoiaBatches() -> [MockSekoiaBatch] { engine.state.withLock { $0.sekoiaBatches } }

    /// Names of the active scenarios, in order.
    public var activeScenarios: [String] { engine.activeScenarioNames }

    /// Activates library scenarios by name (replacing the active set; their call counts restart
    /// and the fleet is restored).
    /// - Throws: `ESETMockError` for an unknown name; nothing changes then.
    public func setScenarios(_ names: [String]) throws {
        engine.activate(try names.map { try engine.scenario(named: $0) })
    }

    /// Activates the given scenarios (library or inline ones), replacing the active set.
    public func setScenarios(_ scenarios: [MockScenario]) { engine.activate(scenarios) }

    /// Forgets tokens, cached answers, journal, counters and received items, and restores the
    /// fleet; active scenarios stay active with their call counts restarted.
    public func reset() { engine.reset() }

    // MARK: Data location

    /// Where the mock's data is: `$ESET_MOCK_DATA` when set, else the default tenant shipped
    /// with this package as resources (the repository's `MockData/`, copied into the build), so
    /// it is found from any working directory and when this package is a dependency.
    public static var defaultDataDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["ESET_MOCK_DATA"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return ESETMockData.directory
    }
}
