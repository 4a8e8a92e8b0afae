import ESETMock
import Fleet
import Foundation
import HTTPTesting
import JSON
import XCTest

/// Each shipped scenario file, proved over real sockets with the behaviour its README entry promises.
final class ScenarioTests: XCTestCase {
    private let devices = "/\(MockHarness.eu)/v1/devices"
    private let groups = "/\(MockHarness.eu)/v1/device_groups"

    func testEveryRequiredScenarioShips() throws {
        let names = Set(MockHarness.library.map(\.name))
        let required = ["bad-credentials", "missing-permission", "token-expiry", "refresh-fails", "rate-limit-burst",
                        "rate-limit-burst-no-retry-after", "server-errors", "server-errors-persistent", "slow-cache-202",
                        "malformed-page", "truncated-body", "connection-reset", "slow-response", "last-page-token-empty",
                        "last-page-token-missing", "last-page-token-null", "fleet-changes-between-pages",
                        "duplicate-across-pages", "repeated-page-token", "empty-fleet", "sekoia-429", "sekoia-5xx",
                        "sekoia-task-failed", "bad-credentials-401", "short-token-lifetime", "slow-cache-202-expired",
                        "sekoia-no-task-id", "sekoia-429-http-date", "sekoia-429-unparsable-retry-after"]
        for name in required { XCTAssertTrue(names.contains(name), "missing scenario \(name)") }
        for scenario in MockHarness.library {
            XCTAssertFalse(scenario.description.isEmpty, scenario.name)
            XCTAssertNotNil(scenario.expectation, "\(scenario.name) must say what a correct client does")
        }
    }

    func testBadCredentials() throws {
        let mock = try MockHarness(scenarios: ["bad-credentials"])
        for grant in [[("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")],
                      [("grant_type", "refresh_token"), ("refresh_token", "whatever")]] {
            let response = try mock.tokenRequest(grant)
            XCTAssertEqual(response.status, 400)
            XCTAssertEqual(try JSONParser.parse(response.body)["error"], "invalid_grant")
        }
        XCTAssertEqual(mock.server.journal.last?.scenario, "bad-credentials")
    }

    func testMissingPermission() throws {
        let mock = try MockHarness(scenarios: ["missing-permission"])
        let token = try mock.login().access
        for path in [devices, groups, devices + "/\(TestFleet.uuid(1))", "/\(MockHarness.eu)/v1/devices:batchGet?devicesUuids=x"] {
            let response = try mock.get(path, token: token)
            XCTAssertEqual(response.status, 403, path)
            XCTAssertEqual(try JSONParser.parse(response.body)["code"], .int(7))
        }
    }

    func testTokenExpiryAfterTwoCalls() throws {
        let mock = try MockHarness(scenarios: ["token-expiry"])
        let login = try mock.login()
        XCTAssertEqual(login.expiresIn, 3600)
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 200)
        XCTAssertEqual(try mock.get(groups, token: login.access).status, 200)
        let dead = try mock.get(devices, token: login.access)
        XCTAssertEqual(dead.status, 401)
        XCTAssertEqual(try JSONParser.parse(dead.body)["message"], "access token expired")
        let refreshed = try JSONParser.parse(try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", login.refresh)]).body)
        let fresh = try XCTUnwrap(refreshed["access_token"]?.stringValue)
        XCTAssertEqual(try mock.get(devices, token: fresh).status, 200)
        XCTAssertEqual(try mock.get(devices, token: fresh).status, 200)
        XCTAssertEqual(try mock.get(devices, token: fresh).status, 401)
    }

    func testRefreshFailsButPasswordGrantWorks() throws {
        let mock = try MockHarness(scenarios: ["refresh-fails"])
        let login = try mock.login()
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 200)
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 200)
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 401)
        let refresh = try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", login.refresh)])
        XCTAssertEqual(refresh.status, 400)
        XCTAssertEqual(try JSONParser.parse(refresh.body)["error"], "invalid_grant")
        let again = try mock.login()
        XCTAssertEqual(try mock.get(devices, token: again.access).status, 200)
    }

    func testRateLimitBurstWithAndWithoutRetryAfter() throws {
        for (name, header) in [("rate-limit-burst", "1" as String?), ("rate-limit-burst-no-retry-after", nil)] {
            let mock = try MockHarness(scenarios: [name])
            let token = try mock.login().access
            var statuses: [Int] = []
            for index in 0..<6 {
                let response = try mock.get(index % 2 == 0 ? devices : groups, token: token)
                statuses.append(response.status)
                if response.status == 429 {
                    XCTAssertEqual(response.header("Retry-After"), header, name)
                    XCTAssertTrue(response.body.isEmpty)
                }
            }
            XCTAssertEqual(statuses, [200, 429, 429, 200, 429, 200], name)
        }
    }

    func testServerErrorsThenRecovery() throws {
        let mock = try MockHarness(scenarios: ["server-errors"])
        let token = try mock.login().access
        let d1 = try mock.get(devices, token: token)
        XCTAssertEqual(d1.status, 500)
        XCTAssertEqual(try JSONParser.parse(d1.body)["code"], .int(13))
        let d2 = try mock.get(devices, token: token)
        XCTAssertEqual(d2.status, 502)
        XCTAssertTrue(d2.header("Content-Type")?.hasPrefix("text/html") ?? false)
        XCTAssertThrowsError(try JSONParser.parse(d2.body), "502 comes with a non-JSON body")
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        let g1 = try mock.get(groups, token: token)
        XCTAssertEqual(g1.status, 503)
        XCTAssertTrue(g1.body.isEmpty)
        let g2 = try mock.get(groups, token: token)
        XCTAssertEqual(g2.status, 504)
        XCTAssertEqual(try JSONParser.parse(g2.body)["code"], .int(4))
        XCTAssertEqual(try mock.get(groups, token: token).status, 200)
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
    }

    func testServerErrorsPersistent() throws {
        let mock = try MockHarness(scenarios: ["server-errors-persistent"])
        let token = try mock.login().access
        for _ in 0..<8 { XCTAssertEqual(try mock.get(groups, token: token).status, 503) }
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
    }

    func testSlowCache202Flow() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 60), scenarios: ["slow-cache-202"])
        let token = try mock.login().access
        let target = devices + "?pageSize=20"
        let accepted = try mock.get(target, token: token)
        XCTAssertEqual(accepted.status, 202)
        let id = try XCTUnwrap(accepted.header("response-id"))
        // A different query with that id is refused.
        XCTAssertEqual(try mock.get(devices + "?pageSize=21", token: token, headers: [("response-id", id)]).status, 400)
        let pending = try mock.get(target, token: token, headers: [("response-id", id)])
        XCTAssertEqual(pending.status, 202)
        XCTAssertEqual(pending.header("response-id"), id)
        let ready = try mock.get(target, token: token, headers: [("response-id", id)])
        XCTAssertEqual(ready.status, 200)
        let page = try JSONParser.parse(ready.body)
        XCTAssertEqual(page["devices"]?.uuids, (0..<20).map(TestFleet.uuid))
        XCTAssertEqual(try mock.get(target, token: token, headers: [("response-id", id)]).status, 404, "fetchable once")
        // The cached page's token continues the walk; later calls answer directly.
        let next = try XCTUnwrap(page["nextPageToken"]?.stringValue)
        XCTAssertEqual(try mock.get(devices + "?pageSize=20&pageToken=\(mock.formEncode(next))", token: token).status, 200)
        let groupAccepted = try mock.get(groups, token: token)
        XCTAssertEqual(groupAccepted.status, 202)
        let groupID = try XCTUnwrap(groupAccepted.header("response-id"))
        XCTAssertEqual(try mock.get(groups, token: token, headers: [("response-id", groupID)]).status, 200)
        XCTAssertEqual(try mock.get(groups, token: token, headers: [("response-id", "unknown")]).status, 404)
    }

    func testCached202AnswerExpires() throws {
        let clock = TestClock()
        let inline = try MockScenario(json: Array("""
            {"name": "short-cache", "description": "202 expiring after 2 s",
             "rules": [{"route": "devices", "calls": [1], "status": 202, "expiresAfterMs": 2000}]}
            """.utf8), source: "inline")
        let mock = try MockHarness { $0.clock = { clock.now } }
        mock.server.setScenarios([inline])
        let token = try mock.login().access
        let accepted = try mock.get(devices, token: token)
        let id = try XCTUnwrap(accepted.header("response-id"))
        clock.advance(2.5)
        XCTAssertEqual(try mock.get(devices, token: token, headers: [("response-id", id)]).status, 404)
    }

    func testMalformedPageOnceThenGoodPage() throws {
        let mock = try MockHarness(scenarios: ["malformed-page"])
        let token = try mock.login().access
        let broken = try mock.get(devices, token: token)
        XCTAssertEqual(broken.status, 200)
        XCTAssertEqual(broken.header("Content-Type"), "application/json")
        XCTAssertThrowsError(try JSONParser.parse(broken.body))
        let good = try mock.get(devices, token: token)
        XCTAssertEqual(try JSONParser.parse(good.body)["devices"]?.arrayValue?.count, 7)
    }

    func testTruncatedBodyOnce() throws {
        let mock = try MockHarness(scenarios: ["truncated-body"])
        let token = try mock.login().access
        XCTAssertThrowsError(try mock.get(devices, token: token), "the body ends before its Content-Length")
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        XCTAssertEqual(mock.server.journal.first { $0.route == "devices" }?.fault, "truncate")
    }

    func testConnectionResetOnce() throws {
        let mock = try MockHarness(scenarios: ["connection-reset"])
        let token = try mock.login().access
        XCTAssertThrowsError(try mock.get(devices, token: token))
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
    }

    func testSlowResponseDelaysDataCalls() throws {
        let mock = try MockHarness(scenarios: ["slow-response"])
        let token = try mock.login().access
        let started = Date()
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.29)
        let tokenStarted = Date()
        _ = try mock.login()
        XCTAssertLessThan(Date().timeIntervalSince(tokenStarted), 0.29, "token calls are not delayed")
    }

    func testLastPageTokenVariants() throws {
        for (name, check) in [("last-page-token-empty", { (page: JSONValue) in page["nextPageToken"] == "" }),
                              ("last-page-token-missing", { (page: JSONValue) in page["nextPageToken"] == nil }),
                              ("last-page-token-null", { (page: JSONValue) in page["nextPageToken"] == .null })] {
            let mock = try MockHarness(fleet: TestFleet(devices: 120), scenarios: [name])
            let token = try mock.login().access
            let walk = try mock.walk(token: token, pageSize: 1000)
            XCTAssertEqual(walk.pages.count, 3, "\(name): pages capped at 50")
            XCTAssertEqual(walk.items.uuids, (0..<120).map(TestFleet.uuid), name)
            XCTAssertTrue(check(walk.pages.last!), "\(name): \(walk.pages.last!.jsonText.suffix(40))")
            XCTAssertNotNil(walk.pages.first?["nextPageToken"]?.stringValue)
            let groupsPage = try JSONParser.parse(try mock.get(groups, token: token).body)
            XCTAssertTrue(check(groupsPage), "\(name) applies to groups too")
        }
    }

    func testFleetChangesBetweenPages() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 120), scenarios: ["fleet-changes-between-pages"])
        let token = try mock.login().access
        let walk = try mock.walk(token: token)
        var expected = (0..<119).map(TestFleet.uuid)
        expected.append("feedc0de-0000-4000-8000-000000000001")
        XCTAssertEqual(walk.items.uuids, expected)
        XCTAssertEqual(walk.items[118]["displayName"], "DEV-118 (renamed)")
        XCTAssertEqual(walk.items.last?["displayName"], "ADDED-BETWEEN-PAGES")
        // The changed fleet is what the API shows from now on, until a reset.
        XCTAssertEqual(try mock.get(devices + "/\(TestFleet.uuid(119))", token: token).status, 404)
        mock.server.reset()
        let fresh = try mock.login().access
        XCTAssertEqual(try mock.get(devices + "/\(TestFleet.uuid(119))", token: fresh).status, 200)
    }

    func testDuplicateAcrossPages() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 120), scenarios: ["duplicate-across-pages"])
        let token = try mock.login().access
        let walk = try mock.walk(token: token, pageSize: 100)
        XCTAssertEqual(walk.pages.map { $0["devices"]?.arrayValue?.count ?? 0 }, [50, 50, 21])
        XCTAssertEqual(walk.pages[0]["devices"]?.uuids.last, walk.pages[1]["devices"]?.uuids.first)
        XCTAssertEqual(walk.items.count, 121)
        XCTAssertEqual(Set(walk.items.uuids).count, 120)
    }

    func testRepeatedPageToken() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 120), scenarios: ["repeated-page-token"])
        let token = try mock.login().access
        let first = try JSONParser.parse(try mock.get(devices, token: token).body)
        let next = try XCTUnwrap(first["nextPageToken"]?.stringValue)
        for _ in 0..<3 {
            let page = try JSONParser.parse(try mock.get(devices + "?pageToken=\(mock.formEncode(next))", token: token).body)
            XCTAssertEqual(page["nextPageToken"]?.stringValue, next)
            XCTAssertEqual(page["devices"]?.uuids, (50..<100).map(TestFleet.uuid))
        }
    }

    func testEmptyFleet() throws {
        let mock = try MockHarness(scenarios: ["empty-fleet"])
        let token = try mock.login().access
        XCTAssertEqual(try mock.get(devices, token: token).bodyText, "{\"devices\":[],\"nextPageToken\":\"\"}")
        XCTAssertEqual(try mock.get(groups, token: token).bodyText, "{\"deviceGroups\":[],\"nextPageToken\":\"\"}")
        XCTAssertEqual(try mock.get(devices + "/\(TestFleet.uuid(0))", token: token).status, 404)
    }

    func testBadCredentials401() throws {
        let mock = try MockHarness(scenarios: ["bad-credentials-401"])
        let response = try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")])
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(try JSONParser.parse(response.body)["error"], "invalid_client")
    }

    func testShortTokenLifetime() throws {
        let clock = TestClock()
        let mock = try MockHarness(scenarios: ["short-token-lifetime"]) { $0.clock = { clock.now } }
        let login = try mock.login()
        XCTAssertEqual(login.expiresIn, 2)
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 200)
        clock.advance(2.1)
        XCTAssertEqual(try mock.get(devices, token: login.access).status, 401)
        XCTAssertEqual(try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", login.refresh)]).status, 200)
    }

    func testSlowCache202Expired() throws {
        let mock = try MockHarness(scenarios: ["slow-cache-202-expired"])
        let token = try mock.login().access
        let accepted = try mock.get(devices, token: token)
        XCTAssertEqual(accepted.status, 202)
        let id = try XCTUnwrap(accepted.header("response-id"))
        XCTAssertEqual(try mock.get(devices, token: token, headers: [("response-id", id)]).status, 404)
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
    }

    func testEveryScenarioIsDocumented() throws {
        let readme = ESETMockServer.defaultDataDirectory.appendingPathComponent("scenarios/README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for scenario in MockHarness.library {
            XCTAssertTrue(text.contains("### `\(scenario.name)`"), "scenarios/README.md lacks \(scenario.name)")
            XCTAssertTrue(text.contains(scenario.description), "the README's text of \(scenario.name) is out of date")
        }
    }

    func testDefaultMockDataLoadsWithTheSeedDeviceFirst() throws {
        var configuration = try ESETMockConfiguration.load()
        XCTAssertGreaterThanOrEqual(configuration.fixtures.deviceCount, 200)
        XCTAssertGreaterThanOrEqual(configuration.fixtures.deviceGroupCount, 10)
        XCTAssertEqual(configuration.fixtures.deviceUUIDs.first, DefaultFleet.seedDeviceUuid)
        XCTAssertEqual(Set(configuration.fixtures.deviceUUIDs.compactMap { $0 }).count, configuration.fixtures.deviceCount)
        XCTAssertTrue(configuration.accounts.contains { $0.username == "noperm@example.com" && !$0.hasIntegrationsPermission })
        configuration.rateLimitPerSecond = nil
        let server = try ESETMockServer(configuration: configuration)
        try server.start()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        let login = try connection.request("POST", "/eu.business-account.iam.eset.systems/oauth/token",
                                           headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                           body: Array("grant_type=password&username=noperm%40example.com&password=noperm-password".utf8))
        let token = try XCTUnwrap(try JSONParser.parse(login.body)["access_token"]?.stringValue)
        XCTAssertEqual(try connection.request("GET", "/eu.device-management.eset.systems/v1/devices",
                                              headers: [("Authorization", "Bearer \(token)")]).status, 403)
    }

    func testInlineRulesForCloseFaultTaskPollsRegionsAndGrants() throws {
        let inline = try MockScenario(json: Array("""
            {"name": "inline", "description": "rules not used by the shipped files",
             "rules": [{"route": "devices", "calls": [1], "fault": "close"},
                       {"route": "sekoia-task", "calls": [1], "status": 503},
                       {"route": "device_groups", "region": "us", "status": 500},
                       {"route": "token", "grant": "password", "region": "eu", "fromCall": 2, "status": 400}]}
            """.utf8), source: "inline")
        let mock = try MockHarness()
        mock.server.setScenarios([inline])
        let token = try mock.login().access
        let connection = try RawHTTPConnection(port: mock.server.port)
        defer { connection.close() }
        XCTAssertEqual(try connection.request("GET", devices, headers: [("Authorization", "Bearer \(token)")]).status, 200)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 5), "fault close ends the connection after the answer")
        XCTAssertEqual(try mock.get(groups, token: token).status, 200, "the rule is for us only")
        let usToken = try mock.login(region: .us).access
        XCTAssertEqual(try mock.get("/\(MockRegion.us.deviceManagementHost)/v1/device_groups", token: usToken).status, 500)
        XCTAssertEqual(try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"),
                                              ("password", "demo-password")]).status, 400, "second password grant")
        let key = [("Authorization", "Bearer sekoia-demo-key")]
        let pushed = try mock.request("POST", "/sekoia/api/v2/asset-management/asset-connector/c", headers: key,
                                      body: Array(#"{"version":1,"items":[]}"#.utf8))
        let task = try XCTUnwrap(try JSONParser.parse(pushed.body)["task_id"]?.stringValue)
        XCTAssertEqual(try mock.request("GET", "/sekoia/api/v1/tasks/\(task)", headers: key).status, 503)
        XCTAssertEqual(try JSONParser.parse(try mock.request("GET", "/sekoia/api/v1/tasks/\(task)", headers: key).body)["status"], "PENDING")
    }

    func testScenariosCombine() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 120), scenarios: ["last-page-token-null", "server-errors"])
        let token = try mock.login().access
        XCTAssertEqual(try mock.get(devices, token: token).status, 500)
        XCTAssertEqual(try mock.get(devices, token: token).status, 502)
        let walk = try mock.walk(token: token)
        XCTAssertEqual(walk.items.count, 120)
        XCTAssertEqual(walk.pages.last?["nextPageToken"], .null)
    }

    func testUnknownScenarioNameFailsAtConstruction() throws {
        var configuration = ESETMockConfiguration(fixtures: .empty, scenarioLibrary: MockHarness.library)
        configuration.activeScenarios = ["no-such-scenario"]
        XCTAssertThrowsError(try ESETMockServer(configuration: configuration)) { error in
            XCTAssertTrue("\(error)".contains("no-such-scenario"))
            XCTAssertTrue("\(error)".contains("token-expiry"), "the message lists the available ones")
        }
    }
}
