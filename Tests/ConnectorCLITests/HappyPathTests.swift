@testable import ConnectorCLI
import ESETMock
import Foundation
import JSON
import XCTest

/// The connector over real HTTP against the mock, when nothing goes wrong.
final class HappyPathTests: XCTestCase {
    /// Every region: each device delivered to Sekoia.io exactly once, and the same set in the
    /// NDJSON file; the token and data calls went to that region's hosts only.
    func testEveryRegionDeliversTheWholeFleetOnce() async throws {
        let fleet = TestFleet(devices: 130, groups: 4)
        for region in ["eu", "de", "us", "ca", "jpn"] {
            let mock = try MockServer(fleet: fleet)
            let directory = try temporaryDirectory(self)
            let output = directory + "/devices.ndjson"
            let run = await runConnector(mock.collectArguments(region: region, extra: ["--page-size", "50", "--batch-size", "40", "-o", output]))
            XCTAssertEqual(run.status, 0, "region \(region): \(run.stderr)")
            assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable, "to Sekoia.io in \(region)")
            let written = try String(contentsOfFile: output, encoding: .utf8)
            assertDeliveredExactly(uids(ndjson: written), fleet.deliverable, "to the NDJSON file in \(region)")
            XCTAssertEqual(run.summaryInt("pages"), 3)
            XCTAssertEqual(run.summaryInt("mapped"), 130)
            XCTAssertEqual(run.summary("batches pushed"), "4 (130 events)")
            XCTAssertEqual(mock.server.receivedSekoiaBatches().map(\.itemCount), [40, 40, 40, 10])
            let hosts = Set(mock.server.journal.compactMap { $0.path.split(separator: "/").first.map(String.init) })
            XCTAssertEqual(hosts, ["\(region).business-account.iam.eset.systems", "\(region).device-management.eset.systems", "sekoia"], region)
            XCTAssertTrue(run.stdout.isEmpty, "NDJSON goes to the file, not stdout")
        }
    }

    /// Without --output and --sekoia-url the events go to stdout, one JSON object per line,
    /// with the group of each device resolved from the pre-loaded group map.
    func testStandardOutputWhenNoSinkIsNamed() async throws {
        let fleet = TestFleet(devices: 25, groups: 2)
        let mock = try MockServer(fleet: fleet)
        let run = await runConnector(mock.collectArguments(sekoia: false))
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(run.stdoutUIDs, fleet.deliverable)
        let first = try JSONParser.parse(String(run.stdout.split(separator: "\n")[0]))
        XCTAssertEqual(first["device"]?["groups"], [["name": "Group 0", "uid": "group-0"]])
        XCTAssertEqual(first["class_uid"], 5001)
        XCTAssertEqual(run.summaryInt("NDJSON lines"), 25)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0)
    }

    /// The client-side limit keeps a many-page run under the mock's 10 calls/s: no 429 at all.
    func testTheClientRateLimitAvoids429() async throws {
        let fleet = TestFleet(devices: 120)
        let mock = try MockServer(fleet: fleet, rateLimit: 10)
        let started = Date()
        let run = await runConnector(mock.collectArguments(extra: ["--rate-limit", "10", "--page-size", "10"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
        XCTAssertEqual(run.summaryInt("pages"), 12)
        XCTAssertEqual(run.summary("retries (ESET)"), "0", run.stderr)
        XCTAssertEqual(mock.server.journal.filter { $0.status == 429 }.count, 0)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.95, "14 calls at 10/s cannot all start in the first second")
    }

    /// Without it the mock's limit bites, and the 429s are absorbed by retries.
    func testWithoutTheClientLimitThe429sAreRetried() async throws {
        let fleet = TestFleet(devices: 120)
        let mock = try MockServer(fleet: fleet, rateLimit: 10)
        let run = await runConnector(mock.collectArguments(extra: ["--rate-limit", "off", "--page-size", "8", "--max-retries", "10"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        assertDeliveredExactly(mock.receivedUIDs, fleet.deliverable)
        let limited = mock.server.journal.filter { $0.status == 429 }.count
        XCTAssertGreaterThan(limited, 0, "16 data calls at full speed exceed 10/s")
        XCTAssertEqual(run.summary("retries (ESET)"), "rate-limited (429) \(limited)")
    }

    /// Progress lines only when stderr is a terminal; the summary always.
    func testProgressOnlyOnATerminal() async throws {
        let mock = try MockServer(fleet: TestFleet(devices: 30))
        for terminal in [false, true] {
            let stderr = TextStream.memory()
            let context = CLIContext(environment: ["ESET_PASSWORD": MockServer.password], standardOutput: .memory(), standardError: stderr,
                                     standardErrorIsTerminal: terminal)
            let status = await runConnectorCLI(mock.collectArguments(sekoia: false, extra: ["--page-size", "10"]), context: context)
            XCTAssertEqual(status, 0)
            XCTAssertEqual(stderr.text.contains("\r\u{1B}[2Kpage 3: 30 devices fetched, 30 mapped"), terminal, stderr.text)
            XCTAssertTrue(stderr.text.contains("summary: succeeded"))
        }
    }
}
