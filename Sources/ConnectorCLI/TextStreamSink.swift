import Collector

/// NDJSON to a `TextStream` (the command's stdout), flushed in large writes.
final class TextStreamSink: EventSink {
    private let stream: TextStream
    private var buffer: [UInt8] = []
    private var bufferedLines = 0
    private var linesWritten = 0

    init(stream: TextStream) { self.stream = stream }

    var delivered: SinkDelivery { SinkDelivery(destination: .lines, events: linesWritten) }

    func beginCycle() throws {
        buffer.removeAll(keepingCapacity: true)
        bufferedLines = 0
        linesWritten = 0
    }

    func write(_ event: [UInt8]) async throws {
        buffer.append(contentsOf: event)
        buffer.append(0x0A)
        bufferedLines += 1
        if buffer.count >= 256 * 1024 { try flush() }
    }

    func finish() async throws { try flush() }

    /// Lines already written to stdout cannot be taken back; the rest is dropped.
    func abandon() {
        buffer.removeAll(keepingCapacity: true)
        bufferedLines = 0
    }

    /// A refused write fails the cycle: events that never reached stdout were not delivered.
    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let failure = stream.writeReportingFailure(buffer)
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            bufferedLines = 0
            throw OutputError(path: "standard output", reason: "write failed: \(failure); the events were not delivered")
        }
        linesWritten += bufferedLines
        bufferedLines = 0
    }
}

import Synchronization
