import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

final class SekoiaIntakeTests: XCTestCase {
    private let push = "/sekoia/api/v2/asset-management/asset-connector/3f1c2a9e-0000-4000-8000-000000000001"

    private func post(_ mock: MockHarness, _ body: String, key: String? = "sekoia-demo-key") throws -> RawHTTPResponse {
        var headers = [("Content-Type", "application/json")]
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        return try mock.request("POST", push, headers: headers, body: Array(body.utf8))
    }

    private func poll(_ mock: MockHarness, _ task: String) throws -> String? {
        let response = try mock.request("GET", "/sekoia/api/v1/tasks/\(task)", headers: [("Authorization", "Bearer sekoia-demo-key")])
        return try JSONParser.parse(response.body)["status"]?.stringValue
    }

    func testAcceptedBatchKeepsItemsVerbatimAndTaskProgresses() throws {
        let mock = try MockHarness()
        let body = #"{"version": 1, "items": [{"device": {"uid": "a"}, "time": 1747821600.0}, {"device":{"uid":"b"},"n":1.50}]}"#
        let response = try post(mock, body)
        XCTAssertEqual(response.status, 200, response.bodyText)
        let task = try XCTUnwrap(try JSONParser.parse(response.body)["task_id"]?.stringValue)
        XCTAssertEqual(try poll(mock, task), "PENDING")
        XCTAssertEqual(try poll(mock, task), "RUNNING")
        XCTAssertEqual(try poll(mock, task), "FINISHED")
        XCTAssertEqual(try poll(mock, task), "FINISHED")
        XCTAssertEqual(mock.server.receivedSekoiaItems().map { String(decoding: $0, as: UTF8.self) },
                       [#"{"device": {"uid": "a"}, "time": 1747821600.0}"#, #"{"device":{"uid":"b"},"n":1.50}"#])
        XCTAssertEqual(mock.server.receivedSekoiaBatches().map(\.itemCount), [2])
        XCTAssertEqual(mock.server.receivedSekoiaBatches().first?.connectorUUID, "3f1c2a9e-0000-4000-8000-000000000001")
        let admin = try mock.adminJSON("sekoia/items").json
        XCTAssertEqual(admin["received"], .int(2))
        XCTAssertEqual(admin["items"]?.arrayValue?.count, 2)
        XCTAssertEqual(admin["items"]?.arrayValue?[1]["device"]?["uid"], "b")
        XCTAssertEqual(try mock.adminJSON("sekoia/items?offset=1&limit=5").json["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(try mock.adminJSON("sekoia/batches").json["batches"]?.arrayValue?.first?["taskId"], .string(task))
        XCTAssertEqual(try mock.request("GET", "/sekoia/api/v1/tasks/unknown", headers: [("Authorization", "Bearer sekoia-demo-key")]).status, 404)
    }

    func testAPIKeyIsChecked() throws {
        let mock = try MockHarness()
        let body = #"{"version": 1, "items": []}"#
        XCTAssertEqual(try post(mock, body, key: nil).status, 401)
        XCTAssertEqual(try post(mock, body, key: "wrong-key").status, 403)
        XCTAssertEqual(try mock.request("GET", "/sekoia/api/v1/tasks/x").status, 401)
        XCTAssertEqual(mock.server.counters.sekoiaBatchesRejected, 2)
        let custom = try MockHarness { $0.sekoiaAPIKey = "another" }
        XCTAssertEqual(try post(custom, body, key: "sekoia-demo-key").status, 403)
        XCTAssertEqual(try post(custom, body, key: "another").status, 200)
    }

    func testInvalidBodiesAre400WithAMessage() throws {
        let mock = try MockHarness()
        let cases: [(String, String)] = [
            ("{\"version\": 1, \"items\": [}", "line 1"),
            ("[]", "object"),
            ("{\"items\": []}", "version"),
            ("{\"version\": 2, \"items\": []}", "version"),
            ("{\"version\": 1}", "items"),
            ("{\"version\": 1, \"items\": {}}", "array"),
            ("{\"version\": 1, \"items\": [{}, 3]}", "items[1]"),
        ]
        for (body, mention) in cases {
            let response = try post(mock, body)
            XCTAssertEqual(response.status, 400, body)
            let message = try JSONParser.parse(response.body)["message"]?.stringValue ?? ""
            XCTAssertTrue(message.contains(mention), "\(body) → \(message)")
        }
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0)
    }

    func testItemLimitIs413() throws {
        let mock = try MockHarness { $0.sekoiaMaxItemsPerBatch = 3 }
        XCTAssertEqual(try post(mock, #"{"version":1,"items":[{},{},{}]}"#).status, 200)
        let tooMany = try post(mock, #"{"version":1,"items":[{},{},{},{}]}"#)
        XCTAssertEqual(tooMany.status, 413)
        XCTAssertTrue(try JSONParser.parse(tooMany.body)["message"]?.stringValue?.contains("4 > 3") ?? false)
    }

    func testStorageIsBoundedButCountsEverything() throws {
        let mock = try MockHarness { $0.sekoiaItemCapacity = 3 }
        for batch in 0..<3 {
            XCTAssertEqual(try post(mock, "{\"version\":1,\"items\":[{\"i\":\(batch * 2)},{\"i\":\(batch * 2 + 1)}]}").status, 200)
        }
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 6)
        XCTAssertEqual(mock.server.receivedSekoiaItems().map { String(decoding: $0, as: UTF8.self) }, [#"{"i":3}"#, #"{"i":4}"#, #"{"i":5}"#])
        XCTAssertEqual(mock.server.counters.sekoiaBatchesAccepted, 3)
    }

    func testSekoia429() throws {
        let mock = try MockHarness(scenarios: ["sekoia-429"])
        let body = #"{"version":1,"items":[{"a":1}]}"#
        for _ in 0..<2 {
            let refused = try post(mock, body)
            XCTAssertEqual(refused.status, 429)
            XCTAssertEqual(refused.header("Retry-After"), "1")
            XCTAssertEqual(try JSONParser.parse(refused.body)["message"], "too many requests")
        }
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0, "refused batches are not kept")
        XCTAssertEqual(try post(mock, body).status, 200)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 1)
    }

    func testSekoia5xx() throws {
        let mock = try MockHarness(scenarios: ["sekoia-5xx"])
        let body = #"{"version":1,"items":[{"a":1}]}"#
        let first = try post(mock, body)
        XCTAssertEqual(first.status, 500)
        XCTAssertEqual(try JSONParser.parse(first.body)["code"], .int(13))
        let second = try post(mock, body)
        XCTAssertEqual(second.status, 503)
        XCTAssertTrue(second.body.isEmpty)
        XCTAssertEqual(try post(mock, body).status, 200)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 1)
        XCTAssertEqual(mock.server.counters.sekoiaBatchesRejected, 2)
    }

    func testSekoiaTaskFailed() throws {
        let mock = try MockHarness(scenarios: ["sekoia-task-failed"])
        let response = try post(mock, #"{"version":1,"items":[{"a":1}]}"#)
        let task = try XCTUnwrap(try JSONParser.parse(response.body)["task_id"]?.stringValue)
        XCTAssertEqual(try poll(mock, task), "PENDING")
        XCTAssertEqual(try poll(mock, task), "FAILED")
        XCTAssertEqual(try poll(mock, task), "FAILED")
    }

    func testSekoiaNoTaskID() throws {
        let mock = try MockHarness(scenarios: ["sekoia-no-task-id"])
        let response = try post(mock, #"{"version":1,"items":[{"a":1}]}"#)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try JSONParser.parse(response.body), .object(JSONObject()))
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 1)
    }

    func testSekoia429RetryAfterVariants() throws {
        let dated = try MockHarness(scenarios: ["sekoia-429-http-date"])
        let before = Date()
        let refused = try post(dated, #"{"version":1,"items":[{"a":1}]}"#)
        XCTAssertEqual(refused.status, 429)
        let header = try XCTUnwrap(refused.header("Retry-After"))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = try XCTUnwrap(formatter.date(from: header), header)
        XCTAssertEqual(date.timeIntervalSince(before), 2, accuracy: 1.5, header)
        XCTAssertEqual(try post(dated, #"{"version":1,"items":[{"a":1}]}"#).status, 200)

        let garbled = try MockHarness(scenarios: ["sekoia-429-unparsable-retry-after"])
        XCTAssertEqual(try post(garbled, #"{"version":1,"items":[]}"#).header("Retry-After"), "soon")
    }

    func testAFullThousandItemBatchAboveOneMebibyteIsAccepted() throws {
        let mock = try MockHarness()
        let item = "{\"padding\":\"" + String(repeating: "x", count: 1100) + "\"}"
        let body = "{\"version\":1,\"items\":[" + Array(repeating: item, count: 1000).joined(separator: ",") + "]}"
        XCTAssertGreaterThan(body.utf8.count, 1024 * 1024)
        XCTAssertEqual(try post(mock, body).status, 200)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 1000)
    }
}
