/// A retry (or re-send) a client is about to make, as facts: the program decides how to show it.
package struct RetryNotice: Sendable, CustomStringConvertible {
    /// The call, e.g. `GET /v1/devices (page 3)`.
    package var call: String
    package var cause: RetryCause
    /// What went wrong, e.g. `HTTP 503`.
    package var detail: String
    /// Seconds before the next attempt.
    package var wait: Double

    package init(call: String, cause: RetryCause, detail: String, wait: Double) {
        self.call = call
        self.cause = cause
        self.detail = detail
        self.wait = wait
    }

    package var description: String { "\(call): \(detail); \(cause.rawValue), retrying in \(formatDuration(wait))" }
}
