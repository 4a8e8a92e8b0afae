/// NDJSON, one event per line, to a file replaced atomically per cycle.
package final class NDJSONSink: EventSink {
    private let makeOutput: () throws -> NDJSONOutput
    private var output: NDJSONOutput?
    /// Events written in the current cycle.
    package private(set) var eventsWritten = 0

    package init(path: String) {
        makeOutput = { try NDJSONOutput.file(path) }
    }

    package var delivered: SinkDelivery { SinkDelivery(destination: .lines, events: eventsWritten) }

    package func beginCycle() throws {
        output?.abandon()
        output = try makeOutput()
        eventsWritten = 0
    }

    package func write(_ event: [UInt8]) async throws {
        guard let output else { preconditionFailure("write before beginCycle") }
        try output.writeLine(event)
        eventsWritten += 1
    }

    package func finish() async throws {
        try output?.commit()
        output = nil
    }

    package func abandon() {
        output?.abandon()
        output = nil
    }
}
