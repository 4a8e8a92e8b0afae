import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

/// Member devices, move, rename and batchImport: answers, state seen by later reads, bounds,
/// reset, journal and counters; and the gateway-like parameter checks of every operation.
final class OperationsTests: XCTestCase {
    /// root ← group-1 ← group-2; group-0 is another root. Devices 0–3 in group-1, 4–5 in group-2, 6 nowhere.
    static func treeFleet() -> TestFleet {
        var fleet = TestFleet(devices: 7)
        fleet.groups = [
            #"{"uuid":"group-0","displayName":"Root","isSecurityGroup":false}"#,
            #"{"uuid":"group-1","displayName":"Child","isSecurityGroup":false,"parentGroupUuid":"group-0"}"#,
            #"{"uuid":"group-2","displayName":"Grandchild","isSecurityGroup":false,"parentGroupUuid":"group-1"}"#,
            #"{"uuid":"group-9","displayName":"Elsewhere","isSecurityGroup":false}"#,
        ]
        for index in 0..<6 {
            let parent = index < 4 ? "group-1" : "group-2"
            fleet.devices[index] = "{\"uuid\":\"\(TestFleet.uuid(index))\",\"displayName\":\"DEV-\(index)\",\"parentGroupUuid\":\"\(parent)\"}"
        }
        return fleet
    }

    let dm = "/\(MockHarness.eu)"

    private func post(_ mock: MockHarness, _ token: String, _ path: String, _ body: String) throws -> (status: Int, json: JSONValue) {
        let response = try mock.request("POST", dm + path, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                        body: Array(body.utf8))
        return (response.status, (try? JSONParser.parse(response.body)) ?? .null)
    }

    private func getJSON(_ mock: MockHarness, _ token: String, _ path: String) throws -> (status: Int, json: JSONValue) {
        let response = try mock.get(dm + path, token: token)
        return (response.status, (try? JSONParser.parse(response.body)) ?? .null)
    }

    func testMemberDevicesDirectAndRecursivePagedWithTotalSize() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        let direct = try getJSON(mock, token, "/v1/device_groups/group-1/devices")
        XCTAssertEqual(direct.status, 200)
        XCTAssertEqual(direct.json["devices"]?.uuids, (0..<4).map(TestFleet.uuid))
        XCTAssertEqual(direct.json["devices"]?.arrayValue?.first?["groupUuid"], "group-1")
        XCTAssertEqual(direct.json["devices"]?.arrayValue?.first?["displayName"], "DEV-0")
        XCTAssertEqual(direct.json["totalSize"], .int(4))
        XCTAssertEqual(direct.json["nextPageToken"], "")

        var seen: [String] = []
        var next = ""
        for _ in 0..<10 {
            let page = try getJSON(mock, token, "/v1/device_groups/group-0/devices?recurseSubgroups=true&pageSize=4"
                                   + (next.isEmpty ? "" : "&pageToken=\(mock.formEncode(next))"))
            XCTAssertEqual(page.status, 200)
            XCTAssertEqual(page.json["totalSize"], .int(6))
            seen += page.json["devices"]?.uuids ?? []
            next = page.json["nextPageToken"]?.stringValue ?? ""
            if next.isEmpty { break }
        }
        XCTAssertEqual(seen, (0..<6).map(TestFleet.uuid), "the whole subtree, each device once")
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-0/devices").json["devices"]?.uuids, [], "no direct members")
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-0/devices?recurseSubgroups=false").json["totalSize"], .int(0))
        let unknown = try getJSON(mock, token, "/v1/device_groups/nope/devices")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.json["code"], .int(5))
        // A page token belongs to its group and recursion.
        let first = try getJSON(mock, token, "/v1/device_groups/group-0/devices?recurseSubgroups=true&pageSize=2")
        let token2 = first.json["nextPageToken"]?.stringValue ?? ""
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-1/devices?pageSize=2&pageToken=\(mock.formEncode(token2))").status, 400)
    }

    func testMoveAndRenameAreSeenByEveryLaterReadAndUndoneByReset() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        let uuid = TestFleet.uuid(0)
        let moved = try post(mock, token, "/v1/devices/\(uuid):move", #"{"newParentUuid": "group-9"}"#)
        XCTAssertEqual(moved.status, 200)
        XCTAssertEqual(moved.json["device"]?["parentGroupUuid"], "group-9")
        let renamed = try post(mock, token, "/v1/devices/\(uuid):rename", #"{"displayName": "Zoë's laptop"}"#)
        XCTAssertEqual(renamed.status, 200)
        XCTAssertEqual(renamed.json["device"]?["displayName"], "Zoë's laptop")
        XCTAssertEqual(renamed.json["device"]?["parentGroupUuid"], "group-9", "the move is kept")

        XCTAssertEqual(try getJSON(mock, token, "/v1/devices/\(uuid)").json["device"]?["displayName"], "Zoë's laptop")
        let list = try mock.walk(token: token)
        XCTAssertEqual(list.items.first?["displayName"], "Zoë's laptop")
        XCTAssertEqual(list.items.count, 7)
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices:batchGet?devicesUuids=\(uuid)").json["devices"]?.arrayValue?.first?["parentGroupUuid"], "group-9")
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices?displayNames=Zo%C3%AB%27s%20laptop").json["devices"]?.uuids, [uuid])
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-9/devices").json["devices"]?.uuids, [uuid])
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-1/devices").json["totalSize"], .int(3))

        let counters = try mock.adminJSON("counters").json
        XCTAssertEqual(counters["byRoute"]?["move"]?["200"], .int(1))
        XCTAssertEqual(counters["byRoute"]?["rename"]?["200"], .int(1))
        let routes = (try mock.adminJSON("journal").json["entries"]?.arrayValue ?? []).compactMap { $0["route"]?.stringValue }
        XCTAssertTrue(routes.contains("move") && routes.contains("rename") && routes.contains("member_devices"), "\(routes)")

        XCTAssertEqual(try mock.adminJSON("reset", method: "POST").status, 200)
        let fresh = try mock.login().access
        let restored = try getJSON(mock, fresh, "/v1/devices/\(uuid)").json["device"]
        XCTAssertEqual(restored?["displayName"], "DEV-0")
        XCTAssertEqual(restored?["parentGroupUuid"], "group-1")
    }

    func testMoveAndRenameRefuseWhatESETWould() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        let uuid = TestFleet.uuid(1)
        XCTAssertEqual(try post(mock, token, "/v1/devices/nope:move", #"{"newParentUuid": "group-9"}"#).status, 404)
        XCTAssertEqual(try post(mock, token, "/v1/devices/\(uuid):move", #"{"newParentUuid": "nope"}"#).status, 404)
        let wrongType = try post(mock, token, "/v1/devices/\(uuid):move", #"{"newParentUuid": 9}"#)
        XCTAssertEqual(wrongType.status, 400)
        XCTAssertEqual(wrongType.json["code"], .int(3))
        XCTAssertTrue(wrongType.json["message"]?.stringValue?.contains("newParentUuid") ?? false, wrongType.json.jsonText)
        XCTAssertEqual(try post(mock, token, "/v1/devices/\(uuid):move", "{}").status, 400)
        XCTAssertEqual(try post(mock, token, "/v1/devices/\(uuid):rename", #"{"displayName": ""}"#).status, 400)
        XCTAssertEqual(try post(mock, token, "/v1/devices/\(uuid):rename", "[1]").status, 400)
        XCTAssertEqual(try post(mock, token, "/v1/devices/nope:rename", #"{"displayName": "x"}"#).status, 404)
        let text = try mock.request("POST", dm + "/v1/devices/\(uuid):rename", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/plain")],
                                    body: Array(#"{"displayName": "x"}"#.utf8))
        XCTAssertEqual(text.status, 400)
        XCTAssertEqual(try mock.get(dm + "/v1/devices/\(uuid):move", token: token).status, 404, "a GET is a lookup of uuid ':move'")
        let delete = try mock.request("DELETE", dm + "/v1/devices/\(uuid):rename", headers: [("Authorization", "Bearer \(token)")])
        XCTAssertEqual(delete.status, 405)
        XCTAssertEqual(delete.headers.first { $0.0.lowercased() == "allow" }?.1, "POST", "the methods the description documents for the path")
        let unauthenticated = try mock.request("POST", dm + "/v1/devices/\(uuid):move", headers: [("Content-Type", "application/json")],
                                               body: Array(#"{"newParentUuid": "group-9"}"#.utf8))
        XCTAssertEqual(unauthenticated.status, 400)
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices/\(uuid)").json["device"]?["displayName"], "DEV-1", "nothing changed")
    }

    func testBatchImportCreatesPendingDevicesAndReportsErrorsByDisplayName() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        let body = #"{"parentGroupUuid": "group-2", "devices": [{"displayName": "NEW-A", "isMobile": true, "description": "phone"}, {"displayName": "DUP"}, {"displayName": "DUP"}, {"description": "nameless"}, {"displayName": "NEW-B", "parentGroupUuid": "group-9"}, {"displayName": "NEW-C", "parentGroupUuid": "group-2"}]}"#
        let answer = try post(mock, token, "/v1/devices:batchImport", body)
        XCTAssertEqual(answer.status, 200, answer.json.jsonText)
        let created = answer.json["devices"]?.arrayValue ?? []
        XCTAssertEqual(created.map { $0["displayName"]?.stringValue }, ["NEW-A", "NEW-C"])
        XCTAssertTrue(created.allSatisfy { $0["enrollmentStatus"] == "DEVICE_ENROLLMENT_STATUS_PENDING" && $0["parentGroupUuid"] == "group-2" })
        XCTAssertEqual(created.first?["isMobile"], .bool(true))
        let errors = answer.json["errors"]?.objectValue
        XCTAssertEqual(errors?.keys.sorted(), ["DUP", "NEW-B", "devices[3]"])
        XCTAssertEqual(errors?["DUP"]?["code"], .int(3))

        let newUUIDs = created.compactMap { $0["uuid"]?.stringValue }
        XCTAssertEqual(newUUIDs.count, 2)
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices/\(newUUIDs[0])").json["device"]?["displayName"], "NEW-A")
        XCTAssertEqual(try mock.walk(token: token).items.count, 9)
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-0/devices?recurseSubgroups=true").json["totalSize"], .int(8))
        XCTAssertEqual(try mock.adminJSON("counters").json["byRoute"]?["batchImport"]?["200"], .int(1))

        XCTAssertEqual(try post(mock, token, "/v1/devices:batchImport", #"{"parentGroupUuid": "nope", "devices": [{"displayName": "X"}]}"#).status, 404)
        XCTAssertEqual(try post(mock, token, "/v1/devices:batchImport", #"{"devices": [{"displayName": "X"}]}"#).status, 400)
        XCTAssertEqual(try post(mock, token, "/v1/devices:batchImport", #"{"parentGroupUuid": "group-2", "devices": []}"#).status, 400)
        let typed = try post(mock, token, "/v1/devices:batchImport", #"{"parentGroupUuid": "group-2", "devices": [{"displayName": "X", "deviceType": "DEVICE_TYPE_TOASTER"}]}"#)
        XCTAssertEqual(typed.status, 400)
        XCTAssertTrue(typed.json["message"]?.stringValue?.contains("body.devices[0].deviceType") ?? false, typed.json.jsonText)

        _ = try mock.adminJSON("reset", method: "POST")
        let fresh = try mock.login().access
        XCTAssertEqual(try mock.get(dm + "/v1/devices/\(newUUIDs[0])", token: fresh).status, 404, "reset forgets imports")
    }

    func testImportsAreBoundedPerBatchAndInTotal() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        func batch(_ prefix: String, _ count: Int) -> String {
            let devices = (0..<count).map { "{\"displayName\":\"\(prefix)-\($0)\"}" }.joined(separator: ",")
            return "{\"parentGroupUuid\":\"group-9\",\"devices\":[\(devices)]}"
        }
        XCTAssertEqual(try post(mock, token, "/v1/devices:batchImport", batch("too-many", 1001)).status, 400)
        for round in 0..<10 {
            XCTAssertEqual(try post(mock, token, "/v1/devices:batchImport", batch("r\(round)", 1000)).status, 200, "round \(round)")
        }
        let full = try post(mock, token, "/v1/devices:batchImport", batch("one-more", 1))
        XCTAssertEqual(full.status, 400)
        XCTAssertTrue(full.json["message"]?.stringValue?.contains("reset") ?? false)
        XCTAssertEqual(try getJSON(mock, token, "/v1/device_groups/group-9/devices?pageSize=1").json["totalSize"], .int(10_000))
    }

    func testParametersAreCheckedLikeESETsGateway() throws {
        let mock = try MockHarness(fleet: Self.treeFleet())
        let token = try mock.login().access
        for (target, parameter) in [
            ("/v1/devices?functionalityStatus=BOGUS", "functionalityStatus"),
            ("/v1/devices?isMuted=yes", "isMuted"),
            ("/v1/devices?pageSize=ten", "pageSize"),
            ("/v1/devices?pageSize=-5", "pageSize"),
            ("/v1/devices?pageSize=1&pageSize=2", "pageSize"),
            ("/v1/device_groups?pageSize=abc", "pageSize"),
            ("/v1/device_groups/group-0/devices?recurseSubgroups=1", "recurseSubgroups"),
            ("/v1/device_groups/group-0/devices?pageSize=x", "pageSize"),
            ("/v1/devices/" + String(repeating: "a", count: 101), "deviceUuid"),
        ] {
            let answer = try getJSON(mock, token, target)
            XCTAssertEqual(answer.status, 400, target)
            XCTAssertEqual(answer.json["code"], .int(3), target)
            XCTAssertTrue(answer.json["message"]?.stringValue?.contains(parameter) ?? false, "\(target): \(answer.json.jsonText)")
        }
        // The description's prose over its schema: pageSize above 1000 (even above the schema's
        // 99999) is coerced to 1000; 0 means the default.
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices?pageSize=100000").status, 200)
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices?pageSize=0").status, 200)
        XCTAssertEqual(try getJSON(mock, token, "/v1/devices?functionalityStatus=DEVICE_FUNCTIONALITY_STATUS_OK").status, 200)
    }
}
