import Synchronization

/// Counts retries by cause; shared by every call of a run, safe from any task.
package final class RetryCounter: Sendable {
    private let counts = Mutex<[RetryCause: Int]>([:])

    package init() {}

    package func record(_ cause: RetryCause) {
        counts.withLock { $0[cause, default: 0] += 1 }
    }

    /// The counts so far (causes never seen are absent).
    package var snapshot: [RetryCause: Int] { counts.withLock { $0 } }

    /// All retries so far.
    package var total: Int { counts.withLock { $0.values.reduce(0, +) } }

    package func reset() { counts.withLock { $0.removeAll() } }
}
