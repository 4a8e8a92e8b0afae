import ESET
import Fleet
import JSON
import Mapping
import OCSF

/// The in-process mapping pipeline over a generated fleet: what the connector does with each
/// page it receives, minus the network and the file.
///
/// Pages are built before the clock starts, as `{"devices":[...],"nextPageToken":"..."}`
/// answers of `pageSize` devices (the bytes `eset-mock` would send). The timed part is, per page:
/// decode (`DevicePage.decode(bytes:)`, or `JSONParser.parse` + `DevicePage.decode` for the
/// general path) → `DeviceMapper.map` → `jsonBytes()` appended to an NDJSON buffer, on the
/// calling thread only.
package struct MapBenchmark: Sendable {
    /// How page bytes become a `DevicePage`.
    package enum Decoder: String, Sendable, CaseIterable {
        /// `DevicePage.decode(bytes:page:)`: reads only the mapped fields (the connector's path).
        case scan
        /// `JSONParser.parse` then `DevicePage.decode(_:page:)`: builds the whole document.
        case tree
    }

    package var deviceCount: Int
    package var seed: UInt64
    package var pageSize: Int
    package var profile: MappingProfile
    package var decoder: Decoder
    /// 1: the pages decoded and mapped one by one on the calling thread. 2 or more: the fleet as
    /// one array through `DeviceStreamReader` and `MappingPipeline` (what `eset-connector map`
    /// runs), `pageSize` devices per batch, decoding on a second thread.
    package var threads: Int

    package init(
        deviceCount: Int = 100_000, seed: UInt64 = 1, pageSize: Int = 1000, profile: MappingProfile = .sekoia,
        decoder: Decoder = .scan, threads: Int = 1
    ) {
        precondition(deviceCount >= 0 && pageSize > 0 && threads > 0)
        self.threads = threads
        self.deviceCount = deviceCount
        self.seed = seed
        self.pageSize = pageSize
        self.profile = profile
        self.decoder = decoder
    }

    /// What a run needs, prepared once and shared by every run.
    package struct Input: Sendable {
        /// One ESET page answer per element.
        package var pages: [[UInt8]]
        /// The fleet as one JSON array (the devices file `map` reads); empty with one thread.
        package var fleet: [UInt8]
        package var groups: GroupDirectory
        package var deviceCount: Int
        package var byteCount: Int { fleet.isEmpty ? pages.reduce(0) { $0 + $1.count } : fleet.count }
    }

    /// Generates the fleet and cuts it into page answers.
    package func prepare() -> Input {
        let generator = FleetGenerator(seed: seed)
        let generatedGroups = generator.groups()
        let fleet = generator.devicesJSON(count: deviceCount, groups: generatedGroups)
        // The generator's own output is valid JSON by construction; a failure here is a bug.
        let ranges = try! JSONParser.arrayElementRanges(fleet)
        var pages: [[UInt8]] = []
        var start = 0
        while start < ranges.count {
            let end = min(start + pageSize, ranges.count)
            var page: [UInt8] = []
            page.reserveCapacity(ranges[end - 1].upperBound - ranges[start].lowerBound + 64)
            page.append(contentsOf: #"{"devices":["#.utf8)
            for index in start..<end {
                if index > start { page.append(UInt8(ascii: ",")) }
                page.append(contentsOf: fleet[ranges[index]])
            }
            page.append(contentsOf: "],\"nextPageToken\":\"".utf8)
            if end < ranges.count { page.append(contentsOf: "page-\(end)".utf8) }
            page.append(contentsOf: "\"}".utf8)
            pages.append(page)
            start = end
        }
        let groupDirectory = GroupDirectory(
            generatedGroups.map { ESETDeviceGroup(uuid: $0.uuid, displayName: $0.displayName, parentGroupUUID: $0.parentGroupUuid) })
        if threads > 1 { return Input(pages: [], fleet: fleet, groups: groupDirectory, deviceCount: ranges.count) }
        return Input(pages: pages, fleet: [], groups: groupDirectory, deviceCount: ranges.count)
    }

    /// The figures of one run.
    package struct Result: Sendable {
        package var devices = 0
        package var events = 0
        package var rejected = 0
        package var warnings = 0
        var inputBytes = 0
        package var outputBytes = 0
        package var decoder = Decoder.scan
        package var profile = MappingProfile.sekoia
        package var threads = 1
        package var seconds = 0.0
        var cpuSeconds = 0.0
        /// Time spent in each stage, summed over pages.
        var decodeSeconds = 0.0
        var mapEncodeSeconds = 0.0

        var devicesPerSecond: Double { seconds > 0 ? Double(devices) / seconds : 0 }
        var inputMBPerSecond: Double { seconds > 0 ? Double(inputBytes) / 1e6 / seconds : 0 }

        /// The stable output line, e.g. `bench=map devices=100000 seconds=0.520 devices_per_s=192000 ...`.
        package func line(run: String) -> ResultLine {
            var line = ResultLine(bench: "map")
            line.add("run", run)
            line.add("decoder", decoder.rawValue)
            line.add("profile", profile.rawValue)
            line.add("threads", threads)
            line.add("devices", devices)
            line.add("events", events)
            line.add("rejected", rejected)
            line.add("warnings", warnings)
            line.add("input_mb", Double(inputBytes) / 1e6, digits: 1)
            line.add("output_mb", Double(outputBytes) / 1e6, digits: 1)
            line.add("seconds", seconds, digits: 3)
            line.add("cpu_seconds", cpuSeconds, digits: 3)
            line.add("devices_per_s", devicesPerSecond, digits: 0)
            line.add("input_mb_per_s", inputMBPerSecond, digits: 1)
            line.add("decode_s", decodeSeconds, digits: 3)
            line.add("map_encode_s", mapEncodeSeconds, digits: 3)
            return line
        }
    }

    /// Runs the pipeline once over `input`. Fails only if a page does not parse, which would be
    /// a generator bug.
    package func run(_ input: Input) throws -> Result {
        // A fixed clock: devices without a usable time must not make runs differ.
        let mapper = DeviceMapper(profile: profile, groups: input.groups, clock: { 1_747_821_600_000_000 })
        var result = Result()
        result.decoder = decoder
        result.profile = profile
        result.threads = threads
        result.inputBytes = input.byteCount
        if threads > 1 { return try runPipeline(input, mapper: mapper, result: result) }
        var ndjson: [UInt8] = []
        ndjson.reserveCapacity(pageSize * 1200)
        let cpuStart = processCPUSeconds()
        let start = monotonicNanoseconds()
        for (number, bytes) in input.pages.enumerated() {
            let t1 = monotonicNanoseconds()
            let page: DevicePage
            switch decoder {
            case .scan: page = try DevicePage.decode(bytes: bytes, page: number + 1)
            case .tree: page = try DevicePage.decode(JSONParser.parse(bytes), page: number + 1)
            }
            let t2 = monotonicNanoseconds()
            for index in page.devices.indices {
                let mapped = mapper.map(page.devices[index])
                result.warnings += mapped.warnings.count
                ndjson.append(contentsOf: mapped.event.jsonBytes())
                ndjson.append(UInt8(ascii: "\n"))
            }
            let t3 = monotonicNanoseconds()
            result.decodeSeconds += Double(t2 - t1) / 1e9
            result.mapEncodeSeconds += Double(t3 - t2) / 1e9
            result.devices += page.rawCount
            result.events += page.devices.count
            result.rejected += page.rejections.count
            result.outputBytes += ndjson.count
            ndjson.removeAll(keepingCapacity: true)
        }
        result.seconds = secondsSince(start)
        result.cpuSeconds = processCPUSeconds() - cpuStart
        return result
    }

    /// The streaming pipeline over the fleet in memory; stage times are not split (they overlap).
    private func runPipeline(_ input: Input, mapper: DeviceMapper, result initial: Result) throws -> Result {
        var result = initial
        let reader = DeviceStreamReader(source: MemoryByteSource(input.fleet), batchSize: pageSize)
        let cpuStart = processCPUSeconds()
        let start = monotonicNanoseconds()
        try MappingPipeline.run(reader, mapper: mapper, threads: threads) { (batch: inout MappedBatch) in
            result.devices += batch.rawCount
            result.events += batch.events
            result.rejected += batch.rejections.count
            result.warnings += batch.warnings.count
            result.outputBytes += batch.ndjson.count
        }
        result.seconds = secondsSince(start)
        result.cpuSeconds = processCPUSeconds() - cpuStart
        return result
    }
}
