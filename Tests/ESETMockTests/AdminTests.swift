import ESETMock
import HTTPTesting
import JSON
import XCTest

final class AdminTests: XCTestCase {
    private let devices = "/\(MockHarness.eu)/v1/devices"

    func testHealthAndScenarioListing() throws {
        let mock = try MockHarness(scenarios: ["slow-response"])
        let health = try mock.adminJSON("health")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json["status"], "ok")
        XCTAssertEqual(health.json["devices"], .int(7))
        XCTAssertEqual(health.json["regions"], ["eu", "de", "us", "ca", "jpn"])
        let scenarios = try mock.adminJSON("scenarios")
        XCTAssertEqual(scenarios.json["active"], ["slow-response"])
        let available = scenarios.json["available"]?.arrayValue ?? []
        XCTAssertEqual(available.count, MockHarness.library.count)
        XCTAssertNotNil(available.first?["description"]?.stringValue)
    }

    func testSwitchScenariosAtRunTimeByNameAndInline() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        let switched = try mock.adminJSON("scenarios", method: "POST", body: #"{"scenarios": ["server-errors-persistent", {"name": "teapot", "description": "inline", "offContract": ["status", "media-type"], "rules": [{"route": "devices", "status": 418, "body": "text"}]}]}"#)
        XCTAssertEqual(switched.status, 200)
        XCTAssertEqual(switched.json["active"], ["server-errors-persistent", "teapot"])
        XCTAssertEqual(mock.server.activeScenarios, ["server-errors-persistent", "teapot"])
        XCTAssertEqual(try mock.get(devices, token: token).status, 418)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/device_groups", token: token).status, 503)

        let unknown = try mock.adminJSON("scenarios", method: "POST", body: #"{"scenarios": ["nope"]}"#)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertTrue(unknown.json["message"]?.stringValue?.contains("nope") ?? false)
        XCTAssertEqual(mock.server.activeScenarios, ["server-errors-persistent", "teapot"], "a failed switch changes nothing")
        let invalid = try mock.adminJSON("scenarios", method: "POST", body: #"{"scenarios": [{"name": "x", "description": "y", "rules": [{"route": "devices", "status": "500"}]}]}"#)
        XCTAssertEqual(invalid.status, 400)
        XCTAssertTrue(invalid.json["message"]?.stringValue?.contains("rules[0].status") ?? false, invalid.json.jsonText)
        XCTAssertEqual(try mock.request("POST", "/__admin/scenarios", body: Array("{".utf8)).status, 400)

        XCTAssertEqual(try mock.adminJSON("scenarios", method: "POST", body: #"{"scenarios": []}"#).status, 200)
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        // In-process too.
        try mock.server.setScenarios(["empty-fleet"])
        XCTAssertEqual(try mock.get(devices, token: token).bodyText, "{\"devices\":[],\"nextPageToken\":\"\"}")
        XCTAssertThrowsError(try mock.server.setScenarios(["nope"]))
    }

    func testScenarioCountsRestartWhenSwitchedOrReset() throws {
        let mock = try MockHarness(scenarios: ["malformed-page"])
        let token = try mock.login().access
        XCTAssertThrowsError(try JSONParser.parse(try mock.get(devices, token: token).body))
        XCTAssertNoThrow(try JSONParser.parse(try mock.get(devices, token: token).body))
        try mock.server.setScenarios(["malformed-page"])
        XCTAssertThrowsError(try JSONParser.parse(try mock.get(devices, token: token).body))
        _ = try mock.adminJSON("reset", method: "POST")
        XCTAssertEqual(try mock.get(devices, token: token).status, 401, "reset forgets issued tokens")
        let fresh = try mock.login().access
        XCTAssertThrowsError(try JSONParser.parse(try mock.get(devices, token: fresh).body), "scenario stays active, counts restart")
    }

    func testJournalNeverHoldsSecrets() throws {
        let mock = try MockHarness()
        let login = try mock.login()
        let page = try JSONParser.parse(try mock.get(devices + "?pageSize=3", token: login.access).body)
        let next = try XCTUnwrap(page["nextPageToken"]?.stringValue)
        _ = try mock.get(devices + "?pageSize=3&pageToken=\(mock.formEncode(next))&secret=hunter2", token: login.access)
        _ = try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", login.refresh)])
        _ = try mock.request("POST", "/sekoia/api/v2/asset-management/asset-connector/c1",
                             headers: [("Authorization", "Bearer sekoia-demo-key")], body: Array(#"{"version":1,"items":[]}"#.utf8))
        let response = try mock.request("GET", "/__admin/journal")
        XCTAssertEqual(response.status, 200)
        let text = response.bodyText
        for secret in ["demo-password", login.access, login.refresh, next, "hunter2", "sekoia-demo-key", "Bearer"] {
            XCTAssertFalse(text.contains(secret), "journal leaks \(secret.prefix(12))…")
        }
        let entries = try JSONParser.parse(response.body)["entries"]?.arrayValue ?? []
        XCTAssertEqual(entries.count, 5)
        let second = entries[2]
        XCTAssertEqual(second["method"], "GET")
        XCTAssertEqual(second["path"], .string(devices))
        XCTAssertEqual(second["query"], "pageSize=3&pageToken=REDACTED&secret=REDACTED")
        XCTAssertEqual(second["status"], .int(200))
        XCTAssertEqual(second["region"], "eu")
        XCTAssertEqual(second["service"], "device-management")
        XCTAssertEqual(second["route"], "devices")
        XCTAssertEqual(entries[0]["service"], "iam")
        XCTAssertEqual(entries[4]["service"], "sekoia")
        XCTAssertEqual(entries[4]["region"], .null)
        XCTAssertEqual(try mock.adminJSON("journal?limit=2").json["entries"]?.arrayValue?.count, 2)
        // In-process accessor agrees.
        XCTAssertEqual(mock.server.journal.count, 5)
        XCTAssertEqual(mock.server.journal.map(\.sequence), [1, 2, 3, 4, 5])
    }

    func testJournalIsBounded() throws {
        let mock = try MockHarness { $0.journalCapacity = 3 }
        let token = try mock.login().access
        for _ in 0..<5 { _ = try mock.get(devices, token: token) }
        XCTAssertEqual(mock.server.journal.map(\.sequence), [4, 5, 6])
        XCTAssertEqual(mock.server.counters.total, 6, "counters count everything even when the journal forgets")
    }

    func testCountersByRouteAndStatus() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        _ = try mock.get(devices, token: token)
        _ = try mock.get(devices, token: token)
        _ = try mock.get(devices + "/nope", token: token)
        _ = try mock.get("/\(MockHarness.eu)/v1/device_groups", token: nil)
        let counters = try mock.adminJSON("counters").json
        XCTAssertEqual(counters["total"], .int(5))
        XCTAssertEqual(counters["byRoute"]?["devices"]?["200"], .int(2))
        XCTAssertEqual(counters["byRoute"]?["device"]?["404"], .int(1))
        XCTAssertEqual(counters["byRoute"]?["device_groups"]?["400"], .int(1))
        XCTAssertEqual(counters["byRoute"]?["token"]?["200"], .int(1))
        XCTAssertEqual(mock.server.counters.count(route: "devices"), 2)
        _ = try mock.adminJSON("reset", method: "POST")
        XCTAssertEqual(try mock.adminJSON("counters").json["total"], .int(0))
    }

    func testAdminIsNotReachableUnderARegionalPrefix() throws {
        let mock = try MockHarness()
        for host in [MockRegion.eu.deviceManagementHost, MockRegion.us.tokenHost] {
            XCTAssertEqual(try mock.request("GET", "/\(host)/__admin/health").status, 404)
            XCTAssertEqual(try mock.request("POST", "/\(host)/__admin/reset").status, 404)
        }
        XCTAssertEqual(try mock.request("GET", "/__admin/reset").status, 405)
        XCTAssertEqual(try mock.request("GET", "/__admin/unknown").status, 404)
    }
}
