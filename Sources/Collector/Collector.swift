import ESET
import Foundation
import HTTPClient
import JSON
import Mapping
import OCSF
import Sekoia

/// What the collector can be asked to do differently.
public struct CollectorOptions: Sendable {
    public var profile: MappingProfile
    /// Send devices without their groups when `/v1/device_groups` cannot be loaded, instead of
    /// failing (devices without groups would erase good group data downstream).
    public var allowMissingGroups: Bool
    /// Ignore the checkpoint when choosing devices (it is still moved after a good cycle).
    public var full: Bool
    /// Microseconds since the epoch; M13's fallback for devices without a usable time.
    public var clock: @Sendable () -> Int64

    public init(profile: MappingProfile = .sekoia, allowMissingGroups: Bool = false, full: Bool = false, clock: @escaping @Sendable () -> Int64 = systemClockMicroseconds) {
        self.profile = profile
        self.allowMissingGroups = allowMissingGroups
        self.full = full
        self.clock = clock
    }
}

/// The counts of one cycle, reported in the summary.
public struct CollectorStatistics: Sendable, Equatable {
    public var groupPages = 0
    public var groups = 0
    /// Pages of `/v1/devices`.
    public var pages = 0
    /// Entries of those pages' `devices` arrays, rejected and duplicates included.
    public var devicesFetched = 0
    /// Devices mapped to events and handed to the sinks.
    public var mapped = 0
    /// Devices without a usable uuid (G4).
    public var rejected = 0
    /// Devices whose uuid was already delivered in this cycle.
    public var duplicates = 0
    /// Devices not newer than the checkpoint.
    public var skippedByCheckpoint = 0
    /// Mapping warnings (unparsable times …).
    public var warnings = 0
    public var esetRetries: [RetryCause: Int] = [:]
    public var sekoiaRetries: [RetryCause: Int] = [:]
    /// Sekoia.io batches accepted.
    public var batchesPushed = 0
    /// Events in those batches.
    public var eventsPushed = 0
    /// NDJSON lines written.
    public var eventsWritten = 0
    /// Whether devices were sent without groups (`allowMissingGroups`).
    public var groupsMissing = false
    /// Seconds the cycle took.
    public var elapsed: Double = 0

    public init() {}
}

/// Things worth telling a person while a cycle runs.
public enum CollectorEvent: Sendable {
    case groupsLoaded(count: Int, pages: Int)
    /// The group map could not be loaded and `allowMissingGroups` let the cycle go on.
    case groupsMissing(reason: String)
    case checkpointLoaded(Checkpoint)
    /// The checkpoint file could not be used; this cycle sends everything.
    case checkpointUnusable(reason: String)
    case rejected(DeviceRejection)
    case mappingWarning(page: Int, index: Int, warning: MappingWarning)
    case duplicate(page: Int, index: Int, uuid: String)
    /// One device page was processed; the counts so far.
    case pageProcessed(CollectorStatistics)
    case checkpointMoved(Checkpoint)
}

/// The outcome of a cycle that completed.
public struct CycleReport: Sendable {
    public var statistics: CollectorStatistics
    public var checkpointBefore: Checkpoint?
    /// The checkpoint now stored (the same as before when nothing newer was delivered).
    public var checkpointAfter: Checkpoint?
}

/// A cycle that failed, with the counts it reached (the summary is printed either way).
public struct CycleFailure: Error, CustomStringConvertible {
    public var underlying: any Error
    public var statistics: CollectorStatistics

    public var description: String { String(describing: underlying) }

    /// Whether a person must fix something before another cycle can succeed.
    public var requiresIntervention: Bool {
        (underlying as? ESETClientError)?.requiresIntervention == true || (underlying as? SekoiaError)?.kind == .unauthorized
    }
}

/// The failure to load the group map, when the cycle may not go on without it.
public struct MissingGroupsError: Error, CustomStringConvertible {
    public var underlying: any Error
    public var description: String {
        "cannot load the device groups: \(underlying). Devices sent without their groups would erase good group data downstream, so nothing was sent; use --allow-missing-groups to send them anyway."
    }
}

/// One collection cycle: groups → device pages → decode → dedupe → checkpoint → map → sinks.
///
/// Streaming: each page is mapped and handed to the sinks before the next is fetched, so memory
/// holds one page, one batch and the compact `SeenDevices` table, whatever the fleet size.
public final class Collector {
    public let client: ESETClient
    public let options: CollectorOptions
    private let sinks: [any EventSink]
    private let sekoiaRetries: RetryCounter?
    private let checkpointStore: CheckpointStore?
    private let rejectsFile: RejectsFile?
    private let observer: (@Sendable (CollectorEvent) -> Void)?

    /// - Parameters:
    ///   - sinks: finished in order; put remote sinks before local files so that a file is only
    ///     committed once the remote side accepted everything.
    ///   - sekoiaRetries: the Sekoia.io client's counter, to report its retries in the statistics.
    public init(
        client: ESETClient, options: CollectorOptions, sinks: [any EventSink], sekoiaRetries: RetryCounter? = nil,
        checkpointStore: CheckpointStore? = nil, rejectsFile: RejectsFile? = nil, observer: (@Sendable (CollectorEvent) -> Void)? = nil
    ) {
        self.client = client
        self.options = options
        self.sinks = sinks
        self.sekoiaRetries = sekoiaRetries
        self.checkpointStore = checkpointStore
        self.rejectsFile = rejectsFile
        self.observer = observer
    }

    /// Runs one cycle. On failure every sink is abandoned, the checkpoint stays where it was and
    /// a `CycleFailure` carries the counts reached.
    public func runCycle() async throws(CycleFailure) -> CycleReport {
        let started = ContinuousClock.now
        client.retries.reset()
        sekoiaRetries?.reset()
        var statistics = CollectorStatistics()
        func finalStatistics() -> CollectorStatistics {
            var result = statistics
            result.esetRetries = client.retries.snapshot
            result.sekoiaRetries = sekoiaRetries?.snapshot ?? [:]
            result.elapsed = seconds(since: started)
            for sink in sinks {
                if let sekoia = sink as? SekoiaSink {
                    result.batchesPushed += sekoia.batchesPushed
                    result.eventsPushed += sekoia.eventsPushed
                } else if let file = sink as? NDJSONSink {
                    result.eventsWritten += file.eventsWritten
                }
            }
            return result
        }

        var checkpointBefore: Checkpoint?
        do {
            checkpointBefore = loadCheckpoint()
            for sink in sinks { try sink.beginCycle() }
            try rejectsFile?.beginCycle()

            let groups = try await loadGroups(&statistics)
            let mapper = DeviceMapper(profile: options.profile, groups: groups, clock: options.clock)
            let skipping = options.full ? nil : checkpointBefore
            var seen = SeenDevices()
            var newest: Int64?
            var cursor = PageCursor()
            while let page = try await client.nextDevicePage(&cursor) {
                let number = cursor.pagesFetched
                statistics.pages += 1
                statistics.devicesFetched += page.rawCount
                for rejection in page.rejections {
                    statistics.rejected += 1
                    try rejectsFile?.write(rejection)
                    observer?(.rejected(rejection))
                }
                for (device, index) in zip(page.devices, page.positions) {
                    guard seen.insert(device.uuid) else {
                        statistics.duplicates += 1
                        observer?(.duplicate(page: number, index: index, uuid: device.uuid))
                        continue
                    }
                    let syncTime = device.lastSyncTime.flatMap(RFC3339.microseconds)
                    if let skipping, let syncTime, syncTime <= skipping.skipAtOrBefore {
                        statistics.skippedByCheckpoint += 1
                        continue
                    }
                    let mapped = mapper.map(device)
                    for warning in mapped.warnings {
                        statistics.warnings += 1
                        observer?(.mappingWarning(page: number, index: index, warning: warning))
                    }
                    let event = mapped.event.jsonBytes()
                    for sink in sinks { try await sink.write(event) }
                    statistics.mapped += 1
                    if let syncTime { newest = max(newest ?? syncTime, syncTime) }
                }
                observer?(.pageProcessed(finalStatistics()))
            }
            for sink in sinks { try await sink.finish() }
            try rejectsFile?.finish()

            var checkpointAfter = checkpointBefore
            if let store = checkpointStore, let newest, newest > (checkpointBefore?.newestLastSync ?? Int64.min) {
                let moved = Checkpoint(newestLastSync: newest)
                try store.save(moved)
                checkpointAfter = moved
                observer?(.checkpointMoved(moved))
            }
            return CycleReport(statistics: finalStatistics(), checkpointBefore: checkpointBefore, checkpointAfter: checkpointAfter)
        } catch {
            for sink in sinks { sink.abandon() }
            try? rejectsFile?.finish()
            throw CycleFailure(underlying: error, statistics: finalStatistics())
        }
    }

    private func loadCheckpoint() -> Checkpoint? {
        guard let store = checkpointStore else { return nil }
        switch store.load() {
        case .none:
            return nil
        case .checkpoint(let checkpoint):
            observer?(.checkpointLoaded(checkpoint))
            return checkpoint
        case .unusable(let reason):
            observer?(.checkpointUnusable(reason: reason))
            return nil
        }
    }

    /// Every page of `/v1/device_groups`, before any device.
    private func loadGroups(_ statistics: inout CollectorStatistics) async throws -> GroupDirectory {
        var directory = GroupDirectory()
        var cursor = PageCursor()
        do {
            while let page = try await client.nextDeviceGroupPage(&cursor) {
                statistics.groupPages += 1
                for group in page.groups { directory.add(group) }
            }
        } catch let error as ESETClientError where !error.requiresIntervention {
            guard options.allowMissingGroups else { throw MissingGroupsError(underlying: error) }
            statistics.groupsMissing = true
            observer?(.groupsMissing(reason: error.description))
            return GroupDirectory()
        }
        statistics.groups = directory.count
        observer?(.groupsLoaded(count: directory.count, pages: statistics.groupPages))
        return directory
    }
}
