import ESETMock
import Foundation
import JSON
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The built `eset-connector` binary killed mid-run (SIGTERM, SIGKILL): no final output file is
/// left, the checkpoint does not move, no secret is written, and a re-run delivers everything.
final class ConnectorKillTests: XCTestCase {
    /// The binary built next to this test bundle (or in the package's default build directory).
    static func binary(_ name: String) -> URL? {
        var candidates: [URL] = []
        if let bundle = ProcessInfo.processInfo.arguments.first {
            candidates.append(URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent(name))
        }
        candidates.append(PackagePaths.root.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A started child process with its output captured in files.
    struct Child {
        let process: Process
        let stdout: URL
        let stderr: URL

        var stdoutText: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        var stderrText: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

        /// Waits (bounded) for the child to end; kills it if it does not.
        func waitForExit(within seconds: Double) -> Bool {
            if waitUntil(seconds, { !process.isRunning }) { return true }
            kill(process.processIdentifier, SIGKILL)
            _ = waitUntil(5) { !process.isRunning }
            return false
        }
    }

    static func launch(_ executable: URL, _ arguments: [String], environment: [String: String], logs: URL) throws -> Child {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let stdout = logs.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        let stderr = logs.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Child(process: process, stdout: stdout, stderr: stderr)
    }

    /// Every data call waits, so a run lasts long enough to be killed in its middle.
    static let slowData: MockScenario = try! MockScenario(
        value: ["name": "slow-data", "description": "every data call waits 120 ms", "rules": [["route": "data", "delayMs": 120]]],
        source: "slow-data")

    enum Kill { case term, kill, termWithInterval }

    func testSIGTERMMidRunAbandonsTheCycleAndRerunDeliversEverything() async throws {
        try await killAndRerun(.term)
    }

    func testSIGKILLMidRunLeavesNoFinalOutputAndRerunDeliversEverything() async throws {
        try await killAndRerun(.kill)
    }

    /// With --interval, the first SIGTERM lets the running cycle finish: exit 0, everything delivered.
    func testSIGTERMWithIntervalFinishesTheCycle() async throws {
        try await killAndRerun(.termWithInterval)
    }

    func killAndRerun(_ kind: Kill) async throws {
        guard let connector = Self.binary("eset-connector") else {
            throw XCTSkip("eset-connector is not built next to the tests; run 'swift build' first")
        }
        let fleet = ReliabilityFleet(devices: 150)
        let harness = try RecordingMock(fleet: fleet, scenarios: [Self.slowData])
        defer { harness.front.stop(timeout: 1) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-kill-\(UUID().uuidString)")
        let directory = root.appendingPathComponent("run")
        let logs = root.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }

        var extra = ["--page-size", "10", "--batch-size", "20"]
        if kind == .termWithInterval { extra += ["--interval", "60"] }
        let arguments = harness.collectArguments(directory: directory, extra: extra)
        let child = try Self.launch(connector, arguments, environment: harness.environment, logs: logs)
        // Kill once some devices are already at the intake: the run is truly in its middle.
        let midRun = waitUntil(30) { harness.deliveredUIDs.count >= 20 }
        XCTAssertTrue(midRun, "the connector did not start delivering: \(child.stderrText.suffix(500))")
        XCTAssertTrue(child.process.isRunning, "the connector finished before it could be killed")
        let deliveredAtKill = harness.deliveredUIDs.count
        kill(child.process.processIdentifier, kind == .kill ? SIGKILL : SIGTERM)
        XCTAssertTrue(child.waitForExit(within: 30), "the connector did not exit after the signal")

        let afterKill = RunArtifacts(directory: directory)
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.contains("devices.ndjson") }
        switch kind {
        case .term:
            XCTAssertEqual(child.process.terminationReason, .exit)
            XCTAssertEqual(child.process.terminationStatus, 1, "SIGTERM abandons the run: \(child.stderrText.suffix(500))")
            XCTAssertNil(afterKill.outputUIDs, "an abandoned run must leave no output file")
            XCTAssertEqual(leftovers, [], "an abandoned run must clean up its temporary output")
            XCTAssertNil(afterKill.checkpointBytes, "an abandoned run must not move the checkpoint")
            XCTAssertLessThan(harness.deliveredUIDs.count, fleet.uuids.count, "the run was not abandoned in its middle")
        case .kill:
            XCTAssertEqual(child.process.terminationReason, .uncaughtSignal)
            XCTAssertNil(afterKill.outputUIDs, "a killed run must leave no complete-looking output file")
            // What SIGKILL cannot clean up is a hidden partial file, never the final name.
            for name in leftovers { XCTAssertTrue(name.hasPrefix(".devices.ndjson.partial-"), "leftover \(name)") }
            XCTAssertNil(afterKill.checkpointBytes, "a killed run must not move the checkpoint")
        case .termWithInterval:
            XCTAssertEqual(child.process.terminationReason, .exit)
            XCTAssertEqual(child.process.terminationStatus, 0, "the first SIGTERM finishes the cycle: \(child.stderrText.suffix(500))")
            XCTAssertEqual(afterKill.outputUIDs.map(Set.init), fleet.uuids, "the finished cycle's output")
            XCTAssertEqual(afterKill.outputUIDs?.count, fleet.uuids.count)
            XCTAssertEqual(afterKill.checkpointMicroseconds, fleet.newestSync)
            XCTAssertEqual(Set(harness.deliveredUIDs), fleet.uuids)
            XCTAssertEqual(harness.deliveredUIDs.count, fleet.uuids.count, "each device once")
        }

        // Re-run without the slow answers, same state directory: everything arrives.
        harness.mock.setScenarios([MockScenario]())
        let deliveredBefore = harness.deliveredUIDs.count
        let rerun = await runInProcess(harness.collectArguments(directory: directory), environment: harness.environment)
        let afterRerun = RunArtifacts(directory: directory)
        if kind == .termWithInterval {
            // Nothing new since the checkpoint: the re-run delivers nothing and succeeds.
            XCTAssertEqual(rerun.status, 0, rerun.stderr)
            XCTAssertEqual(harness.deliveredUIDs.count, deliveredBefore)
        } else {
            let problems = judgeRun(rerun, harness: harness, expected: fleet.syncMicroseconds, deliveredBefore: deliveredBefore,
                                    checkpointBefore: afterKill.checkpointBytes, artifacts: afterRerun, allowDuplicatePushes: false)
            for problem in problems { XCTFail("re-run after \(kind): \(problem)") }
            XCTAssertEqual(Set(harness.deliveredUIDs), fleet.uuids, "everything delivered across the killed run and the re-run")
        }
        let texts = [("stdout of the killed run", child.stdoutText), ("stderr of the killed run", child.stderrText),
                     ("stdout of the re-run", rerun.stdout), ("stderr of the re-run", rerun.stderr),
                     ("the mock's journal", try harness.journalText())]
        for leak in secretLeaks(secrets: harness.secrets, tokens: harness.tokens, texts: texts, files: afterRerun.files) { XCTFail(leak) }
        XCTAssertFalse(harness.tokens.isEmpty)
        reportFigures("kill-\(kind)", [
            "devices": fleet.uuids.count, "delivered-before-signal": deliveredAtKill, "delivered-after-rerun": Set(harness.deliveredUIDs).count,
            "temporary-leftovers": leftovers.filter { $0 != "devices.ndjson" }.count, "exit": child.process.terminationStatus,
        ])
    }
}
