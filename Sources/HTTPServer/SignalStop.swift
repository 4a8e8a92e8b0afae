import Foundation
import Signals
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
    let subscription = onSignals(signals) { signalNumber in
        onSignal(signalNumber)
        Thread.detachNewThread { server.stop(timeout: stopTimeout) }
    }
    return SignalStopRegistration(subscription)
}

/// Represents the reaction set up by `installSignalStop`; `cancel()` removes it.
public final class SignalStopRegistration: Sendable {
    private let subscription: SignalSubscription

    init(_ subscription: SignalSubscription) { self.subscription = subscription }

    /// Removes this reaction. The signals stay caught (so they no longer terminate the process)
    /// but nothing happens for them unless another registration exists.
    public func cancel() { subscription.cancel() }
}
