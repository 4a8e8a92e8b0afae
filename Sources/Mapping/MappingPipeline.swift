import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import ESET
import OCSF
import Synchronization

/// The events of one batch of devices, encoded, with what mapping them had to say.
package struct MappedBatch: Sendable {
    /// One NDJSON line per event, each ending with a newline.
    package var ndjson: [UInt8]
    package var events: Int
    /// Each warning with the position of its device in the file.
    package var warnings: [(position: Int, warning: MappingWarning)]
    package var rejections: [DeviceRejection]
    /// Devices of the batch, mapped and rejected.
    package var rawCount: Int
}

/// Decode → map → encode over a `DeviceStreamReader`, batch by batch, on one thread or two.
///
/// With two threads a decoding thread reads and decodes batch N+1 while the calling thread maps,
/// encodes and delivers batch N. Batches stay in file order (one producer, one consumer, a FIFO),
/// so the output is byte for byte that of one thread. At most `queueCapacity` decoded batches
/// wait between the two, so memory stays bounded whatever the input's size. The threads meet
/// once per batch, never per device.
package enum MappingPipeline {
    /// Decoded batches that may wait for the mapping thread.
    package static let queueCapacity = 2

    /// Maps and encodes one decoded batch.
    package static func map(_ page: DevicePage, with mapper: DeviceMapper) -> MappedBatch {
        var ndjson: [UInt8] = []
        ndjson.reserveCapacity(page.devices.count * 1100)
        var warnings: [(position: Int, warning: MappingWarning)] = []
        for index in page.devices.indices {
            let mapped = mapper.map(page.devices[index])
            for warning in mapped.warnings { warnings.append((page.positions[index], warning)) }
            ndjson.append(contentsOf: mapped.event.jsonBytes())
            ndjson.append(0x0A)
        }
        return MappedBatch(
            ndjson: ndjson, events: page.devices.count, warnings: warnings, rejections: page.rejections, rawCount: page.rawCount)
    }

    /// Runs the pipeline to the end of the input, calling `deliver` on the calling thread for
    /// every batch, in file order (`inout` so that it may take the batch's bytes without a
    /// copy). `threads` 1 does everything on the calling thread; 2 or more
    /// decode on a second thread (two stages: more threads would not help them).
    ///
    /// Rethrows the reader's error (after delivering every batch before it) or `deliver`'s
    /// (after stopping the decoding thread). No thread outlives the call.
    package static func run(
        _ reader: DeviceStreamReader, mapper: DeviceMapper, threads: Int, deliver: (inout MappedBatch) throws -> Void
    ) throws {
        guard threads > 1 else {
            while let page = try reader.nextBatch() {
                var batch = map(page, with: mapper)
                try deliver(&batch)
            }
            return
        }
        let queue = BatchQueue(capacity: queueCapacity)
        let decoder = UncheckedReader(reader: reader)
        let finished = DispatchSemaphore(value: 0)
        Thread.start {
            defer { finished.signal() }
            while queue.waitForRoom() {
                let item: BatchQueue.Item
                do {
                    item = try decoder.reader.nextBatch().map(BatchQueue.Item.page) ?? .end
                } catch {
                    item = .failure(error)
                }
                queue.push(item)
                guard case .page = item else { return }
            }
        }
        defer {
            queue.cancel()
            finished.wait()
        }
        while true {
            switch queue.pop() {
            case .page(let page):
                var batch = map(page, with: mapper)
                try deliver(&batch)
            case .end: return
            case .failure(let error): throw error
            }
        }
    }
}

/// The reader moves to the decoding thread and is used there only until `run` returns.
private final class UncheckedReader: @unchecked Sendable {
    let reader: DeviceStreamReader
    init(reader: DeviceStreamReader) { self.reader = reader }
}

/// A bounded FIFO between one producer and one consumer, with blocking waits.
private final class BatchQueue: Sendable {
    enum Item: Sendable {
        case page(DevicePage)
        case end
        case failure(any Error)
    }

    private let items = Mutex<[Item]>([])
    private let cancelled = Atomic<Bool>(false)
    private let room = DispatchSemaphore(value: 0)
    private let available = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        // Created at 0 and raised: libdispatch traps when a semaphore is destroyed below the
        // value it was created with, which a cancelled run leaves it at.
        for _ in 0..<capacity { room.signal() }
    }

    /// Waits until an item may be pushed; false once the consumer gave up.
    func waitForRoom() -> Bool {
        room.wait()
        return !cancelled.load(ordering: .acquiring)
    }

    func push(_ item: Item) {
        items.withLock { $0.append(item) }
        available.signal()
    }

    func pop() -> Item {
        available.wait()
        let item = items.withLock { $0.removeFirst() }
        room.signal()
        return item
    }

    /// The consumer stops: a producer waiting for room wakes and ends.
    func cancel() {
        cancelled.store(true, ordering: .releasing)
        room.signal()
    }
}

/// A plain POSIX thread for a long blocking loop (not a Dispatch or Swift-concurrency worker).
private enum Thread {
    static func start(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed: \(status)")
        pthread_detach(thread)
    }
}
