@testable import Benchmarks
import Foundation
import XCTest

/// The benchmarks run end to end on tiny sizes (the figures themselves are not asserted: they
/// belong to release builds on a quiet machine, see docs/benchmarks.md).
final class BenchmarkSmokeTests: XCTestCase {
    func testMapDecodesMapsAndEncodesEveryDeviceWithBothDecoders() throws {
        var outputs: [Int] = []
        for decoder in MapBenchmark.Decoder.allCases {
            let benchmark = MapBenchmark(deviceCount: 400, pageSize: 150, decoder: decoder)
            let input = benchmark.prepare()
            XCTAssertEqual(input.pages.count, 3)
            let result = try benchmark.run(input)
            XCTAssertEqual(result.devices, 400)
            XCTAssertEqual(result.events + result.rejected, 400)
            XCTAssertEqual(result.rejected, 0, "generated devices all have a uuid")
            XCTAssertGreaterThan(result.outputBytes, 400 * 300)
            let line = result.line(run: "1")
            XCTAssertEqual(line["bench"], "map")
            XCTAssertEqual(line["devices"], "400")
            XCTAssertEqual(line["decoder"], decoder.rawValue)
            outputs.append(result.outputBytes)
        }
        XCTAssertEqual(outputs[0], outputs[1], "both decoders give the same NDJSON size")
        // The streaming pipeline of `eset-connector map`, on two threads: the same devices and bytes.
        let pipeline = MapBenchmark(deviceCount: 400, pageSize: 150, threads: 2)
        let input = pipeline.prepare()
        XCTAssertTrue(input.pages.isEmpty)
        let result = try pipeline.run(input)
        XCTAssertEqual(result.devices, 400)
        XCTAssertEqual(result.events, 400)
        XCTAssertEqual(result.outputBytes, outputs[0])
        XCTAssertEqual(result.line(run: "1")["threads"], "2")
    }

    func testServeStartsTheMockDrivesItAndReportsEveryConnectionCount() throws {
        try requireSiblings()
        var lines: [ResultLine] = []
        let benchmark = ServeBenchmark(
            deviceCount: 300, pageSize: 100, connectionCounts: [1, 2], seconds: 1, compare: false,
            mockExecutable: sibling("eset-mock"))
        try benchmark.run(emit: { lines.append($0) }, note: { _ in })
        let startup = try XCTUnwrap(lines.first { $0["bench"] == "serve-startup" })
        XCTAssertGreaterThan(Double(startup["first_answer_ms"] ?? "") ?? 0, 0)
        let loads = lines.filter { $0["bench"] == "serve" }
        XCTAssertEqual(loads.map { $0["connections"] }, ["1", "2"])
        for load in loads {
            XCTAssertEqual(load["server"], "eset-mock")
            XCTAssertEqual(load["errors"], "0")
            XCTAssertGreaterThan(Int(load["pages"] ?? "") ?? 0, 0)
        }
    }

    func testCollectRunsTheConnectorAgainstTheMockAndCountsEveryDevice() throws {
        try requireSiblings()
        var lines: [ResultLine] = []
        let benchmark = CollectBenchmark(
            deviceCounts: [250, 500], pageSize: 100, mockExecutable: sibling("eset-mock"),
            connectorExecutable: sibling("eset-connector"))
        let results = try benchmark.run(emit: { lines.append($0) }, note: { _ in })
        XCTAssertEqual(results.map(\.devices), [250, 500])
        for result in results {
            XCTAssertEqual(result.exitCode, 0)
            XCTAssertEqual(result.outputLines, result.devices)
            XCTAssertGreaterThan(result.peakRSSBytes, 1_000_000)
        }
        XCTAssertNotNil(lines.first { $0["bench"] == "collect-memory" })
    }

    func testMapProcessRunsTheConnectorsMapCommandAsAWholeProcess() throws {
        try requireSiblings()
        var lines: [ResultLine] = []
        let benchmark = MapProcessBenchmark(deviceCount: 300, runs: 2, connectorExecutable: sibling("eset-connector"), threads: 2)
        let results = try benchmark.run(emit: { lines.append($0) }, note: { _ in })
        XCTAssertEqual(results.count, 2)
        for result in results {
            XCTAssertEqual(result.exitCode, 0)
            XCTAssertGreaterThan(result.inputBytes, 300 * 1000)
            XCTAssertGreaterThan(result.peakRSSBytes, 1_000_000)
        }
        let best = try XCTUnwrap(lines.first { $0["bench"] == "map-process" && $0["run"] == "best" })
        XCTAssertEqual(best["devices"], "300")
        XCTAssertEqual(best["threads"], "2")
        XCTAssertGreaterThan(Double(best["devices_per_s"] ?? "") ?? 0, 0)
    }

    func testResultLinesAndWrkOutputParse() {
        var line = ResultLine(bench: "x")
        line.add("name", "a b")
        line.add("value", 1234.5678, digits: 2)
        line.add("negative", -0.004, digits: 2)
        XCTAssertEqual(line.description, "bench=x name=a_b value=1234.57 negative=0.00")
        XCTAssertEqual(formatFixed(0.5, digits: 0), "1")
        XCTAssertEqual(formatFixed(-2.25, digits: 1), "-2.3")

        let wrk = """
            Running 5s test @ http://127.0.0.1:8080/page-1.json
              2 threads and 8 connections
              Latency Distribution
                 50%    3.38ms
                 75%    5.00ms
                 90%   14.00ms
                 99%  160.26ms
              5479 requests in 5.01s, 8.47GB read
              Non-2xx or 3xx responses: 3
            Requests/sec:   1093.60
            Transfer/sec:      1.69GB
            """
        let parsed = Wrk.parse(wrk)
        XCTAssertEqual(parsed.requests, 5479)
        XCTAssertEqual(parsed.seconds, 5.01, accuracy: 1e-9)
        XCTAssertEqual(parsed.requestsPerSecond, 1093.6, accuracy: 1e-9)
        XCTAssertEqual(parsed.p50, 0.00338, accuracy: 1e-9)
        XCTAssertEqual(parsed.p99, 0.16026, accuracy: 1e-9)
        XCTAssertEqual(parsed.errors, 3)
        XCTAssertEqual(parsed.megabytesPerSecond, 1.69 * 1_073_741_824 / 1e6, accuracy: 1e-6)
    }

    // MARK: Support

    /// `swift test` builds the executables next to the test bundle.
    private func sibling(_ name: String) -> String {
        Bundle.main.bundleURL.appendingPathComponent(name).path
    }

    private func requireSiblings() throws {
        for name in ["eset-mock", "eset-connector"] {
            let path = sibling(name)
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: path), "\(path) is built by swift build/test")
            guard FileManager.default.isExecutableFile(atPath: path) else { throw BenchmarkError("missing \(path)") }
        }
    }
}
