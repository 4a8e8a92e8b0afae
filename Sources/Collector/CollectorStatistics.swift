import HTTPClient

/// The counts of one cycle, reported in the summary.
package struct CollectorStatistics: Sendable, Equatable {
    package var groupPages = 0
    package var groups = 0
    /// Pages of `/v1/devices`.
    package var pages = 0
    /// Entries of those pages' `devices` arrays, rejected and duplicates included.
    package var devicesFetched = 0
    /// Devices mapped to events and handed to the sinks.
    package var mapped = 0
    /// Devices without a usable uuid (G4).
    package var rejected = 0
    /// Devices whose uuid was already delivered in this cycle.
    package var duplicates = 0
    /// Devices not newer than the checkpoint.
    package var skippedByCheckpoint = 0
    /// Mapping warnings (unparsable times …).
    package var warnings = 0
    package var esetRetries: [RetryCause: Int] = [:]
    package var sekoiaRetries: [RetryCause: Int] = [:]
    /// Sekoia.io batches accepted.
    package var batchesPushed = 0
    /// Events in those batches.
    package var eventsPushed = 0
    /// NDJSON lines written.
    package var eventsWritten = 0
    /// Whether devices were sent without groups (`allowMissingGroups`).
    package var groupsMissing = false
    /// Seconds the cycle took.
    package var elapsed: Double = 0

    package init() {}
}
