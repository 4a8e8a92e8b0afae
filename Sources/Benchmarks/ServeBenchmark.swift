import Fleet
import Foundation
import HTTPTesting
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// The mock's throughput and latency on `GET /v1/devices?pageSize=N` with keep-alive, from the
/// release `eset-mock` binary started as a subprocess, side by side with nginx serving the very
/// same page bytes from files (when nginx is installed), with this package's load client and
/// with `wrk` (when installed). Also times the mock's start-up: spawn to the `listening` line,
/// and spawn to the first successful answer.
package struct ServeBenchmark: Sendable {
    package var deviceCount: Int
    package var pageSize: Int
    package var connectionCounts: [Int]
    package var seconds: Int
    package var seed: UInt64
    /// Compare with nginx and use wrk when they are installed.
    package var compare: Bool
    /// `eset-mock` to start; nil: the sibling of this executable.
    package var mockExecutable: String?
    /// The repository's MockData, for the start-up time with the default data; nil: skipped.
    package var defaultDataDirectory: String?

    package init(
        deviceCount: Int = 10_000, pageSize: Int = 1000, connectionCounts: [Int] = [1, 8, 64], seconds: Int = 5,
        seed: UInt64 = 1, compare: Bool = true, mockExecutable: String? = nil, defaultDataDirectory: String? = nil
    ) {
        self.deviceCount = deviceCount
        self.pageSize = pageSize
        self.connectionCounts = connectionCounts
        self.seconds = seconds
        self.seed = seed
        self.compare = compare
        self.mockExecutable = mockExecutable
        self.defaultDataDirectory = defaultDataDirectory
    }

    /// Most pages walked and served: enough to vary the bytes, few enough to hold in memory.
    static let maximumPages = 20
    static let region = "eu"

    package func run(emit: (ResultLine) -> Void, note: (String) -> Void) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("eset-bench-serve-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let fleet = work.appendingPathComponent("fleet")
        note("generating \(deviceCount) devices…")
        try FleetGenerator(seed: seed).writeFleet(devices: deviceCount, to: fleet)
        let mockPath = mockExecutable ?? siblingExecutable("eset-mock")

        if let defaultDataDirectory {
            let startup = try MockProcess.start(executable: mockPath, data: defaultDataDirectory)
            emit(startup.line(data: "MockData"))
            startup.process.terminate()
            startup.process.wait(timeout: 10)
        }

        let mock = try MockProcess.start(executable: mockPath, data: fleet.path)
        defer {
            mock.process.terminate()
            mock.process.wait(timeout: 10)
        }
        var startupLine = mock.line(data: "generated")
        startupLine.add("devices", deviceCount)
        emit(startupLine)

        let token = try MockProcess.accessToken(port: mock.port)
        let authorization = ("Authorization", "Bearer \(token)")
        let pages = try walkPages(port: mock.port, authorization: authorization)
        note("\(pages.count) page(s) of up to \(pageSize) devices, \(pages.map(\.body.count).reduce(0, +) / max(1, pages.count)) bytes on average")

        var mockFigures: [String: Double] = [:]
        var nginxFigures: [String: Double] = [:]
        for connections in connectionCounts {
            let result = LoadClient.run(
                port: mock.port, targets: pages.map(\.target), headers: [authorization], connections: connections,
                seconds: Double(seconds))
            emit(Self.line(server: "eset-mock", client: "raw", result))
            mockFigures["raw-\(connections)"] = result.requestsPerSecond
        }
        let wrk = compare ? findExecutable("wrk") : nil
        if let wrk {
            for connections in connectionCounts {
                let result = try Wrk.run(
                    executable: wrk, url: "http://127.0.0.1:\(mock.port)\(pages[0].target)",
                    header: "\(authorization.0): \(authorization.1)", connections: connections, seconds: seconds)
                emit(Self.line(server: "eset-mock", client: "wrk", result, connections: connections))
                mockFigures["wrk-\(connections)"] = result.requestsPerSecond
            }
        }
        mock.process.terminate()
        mock.process.wait(timeout: 10)

        guard compare, let nginxPath = findExecutable("nginx") else {
            if compare { note("nginx is not installed: no comparison (apt-get install -y nginx wrk)") }
            return
        }
        let nginx = try NginxProcess.start(executable: nginxPath, directory: work.appendingPathComponent("nginx"), pages: pages.map(\.body))
        defer { nginx.stop() }
        let nginxTargets = pages.indices.map { "/page-\($0 + 1).json" }
        for connections in connectionCounts {
            let result = LoadClient.run(port: nginx.port, targets: nginxTargets, headers: [], connections: connections, seconds: Double(seconds))
            emit(Self.line(server: "nginx", client: "raw", result))
            nginxFigures["raw-\(connections)"] = result.requestsPerSecond
        }
        if let wrk {
            for connections in connectionCounts {
                let result = try Wrk.run(
                    executable: wrk, url: "http://127.0.0.1:\(nginx.port)\(nginxTargets[0])", header: nil,
                    connections: connections, seconds: seconds)
                emit(Self.line(server: "nginx", client: "wrk", result, connections: connections))
                nginxFigures["wrk-\(connections)"] = result.requestsPerSecond
            }
        }
        for key in mockFigures.keys.sorted() {
            guard let mine = mockFigures[key], let theirs = nginxFigures[key], theirs > 0 else { continue }
            let parts = key.split(separator: "-")
            var line = ResultLine(bench: "serve-vs-nginx")
            line.add("client", String(parts[0]))
            line.add("connections", String(parts[1]))
            line.add("mock_pages_per_s", mine, digits: 0)
            line.add("nginx_pages_per_s", theirs, digits: 0)
            line.add("ratio", mine / theirs, digits: 2)
            emit(line)
        }
    }

    struct Page {
        var target: String
        var body: [UInt8]
    }

    /// The first pages of the device list, following `nextPageToken`.
    func walkPages(port: Int, authorization: (String, String)) throws -> [Page] {
        let connection = try RawHTTPConnection(port: port, timeout: 30)
        defer { connection.close() }
        var pages: [Page] = []
        var token: String?
        repeat {
            var target = "/\(Self.region).device-management.eset.systems/v1/devices?pageSize=\(pageSize)"
            if let token { target += "&pageToken=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token) }
            let response = try connection.request("GET", target, headers: [authorization])
            guard response.status == 200 else { throw BenchmarkError("GET \(target) answered \(response.status): \(response.bodyText.prefix(200))") }
            pages.append(Page(target: target, body: response.body))
            token = (try? JSONParser.parse(response.body))?["nextPageToken"]?.stringValue
        } while token?.isEmpty == false && pages.count < Self.maximumPages
        return pages
    }

    static func line(server: String, client: String, _ result: LoadClient.Result) -> ResultLine {
        var line = ResultLine(bench: "serve")
        line.add("server", server)
        line.add("client", client)
        line.add("connections", result.connections)
        line.add("seconds", result.seconds, digits: 2)
        line.add("pages", result.requests)
        line.add("errors", result.errors)
        line.add("pages_per_s", result.requestsPerSecond, digits: 0)
        line.add("mb_per_s", result.megabytesPerSecond, digits: 1)
        line.add("p50_ms", result.percentile(0.50) * 1000, digits: 2)
        line.add("p90_ms", result.percentile(0.90) * 1000, digits: 2)
        line.add("p99_ms", result.percentile(0.99) * 1000, digits: 2)
        return line
    }

    static func line(server: String, client: String, _ result: Wrk.Result, connections: Int) -> ResultLine {
        var line = ResultLine(bench: "serve")
        line.add("server", server)
        line.add("client", client)
        line.add("connections", connections)
        line.add("seconds", result.seconds, digits: 2)
        line.add("pages", result.requests)
        line.add("errors", result.errors)
        line.add("pages_per_s", result.requestsPerSecond, digits: 0)
        line.add("mb_per_s", result.megabytesPerSecond, digits: 1)
        line.add("p50_ms", result.p50 * 1000, digits: 2)
        line.add("p90_ms", result.p90 * 1000, digits: 2)
        line.add("p99_ms", result.p99 * 1000, digits: 2)
        return line
    }
}

/// A running `eset-mock serve` subprocess.
struct MockProcess {
    var process: Subprocess
    var port: Int
    var url: String
    /// Spawn to the `listening` line, and spawn to the first successful answer.
    var listeningSeconds: Double
    var firstAnswerSeconds: Double
    /// CPU time the mock's main thread had used, and time it had waited for a CPU, by its first
    /// answer (from /proc/PID/schedstat): on a loaded machine, the wait explains the wall time.
    var cpuSeconds: Double
    var runQueueSeconds: Double
    /// The lines `serve` printed after the listening line (up to `rate limit:`, its last).
    var announcement: [String] = []

    /// Starts `eset-mock serve --data DIR --rate-limit off --port 0` and waits for it to answer.
    static func start(executable: String, data: String, extraArguments: [String] = [], startupTimeout: Double = 600,
                      whileStarting: ((Subprocess) -> Void)? = nil) throws -> MockProcess {
        let process = try Subprocess(
            executable, ["serve", "--data", data, "--rate-limit", "off", "--port", "0"] + extraArguments, captureStandardOutput: true)
        whileStarting?(process)
        guard let first = process.readLine(timeout: startupTimeout), let range = first.range(of: "listening on ") else {
            process.terminate()
            process.wait(timeout: 10)
            throw BenchmarkError("eset-mock did not print its listening line within \(Int(startupTimeout)) s")
        }
        let listening = secondsSince(process.startedAt)
        // The rest of the announcement comes in the same write as the first line.
        var announcement: [String] = []
        while announcement.count < 32, let line = process.readLine(timeout: 5) {
            announcement.append(line)
            if line.hasPrefix("rate limit:") { break }
        }
        process.drainStandardOutput()
        let url = String(first[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        guard let portText = url.split(separator: ":").last, let port = Int(portText) else {
            throw BenchmarkError("cannot read the port from \(first.debugDescription)")
        }
        // The first answer: the earliest moment a client gets a successful response.
        let deadline = monotonicNanoseconds() + 10_000_000_000
        var answered: Double?
        while answered == nil, monotonicNanoseconds() < deadline {
            if let connection = try? RawHTTPConnection(port: port, timeout: 5),
                let response = try? connection.request("GET", "/__admin/health"), response.status == 200
            {
                answered = secondsSince(process.startedAt)
            } else {
                usleep(1000)
            }
        }
        guard let answered else { throw BenchmarkError("eset-mock did not answer /__admin/health") }
        let (cpu, waited) = schedulerTimes(pid: process.pid)
        return MockProcess(
            process: process, port: port, url: url, listeningSeconds: listening, firstAnswerSeconds: answered,
            cpuSeconds: cpu, runQueueSeconds: waited, announcement: announcement)
    }

    /// CPU time and run-queue wait of every thread of `pid` so far, in seconds.
    static func schedulerTimes(pid: pid_t) -> (cpu: Double, waited: Double) {
        var cpu = 0.0
        var waited = 0.0
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8) else { continue }
            let fields = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if fields.count >= 2 {
                cpu += fields[0] / 1e9
                waited += fields[1] / 1e9
            }
        }
        return (cpu, waited)
    }

    func line(data: String) -> ResultLine {
        var line = ResultLine(bench: "serve-startup")
        line.add("data", data)
        line.add("listening_ms", listeningSeconds * 1000, digits: 1)
        line.add("first_answer_ms", firstAnswerSeconds * 1000, digits: 1)
        line.add("cpu_ms", cpuSeconds * 1000, digits: 1)
        line.add("run_queue_wait_ms", runQueueSeconds * 1000, digits: 1)
        return line
    }

    /// An access token for the demo account (password grant).
    static func accessToken(port: Int, region: String = "eu") throws -> String {
        let connection = try RawHTTPConnection(port: port, timeout: 30)
        defer { connection.close() }
        let form = "grant_type=password&username=\(DefaultFleet.demoUsername.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(DefaultFleet.demoPassword)"
        let response = try connection.request(
            "POST", "/\(region).business-account.iam.eset.systems/oauth/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
        guard response.status == 200, let token = (try? JSONParser.parse(response.body))?["access_token"]?.stringValue else {
            throw BenchmarkError("the token call answered \(response.status)")
        }
        return token
    }
}

/// nginx serving files from a temporary directory, on a loopback port, with its own config.
struct NginxProcess {
    var process: Subprocess
    var port: Int

    static func start(executable: String, directory: URL, pages: [[UInt8]]) throws -> NginxProcess {
        let root = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (index, body) in pages.enumerated() {
            try Data(body).write(to: root.appendingPathComponent("page-\(index + 1).json"))
        }
        // nginx's workers may run as nobody: the files and their directories must be readable.
        for path in [directory.deletingLastPathComponent().path, directory.path, root.path] { chmod(path, 0o755) }
        let port = try freeLoopbackPort()
        // Keep-alive without limits, no logging, files sent with sendfile: nginx's fast path.
        let config = """
            worker_processes auto;
            daemon off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                tcp_nodelay on;
                keepalive_timeout 65;
                keepalive_requests 10000000;
                types { application/json json; }
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    root \(root.path);
                }
            }
            """
        let configPath = directory.appendingPathComponent("nginx.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try Subprocess(
            executable, ["-p", directory.path, "-c", configPath], standardErrorPath: directory.appendingPathComponent("stderr.log").path)
        let deadline = monotonicNanoseconds() + 10_000_000_000
        while monotonicNanoseconds() < deadline {
            if let connection = try? RawHTTPConnection(port: port, timeout: 2),
                let response = try? connection.request("GET", "/page-1.json"), response.status == 200
            {
                guard response.body == pages[0] else { throw BenchmarkError("nginx served other bytes than page 1") }
                return NginxProcess(process: process, port: port)
            }
            usleep(10_000)
        }
        process.terminate(SIGQUIT)
        process.wait(timeout: 10)
        throw BenchmarkError("nginx did not answer on port \(port); see \(directory.path)/error.log")
    }

    func stop() {
        process.terminate(SIGQUIT)  // graceful: the master stops its workers
        process.wait(timeout: 10)
    }
}
