import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A deliberately hostile HTTP/1.1 server on 127.0.0.1 and a free port, written on raw sockets
/// so that it can do what no well-behaved server library allows: endless bodies, lying
/// `Content-Length`s, compression bombs, redirects elsewhere.
///
/// Each connection serves one request and is closed, unless `keepAlive` is set: then it serves
/// requests until the client closes it (the behaviour must then answer without
/// `Connection: close`). Every request's head (headers included, so a test can see whether a
/// credential reached this server) and body are recorded, and accepted connections are counted.
final class HostileServer: @unchecked Sendable {
    /// Receives the request head and body; writes the answer with `send`, which returns false
    /// once the client has gone away (every sending loop must stop then, and be bounded anyway).
    typealias Behaviour = @Sendable (_ head: String, _ body: [UInt8], _ send: ([UInt8]) -> Bool) -> Void

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let recorded = Mutex<[(head: String, body: [UInt8])]>([])
    private let keepAlive: Bool
    private let accepted = Atomic<Int>(0)

    init(keepAlive: Bool = false, _ behaviour: @escaping Behaviour) throws {
        self.behaviour = behaviour
        self.keepAlive = keepAlive
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var connectionsAccepted: Int { accepted.load(ordering: .relaxed) }

    /// Every request received so far.
    var requests: [(head: String, body: [UInt8])] { recorded.withLock { $0 } }

    private let stopped = Atomic<Bool>(false)

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        for _ in 0..<10_000 {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            accepted.add(1, ordering: .relaxed)
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        if keepAlive {
            // An idle kept-alive connection ends this thread after a while rather than never.
            var idle = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &idle, socklen_t(MemoryLayout<timeval>.size))
        }
        var received: [UInt8] = []
        for _ in 0..<(keepAlive ? 10_000 : 1) {
            guard serveOne(connection, &received) else { return }
        }
    }

    /// Serves the next request on `connection` (`received`: bytes already read past the previous
    /// one); false when the client went away.
    private func serveOne(_ connection: Int32, _ received: inout [UInt8]) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var headEnd = findHeadEnd(received)
        while headEnd == nil, received.count < 256 * 1024 {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            received += buffer[0..<count]
            headEnd = findHeadEnd(received)
        }
        guard let headEnd else { return false }
        let head = String(decoding: received[0..<headEnd], as: UTF8.self)
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        var body = Array(received[(headEnd + 4)...])
        while body.count < min(length, 16 << 20) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            body += buffer[0..<count]
        }
        received = []
        if keepAlive, body.count > length {
            // What follows this request's body belongs to the next one.
            received = Array(body[length...])
            body = Array(body[0..<length])
        }
        recorded.withLock { $0.append((head, body)) }
        var clientGone = false
        behaviour(head, body) { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else {
                    clientGone = true
                    return false
                }
                offset += sent
            }
            return true
        }
        return !clientGone
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

extension HostileServer {
    /// The request line's path (`/oauth/token`).
    static func path(of head: String) -> String {
        let parts = head.split(separator: " ", maxSplits: 2)
        return parts.count > 1 ? String(parts[1]) : ""
    }

    /// A complete answer with a correct `Content-Length`.
    static func answer(_ status: Int, _ body: String, headers: [String] = []) -> [UInt8] {
        let bytes = Array(body.utf8)
        let lines = ["HTTP/1.1 \(status) X", "Content-Length: \(bytes.count)", "Connection: close"] + headers
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + bytes
    }

    static let token = #"{"access_token":"hostile-access-token","refresh_token":"hostile-refresh","token_type":"Bearer","expires_in":3600}"#

    /// A gzip stream that inflates to about 258 bytes for every 13 bits: `compressedBytes` of it
    /// decode to about `compressedBytes` × 160 bytes of zeros. It has no end (a client reading it
    /// whole never finishes inflating before its memory does).
    static func gzipBomb(compressedBytes: Int) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]
        var bitBuffer: UInt32 = 0
        var bitCount = 0
        func bits(_ value: UInt32, _ count: Int) {  // LSB first, as deflate packs header bits
            bitBuffer |= value << UInt32(bitCount)
            bitCount += count
            while bitCount >= 8 {
                output.append(UInt8(bitBuffer & 0xFF))
                bitBuffer >>= 8
                bitCount -= 8
            }
        }
        func huffman(_ code: UInt32, _ length: Int) {  // Huffman codes go most significant bit first
            for shift in stride(from: length - 1, through: 0, by: -1) { bits((code >> UInt32(shift)) & 1, 1) }
        }
        bits(1, 1)  // BFINAL
        bits(1, 2)  // BTYPE = fixed Huffman
        huffman(0x30, 8)  // literal 0
        while output.count < compressedBytes {
            huffman(0xC5, 8)  // length code 285: 258 bytes
            huffman(0, 5)  // distance code 0: distance 1
        }
        return output
    }
}
