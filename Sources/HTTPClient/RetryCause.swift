/// Why a call was retried (or re-sent), for the run's statistics. The causes every HTTP client
/// meets are declared here; a client adds its own (ESET's 202 polling, Sekoia.io's task polls)
/// in its module with `RetryCause(_:order:)`.
package struct RetryCause: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The cause in words, as summaries print it, e.g. `rate-limited (429)`.
    package let rawValue: String
    /// Where summaries list the cause: lower first.
    package let order: Int

    package init(_ words: String, order: Int) {
        rawValue = words
        self.order = order
    }

    package var description: String { rawValue }

    package static func < (lhs: RetryCause, rhs: RetryCause) -> Bool {
        (lhs.order, lhs.rawValue) < (rhs.order, rhs.rawValue)
    }

    /// 429 Too Many Requests.
    package static let rateLimited = RetryCause("rate-limited (429)", order: 10)
    /// 500, 502, 503 or 504.
    package static let serverError = RetryCause("server error (5xx)", order: 20)
    /// The connection could not be made or broke.
    package static let connectionFailure = RetryCause("connection failure", order: 30)
    /// No complete answer within the per-request timeout.
    package static let timeout = RetryCause("timeout", order: 40)
    /// A 2xx whose body was cut short or was not what the call expects.
    package static let malformedBody = RetryCause("truncated or malformed body", order: 50)
}
