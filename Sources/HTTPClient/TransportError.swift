/// Why no complete HTTP answer arrived. Every case is worth retrying except `invalidURL`.
package enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request's timeout elapsed before the answer was complete.
    case timedOut(seconds: Double)
    /// The connection could not be made, or broke (refused, reset, DNS, TLS).
    case connectionFailed(String)
    /// The body ended before its announced length.
    case truncatedBody(received: Int, expected: Int)
    /// The URL cannot be sent at all; retrying cannot help.
    case invalidURL(String)

    package var description: String {
        switch self {
        case .timedOut(let seconds): return "no complete answer within \(formatDuration(seconds))"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .truncatedBody(let received, let expected): return "body truncated: \(received) of \(expected) bytes received"
        case .invalidURL(let url): return "invalid URL \(url)"
        }
    }
}
