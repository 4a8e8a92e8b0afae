import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive TCP connection to an HTTP/1.1 server, over plain POSIX sockets, for tests and
/// benchmarks. It can send arbitrary (even malformed) bytes and parse what comes back; pipelined
/// responses stay buffered for the next `readResponse()`.
/// Not thread-safe: use one connection per thread.
public final class RawHTTPConnection {
    /// `host:port` as given, for error messages.
    public let peer: String
    private let timeout: Double
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private let scratch: UnsafeMutableRawBufferPointer

    /// Connects to `host:port` (numeric host); `timeout` bounds the connect and every later
    /// `send`/`readResponse` call.
    public init(host: String = "127.0.0.1", port: Int, timeout: Double = 10) throws {
        let peer = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        fd = try Self.connect(host: host, port: port, peer: peer, timeout: timeout)
        self.peer = peer
        self.timeout = timeout
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    private static func connect(host: String, port: Int, peer: String, timeout: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &list)
        guard lookup == 0, let info = list else {
            throw RawHTTPError("cannot resolve \(peer): \(String(cString: gai_strerror(lookup)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("cannot create socket for \(peer): \(errorText(errno))") }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            var code = errno
            if code == EINPROGRESS {
                if waitFor(fd, events: Int16(POLLOUT), deadline: now() + timeout) {
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                } else {
                    code = ETIMEDOUT
                }
            }
            if code != 0 {
                _ = Glibc.close(fd)
                throw RawHTTPError("cannot connect to \(peer): \(errorText(code))")
            }
        }
        return fd
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Sends raw bytes as-is (all of them, waiting at most `timeout` for the peer to read).
    public func send(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw RawHTTPError("send to \(peer) on a closed connection") }
        var offset = 0
        var deadline = Self.now() + timeout
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
                deadline = Self.now() + timeout
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                if wait(events: Int16(POLLOUT), deadline: deadline) { continue }
                throw RawHTTPError("timed out after \(timeout) s sending to \(peer) (\(offset) of \(bytes.count) bytes sent)")
            }
            throw RawHTTPError("send to \(peer) failed after \(offset) of \(bytes.count) bytes: \(Self.errorText(code))")
        }
    }

    /// Sends text as UTF-8.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads one response: status line, headers, then a body framed by Content-Length, chunked
    /// coding, or the connection's end. Interim 1xx responses are returned as they come.
    public func readResponse() throws -> RawHTTPResponse { try readResponse(bodyless: false) }

    /// Reads one response; `bodyless` says the request was HEAD, so no body follows whatever
    /// Content-Length says.
    public func readResponse(bodyless: Bool) throws -> RawHTTPResponse {
        let deadline = Self.now() + timeout
        let head = try readHead(deadline: deadline)
        // Split bytes, not Characters: "\r\n" is a single grapheme in a Swift String.
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0[...], as: UTF8.self) }
        while lines.last == "" { lines.removeLast() }
        guard let statusLine = lines.first else { throw RawHTTPError("empty response head from \(peer)") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]), parts[1].count == 3 else {
            throw RawHTTPError("malformed status line from \(peer): \(statusLine.debugDescription)")
        }
        var headers: [(String, String)] = []
        for (number, line) in lines.dropFirst().enumerated() {
            guard let colon = line.firstIndex(of: ":") else {
                throw RawHTTPError("malformed header line \(number + 2) from \(peer): \(line.debugDescription)")
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawHTTPResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
        if bodyless || (100..<200).contains(status) || status == 204 || status == 304 { return response }
        if let coding = response.header("Transfer-Encoding"), coding.lowercased().contains("chunked") {
            response.body = try readChunked(deadline: deadline)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw RawHTTPError("invalid Content-Length \(lengthText.debugDescription) from \(peer)")
            }
            response.body = try readExactly(length, deadline: deadline, what: "body of \(length) bytes")
        } else {
            response.body = try readToEnd(deadline: deadline)
        }
        return response
    }

    /// Sends a well-formed request (adding `Host` and, for a non-empty body, `Content-Length`
    /// unless given) and reads its response, skipping interim 1xx responses.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [],
                        body: [UInt8] = []) throws -> RawHTTPResponse {
        try send(Self.encodeRequest(method, target, host: peer, headers: headers, body: body))
        while true {
            let response = try readResponse(bodyless: method == "HEAD")
            if !(100..<200).contains(response.status) || response.status == 101 { return response }
        }
    }

    /// The bytes `request` would send, for pipelining several requests in one `send`.
    public static func encodeRequest(_ method: String, _ target: String, host: String = "127.0.0.1",
                                     headers: [(String, String)] = [], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        let names = Set(headers.map { $0.0.lowercased() })
        if !names.contains("host") { head += "Host: \(host)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty && !names.contains("content-length") && !names.contains("transfer-encoding") {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// True when the peer closed the connection (EOF or RST) within `timeout` seconds; any data
    /// arriving meanwhile (or already buffered) is discarded.
    public func isClosedByPeer(timeout: Double) -> Bool {
        guard fd >= 0 else { return false }
        buffer.removeAll()
        readIndex = 0
        let deadline = Self.now() + timeout
        while true {
            switch receive(deadline: deadline) {
            case .data: buffer.removeAll(keepingCapacity: true)
            case .endOfStream, .reset: return true
            case .timedOut, .failed: return false
            }
        }
    }

    /// Everything the peer sends until it closes (buffered bytes included), for checking exact
    /// bytes on the wire, e.g. a deliberately truncated body. Throws on timeout.
    public func readUntilClosed() throws -> [UInt8] {
        try readToEnd(deadline: Self.now() + timeout)
    }

    /// Reads a response head, then at most `maxBodyBytes` raw body bytes as they arrive (not
    /// de-chunked), for answers that must not be read to their end: endless or huge bodies. The
    /// returned response has an empty `body`; `bodyPrefix` holds the raw bytes read; `ended` says
    /// the peer closed before `maxBodyBytes` arrived. Waits at most `timeout` in all.
    public func readHeadAndBodyPrefix(maxBodyBytes: Int) throws -> (response: RawHTTPResponse, bodyPrefix: [UInt8], ended: Bool) {
        let deadline = Self.now() + timeout
        var response = try readResponse(bodyless: true)
        response.body = []
        while available < maxBodyBytes {
            switch receive(deadline: deadline) {
            case .data: continue
            case .endOfStream, .reset:
                let bytes = Array(buffer[readIndex...])
                readIndex = buffer.count
                return (response, bytes, true)
            case .timedOut:
                throw RawHTTPError("timed out after \(timeout) s with \(available) of \(maxBodyBytes) body bytes from \(peer)")
            case .failed(let code):
                throw RawHTTPError("reading body from \(peer) failed: \(Self.errorText(code))")
            }
        }
        let bytes = Array(buffer[readIndex..<(readIndex + maxBodyBytes)])
        readIndex += maxBodyBytes
        return (response, bytes, false)
    }

    /// Closes the socket. Idempotent.
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    // MARK: Internals

    private enum Received { case data, endOfStream, reset, timedOut, failed(Int32) }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    private var available: Int { buffer.count - readIndex }

    private func wait(events: Int16, deadline: Double) -> Bool {
        Self.waitFor(fd, events: events, deadline: deadline)
    }

    private static func waitFor(_ fd: Int32, events: Int16, deadline: Double) -> Bool {
        while true {
            let remaining = deadline - now()
            if remaining <= 0 { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&descriptor, 1, max(1, Int32(min(remaining * 1000, 1e9).rounded(.up))))
            if result > 0 { return true }
            if result < 0 && errno != EINTR { return false }
        }
    }

    private func receive(deadline: Double) -> Received {
        guard fd >= 0 else { return .failed(EBADF) }
        while true {
            let count = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                if readIndex > 0 && readIndex == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    readIndex = 0
                }
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                return .data
            }
            if count == 0 { return .endOfStream }
            let code = errno
            if code == EINTR { continue }
            if code == ECONNRESET { return .reset }
            if code == EAGAIN || code == EWOULDBLOCK {
                if wait(events: Int16(POLLIN), deadline: deadline) { continue }
                return .timedOut
            }
            return .failed(code)
        }
    }

    /// Receives more bytes or throws an error that says what was being read.
    private func fill(deadline: Double, what: String) throws {
        switch receive(deadline: deadline) {
        case .data: return
        case .endOfStream:
            throw RawHTTPError("connection closed by \(peer) while reading \(what) (\(available) bytes buffered)")
        case .reset:
            throw RawHTTPError("connection reset by \(peer) while reading \(what)")
        case .timedOut:
            throw RawHTTPError("timed out after \(timeout) s reading \(what) from \(peer) (\(available) bytes buffered)")
        case .failed(let code):
            throw RawHTTPError("reading \(what) from \(peer) failed: \(Self.errorText(code))")
        }
    }

    private func readHead(deadline: Double) throws -> [UInt8] {
        var scanned = 0
        while true {
            var index = readIndex + max(scanned, 1)
            while index < buffer.count {
                if buffer[index] == 0x0A && (buffer[index - 1] == 0x0A
                    || (buffer[index - 1] == 0x0D && index - 2 >= readIndex && buffer[index - 2] == 0x0A)) {
                    let head = Array(buffer[readIndex...index])
                    readIndex = index + 1
                    return head
                }
                index += 1
            }
            scanned = available
            try fill(deadline: deadline, what: "the response head")
        }
    }

    private func readExactly(_ count: Int, deadline: Double, what: String) throws -> [UInt8] {
        while available < count { try fill(deadline: deadline, what: what) }
        let bytes = Array(buffer[readIndex..<(readIndex + count)])
        readIndex += count
        return bytes
    }

    private func readLine(deadline: Double, what: String) throws -> String {
        var scanned = 0
        while true {
            if let lf = buffer[(readIndex + scanned)...].firstIndex(of: 0x0A) {
                var line = buffer[readIndex..<lf]
                if line.last == 0x0D { line = line.dropLast() }
                readIndex = lf + 1
                return String(decoding: line, as: UTF8.self)
            }
            scanned = available
            try fill(deadline: deadline, what: what)
        }
    }

    private func readChunked(deadline: Double) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(deadline: deadline, what: "a chunk size line")
            let digits = line.prefix { $0.isHexDigit }
            guard let size = Int(digits, radix: 16) else {
                throw RawHTTPError("invalid chunk size line from \(peer): \(line.debugDescription)")
            }
            if size == 0 {
                while try !readLine(deadline: deadline, what: "chunked trailers").isEmpty {}
                return body
            }
            body += try readExactly(size, deadline: deadline, what: "a chunk of \(size) bytes")
            guard try readLine(deadline: deadline, what: "the CRLF after a chunk").isEmpty else {
                throw RawHTTPError("chunk data from \(peer) not followed by CRLF")
            }
        }
    }

    private func readToEnd(deadline: Double) throws -> [UInt8] {
        while true {
            switch receive(deadline: deadline) {
            case .data: continue
            case .endOfStream, .reset:
                let bytes = Array(buffer[readIndex...])
                readIndex = buffer.count
                return bytes
            case .timedOut:
                throw RawHTTPError("timed out after \(timeout) s reading a close-delimited body from \(peer)")
            case .failed(let code):
                throw RawHTTPError("reading body from \(peer) failed: \(Self.errorText(code))")
            }
        }
    }
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
