/// A response produced by an `HTTPHandler`.
///
/// The server always computes `Content-Length` from `bodyChunks` (any handler-supplied
/// `Content-Length`, `Transfer-Encoding` or `Connection` header is replaced), so a response can
/// never lie about its framing unless `disposition` asks for it on purpose.
public struct HTTPResponse: Sendable {
    /// What the server does with the connection around this response; the non-normal cases let a
    /// mock reproduce network faults.
    public enum Disposition: Sendable, Equatable {
        /// Send the response; keep the connection open if the request allows it.
        case normal
        /// Send the response with `Connection: close`, then close.
        case close
        /// Send the head with the full `Content-Length`, then only the first `afterBodyBytes`
        /// body bytes, then close: the client sees a premature end of body.
        case truncate(afterBodyBytes: Int)
        /// Send nothing and abort the connection with a TCP RST (`SO_LINGER` 0).
        case reset
        /// Send the head and `bodyChunks`, then keep sending `stream.repeating` as a body that never
        /// completes (see `HTTPBodyStream`), then close. Hostile-server simulations only.
        case stream(HTTPBodyStream)
    }

    /// The status code, e.g. 200.
    public var status: Int
    /// Header fields to send (framing headers are computed by the server).
    public var headers: HTTPHeaders
    /// Body slices written back to back with one gathered write, so pre-encoded slices need not
    /// be concatenated.
    public var bodyChunks: [[UInt8]]
    /// Connection handling for this response.
    public var disposition: Disposition

    /// A response with a single body buffer.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.bodyChunks = body.isEmpty ? [] : [body]
        self.disposition = .normal
    }

    /// A response whose body is the concatenation of `bodyChunks`.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), bodyChunks: [[UInt8]]) {
        self.status = status
        self.headers = headers
        self.bodyChunks = bodyChunks
        self.disposition = .normal
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                     body: Array(text.utf8))
    }

    /// An `application/json` response from already-encoded bytes.
    public static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: bytes)
    }

    /// This response with a different disposition (handy in a handler: `.json(200, b).with(.close)`).
    public func with(_ disposition: Disposition) -> HTTPResponse {
        var copy = self
        copy.disposition = disposition
        return copy
    }

    /// Total body length across chunks.
    public var bodyLength: Int { bodyChunks.reduce(0) { $0 + $1.count } }

    /// The body concatenated (copies; meant for tests and small bodies).
    public var body: [UInt8] { bodyChunks.count == 1 ? bodyChunks[0] : Array(bodyChunks.joined()) }
}

/// A body that never completes, for simulating hostile servers: after the response's
/// `bodyChunks`, `repeating` is sent over and over until the client disconnects, the server
/// stops, or `maxSeconds` pass; then the connection closes. Under `.contentLength` framing the
/// announced length is never reached, so the client never sees a complete body either way.
public struct HTTPBodyStream: Sendable, Equatable {
    /// How the body is framed on the wire.
    public enum Framing: Sendable, Equatable {
        /// `Transfer-Encoding: chunked` without the terminating zero-size chunk.
        case chunked
        /// `Content-Length: N` announced; at most N − 1 bytes are sent.
        case contentLength(Int)
    }

    /// The framing announced in the head.
    public var framing: Framing
    /// The bytes repeated after the body's first chunks (never empty: an empty value sends spaces).
    public var repeating: [UInt8]
    /// Pace of the stream; nil sends as fast as the client reads.
    public var bytesPerSecond: Int?
    /// Upper bound on the stream's duration: every stream ends, whatever the client does.
    public var maxSeconds: Double

    public init(framing: Framing, repeating: [UInt8], bytesPerSecond: Int? = nil, maxSeconds: Double = 60) {
        self.framing = framing
        self.repeating = repeating.isEmpty ? [UInt8(ascii: " ")] : repeating
        self.bytesPerSecond = bytesPerSecond.map { max(1, $0) }
        self.maxSeconds = max(0, maxSeconds)
    }
}

/// Called once per request on the connection's own thread. It is synchronous and may block
/// (a mock sleeps here to simulate slow answers); only that connection waits.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse
