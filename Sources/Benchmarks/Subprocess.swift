import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a benchmark: the mock, the connector, nginx or wrk.
///
/// Started with `posix_spawn` (not Foundation's `Process`) so that `wait()` can return the
/// child's own resource usage from `wait4`, peak RSS included, and so that its standard output
/// can be read line by line while it runs.
package final class Subprocess: @unchecked Sendable {
    package let pid: pid_t
    package let executable: String
    /// The monotonic instant just before `posix_spawn`, for start-up timings.
    let startedAt: UInt64
    private var stdoutReader: LineReader?
    private let lock = NSLock()
    private var exitStatus: Termination?

    /// How a child ended, with what it used.
    package struct Termination: Sendable {
        /// The exit code, or 128 + signal number for a signalled child.
        package var code: Int32
        var signalled: Bool
        /// Peak resident set size in bytes (`ru_maxrss`).
        package var peakRSSBytes: Int
        var userSeconds: Double
        var systemSeconds: Double
    }

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment (nil: this process's).
    ///   - captureStandardOutput: read it through `readLine(timeout:)`; otherwise it goes to
    ///     `standardOutputPath` (or /dev/null).
    ///   - standardErrorPath: where stderr goes (nil: /dev/null).
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        captureStandardOutput: Bool = false, standardOutputPath: String? = nil, standardErrorPath: String? = nil
    ) throws {
        guard access(executable, X_OK) == 0 else { throw BenchmarkError("cannot execute \(executable)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if captureStandardOutput {
            guard pipe(&pipeEnds) == 0 else { throw BenchmarkError("pipe failed: \(String(cString: strerror(errno)))") }
            // Neither end may leak into other children; the child gets its stdout by dup2.
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, standardOutputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentPairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentPairs.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var child: pid_t = 0
        startedAt = monotonicNanoseconds()
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        if captureStandardOutput { close(pipeEnds[1]) }
        guard result == 0 else {
            if captureStandardOutput { close(pipeEnds[0]) }
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        self.executable = executable
        if captureStandardOutput { stdoutReader = LineReader(descriptor: pipeEnds[0]) }
    }

    deinit {
        stdoutReader?.close()
    }

    /// The next line of the child's standard output, or nil at its end or after `timeout` seconds.
    package func readLine(timeout: Double) -> String? {
        stdoutReader?.readLine(deadline: monotonicNanoseconds() + UInt64(timeout * 1e9))
    }

    /// Reads and drops the child's further output on a background thread, so that it never
    /// blocks on a full pipe.
    func drainStandardOutput() {
        guard let reader = stdoutReader else { return }
        Thread.detachNewThread { reader.drain() }
    }

    /// Sends `signal` (SIGTERM by default) to this child only.
    package func terminate(_ signal: Int32 = SIGTERM) {
        if lock.withLock({ exitStatus == nil }) { kill(pid, signal) }
    }

    /// Waits for the child to end (at most `timeout` seconds, then SIGKILL) and returns how it
    /// ended with its peak RSS and CPU time.
    @discardableResult
    package func wait(timeout: Double = 600) -> Termination {
        if let done = lock.withLock({ exitStatus }) { return done }
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let result = wait4(pid, &status, WNOHANG, &usage)
            if result == pid { break }
            if result < 0 && errno != EINTR {
                let failed = Termination(code: -1, signalled: false, peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0)
                lock.withLock { exitStatus = failed }
                return failed
            }
            if monotonicNanoseconds() > deadline {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(2_000)
        }
        let signalled = (status & 0x7F) != 0
        let code = signalled ? 128 + (status & 0x7F) : (status >> 8) & 0xFF
        let termination = Termination(
            code: code, signalled: signalled, peakRSSBytes: Int(usage.ru_maxrss) * 1024,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
        lock.withLock { exitStatus = termination }
        return termination
    }

    /// The child's peak resident set size so far from /proc (`VmHWM`), in bytes.
    var peakRSSBytesSoFar: Int { Self.statusField("VmHWM", pid: pid) }

    static func statusField(_ name: String, pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.split(separator: " ").dropFirst().first { Int($0) != nil }
            return (digits.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }
}

/// Lines from a pipe, with a deadline on each read.
final class LineReader: @unchecked Sendable {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var ended = false
    private let lock = NSLock()

    init(descriptor: Int32) { self.descriptor = descriptor }

    func readLine(deadline: UInt64) -> String? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            if ended { return nil }
            let now = monotonicNanoseconds()
            guard now < deadline else { return nil }
            var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let waited = poll(&descriptorSet, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if waited <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 {
                if count < 0 && errno == EINTR { continue }
                ended = true
                continue
            }
            pending.append(contentsOf: chunk[..<count])
        }
    }

    func drain() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}

/// A benchmark that could not run, with the reason.
package struct BenchmarkError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Where the sibling executables of this one are (`eset-mock`, `eset-connector`): the release
/// build directory when run as `swift run -c release eset-bench` or from `.build/release/`.
func siblingExecutable(_ name: String) -> String {
    let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return own.deletingLastPathComponent().appendingPathComponent(name).path
}

/// The first executable named `name` on PATH (or in /usr/sbin, where nginx lives), or nil.
func findExecutable(_ name: String) -> String? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// A TCP port that was free a moment ago on 127.0.0.1, for servers that cannot bind port 0
/// themselves (nginx). The kernel may hand it out again; callers check that their server started.
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw BenchmarkError("socket failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchmarkError("bind failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
