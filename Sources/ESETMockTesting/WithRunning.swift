import Dispatch
import Foundation

extension ESETMockServer {
    /// Starts a mock for the duration of `body` and stops it afterwards, whether `body` returns,
    /// throws or its task is cancelled:
    ///
    /// ```swift
    /// try await ESETMockServer.withRunning(.testing(scenarios: [.serverErrors])) { mock in
    ///     // point the code under test at mock.tokenURL(.eu) and mock.deviceManagementURL(.eu)
    /// }
    /// ```
    ///
    /// Cancelling the task stops the server at once (requests still running are cut after half a
    /// second), so a body waiting on the mock is released instead of waiting for its timeout.
    /// Stopping never blocks a Swift concurrency thread.
    /// - Parameters:
    ///   - configuration: usually `.testing(…)`; any configuration works (its host and port are used).
    ///   - body: the test; its result is returned.
    /// - Throws: `ESETMockError` for an unknown scenario, `HTTPServerError` when the port cannot
    ///   be bound, and whatever `body` throws (after the server has stopped).
    public static func withRunning<Value>(
        _ configuration: ESETMockConfiguration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RunningESETMock) async throws -> Value
    ) async throws -> Value {
        let mock = try RunningESETMock.start(configuration)
        let value: Value
        do {
            value = try await withTaskCancellationHandler {
                try await body(mock)
            } onCancel: {
                mock.stopInBackground(timeout: 0.5)
            }
        } catch {
            await mock.stop(timeout: RunningESETMock.stopTimeout)
            throw error
        }
        await mock.stop(timeout: RunningESETMock.stopTimeout)
        return value
    }
}

/// A mock started by `ESETMockServer.withRunning(_:_:)`: where to reach it, and what it saw.
/// Valid inside the `withRunning` body; afterwards the server is stopped.
public final class RunningESETMock: Sendable {
    /// The server itself, for what this type does not wrap (`respond(to:)`, inline scenarios).
    public let server: ESETMockServer

    /// Seconds in-flight requests get to finish once the body is done.
    static let stopTimeout = 2.0

    init(server: ESETMockServer) { self.server = server }

    /// Creates and starts a mock whose lifetime the caller manages (this package's own test
    /// harnesses keep one per test object); users get the scoped `withRunning` instead.
    package static func start(_ configuration: ESETMockConfiguration) throws -> RunningESETMock {
        let server = try ESETMockServer(configuration: configuration)
        try server.start()
        return RunningESETMock(server: server)
    }

    /// Stops the server, blocking the calling thread until it has (harnesses' `deinit`).
    package func stopAndWait(timeout: Double = RunningESETMock.stopTimeout) { server.stop(timeout: timeout) }

    /// Stops the server on a Dispatch thread and resumes when it has.
    func stop(timeout: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.server.stop(timeout: timeout)
                continuation.resume()
            }
        }
    }

    /// Starts stopping without waiting (from a cancellation handler, which must not block).
    func stopInBackground(timeout: Double) {
        DispatchQueue.global().async { self.server.stop(timeout: timeout) }
    }

    // MARK: Where

    /// The bound port on 127.0.0.1 (chosen by the system with `.testing`).
    public var port: Int { server.port }

    /// `http://127.0.0.1:PORT`: what replaces `https://` plus a host name in the code under test.
    public var baseURL: URL { URL(string: server.baseURL)! }

    /// The OAuth token endpoint of `region`:
    /// `{baseURL}/{region}.business-account.iam.eset.systems/oauth/token`.
    public func tokenURL(_ region: MockRegion = .eu) -> URL { URL(string: server.tokenURL(region: region))! }

    /// The device-management base of `region` (append `v1/devices`, `v1/device_groups`):
    /// `{baseURL}/{region}.device-management.eset.systems`.
    public func deviceManagementURL(_ region: MockRegion = .eu) -> URL {
        URL(string: server.deviceManagementURL(region: region))!
    }

    /// The mock's admin API (`{baseURL}/__admin`), for tools outside the test process.
    public var adminURL: URL { URL(string: server.adminURL)! }

    /// The users the token endpoints accept (`MockAccount.demo` with `.testing`).
    public var accounts: [MockAccount] { server.configuration.accounts }

    // MARK: What it saw

    /// Calls by route and status since the start (or the last `reset()`).
    public var counters: MockCounters { server.counters }

    /// Every request answered, oldest first, without secrets.
    public var journal: [MockJournalEntry] { server.journal }

    /// The mock Sekoia.io intake: where it listens and what it received.
    public var sekoia: MockSekoiaIntake { MockSekoiaIntake(server: server) }

    // MARK: Changing behaviour mid-test

    /// Replaces the active scenarios (their call counts restart, the fleet is restored).
    /// - Throws: `ESETMockError` for a name the library does not hold; nothing changes then.
    public func setScenarios(_ names: [MockScenarioName]) throws { try server.setScenarios(names.map(\.rawValue)) }

    /// Forgets tokens, journal, counters and received items; active scenarios restart.
    public func reset() { server.reset() }
}

/// The mock Sekoia.io intake of a running mock (`mock.sekoia`).
public struct MockSekoiaIntake: Sendable {
    let server: ESETMockServer

    /// `{baseURL}/sekoia`: the base URL a Sekoia.io client uses instead of `https://api.sekoia.io`.
    public var baseURL: URL { URL(string: server.sekoiaBaseURL)! }

    /// The API key the intake accepts as `Authorization: Bearer <key>` (a mock-only value).
    public var apiKey: String { server.configuration.sekoiaAPIKey }

    /// The items received, each the verbatim JSON object, in arrival order (bounded by the
    /// configuration's `sekoiaItemCapacity`; decode them with `JSONDecoder` or `JSONSerialization`).
    public var items: [Data] { server.receivedSekoiaItems().map { Data($0) } }

    /// Items received since the start or the last reset, including any no longer kept in `items`.
    public var itemCount: Int { server.receivedSekoiaItemCount }

    /// The accepted batches (one per successful POST), in arrival order.
    public var batches: [MockSekoiaBatch] { server.receivedSekoiaBatches() }

    /// `items` decoded as `type`.
    /// - Throws: the decoder's error for the first item that does not decode.
    public func decodedItems<Item: Decodable>(as type: Item.Type) throws -> [Item] {
        let decoder = JSONDecoder()
        return try items.map { try decoder.decode(type, from: $0) }
    }
}
