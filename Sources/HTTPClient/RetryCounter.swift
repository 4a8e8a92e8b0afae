import Synchronization

/// Counts retries by cause; shared by every call of a run, safe from any task.
public final class RetryCounter: Sendable {
    private let counts = Mutex<[RetryCause: Int]>([:])

    public init() {}

    public func record(_ cause: RetryCause) {
        counts.withLock { $0[cause, default: 0] += 1 }
    }

    /// The counts so far (causes never seen are absent).
    public var snapshot: [RetryCause: Int] { counts.withLock { $0 } }

    /// All retries so far.
    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }

    public func reset() { counts.withLock { $0.removeAll() } }
}
