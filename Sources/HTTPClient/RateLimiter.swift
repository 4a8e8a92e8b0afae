import Synchronization

/// A client-side limit of calls per second, so that the connector never earns a 429 by itself.
///
/// A sliding window: at most `burst` calls start within any `window`. For 10 calls/s that is
/// 10 calls in any second, which satisfies a server counting per fixed second or per sliding
/// second alike. Rates below 1/s become one call per `1/rate` seconds.
package final class RateLimiter: Sendable {
    private let burst: Int
    private let window: Duration
    private let starts = Mutex<[ContinuousClock.Instant]>([])

    /// - Parameter callsPerSecond: a positive finite rate.
    package init(callsPerSecond: Double) {
        precondition(callsPerSecond > 0 && callsPerSecond.isFinite, "rate must be positive")
        burst = max(1, Int(callsPerSecond.rounded(.down)))
        window = .seconds(Double(burst) / callsPerSecond)
    }

    /// Waits until one more call may start, and records it as started.
    package func acquire() async throws {
        let clock = ContinuousClock()
        for _ in 0..<10_000 {
            let now = clock.now
            let wait: Duration? = starts.withLock { starts in
                starts.removeAll { now - $0 >= window }
                if starts.count < burst {
                    starts.append(now)
                    return nil
                }
                return starts[0] + window - now
            }
            guard let wait else { return }
            try await Task.sleep(for: wait)
        }
    }
}
