import ESETMock
import Foundation
import JSON
import XCTest

/// Incremental collection with `--state-dir`, over two cycles and two fleets.
final class CheckpointTests: XCTestCase {
    /// 60 devices synced 10:00:00…10:00:58; every 10th (9, 19, …, 59) has no lastSyncTime.
    let firstFleet = TestFleet(devices: 60, groups: 2)

    /// The same tenant later: devices 3 and 7 synced again at 11:00, devices 60–64 enrolled at 11:01.
    var laterFleet: TestFleet {
        var fleet = firstFleet
        for index in [3, 7] {
            fleet.devices[index] = fleet.devices[index].replacingOccurrences(of: TestFleet.syncTime(index), with: "2025-05-21T11:00:00.5Z")
        }
        for index in 60..<65 { fleet.add(index: index, groupCount: 2, syncBase: 3600) }
        return fleet
    }

    /// What the later fleet must deliver after the first cycle: the newer devices and every
    /// device without a parsable time.
    var expectedSecondCycle: Set<String> {
        Set([3, 7, 60, 61, 62, 63, 64, 9, 19, 29, 39, 49, 59].map(TestFleet.uuid))
    }

    func checkpointJSON(_ directory: String) throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/checkpoint-eu.json"))))
    }

    func testTheSecondCycleSendsOnlyNewerDevicesAndThoseWithoutTime() async throws {
        let state = try temporaryDirectory(self)
        let first = try MockServer(fleet: firstFleet)
        let run1 = await runConnector(first.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run1.status, 0, run1.stderr)
        assertDeliveredExactly(first.receivedUIDs, firstFleet.deliverable)
        XCTAssertEqual(run1.summary("checkpoint"), "moved to 2025-05-21T10:00:58.000000Z")
        let stored = try checkpointJSON(state)
        XCTAssertEqual(stored["newestLastSyncMicroseconds"], .int(1_747_821_658_000_000))
        XCTAssertEqual(stored["username"], "demo@example.com")
        XCTAssertEqual(stored["version"], 1)

        let second = try MockServer(fleet: laterFleet)
        let run2 = await runConnector(second.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run2.status, 0, run2.stderr)
        assertDeliveredExactly(second.receivedUIDs, expectedSecondCycle)
        XCTAssertEqual(run2.summaryInt("skipped by checkpoint"), 52)
        XCTAssertEqual(run2.summary("checkpoint"), "moved to 2025-05-21T11:01:04.000000Z")

        // Nothing newer since: only the devices without a time go out again.
        let third = try MockServer(fleet: laterFleet)
        let run3 = await runConnector(third.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run3.status, 0, run3.stderr)
        assertDeliveredExactly(third.receivedUIDs, Set([9, 19, 29, 39, 49, 59].map(TestFleet.uuid)))
        XCTAssertEqual(run3.summary("checkpoint"), "unchanged (2025-05-21T11:01:04.000000Z)")
    }

    func testAtOrBeforeTheCheckpointPlusOneMicrosecondIsSkipped() async throws {
        let state = try temporaryDirectory(self)
        let first = try MockServer(fleet: firstFleet)
        _ = await runConnector(first.collectArguments(extra: ["--state-dir", state]))
        // Newest was 10:00:58.000000; +1 µs is still "at or before", +2 µs is newer.
        var fleet = firstFleet
        fleet.devices[0] = fleet.devices[0].replacingOccurrences(of: TestFleet.syncTime(0), with: "2025-05-21T10:00:58.000001Z")
        fleet.devices[1] = fleet.devices[1].replacingOccurrences(of: TestFleet.syncTime(1), with: "2025-05-21T10:00:58.000002Z")
        let second = try MockServer(fleet: fleet)
        let run = await runConnector(second.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(second.receivedUIDs, Set([1, 9, 19, 29, 39, 49, 59].map(TestFleet.uuid)))
    }

    func testFullIgnoresTheCheckpointButStillMovesIt() async throws {
        let state = try temporaryDirectory(self)
        let first = try MockServer(fleet: firstFleet)
        _ = await runConnector(first.collectArguments(extra: ["--state-dir", state]))
        let second = try MockServer(fleet: laterFleet)
        let run = await runConnector(second.collectArguments(extra: ["--state-dir", state, "--full"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(second.receivedUIDs, laterFleet.deliverable)
        XCTAssertEqual(run.summaryInt("skipped by checkpoint"), 0)
        XCTAssertEqual(try checkpointJSON(state)["newestLastSyncTime"], "2025-05-21T11:01:04.000000Z")
    }

    func testAFailedBatchLeavesTheCheckpointExactlyAsItWas() async throws {
        let state = try temporaryDirectory(self)
        let first = try MockServer(fleet: firstFleet)
        _ = await runConnector(first.collectArguments(extra: ["--state-dir", state]))
        let before = try Data(contentsOf: URL(fileURLWithPath: state + "/checkpoint-eu.json"))

        let second = try MockServer(fleet: laterFleet, scenarios: ["sekoia-5xx"])
        let run = await runConnector(second.collectArguments(extra: ["--state-dir", state, "--max-retries", "0"]))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: state + "/checkpoint-eu.json")), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: state).sorted(), [".lock-eu", "checkpoint-eu.json"], "no temporary file left")

        // The next good cycle sends what the failed one could not.
        let third = try MockServer(fleet: laterFleet)
        let retry = await runConnector(third.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(retry.status, 0, retry.stderr)
        assertDeliveredExactly(third.receivedUIDs, expectedSecondCycle)
    }

    func testIntervalCyclesUseTheCheckpointOfThePreviousCycle() async throws {
        let state = try temporaryDirectory(self)
        let mock = try MockServer(fleet: firstFleet)
        let run = await runConnector(mock.collectArguments(extra: ["--state-dir", state, "--interval", "0.05", "--cycles", "2"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr.components(separatedBy: "summary: succeeded").count - 1, 2)
        let received = mock.receivedUIDs
        XCTAssertEqual(received.count, 60 + 6)
        assertDeliveredExactly(Array(received[60...]), Set([9, 19, 29, 39, 49, 59].map(TestFleet.uuid)), "in the second cycle")
    }

    func testAnUnusableCheckpointIsReportedAndReplaced() async throws {
        let state = try temporaryDirectory(self)
        try "{\"version\": 1, \"newestLastSync".write(toFile: state + "/checkpoint-eu.json", atomically: true, encoding: .utf8)
        let mock = try MockServer(fleet: firstFleet)
        let run = await runConnector(mock.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: ignoring the checkpoint (\(state)/checkpoint-eu.json: line 1, column"), run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, firstFleet.deliverable)
        XCTAssertEqual(try checkpointJSON(state)["newestLastSyncMicroseconds"], .int(1_747_821_658_000_000))
    }

    func testAnotherUsersCheckpointIsNotReused() async throws {
        let state = try temporaryDirectory(self)
        try #"{"version": 1, "region": "eu", "username": "someone@example.com", "newestLastSyncMicroseconds": 1900000000000000}"#
            .write(toFile: state + "/checkpoint-eu.json", atomically: true, encoding: .utf8)
        let mock = try MockServer(fleet: firstFleet)
        let run = await runConnector(mock.collectArguments(extra: ["--state-dir", state]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("belongs to user 'someone@example.com'"), run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, firstFleet.deliverable)
    }
}
