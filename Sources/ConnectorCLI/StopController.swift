import Foundation
import HTTPClient
import Signals
import Synchronization

/// How a running `collect` is asked to stop: by SIGINT/SIGTERM in a real process, or directly
/// (`requestStop`) when embedded or tested.
///
/// With `--interval`, the first request lets the running cycle finish (so it delivers and moves
/// the checkpoint) and then stops; a second request abandons the cycle. Without `--interval`
/// the first request abandons the run: partial output files are removed, the checkpoint stays.
package final class StopController: Sendable {
    private struct State {
        var requests = 0
        var cycleTask: Task<Void, Never>?
        var waitTask: Task<Void, any Error>?
    }
    private let state = Mutex(State())
    private let gracefulFirst: Bool
    private let onRequest: (@Sendable (Int) -> Void)?

    package init(gracefulFirst: Bool, onRequest: (@Sendable (Int) -> Void)? = nil) {
        self.gracefulFirst = gracefulFirst
        self.onRequest = onRequest
    }

    /// Stop requests so far.
    package var requests: Int { state.withLock { $0.requests } }
    var stopRequested: Bool { requests > 0 }

    package func requestStop() {
        let (count, cycle, wait) = state.withLock { state -> (Int, Task<Void, Never>?, Task<Void, any Error>?) in
            state.requests += 1
            return (state.requests, state.cycleTask, state.waitTask)
        }
        onRequest?(count)
        wait?.cancel()
        if !gracefulFirst || count >= 2 { cycle?.cancel() }
    }

    /// Runs `body` as the current cycle, cancellable by stop requests.
    func runCycle(_ body: @escaping @Sendable () async -> Void) async {
        let task = Task { await body() }
        let cancelNow = state.withLock { state -> Bool in
            state.cycleTask = task
            return state.requests >= (gracefulFirst ? 2 : 1)
        }
        if cancelNow { task.cancel() }
        await task.value
        state.withLock { $0.cycleTask = nil }
    }

    /// Waits `seconds` between cycles; returns early (false) when a stop was requested.
    func wait(seconds: Double) async -> Bool {
        let task = Task { try await waitSeconds(seconds) }
        let stopped = state.withLock { state -> Bool in
            state.waitTask = task
            return state.requests > 0
        }
        if stopped { task.cancel() }
        let completed = (try? await task.value) != nil
        state.withLock { $0.waitTask = nil }
        return completed && !stopRequested
    }
}

/// Turns SIGINT and SIGTERM into stop requests while installed (through the toolkit's one
/// signal mechanism, `onSignals`); restores the default dispositions after.
final class SignalStopper: Sendable {
    private static let signals = [SIGINT, SIGTERM]
    private let subscription: SignalSubscription

    init(controller: StopController) {
        subscription = onSignals(Self.signals) { _ in controller.requestStop() }
    }

    func uninstall() {
        subscription.cancel()
        SignalSubscription.restoreDefaultDisposition(Self.signals)
    }
}
