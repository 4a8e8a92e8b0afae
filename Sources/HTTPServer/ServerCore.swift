import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Shared state of one server, used by the accept thread and every connection thread.
/// One NSCondition guards all mutable fields; it is also what `stop()` waits on.
final class ServerCore: @unchecked Sendable {
    enum Phase { case notStarted, running, stopping, stopped }

    /// What a connection is doing, so `stop()` knows which sockets it may cut right away.
    enum ConnectionActivity: UInt8 { case idle, busy, closing, streaming }

    /// A connection's activity, written by its own thread without the server's lock (twice per
    /// request: idle while waiting, busy once bytes arrive) and read by `stop()`. Both sides use
    /// sequentially consistent operations in the order store-then-load (the connection stores
    /// its activity, then loads `stopRequested`; `stop()` stores `stopRequested`, then loads each
    /// activity), so at least one of them sees the other: a connection going idle while the
    /// server stops is either cut by `stop()` or sees the stop itself, as with the lock.
    final class ActivityCell: Sendable {
        private let raw = Atomic<UInt8>(ConnectionActivity.idle.rawValue)
        var value: ConnectionActivity {
            ConnectionActivity(rawValue: raw.load(ordering: .sequentiallyConsistent)) ?? .busy
        }
        func set(_ activity: ConnectionActivity) { raw.store(activity.rawValue, ordering: .sequentiallyConsistent) }
    }

    struct ConnectionRecord {
        var fd: Int32
        let activity: ActivityCell
    }

    let configuration: HTTPServer.Configuration
    let handler: HTTPHandler

    private let condition = NSCondition()
    private var phase = Phase.notStarted
    /// Set (under the lock, with `phase`) when `stop()` begins: read on every request without the lock.
    private let stopRequested = Atomic<Bool>(false)
    private var listenFD: Int32 = -1
    private var boundPort = 0
    private var acceptThreadRunning = false
    private var connections: [UInt64: ConnectionRecord] = [:]
    private var nextConnectionID: UInt64 = 0
    /// Threads that are answering 503 to over-limit connections; bounded so a flood cannot
    /// spawn unbounded threads.
    private var rejecters = 0
    private static let maxRejecters = 32

    init(configuration: HTTPServer.Configuration, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    var port: Int { locked { boundPort } }
    var connectionCount: Int { locked { connections.count } }
    /// Whether `stop()` has begun; read by connections and the accept loop on every request, so no lock.
    var stopHasBegun: Bool { stopRequested.load(ordering: .sequentiallyConsistent) }
    var isRunning: Bool { locked { phase == .running } }

    // MARK: Start

    func start() throws {
        try locked {
            guard phase == .notStarted else {
                throw HTTPServerError("HTTPServer on \(configuration.host):\(configuration.port) was already started; create a new server to start again")
            }
            let (fd, port) = try Self.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            listenFD = fd
            boundPort = port
            phase = .running
            acceptThreadRunning = true
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "HTTPServer accept :\(port)"
        thread.start()
    }

    private static func listen(host: String, port: Int, backlog: Int32) throws -> (Int32, Int) {
        let place = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard (0...65535).contains(port) else {
            throw HTTPServerError("cannot listen on \(place): port must be between 0 and 65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &list)
        guard lookup == 0, let first = list else {
            throw HTTPServerError("cannot listen on \(place): cannot resolve host: \(String(cString: gai_strerror(lookup)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: (String, Int32) = ("no usable address", 0)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastError = ("socket", errno); continue }
            Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                lastError = ("bind", errno); _ = Glibc.close(fd); continue
            }
            if Glibc.listen(fd, backlog) != 0 {
                lastError = ("listen", errno); _ = Glibc.close(fd); continue
            }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            if named != 0 { lastError = ("getsockname", errno); _ = Glibc.close(fd); continue }
            return (fd, Socket.describe(storage).port)
        }
        let reason = lastError.1 == 0 ? lastError.0 : "\(lastError.0) failed: \(Socket.errorText(lastError.1))"
        throw HTTPServerError("cannot listen on \(place): \(reason)", errno: lastError.1 == 0 ? nil : lastError.1)
    }

    // MARK: Accept

    private func acceptLoop() {
        let fd = locked { listenFD }
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(fd, $0, &length)
                }
            }
            if client < 0 {
                let code = errno
                if stopHasBegun { break }
                switch code {
                case EINTR, ECONNABORTED, EPROTO, EPERM:
                    continue
                default:
                    // Out of descriptors/memory: back off instead of spinning; the pending
                    // connection stays in the backlog.
                    usleep(10_000)
                    continue
                }
            }
            // accept4 is not visible from Swift's Glibc module; set close-on-exec right away so a
            // child process spawned by the host program does not inherit the connection.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            admit(client, peer: Socket.describe(storage))
        }
        locked {
            acceptThreadRunning = false
            condition.broadcast()
        }
    }

    private func admit(_ fd: Int32, peer: (host: String, port: Int)) {
        enum Decision { case serve(UInt64, ActivityCell), reject(lingering: Bool), drop }
        let decision: Decision = locked {
            if phase != .running { return .drop }
            if connections.count >= configuration.maxConnections {
                if rejecters < Self.maxRejecters {
                    rejecters += 1
                    return .reject(lingering: true)
                }
                return .reject(lingering: false)
            }
            nextConnectionID += 1
            let activity = ActivityCell()
            connections[nextConnectionID] = ConnectionRecord(fd: fd, activity: activity)
            return .serve(nextConnectionID, activity)
        }
        switch decision {
        case .drop:
            _ = Glibc.close(fd)
        case .reject(let lingering):
            reject(fd, lingering: lingering)
        case .serve(let id, let activity):
            let remote = "\(peer.host):\(peer.port)"
            let thread = Thread { [self] in
                Connection(fd: fd, id: id, activity: activity, remoteAddress: remote, core: self).run()
            }
            thread.name = "HTTPServer conn \(remote)"
            thread.start()
        }
    }

    private func reject(_ fd: Int32, lingering: Bool) {
        let message = "server busy: too many connections (limit \(configuration.maxConnections))\n"
        let response = Array(ResponseWriter.head(status: 503, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                                                 contentLength: message.utf8.count, connection: "close",
                                                 date: ResponseWriter.httpDate()).utf8) + Array(message.utf8)
        // The response is small enough for an empty socket buffer, so a non-blocking send suffices.
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        guard lingering else {
            _ = shutdown(fd, Int32(SHUT_WR))
            _ = Glibc.close(fd)
            return
        }
        let thread = Thread { [self] in
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
            defer { scratch.deallocate() }
            Socket.lingeringDrain(fd, seconds: 1, scratch: scratch)
            _ = Glibc.close(fd)
            locked {
                rejecters -= 1
                condition.broadcast()
            }
        }
        thread.name = "HTTPServer reject"
        thread.start()
    }

    // MARK: Connection bookkeeping

    /// Marks a connection idle (waiting for a new request). Returns false when the server is
    /// stopping, in which case the connection must close instead of waiting. No lock: see
    /// `ActivityCell` for why this cannot miss a concurrent `stop()`.
    func markIdle(_ activity: ActivityCell) -> Bool {
        activity.set(.idle)
        return !stopHasBegun
    }

    func markBusy(_ activity: ActivityCell) {
        activity.set(.busy)
    }

    /// Marks a connection as sending an endless body; `stop()` cuts such connections at once.
    /// Returns false when the server is already stopping (then nothing should be sent).
    func markStreaming(_ id: UInt64) -> Bool {
        locked {
            guard phase == .running else { return false }
            connections[id]?.activity.set(.streaming)
            return true
        }
    }

    func markClosing(_ id: UInt64) {
        locked {
            guard let fd = connections[id]?.fd else { return }
            connections[id]?.activity.set(.closing)
            // A stop already in progress will not look at this connection again: cut the linger.
            if phase != .running { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Removes the record; the caller closes the descriptor afterwards. Removing first matters:
    /// once closed, the number may be reused and `stop()` must never shut down a stranger's socket.
    func forget(_ id: UInt64) {
        locked {
            connections[id] = nil
            condition.broadcast()
        }
    }

    // MARK: Stop

    func stop(timeout: Double) {
        let listeningFD: Int32? = locked {
            switch phase {
            case .notStarted:
                phase = .stopped
                condition.broadcast()
                return nil
            case .stopping:
                while phase != .stopped { condition.wait() }
                return nil
            case .stopped:
                return nil
            case .running:
                phase = .stopping
                stopRequested.store(true, ordering: .sequentiallyConsistent)
                for record in connections.values where record.activity.value != .busy {
                    _ = shutdown(record.fd, Int32(SHUT_RDWR))
                }
                return listenFD
            }
        }
        guard let listeningFD else { return }
        // On Linux, shutting down a listening socket makes a blocked accept() fail with EINVAL.
        _ = shutdown(listeningFD, Int32(SHUT_RDWR))
        locked {
            while acceptThreadRunning { condition.wait() }
            _ = Glibc.close(listeningFD)
            listenFD = -1
            let deadline = Date(timeIntervalSinceNow: max(timeout, 0))
            while !connections.isEmpty || rejecters > 0 {
                if !condition.wait(until: deadline) { break }
            }
            if !connections.isEmpty {
                // Out of patience: cut the remaining sockets so their threads end as soon as the
                // handler returns; a handler that never returns cannot be interrupted.
                for record in connections.values { _ = shutdown(record.fd, Int32(SHUT_RDWR)) }
                let grace = Date(timeIntervalSinceNow: 0.2)
                while !connections.isEmpty {
                    if !condition.wait(until: grace) { break }
                }
            }
            phase = .stopped
            condition.broadcast()
        }
    }

    func waitUntilStopped() {
        locked {
            while phase == .running || phase == .stopping { condition.wait() }
        }
    }
}
