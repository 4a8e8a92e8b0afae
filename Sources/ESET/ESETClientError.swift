/// Why an ESET call finally failed. The message says what happened and, for the failures a user
/// can fix, what to do; it never contains a password or token.
public struct ESETClientError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, stable for scripts and tests.
    public enum Kind: String, Sendable, Equatable {
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
    }

    public var kind: Kind
    /// The call concerned, e.g. `GET /v1/devices (page 3)`.
    public var call: String
    public var message: String

    public init(kind: Kind, call: String, message: String) {
        self.kind = kind
        self.call = call
        self.message = message
    }

    /// Whether retrying later cannot help until a person changes something (credentials,
    /// permissions): a periodic collector stops instead of hammering the token endpoint.
    public var requiresIntervention: Bool { kind == .badCredentials || kind == .accessDenied }

    public var description: String { "\(call): \(message)" }
}
