import HTTPClient

extension RetryCause {
    /// A 401 on a data call: the token was renewed and the call re-sent once.
    package static let unauthorized = RetryCause("token rejected (401)", order: 60)
    /// A 202 "request cached": the same query re-sent with its `response-id`.
    package static let pendingResponse = RetryCause("cached answer pending (202)", order: 70)
    /// The refresh grant failed and a password grant replaced it.
    package static let refreshFallback = RetryCause("refresh failed, password grant used", order: 80)
}
