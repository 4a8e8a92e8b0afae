/// A destination for the events of a cycle. A cycle calls `beginCycle`, `write` for each event,
/// then `finish` when everything was fetched, or `abandon` when the cycle failed.
///
/// Sinks are driven by one task at a time and are not shared.
package protocol EventSink: AnyObject {
    /// What the sink delivered in the current cycle, as it counts it.
    var delivered: SinkDelivery { get }
    /// Prepares a new cycle (a new output file, fresh counters).
    func beginCycle() throws
    /// Takes one event (compact JSON, no newline).
    func write(_ event: [UInt8]) async throws
    /// Makes the cycle's events final: delivers what is buffered and waits for it to be accepted.
    func finish() async throws
    /// Drops what the cycle produced, as far as that is possible.
    func abandon()
}

/// What one sink delivered in a cycle: the collector adds these up for the summary without
/// knowing the sinks' types.
package struct SinkDelivery: Sendable, Equatable {
    package enum Destination: Sendable, Equatable {
        /// NDJSON lines (a file or standard output).
        case lines
        /// Batches accepted by a remote intake.
        case batches
    }

    package var destination: Destination
    /// Events written as lines, or events in accepted batches.
    package var events: Int
    /// Batches accepted; 0 for lines.
    package var batches: Int

    package init(destination: Destination, events: Int, batches: Int = 0) {
        self.destination = destination
        self.events = events
        self.batches = batches
    }
}
