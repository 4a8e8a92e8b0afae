/// Why no complete HTTP answer arrived. Every case is worth retrying except `invalidURL`,
/// `redirected` and `responseTooLarge` (see `isFinal`).
package enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request's timeout elapsed before the answer was complete.
    case timedOut(seconds: Double)
    /// The connection could not be made, or broke (refused, reset, DNS, TLS).
    case connectionFailed(String)
    /// The body ended before its announced length.
    case truncatedBody(received: Int, expected: Int)
    /// The URL cannot be sent at all; retrying cannot help.
    case invalidURL(String)
    /// The server answered 3xx. Redirects are never followed: the APIs this client talks to do
    /// not redirect, and following one would send the credential to an origin nobody configured.
    case redirected(status: Int, locationHost: String?)
    /// The answer is larger than the request's `maxResponseBytes` (declared by `Content-Length`,
    /// or counted as it arrived, after decompression).
    case responseTooLarge(limit: Int, declared: Int?)
    /// The answer carries a `Content-Encoding` the request did not accept (it asks for
    /// `identity`): refused before anything is inflated, since a compression bomb inflates faster
    /// than any count of decoded bytes can stop it.
    case unrequestedEncoding(String)

    /// Whether retrying cannot help (the server's answer will not change by asking again).
    package var isFinal: Bool {
        switch self {
        case .invalidURL, .redirected, .responseTooLarge, .unrequestedEncoding: return true
        case .timedOut, .connectionFailed, .truncatedBody: return false
        }
    }

    package var description: String {
        switch self {
        case .timedOut(let seconds): return "no complete answer within \(formatDuration(seconds))"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .truncatedBody(let received, let expected): return "body truncated: \(received) of \(expected) bytes received"
        case .invalidURL(let url): return "invalid URL \(url)"
        case .redirected(let status, let host):
            let target = host.map { "to host '\($0)'" } ?? "without a usable Location"
            return "HTTP \(status) redirect \(target) refused: redirects are never followed, so no credential can reach another origin"
        case .responseTooLarge(let limit, let declared):
            let what = declared.map { "the answer declares \($0) bytes" } ?? "the answer grew past the limit"
            return "\(what), more than the \(limit) bytes allowed (--max-response-bytes); stopped reading"
        case .unrequestedEncoding(let coding):
            let shown = coding.count > 40 ? String(coding.prefix(40)) + "…" : coding
            return "the answer is compressed (Content-Encoding: \(shown)) although the request accepted none; refused before inflating it"
        }
    }
}
