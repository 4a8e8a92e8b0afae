import ConnectorCheck
import ESET
import Foundation
import HTTPClient
import Synchronization
import XCTest

/// A transport answering from a script, recording what was sent.
final class ScriptedTransport: HTTPTransport {
    let handler: @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse
    private let sent = Mutex<[HTTPClientRequest]>([])

    init(_ handler: @escaping @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse) { self.handler = handler }

    var requests: [HTTPClientRequest] { sent.withLock { $0 } }

    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let index = sent.withLock { list -> Int in
            list.append(request)
            return list.count - 1
        }
        return try handler(request, index)
    }

    static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPClientResponse {
        HTTPClientResponse(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// The library's decisions, one at a time, with scripted answers (no network).
final class ConnectionCheckTests: XCTestCase {
    static let token = #"{"access_token": "access-1", "refresh_token": "r", "expires_in": 3600}"#

    func configuration(sekoia: Bool = false) -> CheckConfiguration {
        CheckConfiguration(
            region: .de, username: "api@example.com", password: Secret("pw-secret"),
            sekoia: sekoia ? SekoiaCheckTarget(baseURL: "https://sekoia.example/", connectorUUID: "c-1", apiKey: Secret("key-secret")) : nil,
            retryDelay: 0)
    }

    func testTransportFailuresAreClassifiedForTheDiagnosis() async {
        let cases: [(TransportError, String)] = [
            (.connectionFailed("cannot resolve host"), "dns"), (.connectionFailed("cannot connect to host"), "refused"),
            (.connectionFailed("TLS failure"), "tls"), (.timedOut(seconds: 30), "timeout"), (.connectionFailed("connection lost"), "connection"),
        ]
        for (error, kind) in cases {
            let transport = ScriptedTransport { _, _ in throw error }
            let report = await ConnectionCheck(configuration: configuration(), transport: transport).run()
            let reach = report.step(.esetReachable)
            XCTAssertEqual(reach?.status, .failed)
            XCTAssertEqual(reach?.diagnosis, .unreachable)
            XCTAssertEqual(reach?.string("failure"), kind)
            XCTAssertEqual(reach?.string("host"), "de.business-account.iam.eset.systems")
            XCTAssertEqual(report.steps.map(\.status), [.failed, .skipped, .skipped, .skipped])
            XCTAssertEqual(transport.requests.count, 1, "a transport failure is not retried")
        }
    }

    func testOne429IsRetriedOnceAndThenPasses() async {
        let transport = ScriptedTransport { request, index in
            if request.url.hasSuffix("/oauth/token") { return ScriptedTransport.json(200, Self.token) }
            if request.url.contains("device_groups") && index == 1 { return ScriptedTransport.json(429, "", headers: [("Retry-After", "0")]) }
            if request.url.contains("device_groups") { return ScriptedTransport.json(200, #"{"deviceGroups": [{"uuid": "g"}], "nextPageToken": ""}"#) }
            return ScriptedTransport.json(200, #"{"devices": [], "nextPageToken": ""}"#)
        }
        let report = await ConnectionCheck(configuration: configuration(), transport: transport).run()
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.step(.esetDeviceGroups)?.int("attempts"), 2)
        XCTAssertEqual(report.step(.esetDeviceGroups)?.int("groupCount"), 1)
        XCTAssertEqual(report.step(.esetDevices)?.bool("devicesExist"), false)
        XCTAssertEqual(transport.requests.map { $0.url.replacingOccurrences(of: "https://", with: "") }, [
            "de.business-account.iam.eset.systems/oauth/token",
            "de.device-management.eset.systems/v1/device_groups?pageSize=1",
            "de.device-management.eset.systems/v1/device_groups?pageSize=1",
            "de.device-management.eset.systems/v1/devices?pageSize=1",
        ])
        XCTAssertEqual(transport.requests[1].header("Authorization"), "Bearer access-1")
        XCTAssertEqual(transport.requests[0].header("3rd-integration"), "Sekoia.io")
    }

    func testA5xxTwiceIsAServerErrorAfterExactlyOneRetry() async {
        let transport = ScriptedTransport { _, _ in ScriptedTransport.json(503, "") }
        let report = await ConnectionCheck(configuration: configuration(), transport: transport).run()
        XCTAssertEqual(report.step(.esetCredentials)?.diagnosis, .serverError)
        XCTAssertEqual(report.step(.esetReachable)?.status, .passed, "an HTTP answer proves the endpoint reachable")
        XCTAssertEqual(transport.requests.count, 2)
    }

    func testA202IsResentOnceWithItsResponseID() async {
        let transport = ScriptedTransport { request, _ in
            if request.url.hasSuffix("/oauth/token") { return ScriptedTransport.json(200, Self.token) }
            if request.url.contains("device_groups"), request.header("response-id") == nil {
                return ScriptedTransport.json(202, "", headers: [("response-id", "cached-7")])
            }
            return ScriptedTransport.json(200, #"{"deviceGroups": [], "devices": [{"uuid": "d"}]}"#)
        }
        let report = await ConnectionCheck(configuration: configuration(), transport: transport).run()
        XCTAssertTrue(report.passed)
        XCTAssertEqual(transport.requests[2].header("response-id"), "cached-7")
        XCTAssertEqual(report.step(.esetDevices)?.bool("devicesExist"), true)
    }

    func testGroupsBeyondTheCountingBoundAreALowerBound() async {
        let transport = ScriptedTransport { request, index in
            if request.url.hasSuffix("/oauth/token") { return ScriptedTransport.json(200, Self.token) }
            if request.url.contains("device_groups") {
                return ScriptedTransport.json(200, #"{"deviceGroups": [{"uuid": "a"}, {"uuid": "b"}], "nextPageToken": "t\#(index)"}"#)
            }
            return ScriptedTransport.json(200, #"{"devices": [{"uuid": "d"}]}"#)
        }
        let report = await ConnectionCheck(configuration: configuration(), transport: transport).run()
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.step(.esetDeviceGroups)?.int("groupCount"), 2 * ConnectionCheck.groupPageLimit)
        XCTAssertEqual(report.step(.esetDeviceGroups)?.bool("groupCountIsLowerBound"), true)
        XCTAssertEqual(transport.requests.filter { $0.url.contains("device_groups") }.count, 1 + ConnectionCheck.groupPageLimit)
    }

    func testAnInvalidTokenBodyIsARefusalEvenUnderA200() async {
        let transport = ScriptedTransport { request, _ in
            if request.url.hasSuffix("/oauth/token") { return ScriptedTransport.json(500, "") }
            return ScriptedTransport.json(200, #"{"message": "The token is invalid", "code": "T300"}"#)
        }
        let report = await ConnectionCheck(configuration: configuration(sekoia: true), transport: transport).run()
        XCTAssertEqual(report.step(.sekoiaAPIKey)?.diagnosis, .apiKeyRefused)
        XCTAssertEqual(report.step(.sekoiaConnector)?.status, .skipped)
        let validate = transport.requests.first { $0.url.contains("apiauth") }
        XCTAssertEqual(validate?.url, "https://sekoia.example/api/v1/apiauth/auth/validate")
        XCTAssertEqual(validate?.method, "GET")
        XCTAssertFalse(transport.requests.contains { $0.url.contains("asset-connector") }, "nothing is pushed with a refused key")
    }

    func testTheConnectorStepPostsAnEmptyBatchOnly() async {
        let transport = ScriptedTransport { request, _ in
            if request.url.hasSuffix("/oauth/token") { return ScriptedTransport.json(500, "") }
            if request.url.contains("apiauth") { return ScriptedTransport.json(200, #"{"identity": "apikey:1"}"#) }
            return ScriptedTransport.json(200, #"{"task_id": "t"}"#)
        }
        let report = await ConnectionCheck(configuration: configuration(sekoia: true), transport: transport).run()
        XCTAssertEqual(report.step(.sekoiaConnector)?.status, .passed)
        let push = transport.requests.first { $0.url.contains("asset-connector") }
        XCTAssertEqual(push?.url, "https://sekoia.example/api/v2/asset-management/asset-connector/c-1")
        XCTAssertEqual(push.map { String(decoding: $0.body, as: UTF8.self) }, #"{"version":1,"items":[]}"#)
        XCTAssertEqual(push?.header("Authorization"), "Bearer key-secret")
        XCTAssertEqual(transport.requests.filter { $0.url.contains("/tasks/") }.count, 0, "the task is not polled")
    }
}
