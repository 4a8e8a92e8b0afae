import ESET
import HTTPClient
import Mapping
import OCSF

/// One collection cycle: groups → device pages → decode → dedupe → checkpoint → map → sinks.
///
/// Streaming: each page is mapped and handed to the sinks while only the next one is fetched, so
/// memory holds two pages, one batch and the compact `SeenDevices` table, whatever the fleet size.
package final class Collector {
    package let client: ESETClient
    package let options: CollectorOptions
    private let sinks: [any EventSink]
    private let sekoiaRetries: RetryCounter?
    private let checkpointStore: CheckpointStore?
    private let rejectsFile: RejectsFile?
    private let observer: (@Sendable (CollectorEvent) -> Void)?

    /// - Parameters:
    ///   - sinks: finished in order; put remote sinks before local files so that a file is only
    ///     committed once the remote side accepted everything.
    ///   - sekoiaRetries: the Sekoia.io client's counter, to report its retries in the statistics.
    package init(
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
    package func runCycle() async throws(CycleFailure) -> CycleReport {
        let started = ContinuousClock.now
        client.retries.reset()
        sekoiaRetries?.reset()
        var statistics = CollectorStatistics()
        func finalStatistics() -> CollectorStatistics {
            var result = statistics
            result.esetRetries = client.retries.snapshot
            result.sekoiaRetries = sekoiaRetries?.snapshot ?? [:]
            result.elapsed = seconds(since: started)
            for delivered in sinks.map(\.delivered) {
                switch delivered.destination {
                case .batches:
                    result.batchesPushed += delivered.batches
                    result.eventsPushed += delivered.events
                case .lines:
                    result.eventsWritten += delivered.events
                }
            }
            return result
        }

        var checkpointBefore: Checkpoint?
        var delivered = false
        let cycleStart = options.clock()
        do {
            checkpointBefore = loadCheckpoint(cycleStart: cycleStart)
            for sink in sinks { try sink.beginCycle() }
            try rejectsFile?.beginCycle()

            let groups = try await loadGroups(&statistics)
            let mapper = DeviceMapper(profile: options.profile, groups: groups, clock: options.clock)
            let skipping = options.full ? nil : checkpointBefore
            var seen = SeenDevices()
            var newest: Int64?
            var cursor = ESETListCursor()
            var upcoming = try await client.nextDevicePage(&cursor)
            while let page = upcoming {
                let number = cursor.pagesFetched
                // The next page is fetched (and decoded) while this one is mapped and written:
                // one page ahead, never more, so memory stays flat. A child task: if this page
                // fails, leaving the scope cancels and awaits the fetch, so nothing outlives the
                // cycle. The client's rate limit and retry rules apply to it unchanged.
                let client = self.client
                let current = cursor
                async let following = Self.fetchPage(client, after: current)
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
                    var syncTime = device.lastSyncTime.flatMap(RFC3339.microseconds)
                    if let skipping, skipping.skips(lastSyncMicroseconds: syncTime) {
                        statistics.skippedByCheckpoint += 1
                        continue
                    }
                    if let time = syncTime, time > cycleStart &+ clockSkewAllowance {
                        // Delivered (it is a device like any other) but never trusted as a
                        // checkpoint: one bad clock would otherwise hide every other device.
                        statistics.warnings += 1
                        observer?(.futureLastSyncTime(page: number, index: index, uuid: device.uuid, lastSyncTime: device.lastSyncTime ?? ""))
                        syncTime = nil
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
                (upcoming, cursor) = try await following
            }
            for sink in sinks { try await sink.finish() }
            try rejectsFile?.finish()
            delivered = true

            var checkpointAfter = checkpointBefore
            // Never beyond the cycle's own start, whatever the devices claim.
            let capped = newest.map { min($0, cycleStart) }
            if let store = checkpointStore, let capped, capped > (checkpointBefore?.newestLastSync ?? Int64.min) {
                let moved = Checkpoint(newestLastSync: capped)
                try store.save(moved)
                checkpointAfter = moved
                observer?(.checkpointMoved(moved))
            }
            return CycleReport(statistics: finalStatistics(), checkpointBefore: checkpointBefore, checkpointAfter: checkpointAfter)
        } catch {
            for sink in sinks { sink.abandon() }
            // The rejects file is written like the output: only by a cycle that completed.
            rejectsFile?.abandon()
            throw CycleFailure(underlying: error, statistics: finalStatistics(), deliveredBeforeFailing: delivered)
        }
    }

    /// The page after `cursor`, with the cursor moved past it (nil at the end of the list).
    private static func fetchPage(_ client: ESETClient, after cursor: ESETListCursor) async throws -> (DevicePage?, ESETListCursor) {
        var cursor = cursor
        let page = try await client.nextDevicePage(&cursor)
        return (page, cursor)
    }

    private func loadCheckpoint(cycleStart: Int64) -> Checkpoint? {
        guard let store = checkpointStore else { return nil }
        switch store.load() {
        case .none:
            return nil
        case .checkpoint(let checkpoint) where checkpoint.newestLastSync > cycleStart &+ clockSkewAllowance:
            observer?(.checkpointUnusable(reason: "\(store.path) is dated \(RFC3339.format(microseconds: checkpoint.newestLastSync)), after this cycle's start (\(RFC3339.format(microseconds: cycleStart))) plus the 5-minute clock-skew allowance"))
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
        var cursor = ESETListCursor()
        do {
            while let page = try await client.nextDeviceGroupPage(&cursor) {
                statistics.groupPages += 1
                for group in page.groups { directory.add(group) }
            }
        } catch let error as ESETClientError
            where !error.requiresIntervention && error.call.hasPrefix("GET /v1/device_groups") && error.kind != .redirected
        {
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
