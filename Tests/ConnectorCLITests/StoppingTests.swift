import ArgumentParsing
@testable import ConnectorCLI
import ESETMock
import Foundation
import XCTest

/// `--interval` runs until asked to stop, and stops cleanly: by a stop request in-process, by
/// SIGTERM/SIGINT in a real process.
final class StoppingTests: XCTestCase {
    /// Waits (bounded) until `condition` holds.
    func waitUntil(_ what: String, timeout: Double = 10, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else {
                XCTFail("timed out after \(timeout) s waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func start(_ arguments: [String], controller: StopController) -> (Task<ExitStatus, Never>, TextStream) {
        let stderr = TextStream.memory()
        let context = CLIContext(environment: ["ESET_PASSWORD": MockServer.password, "SEKOIA_API_KEY": MockServer.apiKey],
                                 standardOutput: .memory(), standardError: stderr)
        let task = Task { await CollectCommand.run(arguments, context: context, stopController: controller) }
        return (task, stderr)
    }

    func testAStopDuringTheWaitEndsAtOnce() async throws {
        let mock = try MockServer(fleet: TestFleet(devices: 20))
        let controller = StopController(gracefulFirst: true)
        let (task, stderr) = start(mock.collectArguments(extra: ["--interval", "60", "--cycles", "5"]), controller: controller)
        try await waitUntil("the first summary") { stderr.text.contains("summary: succeeded") }
        let stopped = Date()
        controller.requestStop()
        let status = await task.value
        XCTAssertEqual(status, .success)
        XCTAssertLessThan(Date().timeIntervalSince(stopped), 5, "the 60 s wait was cut short")
        XCTAssertEqual(stderr.text.components(separatedBy: "summary:").count - 1, 1, "no second cycle")
    }

    func testTheFirstStopLetsTheRunningCycleFinish() async throws {
        let fleet = TestFleet(devices: 60)
        let mock = try MockServer(fleet: fleet, scenarios: ["slow-response"])
        let controller = StopController(gracefulFirst: true)
        let (task, stderr) = start(mock.collectArguments(extra: ["--interval", "60", "--page-size", "10"]), controller: controller)
        try await waitUntil("the first device page") { mock.server.journal.contains { $0.route == "devices" } }
        controller.requestStop()
        let status = await task.value
        XCTAssertEqual(status, .success, stderr.text)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable, "the cycle was completed")
    }

    func testASecondStopAbandonsTheCycleAndLeavesNothingBehind() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 60), scenarios: ["slow-response"])
        let controller = StopController(gracefulFirst: true)
        let (task, stderr) = start(
            mock.collectArguments(extra: ["--interval", "60", "--page-size", "10", "-o", directory + "/out.ndjson", "--state-dir", directory]),
            controller: controller)
        try await waitUntil("the first device page") { mock.server.journal.contains { $0.route == "devices" } }
        controller.requestStop()
        controller.requestStop()
        let status = await task.value
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(stderr.text.contains("interrupted: the cycle was abandoned"), stderr.text)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [".lock-eu"], "no output, no checkpoint (only the run's lock)")
        XCTAssertLessThan(mock.server.journal.filter { $0.route == "devices" }.count, 6, "it did not run to the end")
    }

    func testWithoutIntervalTheFirstStopAbandons() async throws {
        let mock = try MockServer(fleet: TestFleet(devices: 60), scenarios: ["slow-response"])
        let controller = StopController(gracefulFirst: false)
        let (task, stderr) = start(mock.collectArguments(extra: ["--page-size", "10"]), controller: controller)
        try await waitUntil("the first device page") { mock.server.journal.contains { $0.route == "devices" } }
        controller.requestStop()
        let status = await task.value
        XCTAssertEqual(status, .failure)
        XCTAssertTrue(stderr.text.contains("interrupted"), stderr.text)
    }

    /// The real executable, a real signal. Skipped when the binary was not built alongside the tests.
    func testSIGTERMStopsTheExecutableCleanly() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("eset-connector")
        let candidates = [executable.path, Bundle.main.bundleURL.appendingPathComponent("eset-connector").path]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("eset-connector executable not found next to the test bundle")
        }
        let fleet = TestFleet(devices: 20)
        let mock = try MockServer(fleet: fleet)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = mock.collectArguments(extra: ["--interval", "60"])
        process.environment = ["ESET_PASSWORD": MockServer.password, "SEKOIA_API_KEY": MockServer.apiKey]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try await waitUntil("the first cycle") { mock.server.receivedSekoiaItemCount == fleet.deliverable.count && mock.server.counters.count(route: "sekoia-task") >= 3 }
        // Whether the signal lands at the end of the cycle or in the wait that follows, the
        // promise is the same: the cycle completes and the process exits 0.
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertFalse(process.isRunning, "stopped within 10 s")
        XCTAssertEqual(process.terminationReason, .exit, "exited, not killed by the signal")
        XCTAssertEqual(process.terminationStatus, 0)
        let stderr = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("summary: succeeded"), stderr)
        XCTAssertTrue(stderr.contains("stopping"), stderr)
    }
}
