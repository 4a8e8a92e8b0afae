@testable import Collector
import ESET
import Foundation
import HTTPClient
import JSON
import Sekoia
import XCTest

/// The Sekoia.io intake client against a scripted transport.
final class SekoiaIntakeClientTests: XCTestCase {
    func client(_ transport: ScriptedTransport, taskTimeout: Double = 5, maxRetries: Int = 3) -> SekoiaIntakeClient {
        SekoiaIntakeClient(
            configuration: SekoiaConfiguration(
                baseURL: "https://api.sekoia.io/", connectorUUID: "conn-1", apiKey: Secret("the-api-key"),
                retry: RetryPolicy(maxRetries: maxRetries, maxRetryTime: 10, initialDelay: 0.001, maxDelay: 0.01, maxRetryAfter: 3600),
                taskTimeout: taskTimeout, taskPollInitialDelay: 0.001, taskPollMaxDelay: 0.02),
            transport: transport)
    }

    func expectError(_ kind: SekoiaError.Kind, _ body: () async throws -> Void) async -> SekoiaError? {
        do {
            try await body()
            XCTFail("expected \(kind)")
        } catch let error as SekoiaError {
            XCTAssertEqual(error.kind, kind, error.description)
            return error
        } catch {
            XCTFail("expected \(kind), got \(error)")
        }
        return nil
    }

    func testThePushIsTheDocumentedRequest() async throws {
        let transport = ScriptedTransport { _, _ in json(200, #"{"task_id":"t-1"}"#) }
        let taskID = try await client(transport).push([Array(#"{"a":1}"#.utf8), Array(#"{"b":2}"#.utf8)], batchNumber: 1)
        XCTAssertEqual(taskID, "t-1")
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url, "https://api.sekoia.io/api/v2/asset-management/asset-connector/conn-1")
        XCTAssertEqual(request.header("Authorization"), "Bearer the-api-key")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"version":1,"items":[{"a":1},{"b":2}]}"#)
    }

    func testA429WithUnusableRetryAfterFallsBackToBackoff() async throws {
        let answers = [HTTPClientResponse(status: 429, headers: [("Retry-After", "soon")]), HTTPClientResponse(status: 429, headers: [("Retry-After", "0")]), json(200, "{}")]
        let transport = ScriptedTransport { _, index in answers[index] }
        let sekoia = client(transport)
        let started = Date()
        let taskID = try await sekoia.push([Array("{}".utf8)], batchNumber: 1)
        XCTAssertNil(taskID, "no task id, nothing to follow")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertEqual(sekoia.retries.snapshot, [.rateLimited: 2])
    }

    func testOtherRefusalsAreFinalAndReportCodeAndMessage() async throws {
        let transport = ScriptedTransport { _, _ in json(400, #"{"code":"E_ITEMS","message":"items[3] is not an object"}"#) }
        let error = await expectError(.refused) { _ = try await self.client(transport).push([], batchNumber: 4) }
        XCTAssertEqual(error?.description, "POST asset-connector batch 4 (0 events): HTTP 400: E_ITEMS: items[3] is not an object")
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testServerErrorsAreBounded() async throws {
        let transport = ScriptedTransport { _, _ in HTTPClientResponse(status: 502) }
        let error = await expectError(.retriesExhausted) { _ = try await self.client(transport, maxRetries: 2).push([], batchNumber: 1) }
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertTrue(error?.message.contains("gave up after 3 attempts") == true)
    }

    func testTasksArePolledUntilFinished() async throws {
        let states = ["PENDING", "RUNNING", "RUNNING", "FINISHED"]
        let transport = ScriptedTransport { _, index in json(200, #"{"task_id":"t","status":"\#(states[index])"}"#) }
        let sekoia = client(transport)
        try await sekoia.waitForTask("t")
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(transport.requests.first?.url, "https://api.sekoia.io/api/v1/tasks/t")
        XCTAssertEqual(transport.requests.first?.header("Authorization"), "Bearer the-api-key")
        XCTAssertEqual(sekoia.retries.snapshot, [.taskPending: 3])
    }

    func testAnyOtherTaskStatusIsAFailure() async throws {
        for status in ["FAILED", "CANCELLED", "ERROR"] {
            let transport = ScriptedTransport { _, _ in json(200, #"{"status":"\#(status)","message":"bad item"}"#) }
            let error = await expectError(.taskFailed) { try await self.client(transport).waitForTask("t-9") }
            XCTAssertEqual(error?.description, "GET task t-9: task ended with status \(status): bad item")
        }
    }

    func testATaskThatNeverEndsTimesOut() async throws {
        let transport = ScriptedTransport { _, _ in json(200, #"{"status":"PENDING"}"#) }
        let started = Date()
        let error = await expectError(.taskTimedOut) { try await self.client(transport, taskTimeout: 0.2).waitForTask("t") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertTrue(error?.message.contains("task still PENDING") == true, "\(error!)")
    }

    func testTaskPollErrorsAreRetried() async throws {
        let answers = [HTTPClientResponse(status: 503), json(200, "not json"), json(200, #"{"status":"FINISHED"}"#)]
        let transport = ScriptedTransport { _, index in answers[index] }
        let sekoia = client(transport)
        try await sekoia.waitForTask("t")
        XCTAssertEqual(sekoia.retries.snapshot, [.serverError: 1, .malformedBody: 1])
    }

    func testTheSinkBatchesAndWaitsForEveryTask() async throws {
        let transport = ScriptedTransport { request, index in
            request.method == "POST" ? json(200, #"{"task_id":"t\#(index)"}"#) : json(200, #"{"status":"FINISHED"}"#)
        }
        let sink = SekoiaSink(client: client(transport), batchSize: 3, tasksInFlight: 1)
        try sink.beginCycle()
        for index in 0..<7 { try await sink.write(Array(#"{"n":\#(index)}"#.utf8)) }
        try await sink.finish()
        let pushes = transport.requests.filter { $0.method == "POST" }
        XCTAssertEqual(pushes.map { (try? JSONParser.parse($0.body))?["items"]?.arrayValue?.count }, [3, 3, 1])
        XCTAssertEqual(sink.batchesPushed, 3)
        XCTAssertEqual(sink.eventsPushed, 7)
        XCTAssertEqual(sink.tasksFinished, 3)
    }
}
