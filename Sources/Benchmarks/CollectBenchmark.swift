import Fleet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The whole connector over HTTP: the release `eset-connector collect` against the release
/// `eset-mock serve` (both as subprocesses, rate limits off on both sides) with a generated
/// fleet, to an NDJSON file. Measures the connector's wall time, devices/s, CPU time and peak
/// RSS (from `wait4`, i.e. the kernel's high-water mark of its resident set).
package struct CollectBenchmark: Sendable {
    package var deviceCounts: [Int]
    package var seed: UInt64
    package var pageSize: Int
    /// Where fleets and output go; nil: a new temporary directory, removed afterwards.
    package var workDirectory: String?
    package var mockExecutable: String?
    package var connectorExecutable: String?

    package init(
        deviceCounts: [Int] = [100_000, 1_000_000], seed: UInt64 = 1, pageSize: Int = 1000, workDirectory: String? = nil,
        mockExecutable: String? = nil, connectorExecutable: String? = nil
    ) {
        self.deviceCounts = deviceCounts
        self.seed = seed
        self.pageSize = pageSize
        self.workDirectory = workDirectory
        self.mockExecutable = mockExecutable
        self.connectorExecutable = connectorExecutable
    }

    /// The figures of one collection.
    package struct Result: Sendable {
        package var devices = 0
        package var seconds = 0.0
        package var exitCode: Int32 = 0
        package var peakRSSBytes = 0
        var userSeconds = 0.0
        var systemSeconds = 0.0
        package var outputLines = 0
        package var outputBytes = 0
        var generateSeconds = 0.0
        var mockStartSeconds = 0.0
        var mockRSSBytes = 0

        var devicesPerSecond: Double { seconds > 0 ? Double(devices) / seconds : 0 }

        package var line: ResultLine {
            var line = ResultLine(bench: "collect")
            line.add("devices", devices)
            line.add("exit", Int(exitCode))
            line.add("output_lines", outputLines)
            line.add("output_mb", Double(outputBytes) / 1e6, digits: 1)
            line.add("seconds", seconds, digits: 2)
            line.add("devices_per_s", devicesPerSecond, digits: 0)
            line.add("peak_rss_mb", Double(peakRSSBytes) / 1e6, digits: 1)
            line.add("user_s", userSeconds, digits: 2)
            line.add("sys_s", systemSeconds, digits: 2)
            line.add("mock_start_s", mockStartSeconds, digits: 2)
            line.add("mock_rss_mb", Double(mockRSSBytes) / 1e6, digits: 1)
            line.add("generate_s", generateSeconds, digits: 2)
            return line
        }
    }

    package func run(emit: (ResultLine) -> Void, note: (String) -> Void) throws -> [Result] {
        let ownDirectory = workDirectory == nil
        let work = URL(fileURLWithPath: workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("eset-bench-collect-\(getpid())").path)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if ownDirectory { try? FileManager.default.removeItem(at: work) } }
        var results: [Result] = []
        for count in deviceCounts {
            let result = try collect(devices: count, in: work, note: note)
            emit(result.line)
            results.append(result)
        }
        if let smallest = results.min(by: { $0.devices < $1.devices }), let largest = results.max(by: { $0.devices < $1.devices }),
            smallest.devices < largest.devices, smallest.peakRSSBytes > 0
        {
            var line = ResultLine(bench: "collect-memory")
            line.add("small_devices", smallest.devices)
            line.add("large_devices", largest.devices)
            line.add("small_peak_rss_mb", Double(smallest.peakRSSBytes) / 1e6, digits: 1)
            line.add("large_peak_rss_mb", Double(largest.peakRSSBytes) / 1e6, digits: 1)
            line.add("ratio", Double(largest.peakRSSBytes) / Double(smallest.peakRSSBytes), digits: 2)
            emit(line)
        }
        return results
    }

    func collect(devices: Int, in work: URL, note: (String) -> Void) throws -> Result {
        var result = Result()
        result.devices = devices
        let fleet = work.appendingPathComponent("fleet-\(devices)")
        let output = work.appendingPathComponent("out-\(devices).ndjson")
        defer {
            try? FileManager.default.removeItem(at: fleet)
            try? FileManager.default.removeItem(at: output)
        }
        note("generating \(devices) devices in \(fleet.path)…")
        let generateStart = monotonicNanoseconds()
        try FleetGenerator(seed: seed).writeFleet(devices: devices, to: fleet)
        result.generateSeconds = secondsSince(generateStart)

        note("starting eset-mock on them…")
        let mock = try MockProcess.start(executable: mockExecutable ?? siblingExecutable("eset-mock"), data: fleet.path)
        defer {
            mock.process.terminate()
            mock.process.wait(timeout: 30)
        }
        result.mockStartSeconds = mock.firstAnswerSeconds

        note("collecting…")
        var environment = ["ESET_PASSWORD": DefaultFleet.demoPassword]
        for name in ["PATH", "HOME", "TMPDIR", "LANG"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        let stderrPath = work.appendingPathComponent("collect-\(devices).stderr").path
        let connector = try Subprocess(
            connectorExecutable ?? siblingExecutable("eset-connector"),
            [
                "collect", "--region", "eu", "--username", DefaultFleet.demoUsername, "--eset-url", mock.url,
                "--rate-limit", "off", "--page-size", String(pageSize), "--output", output.path,
            ],
            environment: environment, standardErrorPath: stderrPath)
        let termination = connector.wait(timeout: 1800)
        result.seconds = secondsSince(connector.startedAt)
        result.exitCode = termination.code
        result.peakRSSBytes = termination.peakRSSBytes
        result.userSeconds = termination.userSeconds
        result.systemSeconds = termination.systemSeconds
        result.mockRSSBytes = mock.process.peakRSSBytesSoFar
        (result.outputLines, result.outputBytes) = Self.countLines(output.path)
        if termination.code != 0 || result.outputLines != devices {
            let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            note("eset-connector exited \(termination.code) with \(result.outputLines) lines; stderr:\n\(errors.suffix(2000))")
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
        return result
    }

    /// Lines and bytes of a file, read in blocks.
    static func countLines(_ path: String) -> (lines: Int, bytes: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return (0, 0) }
        defer { try? handle.close() }
        var lines = 0
        var bytes = 0
        while let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty {
            bytes += block.count
            lines += block.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return (lines, bytes)
    }
}
