import ESET
import Foundation
import JSON
import Sekoia

/// A destination for the events of a cycle. A cycle calls `beginCycle`, `write` for each event,
/// then `finish` when everything was fetched, or `abandon` when the cycle failed.
///
/// Sinks are driven by one task at a time and are not shared.
public protocol EventSink: AnyObject {
    /// Prepares a new cycle (a new output file, fresh counters).
    func beginCycle() throws
    /// Takes one event (compact JSON, no newline).
    func write(_ event: [UInt8]) async throws
    /// Makes the cycle's events final: delivers what is buffered and waits for it to be accepted.
    func finish() async throws
    /// Drops what the cycle produced, as far as that is possible.
    func abandon()
}

/// NDJSON, one event per line, to standard output or to a file replaced atomically per cycle.
public final class NDJSONSink: EventSink {
    private let makeOutput: () throws -> EventOutput
    private var output: EventOutput?
    /// Events written in the current cycle.
    public private(set) var eventsWritten = 0

    /// - Parameter path: nil for standard output.
    public init(path: String?) {
        if let path {
            makeOutput = { try EventOutput.file(path) }
        } else {
            makeOutput = { EventOutput.standardOutput() }
        }
    }

    /// Any `EventOutput`, for tests and embedding.
    public init(makeOutput: @escaping () throws -> EventOutput) {
        self.makeOutput = makeOutput
    }

    public func beginCycle() throws {
        output?.abandon()
        output = try makeOutput()
        eventsWritten = 0
    }

    public func write(_ event: [UInt8]) async throws {
        guard let output else { preconditionFailure("write before beginCycle") }
        try output.writeLine(event)
        eventsWritten += 1
    }

    public func finish() async throws {
        try output?.commit()
        output = nil
    }

    public func abandon() {
        output?.abandon()
        output = nil
    }
}

/// What a Sekoia.io batch came to, for progress and the summary.
public struct SekoiaBatchReport: Sendable {
    public var number: Int
    public var events: Int
    public var taskID: String?
}

/// Sekoia.io delivery: batches of `batchSize` events, each pushed and its task followed.
///
/// Each accepted batch's task is followed in the background while fetching goes on; at most
/// `tasksInFlight` are followed at once (the oldest is awaited before pushing more), and
/// `finish` waits for all of them. Any task that does not end FINISHED fails the cycle.
public final class SekoiaSink: EventSink {
    public let client: SekoiaIntakeClient
    public let batchSize: Int
    public let tasksInFlight: Int
    private let onBatch: (@Sendable (SekoiaBatchReport) -> Void)?
    private var buffer: [[UInt8]] = []
    private var pendingTasks: [Task<Void, any Error>] = []
    /// Batches pushed and accepted (200) in the current cycle.
    public private(set) var batchesPushed = 0
    /// Events in those batches.
    public private(set) var eventsPushed = 0
    /// Tasks seen FINISHED in the current cycle.
    public private(set) var tasksFinished = 0

    public init(client: SekoiaIntakeClient, batchSize: Int = 100, tasksInFlight: Int = 8, onBatch: (@Sendable (SekoiaBatchReport) -> Void)? = nil) {
        precondition(batchSize > 0, "batch size must be positive")
        self.client = client
        self.batchSize = batchSize
        self.tasksInFlight = max(0, tasksInFlight)
        self.onBatch = onBatch
        buffer.reserveCapacity(batchSize)
    }

    deinit {
        for task in pendingTasks { task.cancel() }
    }

    public func beginCycle() throws {
        abandon()
        batchesPushed = 0
        eventsPushed = 0
        tasksFinished = 0
    }

    public func write(_ event: [UInt8]) async throws {
        buffer.append(event)
        if buffer.count >= batchSize { try await pushBuffer() }
    }

    public func finish() async throws {
        if !buffer.isEmpty { try await pushBuffer() }
        while !pendingTasks.isEmpty { try await waitForOldestTask() }
    }

    /// Pushed batches cannot be taken back; the caller keeps the checkpoint where it was, so the
    /// next cycle sends them again.
    public func abandon() {
        buffer.removeAll(keepingCapacity: true)
        for task in pendingTasks { task.cancel() }
        pendingTasks.removeAll()
    }

    private func pushBuffer() async throws {
        let number = batchesPushed + 1
        let taskID = try await client.push(buffer, batchNumber: number)
        batchesPushed += 1
        eventsPushed += buffer.count
        onBatch?(SekoiaBatchReport(number: number, events: buffer.count, taskID: taskID))
        buffer.removeAll(keepingCapacity: true)
        if let taskID {
            let client = self.client
            pendingTasks.append(Task { try await client.waitForTask(taskID) })
        }
        while pendingTasks.count > tasksInFlight { try await waitForOldestTask() }
    }

    private func waitForOldestTask() async throws {
        let task = pendingTasks.removeFirst()
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        tasksFinished += 1
    }
}

/// `--rejects FILE`: every rejected device, one JSON object per line:
/// `{"page": 2, "index": 17, "reason": "device has no 'uuid'", "device": {...as received...}}`.
public final class RejectsFile {
    private let path: String
    private var output: EventOutput?
    public private(set) var count = 0

    public init(path: String) { self.path = path }

    public func beginCycle() throws {
        output?.abandon()
        output = try EventOutput.file(path)
        count = 0
    }

    public func write(_ rejection: DeviceRejection) throws {
        var writer = JSONWriter()
        writer.beginObject()
        if let page = rejection.page {
            writer.key("page")
            writer.int(page)
        }
        writer.key("index")
        writer.int(rejection.index)
        writer.key("reason")
        writer.string(rejection.reason.description)
        writer.key("device")
        writer.value(rejection.raw)
        writer.endObject()
        try output?.writeLine(writer.bytes)
        count += 1
    }

    /// Keeps what was found, whether or not the cycle succeeded: the rejects are facts either way.
    public func finish() throws {
        try output?.commit()
        output = nil
    }
}
