import ArgumentParsing
import Collector
import Foundation
import ESET
import HTTPClient
import Mapping
import Sekoia
import Synchronization

/// Runs the cycles of one `collect` invocation (also used by `demo`).
package struct CollectRunner: Sendable {
    let settings: CollectSettings
    let reporter: Reporter
    let esetClient: ESETClient
    let sekoiaClient: SekoiaIntakeClient?
    /// Called with each accepted Sekoia.io batch (the demo shows them).
    var onBatch: (@Sendable (SekoiaBatchReport) -> Void)?

    package init(settings: CollectSettings, reporter: Reporter, transport: any HTTPTransport, onBatch: (@Sendable (SekoiaBatchReport) -> Void)? = nil) {
        self.settings = settings
        self.reporter = reporter
        self.onBatch = onBatch
        // Retries are rare and bounded, and each one says something about the service: always shown.
        esetClient = ESETClient(configuration: settings.esetConfiguration, transport: transport) { notice in
            reporter.line("retry: \(notice)")
        }
        sekoiaClient = settings.sekoia.map { configuration in
            SekoiaIntakeClient(configuration: configuration, transport: transport) { notice in
                reporter.line("retry: \(notice)")
            }
        }
    }

    /// The outcome of one cycle.
    struct Outcome: Sendable {
        var status: ExitStatus
        var statistics: CollectorStatistics
        /// Set when another cycle cannot help until a person acts (bad credentials, 403, bad API key).
        var stopsTheRun: Bool
    }

    package func runCycles(controller: StopController) async -> ExitStatus {
        var status = ExitStatus.success
        var cycle = 0
        while cycle < Int.max {
            cycle += 1
            let box = OutcomeBox()
            await controller.runCycle { box.store(await runCycle()) }
            guard let outcome = box.take() else { return .failure }
            status = outcome.status
            guard let interval = settings.interval else { break }
            if outcome.stopsTheRun || controller.stopRequested { break }
            if let cycles = settings.cycles, cycle >= cycles { break }
            guard await controller.wait(seconds: interval) else { break }
        }
        return status
    }

    /// One cycle with its own sinks; prints the problems found and the summary.
    func runCycle() async -> Outcome {
        // Remote first: the file is committed only once Sekoia.io accepted everything.
        var sinks: [any EventSink] = []
        if let sekoiaClient {
            let batchReporter = onBatch
            sinks.append(SekoiaSink(client: sekoiaClient, batchSize: settings.batchSize) { [reporter, verbose = settings.verbose] batch in
                if verbose { reporter.line("pushed batch \(batch.number): \(batch.events) events" + (batch.taskID.map { ", task \($0)" } ?? "")) }
                batchReporter?(batch)
            })
        }
        if let path = settings.outputPath {
            sinks.append(NDJSONSink(path: path))
        } else if settings.writesStandardOutput {
            sinks.append(TextStreamSink(stream: reporter.context.standardOutput))
        }
        let store = settings.stateDirectory.map {
            CheckpointStore(directory: $0, region: settings.region.rawValue, username: settings.username)
        }
        let collector = Collector(
            client: esetClient,
            options: CollectorOptions(profile: settings.profile, allowMissingGroups: settings.allowMissingGroups, full: settings.full),
            sinks: sinks, sekoiaRetries: sekoiaClient?.retries, checkpointStore: store,
            rejectsFile: settings.rejectsPath.map(RejectsFile.init(path:))
        ) { [reporter, verbose = settings.verbose] event in
            reporter.collectorEvent(event, verbose: verbose)
        }

        do {
            let report = try await collector.runCycle()
            let statistics = report.statistics
            let checkpoint: String
            if store == nil {
                checkpoint = "not used (no --state-dir)"
            } else if let after = report.checkpointAfter, after != report.checkpointBefore {
                checkpoint = "moved to \(RFC3339.format(microseconds: after.newestLastSync))"
            } else if let after = report.checkpointAfter {
                checkpoint = "unchanged (\(RFC3339.format(microseconds: after.newestLastSync)))"
            } else {
                checkpoint = "none (no device with a usable lastSyncTime)"
            }
            let outcome = statistics.rejected > 0 ? "completed with \(statistics.rejected) rejected device\(statistics.rejected == 1 ? "" : "s")" : "succeeded"
            printSummary(statistics, outcome: outcome, checkpoint: checkpoint)
            return Outcome(status: statistics.rejected > 0 ? .completedWithRejections : .success, statistics: statistics, stopsTheRun: false)
        } catch {
            let statistics = error.statistics
            if error.underlying is CancellationError {
                reporter.line("interrupted: the cycle was abandoned; the output and rejects files were not replaced and the checkpoint is unchanged")
            } else {
                reporter.line("error: \(renderFailure(error))")
            }
            printSummary(statistics, outcome: "FAILED\(onDisk(after: error))", checkpoint: store == nil ? "not used (no --state-dir)" : "unchanged")
            return Outcome(status: .failure, statistics: statistics, stopsTheRun: error.requiresIntervention || error.underlying is CancellationError)
        }
    }

    /// What a failed cycle left behind, stated from the facts (never a guess that may be false).
    private func onDisk(after failure: CycleFailure) -> String {
        var parts: [String] = []
        if failure.deliveredBeforeFailing {
            var what: [String] = []
            if settings.sekoia != nil { what.append("Sekoia.io accepted every batch") }
            if let path = settings.outputPath { what.append("\(path) was written") }
            if settings.writesStandardOutput { what.append("every event went to standard output") }
            if let path = settings.rejectsPath { what.append("\(path) was written") }
            parts.append("after delivery: " + what.joined(separator: ", ") + "; only the checkpoint was not saved, so the next cycle sends these devices again")
        } else {
            if let path = settings.outputPath {
                var info = stat()
                if stat(path, &info) != 0 {
                    parts.append("no output file written")
                } else if (info.st_mode & S_IFMT) == S_IFREG {
                    parts.append("\(path) left as it was before this cycle")
                } else {
                    parts.append("\(path) is not a regular file: lines written to it before the failure stay there")
                }
            }
            if let path = settings.rejectsPath {
                parts.append(FileManager.default.fileExists(atPath: path) ? "\(path) left as it was before this cycle" : "no rejects file written")
            }
        }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: "; ")
    }

    private func printSummary(_ statistics: CollectorStatistics, outcome: String, checkpoint: String) {
        for line in summaryLines(statistics: statistics, outcome: outcome, settings: settings, checkpoint: checkpoint) {
            reporter.line(line)
        }
    }
}

/// Carries a cycle's outcome out of its cancellable task (a task's closure cannot return into
/// the caller's variables).
final class OutcomeBox: Sendable {
    private let value = Mutex<CollectRunner.Outcome?>(nil)
    func store(_ outcome: CollectRunner.Outcome) { value.withLock { $0 = outcome } }
    func take() -> CollectRunner.Outcome? {
        value.withLock { stored in
            let outcome = stored
            stored = nil
            return outcome
        }
    }
}
