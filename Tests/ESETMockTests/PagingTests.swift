import Dispatch
import ESETMock
import HTTPTesting
import JSON
import Synchronization
import XCTest

final class PagingTests: XCTestCase {
    private let devices = "/\(MockHarness.eu)/v1/devices"

    func testDefaultPageSizeIs50AndPagesChainToTheEnd() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 120))
        let token = try mock.login().access
        let walk = try mock.walk(token: token)
        XCTAssertEqual(walk.pages.map { $0["devices"]?.arrayValue?.count ?? -1 }, [50, 50, 20])
        XCTAssertEqual(walk.items.uuids, (0..<120).map(TestFleet.uuid))
        XCTAssertEqual(walk.pages.last?["nextPageToken"], "", "the last page says so with an empty token by default")
        XCTAssertNil(walk.pages.first?["totalSize"], "ESET lists carry no totalSize")
        // pageSize=0 means the default too.
        let zero = try JSONParser.parse(try mock.get(devices + "?pageSize=0", token: token).body)
        XCTAssertEqual(zero["devices"]?.arrayValue?.count, 50)
    }

    func testPageSizeAbove1000IsCoercedTo1000() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 1003))
        let token = try mock.login().access
        for size in ["1001", "5000", "99999999999999999999999"] {
            let page = try JSONParser.parse(try mock.get(devices + "?pageSize=\(size)", token: token).body)
            XCTAssertEqual(page["devices"]?.arrayValue?.count, 1000, "pageSize=\(size)")
            XCTAssertNotEqual(page["nextPageToken"]?.stringValue ?? "", "")
        }
        let exact = try JSONParser.parse(try mock.get(devices + "?pageSize=1000", token: token).body)
        XCTAssertEqual(exact["devices"]?.arrayValue?.count, 1000)
        let walk = try mock.walk(token: token, pageSize: 2000)
        XCTAssertEqual(walk.pages.count, 2)
        XCTAssertEqual(Set(walk.items.uuids).count, 1003)
    }

    func testInvalidPageSizeIs400() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        for bad in ["-1", "abc", "1.5", "10x", "-", "%20"] {
            let response = try mock.get(devices + "?pageSize=\(bad)", token: token)
            XCTAssertEqual(response.status, 400, "pageSize=\(bad)")
            let json = try JSONParser.parse(response.body)
            XCTAssertEqual(json["code"], .int(3))
            XCTAssertEqual(json["details"], .array([]))
        }
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/device_groups?pageSize=-5", token: token).status, 400)
        XCTAssertEqual(try mock.get(devices + "?pageSize=3", token: token).status, 200)
    }

    func testPageTokenRules() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 10))
        let token = try mock.login().access
        let first = try JSONParser.parse(try mock.get(devices + "?pageSize=4", token: token).body)
        let next = try XCTUnwrap(first["nextPageToken"]?.stringValue)
        XCTAssertFalse(next.isEmpty)
        XCTAssertLessThanOrEqual(next.utf8.count, 128)
        // An empty pageToken is the first page.
        let empty = try JSONParser.parse(try mock.get(devices + "?pageSize=4&pageToken=", token: token).body)
        XCTAssertEqual(empty["devices"]?.uuids, first["devices"]?.uuids)
        // The same token reads the same page again (clients retry), with the same next token.
        let second = try JSONParser.parse(try mock.get(devices + "?pageSize=4&pageToken=\(mock.formEncode(next))", token: token).body)
        let again = try JSONParser.parse(try mock.get(devices + "?pageSize=4&pageToken=\(mock.formEncode(next))", token: token).body)
        XCTAssertEqual(second["devices"]?.uuids, (4..<8).map(TestFleet.uuid))
        XCTAssertEqual(second, again)
        // Tampered, unknown, too long, or used on the wrong list or region: 400.
        var tampered = Array(next)
        tampered[tampered.count - 1] = tampered[tampered.count - 1] == "A" ? "B" : "A"
        let longToken = String(repeating: "a", count: 129)
        for bad in [String(tampered), "unknown", "x.y", longToken] {
            let response = try mock.get(devices + "?pageToken=\(mock.formEncode(bad))", token: token)
            XCTAssertEqual(response.status, 400, "pageToken \(bad.prefix(20))")
            XCTAssertEqual(try JSONParser.parse(response.body)["code"], .int(3))
        }
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/device_groups?pageToken=\(mock.formEncode(next))", token: token).status, 400)
        let us = try mock.login(region: .us).access
        XCTAssertEqual(try mock.get("/\(MockRegion.us.deviceManagementHost)/v1/devices?pageToken=\(mock.formEncode(next))", token: us).status, 400)
        // pageSize may change between pages.
        let rest = try JSONParser.parse(try mock.get(devices + "?pageSize=100&pageToken=\(mock.formEncode(next))", token: token).body)
        XCTAssertEqual(rest["devices"]?.uuids, (4..<10).map(TestFleet.uuid))
        XCTAssertEqual(rest["nextPageToken"], "")
    }

    func testFixtureObjectsAreServedByteForByte() throws {
        var fleet = TestFleet(devices: 3)
        let odd = #"{ "uuid" : "odd-1", "operatingSystem": {"familyId": "3", "bitness": 64.0}, "score": 1.50, "big": 12345678901234567890, "esc": "caf\u00e9 \/ \"q\"", "tags": [ ], "n": null }"#
        fleet.devices[1] = odd
        fleet.groups[0] = #"{"uuid":"g-odd","displayName":"Gr\u00fcppe","isSecurityGroup":false,"x":1E2}"#
        // The planted values are off-contract on purpose: served verbatim all the same.
        let mock = try MockHarness(fleet: fleet, offContract: [.bodySchema])
        let token = try mock.login().access
        let page = try mock.get(devices, token: token)
        let expected = "{\"devices\":[" + fleet.devices.joined(separator: ",") + "],\"nextPageToken\":\"\"}"
        XCTAssertEqual(page.bodyText, expected)
        XCTAssertEqual(page.header("Content-Type"), "application/json")
        let single = try mock.get(devices + "/odd-1", token: token)
        XCTAssertEqual(single.bodyText, "{\"device\":" + odd + "}")
        let groups = try mock.get("/\(MockHarness.eu)/v1/device_groups", token: token)
        XCTAssertEqual(groups.bodyText, "{\"deviceGroups\":[" + fleet.groups.joined(separator: ",") + "],\"nextPageToken\":\"\"}")
    }

    func testDeviceByUUIDAndBatchGet() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 5))
        let token = try mock.login().access
        let one = try mock.get(devices + "/\(TestFleet.uuid(3))", token: token)
        XCTAssertEqual(one.status, 200)
        XCTAssertEqual(try JSONParser.parse(one.body)["device"]?["uuid"]?.stringValue, TestFleet.uuid(3))
        let unknown = try mock.get(devices + "/nope", token: token)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(try JSONParser.parse(unknown.body)["code"], .int(5))

        let asked = [4, 0, 2, 0].map(TestFleet.uuid)
        let query = asked.map { "devicesUuids=\($0)" }.joined(separator: "&")
        let batch = try mock.get("/\(MockHarness.eu)/v1/devices:batchGet?\(query)", token: token)
        XCTAssertEqual(batch.status, 200)
        XCTAssertEqual(try JSONParser.parse(batch.body)["devices"]?.uuids, asked, "in the order asked")
        // The colon may arrive percent-encoded.
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices%3AbatchGet?\(query)", token: token).status, 200)
        // All or nothing.
        let partial = try mock.get("/\(MockHarness.eu)/v1/devices:batchGet?devicesUuids=\(TestFleet.uuid(1))&devicesUuids=nope", token: token)
        XCTAssertEqual(partial.status, 404)
        XCTAssertTrue(partial.bodyText.contains("nope"))
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices:batchGet", token: token).status, 400)
    }

    func testFiltersMatchRawFieldsAndBindPageTokens() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 30))
        let token = try mock.login().access
        let named = try JSONParser.parse(try mock.get(devices + "?displayNames=DEV-3&displayNames=DEV-7", token: token).body)
        XCTAssertEqual(named["devices"]?.uuids, [3, 7].map(TestFleet.uuid))
        let muted = try JSONParser.parse(try mock.get(devices + "?isMuted=true&pageSize=100", token: token).body)
        XCTAssertEqual(muted["devices"]?.uuids, stride(from: 1, to: 30, by: 2).map(TestFleet.uuid))
        let ok = try JSONParser.parse(try mock.get(devices + "?functionalityStatus=DEVICE_FUNCTIONALITY_STATUS_OK&isMuted=false&pageSize=2", token: token).body)
        XCTAssertEqual(ok["devices"]?.uuids, [0, 6].map(TestFleet.uuid))
        let next = try XCTUnwrap(ok["nextPageToken"]?.stringValue)
        let page2 = try JSONParser.parse(try mock.get(devices + "?functionalityStatus=DEVICE_FUNCTIONALITY_STATUS_OK&isMuted=false&pageSize=2&pageToken=\(mock.formEncode(next))", token: token).body)
        XCTAssertEqual(page2["devices"]?.uuids, [12, 18].map(TestFleet.uuid))
        // A token from a filtered walk is refused without the same filters.
        XCTAssertEqual(try mock.get(devices + "?pageToken=\(mock.formEncode(next))", token: token).status, 400)
        XCTAssertEqual(try mock.get(devices + "?isMuted=maybe", token: token).status, 400)
    }

    func testRequestIDOnEveryAnswer() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        var seen = Set<String>()
        let answers: [RawHTTPResponse] = [
            try mock.get(devices, token: token),
            try mock.get(devices, token: nil),
            try mock.get(devices + "/nope", token: token),
            try mock.get("/nowhere.example.com/v1/devices", token: token),
            try mock.get("/\(MockHarness.eu)/v2/devices", token: token),
            try mock.tokenRequest([("grant_type", "password")]),
            try mock.request("GET", "/__admin/health"),
            try mock.request("GET", "/__admin/nope"),
            try mock.request("POST", "/sekoia/api/v1/tasks/x"),
        ]
        for answer in answers {
            let id = try XCTUnwrap(answer.header("request-id"), "status \(answer.status) lacks request-id")
            XCTAssertEqual(id.count, 36)
            seen.insert(id)
        }
        XCTAssertEqual(seen.count, answers.count, "request ids are unique")
    }

    func testUnknownHostsAndPathsAre404() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        XCTAssertEqual(try mock.get("/xx.device-management.eset.systems/v1/devices", token: token).status, 404)
        XCTAssertEqual(try mock.get("/", token: nil).status, 404)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices/", token: token).status, 404)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/oauth/token", token: nil).status, 404, "the token endpoint lives on the IAM host")
        XCTAssertEqual(try mock.request("POST", "/\(MockHarness.eu)/v1/devices", headers: [("Authorization", "Bearer \(token)")]).status, 405)
    }

    func testRoutingByHostHeader() throws {
        let mock = try MockHarness()
        let token = try mock.login().access
        let connection = try RawHTTPConnection(port: mock.server.port)
        defer { connection.close() }
        let request = "GET /v1/devices HTTP/1.1\r\nHost: eu.device-management.eset.systems:443\r\nAuthorization: Bearer \(token)\r\n\r\n"
        try connection.send(Array(request.utf8))
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try JSONParser.parse(response.body)["devices"]?.arrayValue?.count, 7)
        // The admin API is not reachable through a regional host.
        try connection.send(Array("GET /__admin/health HTTP/1.1\r\nHost: eu.device-management.eset.systems\r\n\r\n".utf8))
        XCTAssertEqual(try connection.readResponse().status, 404)
    }

    func testConcurrentClientsWalkConsistently() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 230))
        let tokens = try (0..<6).map { _ in try mock.login().access }
        let results = Mutex<[[String]]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: tokens.count) { index in
            do {
                let walk = try mock.walk(token: tokens[index], pageSize: 7 + index * 13)
                results.withLock { $0.append(walk.items.uuids) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let expected = (0..<230).map(TestFleet.uuid)
        for walked in results.withLock({ $0 }) { XCTAssertEqual(walked, expected) }
        XCTAssertEqual(results.withLock { $0.count }, tokens.count)
    }
}
