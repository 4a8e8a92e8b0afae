import Fleet
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a user runs: the release `eset-connector map --devices F --groups G` as a whole process
/// (start-up, reading the file, decoding, mapping, writing NDJSON to /dev/null), on a generated
/// fleet file. Optionally the Python pydantic peer (`Scripts/bench/pydantic_peer.py`), also as a
/// whole process, on the same file, interleaved run by run so both see the same load.
package struct MapProcessBenchmark: Sendable {
    package var deviceCount: Int
    package var seed: UInt64
    package var runs: Int
    /// The peer script to run beside the connector (nil: none).
    package var pythonPeer: String?
    package var connectorExecutable: String?
    /// `eset-connector map --threads` (nil: the connector's default).
    package var threads: Int?

    package init(
        deviceCount: Int = 50_000, seed: UInt64 = 1, runs: Int = 3, pythonPeer: String? = nil, connectorExecutable: String? = nil,
        threads: Int? = nil
    ) {
        self.threads = threads
        self.deviceCount = deviceCount
        self.seed = seed
        self.runs = runs
        self.pythonPeer = pythonPeer
        self.connectorExecutable = connectorExecutable
    }

    /// The figures of one process.
    package struct Result: Sendable {
        package var name = "map-process"
        package var run = ""
        package var devices = 0
        package var inputBytes = 0
        package var seconds = 0.0
        package var exitCode: Int32 = 0
        package var peakRSSBytes = 0
        /// `--threads` as passed (nil: the connector's default; not printed for the peer).
        package var threads: String?
        var userSeconds = 0.0
        var systemSeconds = 0.0

        package var line: ResultLine {
            var line = ResultLine(bench: name)
            line.add("run", run)
            if let threads { line.add("threads", threads) }
            line.add("devices", devices)
            line.add("input_mb", Double(inputBytes) / 1e6, digits: 1)
            line.add("exit", Int(exitCode))
            line.add("seconds", seconds, digits: 3)
            line.add("devices_per_s", seconds > 0 ? Double(devices) / seconds : 0, digits: 0)
            line.add("input_mb_per_s", seconds > 0 ? Double(inputBytes) / 1e6 / seconds : 0, digits: 1)
            line.add("peak_rss_mb", Double(peakRSSBytes) / 1e6, digits: 1)
            line.add("user_s", userSeconds, digits: 2)
            line.add("sys_s", systemSeconds, digits: 2)
            return line
        }
    }

    package func run(emit: (ResultLine) -> Void, note: (String) -> Void) throws -> [Result] {
        let work = URL(fileURLWithPath: FileManager.default.temporaryDirectory.appendingPathComponent("eset-bench-map-\(getpid())").path)
        defer { try? FileManager.default.removeItem(at: work) }
        note("generating \(deviceCount) devices in \(work.path)…")
        try FleetGenerator(seed: seed).writeFleet(devices: deviceCount, to: work)
        let devicesPath = work.appendingPathComponent("devices.json").path
        let groupsPath = work.appendingPathComponent("device_groups.json").path
        let inputBytes = (try? FileManager.default.attributesOfItem(atPath: devicesPath)[.size] as? Int) ?? 0
        let connector = connectorExecutable ?? siblingExecutable("eset-connector")

        var results: [Result] = []
        var best: [String: Result] = [:]
        for run in 1...max(1, runs) {
            let threadArguments = threads.map { ["--threads", String($0)] } ?? []
            var commands: [(String, String, [String])] = [
                ("map-process", connector, ["map", "--devices", devicesPath, "--groups", groupsPath] + threadArguments)
            ]
            if let pythonPeer {
                commands.append(("map-process-python", "/usr/bin/env", ["python3", pythonPeer, devicesPath, "--runs", "1"]))
            }
            for (name, executable, arguments) in commands {
                var result = Result()
                result.name = name
                result.run = String(run)
                result.devices = deviceCount
                result.inputBytes = inputBytes
                if name == "map-process" { result.threads = threads.map(String.init) ?? "default" }
                // stdout goes to /dev/null, as in `eset-connector map … > /dev/null`.
                let process = try Subprocess(executable, arguments)
                let termination = process.wait(timeout: 1800)
                result.seconds = secondsSince(process.startedAt)
                result.exitCode = termination.code
                result.peakRSSBytes = termination.peakRSSBytes
                result.userSeconds = termination.userSeconds
                result.systemSeconds = termination.systemSeconds
                emit(result.line)
                results.append(result)
                if result.exitCode == 0, best[name].map({ result.seconds < $0.seconds }) ?? true { best[name] = result }
            }
        }
        for name in ["map-process", "map-process-python"] {
            guard var result = best[name] else { continue }
            result.run = "best"
            emit(result.line)
        }
        if let swift = best["map-process"], let python = best["map-process-python"], swift.seconds > 0 {
            var line = ResultLine(bench: "map-process-ratio")
            line.add("devices", deviceCount)
            line.add("ratio", python.seconds / swift.seconds, digits: 1)
            emit(line)
        }
        return results
    }
}
