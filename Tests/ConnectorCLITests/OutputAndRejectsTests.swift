import ESETMock
import Foundation
import JSON
import XCTest

/// The NDJSON file is all or nothing; rejected devices are reported, kept and reflected in the status.
final class OutputAndRejectsTests: XCTestCase {
    func testAFailedRunLeavesNoOutputFileAndKeepsThePreviousOne() async throws {
        let directory = try temporaryDirectory(self)
        let output = directory + "/devices.ndjson"
        let mock = try MockServer(fleet: TestFleet(devices: 120), scenarios: ["repeated-page-token"])
        let failed = await runConnector(mock.collectArguments(sekoia: false, extra: ["-o", output]))
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "neither the file nor a partial one")
        XCTAssertTrue(failed.stderr.contains("summary: FAILED; no output file written"), failed.stderr)

        try "previous good run\n".write(toFile: output, atomically: true, encoding: .utf8)
        let again = await runConnector(mock.collectArguments(sekoia: false, extra: ["-o", output]))
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "previous good run\n", "the old file is intact")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["devices.ndjson"])
    }

    func testAFailedSekoiaDeliveryAlsoAbandonsTheFile() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 30), scenarios: ["sekoia-task-failed"])
        let run = await runConnector(mock.collectArguments(extra: ["-o", directory + "/devices.ndjson"]))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testRejectedDevicesAreReportedKeptAndMakeTheStatus2() async throws {
        let fleet = TestFleet(devices: 40, groups: 2, rejects: 3)
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(mock.collectArguments(extra: ["--page-size", "20", "--rejects", directory + "/rejects.ndjson"]))
        XCTAssertEqual(run.status, 2, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
        XCTAssertEqual(run.summaryInt("rejected"), 3)
        XCTAssertEqual(run.summaryInt("devices fetched"), 43)
        XCTAssertTrue(run.stderr.contains("summary: completed with 3 rejected devices"), run.stderr)
        // Fixture positions 3, 10, 17 (inserted in that order) → page 1 indexes 3, 10, 17.
        XCTAssertTrue(run.stderr.contains("rejected: page 1, device index 3: device 'uuid' is null"), run.stderr)
        XCTAssertTrue(run.stderr.contains("rejected: page 1, device index 10: device 'uuid' is an empty string"), run.stderr)

        let lines = try String(contentsOfFile: directory + "/rejects.ndjson", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let first = try JSONParser.parse(String(lines[0]))
        XCTAssertEqual(first["page"], 1)
        XCTAssertEqual(first["index"], 3)
        XCTAssertEqual(first["reason"], "device 'uuid' is null")
        XCTAssertEqual(first["device"], ["displayName": "NO-UUID-0", "uuid": nil])
    }

    func testUnparsableTimesAreWarnedWithPageAndIndex() async throws {
        var fleet = TestFleet(devices: 5, groups: 1)
        fleet.devices[2] = fleet.devices[2].replacingOccurrences(of: TestFleet.syncTime(2), with: "21/05/2025 10:00")
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(mock.collectArguments(sekoia: false))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.summaryInt("warnings"), 1)
        XCTAssertTrue(run.stderr.contains("warning: page 1, device index 2: device \(TestFleet.uuid(2)): lastSyncTime: unparsable"), run.stderr)
        assertDeliveredExactly(run.stdoutUIDs, fleet.deliverable)
    }

    func testTheStrictProfileIsApplied() async throws {
        let fleet = TestFleet(devices: 3, groups: 1)
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(mock.collectArguments(sekoia: false, extra: ["--profile", "ocsf-strict"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        let event = try JSONParser.parse(String(run.stdout.split(separator: "\n")[0]))
        XCTAssertEqual(event["time"], .int(1_747_821_600_000), "milliseconds in ocsf-strict")
        XCTAssertNotNil(event["severity_id"])
        XCTAssertTrue(run.stderr.contains("profile ocsf-strict"), run.stderr)
    }
}
