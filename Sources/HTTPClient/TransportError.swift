/// Why no complete HTTP answer arrived. Every case is worth retrying except `invalidURL`.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request's timeout elapsed before the answer was complete.
    case timedOut(seconds: Double)
    /// The connection could not be made, or broke (refused, reset, DNS, TLS).
    case connectionFailed(String)
    /// The body ended before its announced length.
    case truncatedBody(received: Int, expected: Int)
    /// The URL cannot be sent at all; retrying cannot help.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .timedOut(let seconds): return "no complete answer within \(formatSeconds(seconds))"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .truncatedBody(let received, let expected): return "body truncated: \(received) of \(expected) bytes received"
        case .invalidURL(let url): return "invalid URL \(url)"
        }
    }
}

/// `1.5 s`, `30 s`, `0.25 s`: short and stable for messages.
package func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded() && abs(seconds) < 1e9 { return "\(Int(seconds)) s" }
    let hundredths = (seconds * 100).rounded() / 100
    return "\(hundredths) s"
}
