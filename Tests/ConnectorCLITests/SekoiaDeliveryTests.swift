import ESETMock
import Foundation
import JSON
import XCTest

/// The Sekoia.io side: batches, the mock intake's scenarios, task polling, a refused key.
final class SekoiaDeliveryTests: XCTestCase {
    let fleet = TestFleet(devices: 120, groups: 3)

    func testBatchesFollowTheBatchSizeAndTheDocumentedBody() async throws {
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(mock.collectArguments(extra: ["--batch-size", "50"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(mock.server.receivedSekoiaBatches().map(\.itemCount), [50, 50, 20])
        XCTAssertEqual(Set(mock.server.receivedSekoiaBatches().map(\.connectorUUID)), [MockServer.connectorUUID])
        XCTAssertEqual(mock.server.journal.filter { $0.route == "sekoia-push" }.map(\.path),
                       Array(repeating: "/sekoia/api/v2/asset-management/asset-connector/\(MockServer.connectorUUID)", count: 3))
        XCTAssertGreaterThanOrEqual(mock.server.counters.count(route: "sekoia-task", status: 200), 3 * 3, "each task: PENDING, RUNNING, FINISHED")
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
    }

    func testSekoia429HonoursRetryAfterAndDeliversEachItemOnce() async throws {
        let started = Date()
        let mock = try MockServer(fleet: fleet, scenarios: ["sekoia-429"])
        let run = await runConnector(mock.collectArguments())
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
        XCTAssertEqual(run.summary("retries (Sekoia.io)")?.hasPrefix("rate-limited (429) 2"), true, run.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.9, "two waits of Retry-After: 1")
        XCTAssertTrue(run.stderr.contains("HTTP 429 (Retry-After '1'); rate-limited (429), retrying in 1 s"), run.stderr)
    }

    func testSekoia5xxIsRetriedAndItsCodeAndMessageReported() async throws {
        let mock = try MockServer(fleet: fleet, scenarios: ["sekoia-5xx"])
        let run = await runConnector(mock.collectArguments())
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
        XCTAssertEqual(run.summary("retries (Sekoia.io)")?.hasPrefix("server error (5xx) 2"), true, run.stderr)
        XCTAssertTrue(run.stderr.contains("HTTP 500: 13: internal error"), run.stderr)
        XCTAssertTrue(run.stderr.contains("HTTP 503;"), run.stderr)
    }

    func testAFailedTaskFailsTheRunNamingTheTaskAndKeepsTheCheckpoint() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: fleet, scenarios: ["sekoia-task-failed"])
        let run = await runConnector(mock.collectArguments(extra: ["--state-dir", directory, "-o", directory + "/out.ndjson"]))
        XCTAssertEqual(run.status, 1, run.stderr)
        let taskIDs = mock.server.receivedSekoiaBatches().map(\.taskID)
        XCTAssertTrue(taskIDs.contains { run.stderr.contains("GET task \($0): task ended with status FAILED") }, run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [".lock-eu"], "no checkpoint, no output file")
        XCTAssertEqual(run.summary("checkpoint"), "unchanged")
    }

    func testPersistentSekoiaErrorsFailTheRunAfterBoundedRetries() async throws {
        let mock = try MockServer(fleet: fleet, scenarios: ["sekoia-5xx"])
        let run = await runConnector(mock.collectArguments(extra: ["--max-retries", "1"]))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("POST asset-connector batch 1 (100 events): HTTP 503; gave up after 2 attempts"), run.stderr)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0)
    }

    func testAWrongAPIKeyIsRefusedWithoutLeakingIt() async throws {
        let mock = try MockServer(fleet: fleet)
        let wrongKey = "wrong-key-must-not-leak-9f2c"
        let run = await runConnector(mock.collectArguments(), environment: ["ESET_PASSWORD": MockServer.password, "SEKOIA_API_KEY": wrongKey])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("Sekoia.io refused the API key (HTTP 403"), run.stderr)
        XCTAssertEqual(mock.server.counters.count(route: "sekoia-push"), 1, "a refused key is not retried")
        for secret in [wrongKey, MockServer.password] {
            XCTAssertFalse(run.stderr.contains(secret) || run.stdout.contains(secret), "secret leaked")
        }
    }

    func testTheAPIKeyFileIsReadAndTheEnvironmentIsNotNeeded() async throws {
        let directory = try temporaryDirectory(self)
        try "\(MockServer.apiKey)\n".write(toFile: directory + "/key", atomically: true, encoding: .utf8)
        try "\(MockServer.password)\n".write(toFile: directory + "/password", atomically: true, encoding: .utf8)
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(
            mock.collectArguments(extra: ["--sekoia-api-key-file", directory + "/key", "--password-file", directory + "/password"]),
            environment: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
    }
}
