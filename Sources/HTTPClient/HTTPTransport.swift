/// Sends requests. The connector has exactly one implementation for production and mocks alike
/// (`URLSessionTransport`); tests substitute scripted fakes to drive the retry logic.
package protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the complete answer, whatever its status.
    ///
    /// - Throws: `TransportError` when no complete answer arrived (connection refused or reset,
    ///   timeout, truncated body), or `CancellationError` when the calling task was cancelled.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse
}
