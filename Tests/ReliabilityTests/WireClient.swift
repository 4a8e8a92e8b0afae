import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-shot client for fuzzing: connects, writes arbitrary bytes, optionally half-closes, and
/// collects everything the server sends until it closes. Unlike `RawHTTPConnection` it never
/// interprets the bytes, so a server answer that is not HTTP at all is still seen and judged.
enum WireClient {
    enum Ending: String { case endOfStream = "eof", reset, timedOut = "timeout", connectFailed = "connect-failed" }

    struct Exchange {
        var received: [UInt8]
        var ending: Ending
        /// Bytes of the input actually written before the server stopped reading (an error
        /// answer may close the connection while a long input is still being sent).
        var sent: Int
        var seconds: Double
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sends `input` to 127.0.0.1:`port`. With `halfClose` the client shuts down its sending side
    /// after the input, which tells the server no more bytes will come, so it never waits for
    /// its idle timeout; without it the server must notice the stall by itself.
    static func exchange(port: Int, input: [UInt8], halfClose: Bool, timeout: Double) -> Exchange {
        let start = now()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return Exchange(received: [], ending: .connectFailed, sent: 0, seconds: 0) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return Exchange(received: [], ending: .connectFailed, sent: 0, seconds: now() - start) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        let deadline = start + timeout
        var received: [UInt8] = []
        var sent = 0
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var ending: Ending?

        // Read while writing, so a server that answers early (413, 431) is never blocked writing
        // to a client that is itself blocked writing.
        func drainAvailable() -> Ending? {
            while true {
                let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count > 0 { received.append(contentsOf: scratch[0..<count]); continue }
                if count == 0 { return .endOfStream }
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                return .reset
            }
        }

        while sent < input.count && ending == nil {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT | POLLIN), revents: 0)
            let remaining = deadline - now()
            if remaining <= 0 { ending = .timedOut; break }
            let ready = poll(&descriptor, 1, Int32(max(1, min(remaining * 1000, 1000))))
            if ready < 0 && errno != EINTR { ending = .reset; break }
            if ready <= 0 { continue }
            if descriptor.revents & Int16(POLLIN) != 0 || descriptor.revents & Int16(POLLHUP | POLLERR) != 0 {
                if let end = drainAvailable() { ending = end; break }
            }
            if descriptor.revents & Int16(POLLOUT) != 0 {
                let count = input.withUnsafeBytes {
                    send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                if count > 0 { sent += count } else if count < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK {
                    // The server closed while we were still sending: keep reading what it said.
                    break
                }
            }
        }
        if ending == nil && halfClose { _ = shutdown(fd, Int32(SHUT_WR)) }
        while ending == nil {
            let remaining = deadline - now()
            if remaining <= 0 { ending = .timedOut; break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, min(remaining * 1000, 1000))))
            if ready < 0 && errno != EINTR { ending = .reset; break }
            if ready > 0 { ending = drainAvailable() }
        }
        return Exchange(received: received, ending: ending ?? .timedOut, sent: sent, seconds: now() - start)
    }
}

/// One response read off the wire.
struct WireResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Splits a byte stream from the server into responses. Every response must be well framed
/// (status line, headers, a `Content-Length` and exactly that many body bytes); anything else is
/// a broken answer, except an incomplete tail when the connection was reset (the kernel may drop
/// what was in flight). HEAD answers must carry `Content-Length: 0` (the echo handler sends no
/// body for HEAD), so the stream stays parseable without knowing which requests were HEAD.
func parseResponseStream(_ bytes: [UInt8]) -> (responses: [WireResponse], problem: String?, incompleteTail: Bool) {
    var responses: [WireResponse] = []
    var index = 0
    while index < bytes.count {
        guard let headEnd = findHeadEnd(bytes, from: index) else {
            return (responses, nil, true)
        }
        let lines = bytes[index..<headEnd].split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self) }
            .filter { !$0.isEmpty }
        guard let statusLine = lines.first else { return (responses, "empty response head at byte \(index)", false) }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].count == 3, let status = Int(parts[1]) else {
            return (responses, "malformed status line \(statusLine.debugDescription) at byte \(index)", false)
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                return (responses, "malformed header line \(line.debugDescription)", false)
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = WireResponse(status: status, headers: headers, body: [])
        index = headEnd
        let interim = (100..<200).contains(status)
        if !interim && status != 204 && status != 304 {
            guard let lengthText = response.header("Content-Length"), let length = Int(lengthText), length >= 0 else {
                return (responses, "response \(status) without a valid Content-Length", false)
            }
            if bytes.count - index < length { return (responses, nil, true) }
            response.body = Array(bytes[index..<(index + length)])
            index += length
        }
        responses.append(response)
    }
    return (responses, nil, false)
}

private func findHeadEnd(_ bytes: [UInt8], from start: Int) -> Int? {
    var index = start + 1
    while index < bytes.count {
        if bytes[index] == 0x0A {
            if bytes[index - 1] == 0x0A { return index + 1 }
            if bytes[index - 1] == 0x0D && index >= start + 2 && bytes[index - 2] == 0x0A { return index + 1 }
        }
        index += 1
    }
    return nil
}
