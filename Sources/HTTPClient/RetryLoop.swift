/// What one answer means for its call, once the statuses every call shares (429 and 5xx) are
/// handled by `withRetries`.
package enum AnswerVerdict<Value> {
    /// The call succeeded.
    case done(Value)
    /// A transient failure (a malformed body, an expired cached answer): retried under the budget.
    case retry(RetryCause, detail: String)
    /// Send again at once, outside the budget (the caller already waited or renewed a token).
    case resend
}

/// A 429's words and wait: the server's `Retry-After` (clamped to `maximum`), quoted in the
/// words, so that a run giving up on an absurd `Retry-After` says why.
package func rateLimitedDetail(_ response: HTTPClientResponse, maximum: Double) -> (detail: String, wait: Double?) {
    guard let header = response.header("Retry-After") else { return ("HTTP 429", nil) }
    let shown = header.count > 40 ? String(header.prefix(40)) + "…" : header
    guard let wait = RetryAfter.seconds(header, maximum: .infinity) else {
        return ("HTTP 429 (unusable Retry-After '\(shown)', own backoff used)", nil)
    }
    if wait > maximum {
        return ("HTTP 429 (Retry-After '\(shown)' asks for \(formatDuration(wait.rounded())); waiting at most \(formatDuration(maximum)))", maximum)
    }
    return ("HTTP 429 (Retry-After '\(shown)')", wait)
}

/// The facts of a call whose transient failures outlasted its `RetryPolicy`.
package struct RetriesExhausted: Error, Sendable {
    /// Why the last attempt failed.
    package var cause: RetryCause
    /// The last failure in words, e.g. `HTTP 503` or `no complete answer within 30 s`.
    package var detail: String
    /// The last answer's status; nil when none arrived.
    package var status: Int?
    package var attempts: Int
    /// Seconds from the first attempt.
    package var elapsed: Double
    package var policy: RetryPolicy

    /// `HTTP 503; gave up after 4 attempts in 2.5 s`.
    package var summary: String {
        "\(detail); gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(formatDuration(elapsed))"
    }
}

/// The one retry loop of the toolkit's HTTP clients: sends (through `send`, which builds the
/// request afresh each attempt), retries 429 (honouring `Retry-After`, clamped to the policy),
/// 500/502/503/504, transport failures other than `invalidURL`, and whatever `interpret` calls
/// transient, until the answer is final or the `policy` is spent.
///
/// - Parameters:
///   - send: one attempt (1-based); throws `TransportError` when no complete answer arrived.
///   - interpret: the meaning of any other answer; throws the caller's own final errors.
///   - serverErrorDetail: the words for a 5xx answer (a summary of its body, say).
///   - willRetry: told the cause, the words and the wait before each retry.
/// - Throws: `RetriesExhausted`, `TransportError.invalidURL`, `CancellationError`, or what
///   `send` and `interpret` throw.
package func withRetries<Value>(
    policy: RetryPolicy,
    send: (_ attempt: Int) async throws -> HTTPClientResponse,
    interpret: (HTTPClientResponse, _ attempt: Int) async throws -> AnswerVerdict<Value>,
    serverErrorDetail: (HTTPClientResponse) -> String = { "HTTP \($0.status)" },
    willRetry: (RetryCause, _ detail: String, _ wait: Double) -> Void
) async throws -> Value {
    var budget = RetryBudget(policy: policy)
    var attempt = 0
    for _ in 0..<10_000 {
        attempt += 1
        let cause: RetryCause
        let detail: String
        var status: Int?
        var serverWait: Double?
        do {
            let response = try await send(attempt)
            status = response.status
            switch response.status {
            case 429:
                cause = .rateLimited
                (detail, serverWait) = rateLimitedDetail(response, maximum: policy.maxRetryAfter)
            case 500, 502, 503, 504:
                (cause, detail) = (.serverError, serverErrorDetail(response))
            default:
                switch try await interpret(response, attempt) {
                case .done(let value): return value
                case .resend: continue
                case .retry(let retryCause, let retryDetail): (cause, detail) = (retryCause, retryDetail)
                }
            }
        } catch let error as TransportError {
            switch error {
            case .timedOut: cause = .timeout
            case .truncatedBody: cause = .malformedBody
            case .connectionFailed: cause = .connectionFailure
            case .invalidURL, .redirected, .responseTooLarge, .unrequestedEncoding: throw error
            }
            detail = error.description
        }
        guard let wait = budget.nextWait(serverWait: serverWait) else {
            throw RetriesExhausted(cause: cause, detail: detail, status: status, attempts: attempt, elapsed: budget.elapsed, policy: policy)
        }
        willRetry(cause, detail, wait)
        try await waitSeconds(wait)
    }
    throw RetriesExhausted(
        cause: .serverError, detail: "no final answer", status: nil, attempts: attempt, elapsed: budget.elapsed, policy: policy)
}
