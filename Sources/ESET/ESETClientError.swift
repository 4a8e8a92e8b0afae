import HTTPClient

/// Why an ESET call finally failed: the facts (kind, call, status, attempts, cause, time spent
/// and limits) and a message saying what happened. It names no command-line flag: the program
/// that set the limits adds the hints. It never contains a password or token.
package struct ESETClientError: CallFailure {
    /// The class of failure, stable for scripts and tests.
    package enum Kind: String, Sendable, Equatable {
        /// The token endpoint refused the username or password.
        case badCredentials = "bad-credentials"
        /// 403: the API user lacks the Integrations permission or never logged in to ESET PROTECT Hub.
        case accessDenied = "access-denied"
        /// 401 again after re-authenticating.
        case unauthorized
        /// Transient failures (429, 5xx, connection, timeout, malformed body) outlasted the retry bounds.
        case retriesExhausted = "retries-exhausted"
        /// A 202 "request cached" answer never turned into a 200 within the bounds.
        case pendingTooLong = "pending-too-long"
        /// The API handed out a page token it had already handed out: paging would never end.
        case repeatedPageToken = "repeated-page-token"
        /// A status the API documents as final (400, 404, …) or does not document at all.
        case unexpectedStatus = "unexpected-status"
        /// The request cannot be built or sent (bad URL).
        case invalidRequest = "invalid-request"
        /// The server answered 3xx; redirects are never followed (a credential would follow them).
        case redirected
        /// The answer was larger than `--max-response-bytes` allows.
        case responseTooLarge = "response-too-large"
        /// The answer breaks the API's contract in a way retrying cannot mend (more items than asked).
        case protocolViolation = "protocol-violation"
        /// The token endpoint failed for a reason other than the credentials (5xx, malformed
        /// answers, an undocumented status): authentication failed, perhaps only for now.
        case tokenUnavailable = "token-unavailable"
    }

    package var kind: Kind
    /// The call concerned, e.g. `GET /v1/devices (page 3)`.
    package var call: String
    /// The HTTP status of the last answer; nil when none arrived (connection failure, timeout).
    package var status: Int?
    /// The attempt that failed (1 for the first), counting retries but not 202/401 re-sends.
    package var attempt: Int
    /// Why the last attempt was worth retrying, for `retriesExhausted`.
    package var cause: RetryCause?
    /// Seconds from the first attempt to the failure, for `retriesExhausted`.
    package var elapsed: Double?
    /// The bounds that were exhausted, for `retriesExhausted`.
    package var policy: RetryPolicy?
    /// What happened, in words, without the call.
    package var message: String

    package init(
        kind: Kind, call: String, status: Int? = nil, attempt: Int = 1, cause: RetryCause? = nil, elapsed: Double? = nil,
        policy: RetryPolicy? = nil, message: String
    ) {
        self.kind = kind
        self.call = call
        self.status = status
        self.attempt = attempt
        self.cause = cause
        self.elapsed = elapsed
        self.policy = policy
        self.message = message
    }

    /// Whether retrying later cannot help until a person changes something (credentials,
    /// permissions): a periodic collector stops instead of hammering the token endpoint.
    package var requiresIntervention: Bool { kind == .badCredentials || kind == .accessDenied }

    package var description: String { "\(call): \(message)" }
}
