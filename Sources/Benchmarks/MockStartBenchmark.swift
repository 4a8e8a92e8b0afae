import Fleet
import Foundation
import HTTPTesting
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// How fast `eset-mock serve --data DIR` gets going on a large fleet, and how much anonymous
/// memory it holds: the mock maps its fixture files, so file pages (which the kernel can drop
/// and re-read) are not counted, only what the mock allocates (`RssAnon` in /proc/PID/status).
///
/// Peak `RssAnon` is sampled every few milliseconds from spawn until the measurement ends (Linux
/// keeps no high-water mark for anonymous memory alone), so it is a lower bound of the true peak.
///
/// Each run starts the mock twice: with `--no-index-cache` (`index=off`: validate and scan the
/// whole file, the cold start), then as users do (`index=hit` when `devices.json.index` is valid,
/// `index=built` when it was missing or stale and the start scanned and wrote it).
package struct MockStartBenchmark: Sendable {
    /// A fleet directory to serve; nil: generate `deviceCount` devices into `workDirectory`.
    package var dataDirectory: String?
    package var deviceCount: Int
    package var seed: UInt64
    /// Device pages of 1,000 to walk after the start (0: none), to see memory while serving.
    package var pagesToWalk: Int
    package var runs: Int
    package var workDirectory: String?
    package var mockExecutable: String?

    package init(dataDirectory: String?, deviceCount: Int, seed: UInt64 = 1, pagesToWalk: Int = 0, runs: Int = 3,
                 workDirectory: String? = nil, mockExecutable: String? = nil) {
        self.dataDirectory = dataDirectory
        self.deviceCount = deviceCount
        self.seed = seed
        self.pagesToWalk = pagesToWalk
        self.runs = runs
        self.workDirectory = workDirectory
        self.mockExecutable = mockExecutable
    }

    package func run(emit: (ResultLine) -> Void, note: (String) -> Void) throws {
        var data = dataDirectory
        var generated: URL?
        if data == nil {
            let base = workDirectory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
            let fleet = base.appendingPathComponent("eset-bench-mock-start-\(getpid())")
            note("generating \(deviceCount) devices into \(fleet.path)…")
            try FleetGenerator(seed: seed).writeFleet(devices: deviceCount, to: fleet)
            generated = fleet
            data = fleet.path
        }
        defer { if let generated { try? FileManager.default.removeItem(at: generated) } }
        guard let data else { return }
        let devicesFile = URL(fileURLWithPath: data).appendingPathComponent("devices.json").path
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: devicesFile)[.size] as? Int) ?? 0
        let mockPath = mockExecutable ?? siblingExecutable("eset-mock")
        var best: [String: (seconds: Double, line: ResultLine)] = [:]
        var bestOrder: [String] = []
        for run in 1...max(1, runs) {
            for cold in [true, false] {
                let sampler = AnonymousMemorySampler()
                let mock = try MockProcess.start(executable: mockPath, data: data, extraArguments: cold ? ["--no-index-cache"] : []) {
                    sampler.start(pid: $0.pid)
                }
                defer {
                    mock.process.terminate()
                    mock.process.wait(timeout: 10)
                }
                let index = MockStartBenchmark.indexOutcome(mock.announcement)
                let afterStart = Subprocess.statusField("RssAnon", pid: mock.process.pid)
                let devices = try deviceCountServed(port: mock.port)
                var walked = 0
                if pagesToWalk > 0 { walked = try walk(port: mock.port, pages: pagesToWalk) }
                let afterWalk = Subprocess.statusField("RssAnon", pid: mock.process.pid)
                let hwm = Subprocess.statusField("VmHWM", pid: mock.process.pid)
                let peak = sampler.stop()
                var line = ResultLine(bench: "mock-start")
                line.add("index", index)
                line.add("devices", devices)
                line.add("file_mb", Double(fileBytes) / 1e6, digits: 1)
                line.add("listening_ms", mock.listeningSeconds * 1000, digits: 1)
                line.add("first_answer_ms", mock.firstAnswerSeconds * 1000, digits: 1)
                line.add("cpu_ms", mock.cpuSeconds * 1000, digits: 1)
                line.add("rss_anon_after_start_mb", Double(afterStart) / 1e6, digits: 1)
                line.add("pages_walked", walked)
                line.add("rss_anon_after_walk_mb", Double(afterWalk) / 1e6, digits: 1)
                line.add("rss_anon_peak_sampled_mb", Double(max(peak, afterStart, afterWalk)) / 1e6, digits: 1)
                line.add("vm_hwm_mb", Double(hwm) / 1e6, digits: 1)
                var labelled = ResultLine(bench: "mock-start")
                labelled.add("run", String(run))
                for field in line.fields.dropFirst() { labelled.add(field.key, field.value) }
                emit(labelled)
                if best[index] == nil { bestOrder.append(index) }
                if mock.listeningSeconds < best[index]?.seconds ?? .infinity { best[index] = (mock.listeningSeconds, line) }
            }
        }
        // The fastest start of each kind: cold (index=off), and built / hit.
        for index in bestOrder {
            guard let line = best[index]?.line else { continue }
            var labelled = ResultLine(bench: "mock-start")
            labelled.add("run", "best")
            for field in line.fields.dropFirst() { labelled.add(field.key, field.value) }
            emit(labelled)
        }
    }

    /// `hit`, `built`, `off` or `small` from serve's `fixture index: devices.json OUTCOME, …`
    /// line (`written` and `not-written` both mean the start scanned the file).
    static func indexOutcome(_ announcement: [String]) -> String {
        guard let line = announcement.first(where: { $0.hasPrefix("fixture index: ") }) else { return "unknown" }
        let words = line.dropFirst("fixture index: ".count).split(whereSeparator: { $0 == " " || $0 == "," })
        guard let position = words.firstIndex(of: "devices.json"), position + 1 < words.count else { return "unknown" }
        switch words[position + 1] {
        case "written", "not-written": return "built"
        case let outcome: return String(outcome)
        }
    }

    /// The devices the mock says it serves (`GET /__admin/health`): walking a million devices'
    /// pages to count them would measure something else.
    func deviceCountServed(port: Int) throws -> Int {
        let connection = try RawHTTPConnection(port: port, timeout: 30)
        defer { connection.close() }
        let response = try connection.request("GET", "/__admin/health")
        guard response.status == 200, let object = (try? JSONParser.parse(response.body))?.objectValue else {
            throw BenchmarkError("GET /__admin/health answered \(response.status)")
        }
        return (object["devices"]?.doubleValue).map { Int($0) } ?? -1
    }

    /// Walks `pages` device pages of 1,000 from the first, returning the number walked.
    func walk(port: Int, pages: Int) throws -> Int {
        let token = try MockProcess.accessToken(port: port)
        let connection = try RawHTTPConnection(port: port, timeout: 60)
        defer { connection.close() }
        var pageToken = ""
        var walked = 0
        while walked < pages {
            var target = "/\(ServeBenchmark.region).device-management.eset.systems/v1/devices?pageSize=1000"
            if !pageToken.isEmpty { target += "&pageToken=" + (pageToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pageToken) }
            let response = try connection.request("GET", target, headers: [("Authorization", "Bearer " + token)])
            guard response.status == 200, let object = (try? JSONParser.parse(response.body))?.objectValue else {
                throw BenchmarkError("GET \(target) answered \(response.status)")
            }
            walked += 1
            pageToken = object["nextPageToken"]?.stringValue ?? ""
            if pageToken.isEmpty { break }
        }
        return walked
    }
}

/// Polls `RssAnon` of a process on a thread of its own and keeps the largest value seen.
final class AnonymousMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = false
    private let finished = DispatchSemaphore(value: 0)

    func start(pid: pid_t) {
        lock.withLock { running = true }
        let thread = Thread { [self] in
            // Bounded: stops when asked, or after 30 minutes whatever happens.
            let deadline = monotonicNanoseconds() + 1_800_000_000_000
            while lock.withLock({ running }), monotonicNanoseconds() < deadline {
                let value = Subprocess.statusField("RssAnon", pid: pid)
                lock.withLock { peak = max(peak, value) }
                usleep(2000)
            }
            finished.signal()
        }
        thread.start()
    }

    /// Stops sampling and returns the peak in bytes.
    func stop() -> Int {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        return lock.withLock { peak }
    }
}
