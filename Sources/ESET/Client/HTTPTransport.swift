/// One HTTP request as the connector sends it, independent of the HTTP library underneath.
public struct HTTPClientRequest: Sendable {
    public var method: String
    /// An absolute `http://` or `https://` URL, query included.
    public var url: String
    /// Header fields in order; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds the whole exchange may take, from sending to the last body byte, however fast
    /// the bytes arrive.
    public var timeout: Double
    /// The most body bytes accepted, counted after decompression; a larger answer (declared or
    /// received) fails the call at once with `TransportError.responseTooLarge`.
    public var maxResponseBytes: Int

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Double = 30,
        maxResponseBytes: Int = defaultMaxResponseBytes
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// 1 MiB: ample for a token, a task status or a push acknowledgement.
    public static let defaultMaxResponseBytes = 1 << 20

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One complete HTTP answer.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Header fields as received; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Sends requests. The connector has exactly one implementation for production and mocks alike
/// (`URLSessionTransport`); tests substitute scripted fakes to drive the retry logic.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the complete answer, whatever its status.
    ///
    /// - Throws: `TransportError` when no complete answer arrived (connection refused or reset,
    ///   timeout, truncated body), or `CancellationError` when the calling task was cancelled.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse
}

/// Why no complete HTTP answer arrived. Every case is worth retrying except `invalidURL`,
/// `redirected` and `responseTooLarge` (see `isFinal`).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
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

    /// Whether retrying cannot help (the server's answer will not change by asking again).
    public var isFinal: Bool {
        switch self {
        case .invalidURL, .redirected, .responseTooLarge: return true
        case .timedOut, .connectionFailed, .truncatedBody: return false
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let seconds): return "no complete answer within \(formatSeconds(seconds))"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .truncatedBody(let received, let expected): return "body truncated: \(received) of \(expected) bytes received"
        case .invalidURL(let url): return "invalid URL \(url)"
        case .redirected(let status, let host):
            let target = host.map { "to host '\($0)'" } ?? "without a usable Location"
            return "HTTP \(status) redirect \(target) refused: redirects are never followed, so no credential can reach another origin"
        case .responseTooLarge(let limit, let declared):
            let what = declared.map { "the answer declares \($0) bytes" } ?? "the answer grew past the limit"
            return "\(what), more than the \(limit) bytes allowed (--max-response-bytes); stopped reading"
        }
    }
}

/// `1.5 s`, `30 s`, `0.25 s`: short and stable for messages.
func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded() && abs(seconds) < 1e9 { return "\(Int(seconds)) s" }
    let hundredths = (seconds * 100).rounded() / 100
    return "\(hundredths) s"
}
