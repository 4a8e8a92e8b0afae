import ESETMock
import Foundation
import JSON
import XCTest

/// Every ESET-side scenario of the mock, over real HTTP, with its exact expected outcome: the
/// delivered set (nothing lost, nothing duplicated) or the failure, its exit status and message.
final class ESETScenarioTests: XCTestCase {
    /// Larger than the scenarios' 50-item page cap, so paging really happens.
    let fleet = TestFleet(devices: 120, groups: 3)

    func run(_ scenario: String, fleet: TestFleet? = nil, extra: [String] = []) async throws -> (MockServer, ConnectorRun) {
        let mock = try MockServer(fleet: fleet ?? self.fleet, scenarios: [scenario])
        let run = await runConnector(mock.collectArguments(extra: extra))
        return (mock, run)
    }

    func assertSucceeded(_ run: ConnectorRun, _ mock: MockServer, expected: Set<String>? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        assertDeliveredExactly(mock.receivedUIDs, expected ?? fleet.deliverable, file: file, line: line)
        XCTAssertTrue(run.stderr.contains("summary: succeeded"), run.stderr, file: file, line: line)
    }

    func assertFailedAndDeliveredNothing(_ run: ConnectorRun, _ mock: MockServer, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 1, run.stderr, file: file, line: line)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0, "nothing may be delivered", file: file, line: line)
        XCTAssertTrue(run.stderr.contains("summary: FAILED"), run.stderr, file: file, line: line)
        XCTAssertFalse(run.stderr.contains(MockServer.password), "the password leaked", file: file, line: line)
    }

    // MARK: Authentication

    func testBadCredentialsStopAtOnceNamingRegionAndUser() async throws {
        let (mock, run) = try await run("bad-credentials")
        assertFailedAndDeliveredNothing(run, mock)
        XCTAssertTrue(run.stderr.contains("ESET refused the username or password (HTTP 400: invalid_grant"), run.stderr)
        XCTAssertTrue(run.stderr.contains("'demo@example.com'") && run.stderr.contains("region 'eu'"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Check --username and the password (ESET_PASSWORD or --password-file)"), run.stderr)
        XCTAssertEqual(mock.server.counters.count(route: "token"), 1, "the same credentials are not retried")
        XCTAssertEqual(mock.server.counters.count(route: "device_groups") + mock.server.counters.count(route: "devices"), 0)
    }

    func testMissingPermissionStopsWithoutRetryingThe403() async throws {
        let (mock, run) = try await run("missing-permission")
        assertFailedAndDeliveredNothing(run, mock)
        XCTAssertTrue(run.stderr.contains("GET /v1/device_groups (page 1): ESET denied access (HTTP 403"), run.stderr)
        XCTAssertTrue(run.stderr.contains("\"Integrations\" permission") && run.stderr.contains("logged in once to ESET PROTECT Hub"), run.stderr)
        XCTAssertEqual(mock.server.counters.count(route: "device_groups", status: 403), 1, "403 is not retried")
        XCTAssertEqual(mock.server.counters.count(route: "devices"), 0)
    }

    func testAnAccountWithoutThePermissionGets403() async throws {
        let mock = try MockServer(fleet: fleet) { configuration in
            configuration.accounts.append(MockAccount(username: "noperm@example.com", password: "noperm-password", hasIntegrationsPermission: false))
        }
        var arguments = mock.collectArguments()
        arguments[arguments.firstIndex(of: "demo@example.com")!] = "noperm@example.com"
        let run = await runConnector(arguments, environment: ["ESET_PASSWORD": "noperm-password", "SEKOIA_API_KEY": MockServer.apiKey])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("ESET denied access (HTTP 403"), run.stderr)
        XCTAssertFalse(run.stderr.contains("noperm-password"))
    }

    func testTokenExpiryRenewsTheTokenAndRepeatsTheCall() async throws {
        let (mock, run) = try await run("token-expiry", extra: ["--page-size", "30"])
        assertSucceeded(run, mock)
        // 1 group page + 4 device pages, 2 calls per token: the 3rd and 5th data calls are refused.
        XCTAssertEqual(run.summary("retries (ESET)"), "token rejected (401) 2")
        XCTAssertEqual(mock.server.counters.count(route: "devices", status: 401) + mock.server.counters.count(route: "device_groups", status: 401), 2)
        let grants = mock.server.journal.filter { $0.route == "token" }.count
        XCTAssertEqual(grants, 3, "one password grant, then one refresh per 401")
    }

    func testRefreshFailureFallsBackToThePasswordGrant() async throws {
        let (mock, run) = try await run("refresh-fails", extra: ["--page-size", "30"])
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "token rejected (401) 2, refresh failed, password grant used 2")
        XCTAssertEqual(mock.server.counters.count(route: "token", status: 400), 2)
    }

    // MARK: Rate limits and server errors

    func testRateLimitBurstHonoursRetryAfter() async throws {
        let started = Date()
        let (mock, run) = try await run("rate-limit-burst", extra: ["--page-size", "50"])
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "rate-limited (429) 3")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2.9, "three waits of Retry-After: 1")
        XCTAssertEqual(run.stderr.components(separatedBy: "HTTP 429 (Retry-After '1'); rate-limited (429), retrying in 1 s").count - 1, 3, run.stderr)
    }

    func testRateLimitBurstWithoutRetryAfterBacksOffOnItsOwn() async throws {
        let (mock, run) = try await run("rate-limit-burst-no-retry-after", extra: ["--page-size", "50"])
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "rate-limited (429) 3")
    }

    func testServerErrorsAreRetriedWithBackoff() async throws {
        let (mock, run) = try await run("server-errors")
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "server error (5xx) 4")
        for status in ["HTTP 500", "HTTP 502", "HTTP 503", "HTTP 504"] {
            XCTAssertTrue(run.stderr.contains(status), "\(status) reported: \(run.stderr)")
        }
    }

    func testPersistentGroupErrorsFailTheCycleAfterBoundedRetries() async throws {
        let directory = try temporaryDirectory(self)
        let (mock, run) = try await run(
            "server-errors-persistent", extra: ["--max-retries", "3", "-o", directory + "/out.ndjson", "--state-dir", directory + "/state"])
        assertFailedAndDeliveredNothing(run, mock)
        XCTAssertEqual(mock.server.counters.count(route: "device_groups", status: 503), 4, "1 attempt + 3 retries")
        XCTAssertEqual(mock.server.counters.count(route: "devices"), 0, "no device is fetched without the group map")
        XCTAssertTrue(run.stderr.contains("GET /v1/device_groups (page 1): HTTP 503; gave up after 4 attempts"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Use --allow-missing-groups to send them anyway. Limits: --max-retries 3, --max-retry-time 300 s."), run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["state"], "no output file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/state"), [".lock-eu"], "no checkpoint, only the run's lock")
    }

    func testPersistentGroupErrorsDegradeWithAllowMissingGroups() async throws {
        let (mock, run) = try await run("server-errors-persistent", extra: ["--max-retries", "1", "--allow-missing-groups"])
        assertSucceeded(run, mock)
        XCTAssertTrue(run.stderr.contains("warning: cannot load the device groups"), run.stderr)
        XCTAssertEqual(run.summary("device groups"), "0 (0 pages) MISSING")
        let items = mock.server.receivedSekoiaItems().compactMap { try? JSONParser.parse($0) }
        XCTAssertEqual(items.count, fleet.deliverable.count)
        XCTAssertTrue(items.allSatisfy { $0["device"]?["groups"] == nil }, "no group can be resolved")
    }

    func testSlowCache202IsPolledWithTheResponseID() async throws {
        let (mock, run) = try await run("slow-cache-202")
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "cached answer pending (202) 3")
        let polled = mock.server.journal.filter { $0.status == 202 }.count
        XCTAssertEqual(polled, 3, "devices: 202, 202, 200; groups: 202, 200")
    }

    func testMalformedPageIsFetchedAgainNeverMappedPartially() async throws {
        let (mock, run) = try await run("malformed-page")
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "truncated or malformed body 1")
        XCTAssertTrue(run.stderr.contains("GET /v1/devices (page 1): malformed JSON"), run.stderr)
    }

    func testTruncatedBodyIsRetriedOnANewConnection() async throws {
        let (mock, run) = try await run("truncated-body")
        assertSucceeded(run, mock)
        let retries = run.summary("retries (ESET)") ?? ""
        XCTAssertTrue(retries == "truncated or malformed body 1" || retries == "connection failure 1", retries)
    }

    func testConnectionResetIsRetried() async throws {
        let (mock, run) = try await run("connection-reset")
        assertSucceeded(run, mock)
        XCTAssertEqual(mock.server.journal.filter { $0.route == "devices" && $0.fault == "reset" }.count, 1, "the reset happened")
        XCTAssertEqual(mock.server.journal.filter { $0.route == "devices" }.count, 2, "page 1 was asked again")
        // libcurl itself re-sends a request whose reused keep-alive connection died before any
        // answer; otherwise the client's own retry does it.
        let retries = run.summary("retries (ESET)") ?? ""
        XCTAssertTrue(retries == "0" || retries == "connection failure 1", retries)
    }

    func testSlowResponsesWithinTheTimeout() async throws {
        let (mock, run) = try await run("slow-response", extra: ["--timeout", "3"])
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summary("retries (ESET)"), "0")
    }

    func testSlowResponsesBeyondTheTimeoutFailNamingTheCall() async throws {
        let (mock, run) = try await run("slow-response", extra: ["--timeout", "0.1", "--max-retries", "1"])
        assertFailedAndDeliveredNothing(run, mock)
        XCTAssertTrue(run.stderr.contains("GET /v1/device_groups (page 1): no complete answer within 0.1 s; gave up after 2 attempts"), run.stderr)
        XCTAssertEqual(run.summary("retries (ESET)"), "timeout 1")
    }

    // MARK: Paging

    func testEveryLastPageTokenStyleEndsTheList() async throws {
        for scenario in ["last-page-token-empty", "last-page-token-missing", "last-page-token-null"] {
            let (mock, run) = try await run(scenario)
            assertSucceeded(run, mock)
            XCTAssertEqual(run.summaryInt("pages"), 3, scenario)
            XCTAssertEqual(mock.server.counters.count(route: "devices"), 3, scenario)
        }
    }

    func testDuplicateAcrossPagesIsDeliveredOnceAndCounted() async throws {
        let (mock, run) = try await run("duplicate-across-pages")
        assertSucceeded(run, mock)
        XCTAssertEqual(run.summaryInt("duplicates"), 1)
        XCTAssertEqual(run.summaryInt("devices fetched"), 121)
        XCTAssertEqual(run.summaryInt("mapped"), 120)
    }

    func testFleetChangesBetweenPagesDeliverWhatWasServed() async throws {
        let (mock, run) = try await run("fleet-changes-between-pages")
        var expected = fleet.deliverable
        expected.remove(TestFleet.uuid(119))
        expected.insert("feedc0de-0000-4000-8000-000000000001")
        assertSucceeded(run, mock, expected: expected)
        let names = Dictionary(uniqueKeysWithValues: mock.server.receivedSekoiaItems().compactMap { item -> (String, String)? in
            guard let json = try? JSONParser.parse(item), let uid = json["device"]?["uid"]?.stringValue,
                let name = json["device"]?["name"]?.stringValue
            else { return nil }
            return (uid, name)
        })
        XCTAssertEqual(names[TestFleet.uuid(118)], "DEV-118 (renamed)")
        XCTAssertEqual(names["feedc0de-0000-4000-8000-000000000001"], "ADDED-BETWEEN-PAGES")
    }

    func testRepeatedPageTokenFailsInsteadOfLoopingAndKeepsTheCheckpoint() async throws {
        let directory = try temporaryDirectory(self)
        let (mock, run) = try await run("repeated-page-token", extra: ["--state-dir", directory])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("GET /v1/devices (page 2): the API returned page token"), run.stderr)
        XCTAssertTrue(run.stderr.contains("a second time"), run.stderr)
        XCTAssertEqual(mock.server.counters.count(route: "devices"), 2, "bounded: two device pages")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/checkpoint-eu.json"))
    }

    func testEmptyFleetSucceedsWithoutPushing() async throws {
        let (mock, run) = try await run("empty-fleet")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(mock.server.counters.count(route: "sekoia-push"), 0, "no empty POST")
        XCTAssertEqual(run.summaryInt("mapped"), 0)
        XCTAssertEqual(run.summary("batches pushed"), "0 (0 events)")
    }
}
