/// One HTTP request as the connector sends it, independent of the HTTP library underneath.
public struct HTTPClientRequest: Sendable {
    public var method: String
    /// An absolute `http://` or `https://` URL, query included.
    public var url: String
    /// Header fields in order; names compare case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds the whole exchange may take, from sending to the last body byte.
    public var timeout: Double

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Double = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

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
func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded() && abs(seconds) < 1e9 { return "\(Int(seconds)) s" }
    let hundredths = (seconds * 100).rounded() / 100
    return "\(hundredths) s"
}
