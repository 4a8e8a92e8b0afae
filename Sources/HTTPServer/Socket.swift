import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Thin, EINTR-safe wrappers over the POSIX socket calls the server needs. All I/O is done with
/// `MSG_DONTWAIT` plus `poll(2)` so every wait has a deadline, and with `MSG_NOSIGNAL` so a peer
/// that vanished yields EPIPE instead of killing the process with SIGPIPE.
enum Socket {
    enum WaitResult { case ready, timedOut, failed }
    enum ReadResult { case data(Int), endOfStream, timedOut, failed(Int32) }

    /// Monotonic seconds, immune to wall-clock changes.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Waits until `fd` is ready for `events` or `deadline` (monotonic seconds) passes.
    static func wait(_ fd: Int32, events: Int16, deadline: Double) -> WaitResult {
        while true {
            let remaining = deadline - now()
            if remaining <= 0 { return .timedOut }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up))
            let result = poll(&descriptor, 1, max(milliseconds, 1))
            if result > 0 { return .ready }   // POLLHUP/POLLERR count as ready: the next call reports it
            if result == 0 { continue }       // loop re-checks the deadline (poll may wake a little early)
            if errno == EINTR { continue }
            return .failed
        }
    }

    /// Receives up to `capacity` bytes into `into`, waiting until `deadline` for data.
    static func receive(_ fd: Int32, into: UnsafeMutableRawPointer, capacity: Int, deadline: Double) -> ReadResult {
        while true {
            let count = recv(fd, into, capacity, Int32(MSG_DONTWAIT))
            if count > 0 { return .data(count) }
            if count == 0 { return .endOfStream }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                switch wait(fd, events: Int16(POLLIN), deadline: deadline) {
                case .ready: continue
                case .timedOut: return .timedOut
                case .failed: return .failed(errno)
                }
            }
            return .failed(code)
        }
    }

    /// Writes every byte of `segments` with gathered writes (`sendmsg`, i.e. writev with flags),
    /// resuming after partial writes. `inactivity` bounds how long the peer may refuse to read.
    /// Returns false when the peer is gone or stalled.
    static func sendAll(_ fd: Int32, _ segments: [[UInt8]], inactivity: Double) -> Bool {
        // Pin a bounded batch of arrays at a time: their storage stays valid only inside
        // withUnsafeBytes, so the nesting depth is the batch size, and IOV_MAX is never exceeded.
        let batchSize = 64
        var start = 0
        while start < segments.count {
            let end = min(start + batchSize, segments.count)
            var pinned: [UnsafeRawBufferPointer] = []
            pinned.reserveCapacity(end - start)
            let ok = withPinned(segments, start..<end, &pinned) { sendBuffers(fd, $0, inactivity: inactivity) }
            if !ok { return false }
            start = end
        }
        return true
    }

    private static func withPinned(_ segments: [[UInt8]], _ range: Range<Int>, _ pinned: inout [UnsafeRawBufferPointer],
                                   _ body: ([UnsafeRawBufferPointer]) -> Bool) -> Bool {
        guard let first = range.first else { return body(pinned) }
        return segments[first].withUnsafeBytes { bytes in
            pinned.append(bytes)
            return withPinned(segments, (first + 1)..<range.upperBound, &pinned, body)
        }
    }

    private static func sendBuffers(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer], inactivity: Double) -> Bool {
        var vectors: [iovec] = buffers.compactMap { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
            return iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: buffer.count)
        }
        var first = 0
        var deadline = now() + inactivity
        while first < vectors.count {
            let sent: Int = vectors.withUnsafeMutableBufferPointer { all in
                var message = msghdr()
                message.msg_iov = all.baseAddress! + first
                message.msg_iovlen = all.count - first
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    if case .ready = wait(fd, events: Int16(POLLOUT), deadline: deadline) { continue }
                }
                return false
            }
            deadline = now() + inactivity
            var remaining = sent
            while first < vectors.count, remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base = vectors[first].iov_base! + remaining
                vectors[first].iov_len -= remaining
            }
        }
        return true
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes with SO_LINGER 0 so the kernel sends RST instead of FIN.
    static func abort(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        _ = Glibc.close(fd)
    }

    /// Half-closes, then reads and discards what the peer still sends (until it closes or
    /// `seconds` pass); the caller closes afterwards. Closing with unread input would make the kernel send RST,
    /// which can destroy the response we just sent before the client reads it (e.g. a 413 sent
    /// while the client is still uploading).
    static func lingeringDrain(_ fd: Int32, seconds: Double, scratch: UnsafeMutableRawBufferPointer) {
        _ = shutdown(fd, Int32(SHUT_WR))
        let deadline = now() + seconds
        drain: while true {
            switch receive(fd, into: scratch.baseAddress!, capacity: scratch.count, deadline: deadline) {
            case .data: continue
            case .endOfStream, .timedOut, .failed: break drain
            }
        }
    }

    private static func cText(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `ip:port` (or `[ip]:port`) of a socket address.
    static func describe(_ storage: sockaddr_storage) -> (host: String, port: Int) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return (cText(text), Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return ("[\(cText(text))]", Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        default:
            return ("unknown", 0)
        }
    }
}
