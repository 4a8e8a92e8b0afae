import Foundation

/// How often and how long one logical call may be retried, and how long to wait in between.
///
/// Both bounds apply: a call fails after `maxRetries` retries *or* when the next wait would end
/// past `maxRetryTime` seconds after its first attempt, whichever comes first.
package struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (0 = never retry).
    package var maxRetries: Int
    /// Seconds from the first attempt after which no retry is started.
    package var maxRetryTime: Double
    /// The first backoff wait in seconds; each further retry doubles it, up to `maxDelay`.
    package var initialDelay: Double
    /// The longest backoff wait in seconds.
    package var maxDelay: Double
    /// The longest wait a server's `Retry-After` can impose, in seconds.
    package var maxRetryAfter: Double

    package init(maxRetries: Int = 5, maxRetryTime: Double = 300, initialDelay: Double = 1, maxDelay: Double = 30, maxRetryAfter: Double = 60) {
        self.maxRetries = max(0, maxRetries)
        self.maxRetryTime = max(0, maxRetryTime)
        self.initialDelay = max(0, initialDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// The backoff before retry number `retry` (1-based): exponential, capped, with "equal
    /// jitter" (a random point in the upper half) so that many clients failing together do not
    /// come back together, while every wait still grows.
    package func backoff(retry: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exponent = Double(min(max(retry, 1) - 1, 40))
        let ceiling = min(maxDelay, initialDelay * pow(2, exponent))
        return ceiling / 2 + ceiling / 2 * min(max(random, 0), 1)
    }
}
