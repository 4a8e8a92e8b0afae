import Collector
import ESET
import Foundation
import HTTPClient
import Mapping
import Synchronization

/// Writes the collector's messages to stderr with every secret of the run scrubbed, and keeps
/// the one-line progress display (terminals only) out of the way of real lines.
package final class Reporter: Sendable {
    let context: CLIContext
    private let secrets: [String]
    private let showsProgress: Bool
    private let progressShown = Atomic<Bool>(false)

    package init(context: CLIContext, secrets: [String]) {
        self.context = context
        self.secrets = secrets
        showsProgress = context.standardErrorIsTerminal
    }

    /// One line on stderr.
    func line(_ text: String) {
        clearProgress()
        context.error(redacting(text, secrets: secrets))
    }

    /// Replaces the progress line (terminals only).
    func progress(_ text: String) {
        guard showsProgress else { return }
        progressShown.store(true, ordering: .relaxed)
        context.standardError.write("\r\u{1B}[2K" + redacting(text, secrets: secrets))
    }

    func clearProgress() {
        guard showsProgress, progressShown.exchange(false, ordering: .relaxed) else { return }
        context.standardError.write("\r\u{1B}[2K")
    }

    /// What the collector tells, as lines.
    func collectorEvent(_ event: CollectorEvent, verbose: Bool) {
        switch event {
        case .groupsLoaded(let count, let pages):
            if verbose { line("loaded \(count) device group\(count == 1 ? "" : "s") (\(pages) page\(pages == 1 ? "" : "s"))") }
        case .groupsMissing(let reason):
            line("warning: cannot load the device groups (\(reason)); sending devices without groups because of --allow-missing-groups")
        case .checkpointLoaded(let checkpoint):
            if verbose { line("checkpoint: skipping devices synced at or before \(RFC3339.format(microseconds: checkpoint.skipAtOrBefore))") }
        case .checkpointUnusable(let reason):
            line("warning: ignoring the checkpoint (\(reason)); this cycle sends every device")
        case .rejected(let rejection):
            line("rejected: \(rejection)")
        case .mappingWarning(let page, let index, let warning):
            line("warning: page \(page), device index \(index): \(warning)")
        case .duplicate(let page, let index, let uuid):
            if verbose { line("duplicate: page \(page), device index \(index): device \(uuid) was already delivered in this cycle") }
        case .pageProcessed(let statistics):
            progress("page \(statistics.pages): \(statistics.devicesFetched) devices fetched, \(statistics.mapped) mapped, \(statistics.rejected) rejected, \(statistics.duplicates) duplicates")
        case .futureLastSyncTime(let page, let index, let uuid, let time):
            line("warning: page \(page), device index \(index): device \(uuid) has lastSyncTime \(time), in the future; delivered, but the checkpoint does not move to it")
        case .checkpointMoved(let checkpoint):
            if verbose { line("checkpoint moved to \(RFC3339.format(microseconds: checkpoint.newestLastSync))") }
        }
    }
}

/// The end-of-cycle summary: one `key: value` line per count, stable for people and scripts.
func summaryLines(
    statistics: CollectorStatistics, outcome: String, settings: CollectSettings, checkpoint: String
) -> [String] {
    func retries(_ counts: [RetryCause: Int]) -> String {
        counts.isEmpty ? "0" : counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
    }
    var lines = [
        "summary: \(outcome) (region \(settings.region.rawValue), profile \(settings.profile.rawValue))",
        "  device groups: \(statistics.groups) (\(statistics.groupPages) page\(statistics.groupPages == 1 ? "" : "s"))\(statistics.groupsMissing ? " MISSING" : "")",
        "  pages: \(statistics.pages)",
        "  devices fetched: \(statistics.devicesFetched)",
        "  mapped: \(statistics.mapped)",
        "  rejected: \(statistics.rejected)",
        "  duplicates: \(statistics.duplicates)",
        "  skipped by checkpoint: \(statistics.skippedByCheckpoint)",
        "  warnings: \(statistics.warnings)",
    ]
    if settings.sekoia != nil { lines.append("  batches pushed: \(statistics.batchesPushed) (\(statistics.eventsPushed) events)") }
    if settings.sekoia == nil || settings.outputPath != nil { lines.append("  NDJSON lines: \(statistics.eventsWritten)") }
    lines.append("  retries (ESET): \(retries(statistics.esetRetries))")
    if settings.sekoia != nil { lines.append("  retries (Sekoia.io): \(retries(statistics.sekoiaRetries))") }
    lines.append("  checkpoint: \(checkpoint)")
    lines.append("  elapsed: \(formatDuration(statistics.elapsed))")
    return lines
}
