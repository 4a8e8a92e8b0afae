/// The retries left to one logical call under a `RetryPolicy`.
public struct RetryBudget: Sendable {
    public let policy: RetryPolicy
    private let started: ContinuousClock.Instant
    /// Retries granted so far.
    public private(set) var retriesUsed = 0

    public init(policy: RetryPolicy) {
        self.policy = policy
        started = ContinuousClock.now
    }

    /// Seconds since the first attempt.
    public var elapsed: Double {
        let duration = ContinuousClock.now - started
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Grants one more retry and returns the wait before it, or nil when the budget is spent
    /// (too many retries, or the wait would end past `maxRetryTime`).
    ///
    /// - Parameter serverWait: the server's own instruction (`Retry-After`, already clamped);
    ///   nil uses the exponential backoff.
    public mutating func nextWait(serverWait: Double? = nil) -> Double? {
        guard retriesUsed < policy.maxRetries else { return nil }
        let wait = serverWait ?? policy.backoff(retry: retriesUsed + 1)
        guard elapsed + wait <= policy.maxRetryTime else { return nil }
        retriesUsed += 1
        return wait
    }
}

/// Sleeps `seconds` (nothing for zero or less); throws `CancellationError` when cancelled.
public func waitSeconds(_ seconds: Double) async throws {
    guard seconds > 0 else {
        try Task.checkCancellation()
        return
    }
    try await Task.sleep(for: .seconds(seconds))
}
