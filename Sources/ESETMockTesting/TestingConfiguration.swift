import Foundation
import Synchronization

extension ESETMockConfiguration {
    /// The preset for tests: the default tenant (devices, groups, accounts and scenario library
    /// that `eset-mock serve` would serve, found as package resources, or under
    /// `$ESET_MOCK_DATA` when set), bound to 127.0.0.1 on a free port, with the rate limiter off
    /// so that a fast test is never answered 429 by accident.
    ///
    /// Adjust anything else on the returned value (accounts, token lifetime, the Sekoia API key)
    /// before passing it to `ESETMockServer.withRunning(_:_:)`.
    /// - Parameters:
    ///   - scenarios: scenarios active from the first request, in order.
    ///   - fixtures: the devices and groups to serve instead of the default tenant.
    /// - Throws: `ESETMockError` naming the file when the data cannot be read.
    public static func testing(scenarios: [MockScenarioName] = [], fixtures: MockFixtures? = nil) throws -> ESETMockConfiguration {
        var configuration = try DefaultTenantCache.shared.configuration()
        if let fixtures { configuration.fixtures = fixtures }
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.rateLimitPerSecond = nil
        configuration.activeScenarios = scenarios.map(\.rawValue)
        return configuration
    }
}

/// The default tenant is about half a megabyte of JSON; a suite starting hundreds of mocks parses
/// it once per data directory rather than once per test.
final class DefaultTenantCache: Sendable {
    static let shared = DefaultTenantCache()
    private let loaded = Mutex<[String: ESETMockConfiguration]>([:])

    func configuration() throws -> ESETMockConfiguration {
        let directory = ESETMockServer.defaultDataDirectory
        if let cached = loaded.withLock({ $0[directory.path] }) { return cached }
        let configuration = try ESETMockConfiguration.load(dataDirectory: directory)
        loaded.withLock { $0[directory.path] = configuration }
        return configuration
    }
}
