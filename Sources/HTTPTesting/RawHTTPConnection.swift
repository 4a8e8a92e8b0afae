import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive TCP connection to an HTTP/1.1 server, over plain POSIX sockets, for tests and
/// benchmarks. It can send arbitrary (even malformed) bytes and parse what comes back.
/// Not thread-safe: use one connection per thread.
public final class RawHTTPConnection {
    /// Connects to `host:port`; `timeout` bounds connect and every later read.
    public init(host: String = "127.0.0.1", port: Int, timeout: Double = 10) throws {
        throw RawHTTPError("not implemented yet")
    }

    /// Sends raw bytes as-is.
    public func send(_ bytes: [UInt8]) throws {}

    /// Reads one response: status line, headers, then a body framed by Content-Length, chunked
    /// coding, or the connection's end.
    public func readResponse() throws -> RawHTTPResponse { throw RawHTTPError("not implemented yet") }

    /// Reads one response to a request whose response has no body (HEAD) when `bodyless` is true.
    public func readResponse(bodyless: Bool) throws -> RawHTTPResponse { throw RawHTTPError("not implemented yet") }

    /// Sends a well-formed request (adding `Host` and, for a non-empty body, `Content-Length`
    /// unless given) and reads its response, skipping interim 1xx responses.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws -> RawHTTPResponse { throw RawHTTPError("not implemented yet") }

    /// True when the peer closed the connection (EOF or RST) within `timeout` seconds; any data
    /// arriving meanwhile is discarded.
    public func isClosedByPeer(timeout: Double) -> Bool { false }

    /// Closes the socket; further calls fail. Idempotent.
    public func close() {}
}

/// A parsed response.
public struct RawHTTPResponse: Sendable {
    /// Status code from the status line.
    public var status: Int
    /// Reason phrase from the status line (may be empty).
    public var reason: String
    /// Header fields in received order.
    public var headers: [(String, String)]
    /// The body, de-chunked.
    public var body: [UInt8]

    public init(status: Int, reason: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// First value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Every value of header `name`, case-insensitively.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    /// The body read as UTF-8.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A client-side failure (connect, timeout, premature end, unparseable response), with detail.
public struct RawHTTPError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
