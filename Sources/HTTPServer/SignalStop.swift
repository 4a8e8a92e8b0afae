import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Stops `server` gracefully when one of `signals` arrives (SIGINT/SIGTERM by default), for CLIs.
///
/// The signals' default action is replaced (set to ignore) so the process survives long enough to
/// drain; `onSignal` runs first (e.g. to log, or to `exit` on a second signal), then
/// `server.stop(timeout: stopTimeout)` runs on a background queue, after which
/// `server.waitUntilStopped()` returns. The registration stays active until `cancel()` is called,
/// even if the returned value is discarded.
@discardableResult
public func installSignalStop(_ server: HTTPServer, signals: [Int32] = [SIGINT, SIGTERM],
                              stopTimeout: Double = 5,
                              onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) -> SignalStopRegistration {
    let queue = DispatchQueue(label: "HTTPServer.signals")
    var sources: [DispatchSourceSignal] = []
    for signalNumber in signals {
        // Without this the default action (terminate) would win over the dispatch source.
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler {
            onSignal(signalNumber)
            DispatchQueue.global().async { server.stop(timeout: stopTimeout) }
        }
        source.resume()
        sources.append(source)
    }
    let registration = SignalStopRegistration(sources: sources)
    SignalStopRegistration.active.withLock { $0[ObjectIdentifier(registration)] = registration }
    return registration
}

/// Keeps the signal sources of `installSignalStop` alive; `cancel()` removes them.
public final class SignalStopRegistration: Sendable {
    /// Registrations are kept here so discarding the returned value does not silently disarm them.
    static let active = Mutex<[ObjectIdentifier: SignalStopRegistration]>([:])

    private let sources: Mutex<[SourceBox]>

    /// Dispatch sources are thread-safe objects but not annotated Sendable.
    private struct SourceBox: @unchecked Sendable { let source: DispatchSourceSignal }

    init(sources: [DispatchSourceSignal]) {
        self.sources = Mutex(sources.map(SourceBox.init))
    }

    /// Removes the signal sources (the signals stay ignored).
    public func cancel() {
        let boxes = sources.withLock { boxes in
            defer { boxes.removeAll() }
            return boxes
        }
        for box in boxes { box.source.cancel() }
        _ = Self.active.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
    }
}
