/// The retries left to one logical call under a `RetryPolicy`.
package struct RetryBudget: Sendable {
    package let policy: RetryPolicy
    private let started: ContinuousClock.Instant
    /// Retries granted so far.
    package private(set) var retriesUsed = 0

    package init(policy: RetryPolicy) {
        self.policy = policy
        started = ContinuousClock.now
    }

    /// Seconds since the first attempt.
    package var elapsed: Double { seconds(since: started) }

    /// Grants one more retry and returns the wait before it, or nil when the budget is spent
    /// (too many retries, or the wait would end past `maxRetryTime`).
    ///
    /// - Parameter serverWait: the server's own instruction (`Retry-After`, already clamped);
    ///   nil uses the exponential backoff.
    package mutating func nextWait(serverWait: Double? = nil) -> Double? {
        guard retriesUsed < policy.maxRetries else { return nil }
        let wait = serverWait ?? policy.backoff(retry: retriesUsed + 1)
        guard elapsed + wait <= policy.maxRetryTime else { return nil }
        retriesUsed += 1
        return wait
    }
}

/// Sleeps `seconds` (nothing for zero or less); throws `CancellationError` when cancelled.
package func waitSeconds(_ seconds: Double) async throws {
    guard seconds > 0 else {
        try Task.checkCancellation()
        return
    }
    try await Task.sleep(for: .seconds(seconds))
}
