import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Calls `action` (on a relay thread, never in signal context) each time one of `signals`
/// arrives, until the returned subscription is cancelled: the toolkit's one signal mechanism,
/// used by `HTTPServer.installSignalStop` and the connector's stop controller alike.
///
/// The handler is installed synchronously before this returns, so no signal sent afterwards is
/// lost. (A DispatchSource arms itself later on libdispatch's manager thread, and a signal
/// arriving in between would be dropped or kill the process.) It writes the signal number to a
/// pipe that the relay thread reads. Do not also register a DispatchSource for the same signal:
/// libdispatch would replace this handler.
package func onSignals(_ signals: [Int32], _ action: @escaping @Sendable (Int32) -> Void) -> SignalSubscription {
    SignalSubscription(id: SignalRelay.register(signals: signals, action: action))
}

/// One `onSignals` registration. Cancelling it removes its action; the signals stay caught (so
/// they no longer terminate the process) until `restoreDefaultDisposition` is called.
package final class SignalSubscription: Sendable {
    private let id: UInt64

    init(id: UInt64) { self.id = id }

    package func cancel() { SignalRelay.unregister(id) }

    /// Gives `signals` back their default disposition (terminate), e.g. when a command that
    /// handled them is done and the process goes on.
    package static func restoreDefaultDisposition(_ signals: [Int32]) {
        for signalNumber in signals { signal(signalNumber, SIG_DFL) }
    }
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

enum SignalRelay {
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
