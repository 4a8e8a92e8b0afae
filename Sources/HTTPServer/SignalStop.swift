import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Stops `server` gracefully when one of `signals` arrives (SIGINT/SIGTERM by default), for CLIs.
///
/// The handler is installed synchronously before this returns, so no signal sent afterwards is
/// lost. (A DispatchSource arms itself later on libdispatch's manager thread, and a signal
/// arriving in between would be dropped or kill the process.) It writes the signal number to a
/// pipe; a relay thread then calls `onSignal` (e.g. to log, or to `exit` on a second signal) and
/// starts `server.stop(timeout: stopTimeout)` on a new thread, after which
/// `server.waitUntilStopped()` returns. The registration stays active until `cancel()` is
/// called, even if the returned value is discarded.
///
/// Do not also register a DispatchSource for the same signal: libdispatch would replace this handler.
@discardableResult
public func installSignalStop(_ server: HTTPServer, signals: [Int32] = [SIGINT, SIGTERM],
                              stopTimeout: Double = 5,
                              onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) -> SignalStopRegistration {
    let id = SignalRelay.register(signals: signals) { signalNumber in
        onSignal(signalNumber)
        Thread.detachNewThread { server.stop(timeout: stopTimeout) }
    }
    return SignalStopRegistration(id: id)
}

/// Represents the reaction set up by `installSignalStop`; `cancel()` removes it.
public final class SignalStopRegistration: Sendable {
    private let id: UInt64

    init(id: UInt64) { self.id = id }

    /// Removes this reaction. The signals stay caught (so they no longer terminate the process)
    /// but nothing happens for them unless another registration exists.
    public func cancel() { SignalRelay.unregister(id) }
}

/// Write end of the self-pipe. A plain global with a constant initializer is statically
/// initialised, so reading it inside the signal handler involves no lazy-initialisation lock.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// Runs in signal context: only async-signal-safe calls (write), and errno is preserved.
private func relaySignalToPipe(_ signalNumber: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(signalPipeWriteFD, &byte, 1)
    errno = savedErrno
}

private enum SignalRelay {
    typealias Action = @Sendable (Int32) -> Void

    struct State {
        var started = false
        var actions: [UInt64: (signals: Set<Int32>, action: Action)] = [:]
        var nextID: UInt64 = 0
    }

    static let state = Mutex(State())

    static func register(signals: [Int32], action: @escaping Action) -> UInt64 {
        state.withLock { state in
            if !state.started {
                var fds: [Int32] = [0, 0]
                if pipe(&fds) == 0 {
                    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
                    // Never block inside the handler, even if nobody drains the pipe.
                    _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
                    signalPipeWriteFD = fds[1]
                    let readFD = fds[0]
                    let thread = Thread { relayLoop(readFD) }
                    thread.name = "HTTPServer signal relay"
                    thread.start()
                    state.started = true
                }
            }
            state.nextID += 1
            state.actions[state.nextID] = (Set(signals), action)
            for signalNumber in signals { signal(signalNumber, relaySignalToPipe) }
            return state.nextID
        }
    }

    static func unregister(_ id: UInt64) {
        _ = state.withLock { $0.actions.removeValue(forKey: id) }
    }

    private static func relayLoop(_ readFD: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(readFD, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            let signalNumber = Int32(byte)
            let actions = state.withLock { state in
                state.actions.values.filter { $0.signals.contains(signalNumber) }.map(\.action)
            }
            for action in actions { action(signalNumber) }
        }
    }
}
