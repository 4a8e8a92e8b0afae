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
