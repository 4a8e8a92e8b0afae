import Dispatch
internal import ESETMockData
import Foundation
import HTTPServer

/// Everything an `ESETMockServer` needs; all values have working defaults except the fixtures.
public struct ESETMockConfiguration: Sendable {
    /// Address to bind. Loopback by default: the mock accepts a documented demo password.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from `ESETMockServer.port`).
    public var port: Int = 0
    /// The devices and groups served in every region.
    public var fixtures: MockFixtures
    /// Users accepted by the token endpoints (default: the demo account only).
    public var accounts: [MockAccount] = [.demo]
    /// Scenarios that can be activated by name.
    public var scenarioLibrary: [MockScenario]
    /// Names (from `scenarioLibrary`) active from the start.
    public var activeScenarios: [String] = []
    /// ESET's limit of calls per second per credential on device-management calls; nil disables
    /// it (benchmarks, bulk tests).
    public var rateLimitPerSecond: Int? = 10
    /// Whether the rate limiter's 429 carries `Retry-After` (ESET does not document it).
    public var sendsRetryAfter: Bool = true
    /// `expires_in` of issued access tokens, in seconds (a scenario may override it).
    public var tokenLifetime: Int = 3600
    /// The API key the mock Sekoia.io intake accepts as `Authorization: Bearer <key>`.
    /// A mock-only value, documented in the README; never a real key.
    public var sekoiaAPIKey: String = "sekoia-demo-key"
    /// When set, every admin request must carry `Authorization: Bearer <adminToken>` (compared in
    /// constant time; never logged or echoed). nil: the admin API is open to local processes
    /// (browsers on other origins and foreign `Host` names are refused either way).
    public var adminToken: String?
    /// Most items one intake POST may carry; more is answered 413.
    public var sekoiaMaxItemsPerBatch: Int = 1000
    /// Items kept for the admin API (older batches' items are dropped beyond it; counts go on).
    public var sekoiaItemCapacity: Int = 200_000
    /// Entries kept in the request journal (oldest dropped first).
    public var journalCapacity: Int = 1000
    /// Live access tokens, refresh tokens, page tokens and tasks kept, each (oldest evicted first).
    public var tokenCapacity: Int = 100_000
    /// Socket-level limits for the embedded HTTP server (`host` and `port` above take precedence).
    /// `maxBodyBytes` (1 MiB) bounds the bodies of the token, data and admin routes; the intake
    /// has its own `sekoiaMaxBodyBytes`. Its `bodyLimit` is replaced by the mock's per-route one.
    public var http = HTTPServer.Configuration()
    /// Largest body the Sekoia.io intake reads (16 MiB: a full 1000-item batch fits); above it, 413.
    public var sekoiaMaxBodyBytes: Int = 16 * 1024 * 1024
    /// Called with every answer once it is built (before it is sent), so that a test harness can
    /// check answers against ESET's contract (`OpenAPIContract.check`). nil, the default, costs
    /// nothing. Called on the connection's thread: it must be quick and thread-safe.
    public var responseObserver: (@Sendable (MockObservedExchange) -> Void)?
    /// The kinds of contract violation the fixtures cause on purpose (an edge-case data set:
    /// `[.bodySchema]`); added to `MockObservedExchange.declaredOffContract` of every answer.
    public var fixturesOffContract: Set<ContractViolation.Kind> = []
    /// Monotonic seconds used for token and cache expiry and rate limiting; tests may inject one.
    public var clock: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000 }

    /// A configuration serving `fixtures`, with `scenarioLibrary` available by name.
    public init(fixtures: MockFixtures = .empty, scenarioLibrary: [MockScenario] = []) {
        self.fixtures = fixtures
        self.scenarioLibrary = scenarioLibrary
    }

    /// Loads a data directory: `devices.json`, `device_groups.json`, optional `accounts.json`
    /// (added to the demo account), and scenarios: the default library
    /// (`defaultDataDirectory/scenarios`) overridden by name by `dataDirectory/scenarios/*.json`.
    /// - Parameters:
    ///   - dataDirectory: nil means `ESETMockServer.defaultDataDirectory`.
    ///   - fixtureIndex: how the fixture indexes beside the data files are used (see
    ///     `FixtureIndexPolicy`); never written into the built-in tenant's resource bundle.
    /// - Throws: `ESETMockError` naming the file (with line and column for malformed JSON);
    ///   nothing is half-loaded.
    public static func load(dataDirectory: URL? = nil, fixtureIndex: FixtureIndexPolicy = .default) throws -> ESETMockConfiguration {
        let directory = dataDirectory ?? ESETMockServer.defaultDataDirectory
        var policy = fixtureIndex
        if directory.standardizedFileURL.path == ESETMockData.directory.standardizedFileURL.path {
            // The shipped tenant is small, and its bundle may be read-only or shared.
            policy.writes = false
        }
        var configuration = ESETMockConfiguration(fixtures: try MockFixtures(directory: directory, index: policy),
                                                  scenarioLibrary: try loadScenarioLibrary(extraDirectory: directory))
        let accountsPath = directory.appendingPathComponent("accounts.json").path
        if FileManager.default.fileExists(atPath: accountsPath) {
            configuration.accounts += try MockAccount.load(from: accountsPath)
        }
        return configuration
    }

    /// The scenarios of `defaultDataDirectory/scenarios`, overridden by name by those of
    /// `extraDirectory/scenarios` when given. A missing directory contributes nothing.
    public static func loadScenarioLibrary(extraDirectory: URL? = nil) throws -> [MockScenario] {
        var library: [MockScenario] = []
        var directories = [ESETMockServer.defaultDataDirectory.appendingPathComponent("scenarios")]
        if let extraDirectory {
            let extra = extraDirectory.appendingPathComponent("scenarios")
            if extra.standardizedFileURL.path != directories[0].standardizedFileURL.path { directories.append(extra) }
        }
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            for scenario in try MockScenario.loadLibrary(directory: directory) {
                library.removeAll { $0.name == scenario.name }
                library.append(scenario)
            }
        }
        return library
    }
}
