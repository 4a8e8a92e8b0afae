import Foundation
import Synchronization

/// How often and how long one logical call may be retried, and how long to wait in between.
///
/// Both bounds apply: a call fails after `maxRetries` retries *or* when the next wait would end
/// past `maxRetryTime` seconds after its first attempt, whichever comes first.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (0 = never retry).
    public var maxRetries: Int
    /// Seconds from the first attempt after which no retry is started.
    public var maxRetryTime: Double
    /// The first backoff wait in seconds; each further retry doubles it, up to `maxDelay`.
    public var initialDelay: Double
    /// The longest backoff wait in seconds.
    public var maxDelay: Double
    /// The longest wait a server's `Retry-After` can impose, in seconds.
    public var maxRetryAfter: Double

    public init(maxRetries: Int = 5, maxRetryTime: Double = 300, initialDelay: Double = 1, maxDelay: Double = 30, maxRetryAfter: Double = 60) {
        self.maxRetries = max(0, maxRetries)
        self.maxRetryTime = max(0, maxRetryTime)
        self.initialDelay = max(0, initialDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// The backoff before retry number `retry` (1-based): exponential, capped, with "equal
    /// jitter" (a random point in the upper half) so that many clients failing together do not
    /// come back together, while every wait still grows.
    public func backoff(retry: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exponent = Double(min(max(retry, 1) - 1, 40))
        let ceiling = min(maxDelay, initialDelay * pow(2, exponent))
        return ceiling / 2 + ceiling / 2 * min(max(random, 0), 1)
    }
}

/// Parses the `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The wait in seconds, clamped to `0...maximum`; nil when the value is neither a finite
    /// number nor an HTTP date (the caller then uses its own backoff).
    ///
    /// Numbers with a fraction and negative numbers are accepted (and clamped) because servers
    /// do send them; `inf`, `nan` and hexadecimal are not numbers here.
    public static func seconds(_ value: String, now: Date = Date(), maximum: Double) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }) {
            guard let number = Double(text), number.isFinite else { return nil }
            return clamp(number, maximum: maximum)
        }
        guard let date = httpDate(text) else { return nil }
        return clamp(date.timeIntervalSince(now), maximum: maximum)
    }

    private static func clamp(_ seconds: Double, maximum: Double) -> Double {
        min(max(seconds, 0), max(maximum, 0))
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
    public static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

/// Why a call was retried (or re-sent), for the run's statistics.
public enum RetryCause: String, Sendable, CaseIterable, Comparable {
    /// 429 Too Many Requests.
    case rateLimited = "rate-limited (429)"
    /// 500, 502, 503 or 504.
    case serverError = "server error (5xx)"
    /// The connection could not be made or broke.
    case connectionFailure = "connection failure"
    /// No complete answer within the per-request timeout.
    case timeout = "timeout"
    /// A 200 whose body was cut short or was not the JSON expected.
    case malformedBody = "truncated or malformed body"
    /// A 401 on a data call: the token was renewed and the call re-sent once.
    case unauthorized = "token rejected (401)"
    /// A 202 "request cached": the same query re-sent with its `response-id`.
    case pendingResponse = "cached answer pending (202)"
    /// The refresh grant failed and a password grant replaced it.
    case refreshFallback = "refresh failed, password grant used"
    /// A Sekoia.io task still PENDING or RUNNING, polled again.
    case taskPending = "task poll"

    public static func < (lhs: RetryCause, rhs: RetryCause) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

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

/// A client-side limit of calls per second, so that the connector never earns a 429 by itself.
///
/// A sliding window: at most `burst` calls start within any `window`. For 10 calls/s that is
/// 10 calls in any second, which satisfies a server counting per fixed second or per sliding
/// second alike. Rates below 1/s become one call per `1/rate` seconds.
public final class RateLimiter: Sendable {
    private let burst: Int
    private let window: Duration
    private let starts = Mutex<[ContinuousClock.Instant]>([])

    /// - Parameter callsPerSecond: a positive finite rate.
    public init(callsPerSecond: Double) {
        precondition(callsPerSecond > 0 && callsPerSecond.isFinite, "rate must be positive")
        burst = max(1, Int(callsPerSecond.rounded(.down)))
        window = .seconds(Double(burst) / callsPerSecond)
    }

    /// Waits until one more call may start, and records it as started.
    public func acquire() async throws {
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
