import Sekoia

/// What a Sekoia.io batch came to, for progress and the summary.
package struct SekoiaBatchReport: Sendable {
    package var number: Int
    package var events: Int
    package var taskID: String?
}

/// Sekoia.io delivery: batches of `batchSize` events, each pushed and its task followed.
///
/// Each accepted batch's task is followed in the background while fetching goes on; at most
/// `tasksInFlight` are followed at once (the oldest is awaited before pushing more), and
/// `finish` waits for all of them. Any task that does not end FINISHED fails the cycle.
package final class SekoiaSink: EventSink {
    package let client: SekoiaIntakeClient
    package let batchSize: Int
    package let tasksInFlight: Int
    private let onBatch: (@Sendable (SekoiaBatchReport) -> Void)?
    private var buffer: [[UInt8]] = []
    private var pendingTasks: [Task<Void, any Error>] = []
    /// Batches pushed and accepted (200) in the current cycle.
    package private(set) var batchesPushed = 0
    /// Events in those batches.
    package private(set) var eventsPushed = 0
    /// Tasks seen FINISHED in the current cycle.
    package private(set) var tasksFinished = 0

    package init(client: SekoiaIntakeClient, batchSize: Int = 100, tasksInFlight: Int = 8, onBatch: (@Sendable (SekoiaBatchReport) -> Void)? = nil) {
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

    package var delivered: SinkDelivery { SinkDelivery(destination: .batches, events: eventsPushed, batches: batchesPushed) }

    package func beginCycle() throws {
        abandon()
        batchesPushed = 0
        eventsPushed = 0
        tasksFinished = 0
    }

    package func write(_ event: [UInt8]) async throws {
        buffer.append(event)
        if buffer.count >= batchSize { try await pushBuffer() }
    }

    package func finish() async throws {
        if !buffer.isEmpty { try await pushBuffer() }
        while !pendingTasks.isEmpty { try await waitForOldestTask() }
    }

    /// Pushed batches cannot be taken back; the caller keeps the checkpoint where it was, so the
    /// next cycle sends them again.
    package func abandon() {
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
