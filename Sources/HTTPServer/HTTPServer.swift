import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server (RFC 9112) with one dedicated thread per connection and POSIX
/// sockets. It knows nothing of the application: every request goes to one `HTTPHandler`.
///
/// Behaviour, in short:
/// - Connections are persistent by default for HTTP/1.1 (`Connection: close` honoured); HTTP/1.0
///   closes unless it sends `Connection: keep-alive`. Pipelined requests are answered in order.
/// - Bodies framed by `Content-Length` or `Transfer-Encoding: chunked` (decoded before the handler
///   sees them; chunk extensions ignored, trailers discarded). `Expect: 100-continue` is answered.
/// - Errors, each answered with a plain-text reason and then a close: malformed request line or
///   header, bad/conflicting `Content-Length`, `Content-Length` with `Transfer-Encoding`, missing
///   `Host` in HTTP/1.1 → 400; head over `maxHeaderBytes` → 431; body over `maxBodyBytes` (or `bodyLimit`) → 413;
///   transfer coding other than chunked → 501; version other than 1.0/1.1 → 505; head or body not
///   received within `idleTimeout` → 408; over `maxConnections` → 503.
/// - Every response carries `Content-Length` (except 204/304) and `Date`; HEAD gets no body.
/// - Closing after an error drains what the client still sends for up to 2 s, so the client can
///   read the answer instead of getting a reset.
/// - SIGPIPE never fires: all writes use `MSG_NOSIGNAL`.
/// - The body limit may be decided per request from its head (`Configuration.bodyLimit`), so an
///   application can allow large bodies on one route only.
/// - A handler may answer with a body that never completes (`HTTPResponse.Disposition.stream`),
///   to simulate hostile servers; it ends when the client leaves, after its `maxSeconds`, or at
///   once when the server stops.
public final class HTTPServer: Sendable {
    /// Limits and addresses; the defaults suit tests and local mocks.
    public struct Configuration: Sendable {
        /// Address to bind; loopback by default so a mock is never exposed by accident.
        public var host: String = "127.0.0.1"
        /// Port to bind; 0 picks a free port (read it back from `port` after `start()`).
        public var port: Int = 0
        /// Upper bound for the request line plus header fields (terminating blank line included);
        /// above it the server answers 431 and closes.
        public var maxHeaderBytes: Int = 64 * 1024
        /// Upper bound for a request body (after de-chunking); above it the server answers 413 and closes.
        /// `bodyLimit`, when set, replaces it per request.
        public var maxBodyBytes: Int = 1024 * 1024
        /// Per-request body limit, decided from the head before any body byte is read (the
        /// application knows which routes need large bodies; this module does not). The request
        /// passed has an empty body. nil: `maxBodyBytes` for every request.
        public var bodyLimit: (@Sendable (HTTPRequest) -> Int)?
        /// Seconds a keep-alive connection may sit idle, and the longest time allowed to receive one
        /// request head (bounds slowloris clients); also the inactivity bound while reading a body.
        public var idleTimeout: Double = 30
        /// Open connections allowed; one more is answered 503 and closed.
        public var maxConnections: Int = 1024
        /// `listen(2)` backlog.
        public var backlog: Int32 = 512
        /// Whether an HTTP/1.1 request without exactly one `Host` header is rejected with 400,
        /// as RFC 9112 §3.2 requires.
        public var requireHost: Bool = true
        public init() {}
    }

    /// The configuration the server was created with.
    public var configuration: Configuration { core.configuration }

    private let core: ServerCore

    /// Creates a stopped server; call `start()` to bind.
    public init(configuration: Configuration = .init(), handler: @escaping HTTPHandler) {
        core = ServerCore(configuration: configuration, handler: handler)
    }

    /// A server dropped without `stop()` would keep its port and threads forever; stop it here
    /// (threads hold the shared core, not this object, so this does run).
    deinit {
        core.stop(timeout: 1)
    }

    /// Binds, listens and starts accepting on a dedicated thread. A server starts at most once.
    /// - Throws: `HTTPServerError` naming `host:port` and the system error text.
    public func start() throws {
        try core.start()
    }

    /// The bound port (after `start()`), 0 before.
    public var port: Int { core.port }

    /// `"http://HOST:PORT"`, ready to prefix paths.
    public var baseURL: String {
        let host = configuration.host
        return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish for up to
    /// `timeout` seconds (then cuts their sockets) and returns when done. Safe to call twice.
    public func stop(timeout: Double = 5) {
        core.stop(timeout: timeout)
    }

    /// Blocks until `stop()` has finished; returns at once if the server was never started.
    public func waitUntilStopped() {
        core.waitUntilStopped()
    }

    /// True between a successful `start()` and the beginning of `stop()`.
    public var isRunning: Bool { core.isRunning }

    /// Connections open right now (including ones being closed).
    public var connectionCount: Int { core.connectionCount }
}

/// A failure to start the server, with the address and the system's reason.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    /// Human-readable explanation, e.g. `cannot bind 127.0.0.1:8080: Address already in use`.
    public let message: String
    /// The `errno` behind the failure, when there was one.
    public let errno: Int32?

    public init(_ message: String, errno: Int32? = nil) {
        self.message = message
        self.errno = errno
    }

    public var description: String { message }
}
