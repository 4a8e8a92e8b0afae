import Foundation
import HTTPTesting

/// A closed-loop HTTP load generator: `connections` threads, each with one keep-alive
/// `RawHTTPConnection`, sending the next request as soon as the previous answer is complete.
///
/// Bounded twice: by wall time and by a total request count, so that a very fast server cannot
/// make a run unbounded in memory (one latency sample is kept per request).
package enum LoadClient {
    /// What one load run measured.
    package struct Result: Sendable {
        package var connections = 0
        package var requests = 0
        /// Failed requests: a status other than 200, or a connection error (then reconnected).
        package var errors = 0
        var bodyBytes = 0
        package var seconds = 0.0
        /// Per-request latencies in seconds, sorted.
        package var latencies: [Double] = []

        package var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
        package var megabytesPerSecond: Double { seconds > 0 ? Double(bodyBytes) / 1e6 / seconds : 0 }

        /// The latency below which `fraction` of requests finished (nearest rank).
        package func percentile(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let rank = Int((fraction * Double(latencies.count)).rounded(.up)) - 1
            return latencies[min(max(rank, 0), latencies.count - 1)]
        }
    }

    /// Runs the load and returns the merged figures.
    ///
    /// - Parameters:
    ///   - targets: request targets (paths with queries), cycled through by every connection,
    ///     each starting at a different one.
    ///   - headers: sent with every request (e.g. `Authorization`).
    ///   - maximumRequests: stop once this many requests were sent in all.
    package static func run(
        port: Int, targets: [String], headers: [(String, String)], connections: Int, seconds: Double,
        maximumRequests: Int = 2_000_000
    ) -> Result {
        precondition(!targets.isEmpty && connections > 0 && seconds > 0)
        let requestBytes = targets.map { RawHTTPConnection.encodeRequest("GET", $0, host: "127.0.0.1:\(port)", headers: headers) }
        let perConnectionLimit = max(1, maximumRequests / connections)
        let collected = ResultsBox(count: connections)
        let group = DispatchGroup()
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        for index in 0..<connections {
            group.enter()
            let thread = Thread {
                collected.store(index, worker(port: port, requests: requestBytes, first: index, limit: perConnectionLimit, deadline: deadline))
                group.leave()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        // Workers stop at the deadline; the margin covers a request in flight at that moment.
        _ = group.wait(timeout: .now() + seconds + 30)
        var merged = Result()
        merged.connections = connections
        merged.seconds = secondsSince(start)
        for part in collected.all() {
            merged.requests += part.requests
            merged.errors += part.errors
            merged.bodyBytes += part.bodyBytes
            merged.latencies += part.latencies
        }
        merged.latencies.sort()
        return merged
    }

    private static func worker(port: Int, requests: [[UInt8]], first: Int, limit: Int, deadline: UInt64) -> Result {
        var result = Result()
        result.latencies.reserveCapacity(min(limit, 100_000))
        var connection: RawHTTPConnection?
        var next = first % requests.count
        var failures = 0
        while result.requests < limit, monotonicNanoseconds() < deadline, failures < 100 {
            do {
                if connection == nil { connection = try RawHTTPConnection(port: port, timeout: 30) }
                let sent = monotonicNanoseconds()
                try connection!.send(requests[next])
                let response = try connection!.readResponse()
                let latency = Double(monotonicNanoseconds() - sent) / 1e9
                result.requests += 1
                if response.status == 200 {
                    result.bodyBytes += response.body.count
                    result.latencies.append(latency)
                } else {
                    result.errors += 1
                }
                next = (next + 1) % requests.count
            } catch {
                result.errors += 1
                failures += 1
                connection?.close()
                connection = nil
            }
        }
        connection?.close()
        return result
    }
}

/// One slot per worker thread, filled when the worker ends.
private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [LoadClient.Result?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: LoadClient.Result) { lock.withLock { results[index] = result } }

    func all() -> [LoadClient.Result] { lock.withLock { results.compactMap { $0 } } }
}

/// Runs `wrk` (when installed) and reads its summary.
package enum Wrk {
    package struct Result: Sendable {
        package var requests = 0
        package var requestsPerSecond = 0.0
        package var megabytesPerSecond = 0.0
        package var errors = 0
        /// p50, p90, p99 in seconds.
        package var p50 = 0.0, p90 = 0.0, p99 = 0.0
        package var seconds = 0.0
    }

    /// `wrk -t T -c C -d S --latency [-H header] url`, bounded by `seconds` plus a margin.
    package static func run(executable: String, url: String, header: String?, connections: Int, seconds: Int) throws -> Result {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("eset-bench-wrk-\(getpid())-\(connections).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var arguments = ["-t", String(min(connections, 2)), "-c", String(connections), "-d", "\(seconds)s", "--latency", "--timeout", "10s"]
        if let header { arguments += ["-H", header] }
        arguments.append(url)
        let process = try Subprocess(executable, arguments, standardOutputPath: output)
        let ended = process.wait(timeout: Double(seconds) + 60)
        guard ended.code == 0, let text = try? String(contentsOfFile: output, encoding: .utf8) else {
            throw BenchmarkError("wrk failed (exit \(ended.code))")
        }
        return parse(text)
    }

    static func parse(_ text: String) -> Result {
        var result = Result()
        for rawLine in text.split(separator: "\n") {
            let words = rawLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = words.first else { continue }
            switch first {
            case "Requests/sec:": result.requestsPerSecond = Double(words.dropFirst().first ?? "") ?? 0
            case "Transfer/sec:": result.megabytesPerSecond = megabytes(words.dropFirst().first ?? "")
            case "50%": result.p50 = duration(words.dropFirst().first ?? "")
            case "90%": result.p90 = duration(words.dropFirst().first ?? "")
            case "99%": result.p99 = duration(words.dropFirst().first ?? "")
            case "Non-2xx": result.errors += Int(words.last ?? "") ?? 0
            case "Socket": result.errors += words.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            default:
                // "  123456 requests in 10.00s, 1.23GB read"
                if words.count >= 4, words[1] == "requests", words[2] == "in", let count = Int(first) {
                    result.requests = count
                    result.seconds = duration(words[3].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
                }
            }
        }
        return result
    }

    /// "1.23ms", "850.00us", "2.01s", "1.5m" → seconds.
    static func duration(_ text: String) -> Double {
        let units: [(String, Double)] = [("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? 0) * scale
        }
        return Double(text) ?? 0
    }

    /// "1.23GB", "512.00MB", "900KB", "12B" → MB (10^6 bytes; wrk's units are binary).
    static func megabytes(_ text: String) -> Double {
        let units: [(String, Double)] = [("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? 0) * scale / 1e6
        }
        return 0
    }
}
