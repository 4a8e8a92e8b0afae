import HTTPClient

extension RetryCause {
    /// A Sekoia.io task still PENDING or RUNNING, polled again.
    package static let taskPending = RetryCause("task poll", order: 90)
}
