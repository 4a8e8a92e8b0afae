@testable import Collector
@testable import ESET
@testable import HTTPClient
@testable import Sekoia
import Foundation
import JSON
import XCTest

/// Issue 12 items 1 and 4, end to end over real sockets: the connector's transport against
/// servers that redirect, never stop, lie about their length or inflate to gigabytes.
final class HostileServerTests: XCTestCase {
    private func client(_ server: HostileServer, timeout: Double = 5, pageSize: Int = 10, maxResponseBytes: Int? = nil) -> ESETClient {
        ESETClient(
            configuration: ESETClientConfiguration(
                endpoints: ESETEndpoints(region: .eu, overrideBase: server.baseURL), username: "api@example.com", password: Secret("S3cr&t p@ss+word%"),
                requestTimeout: timeout, retry: RetryPolicy(maxRetries: 2, maxRetryTime: 5, initialDelay: 0.01, maxDelay: 0.02),
                callsPerSecond: nil, pageSize: pageSize, maxResponseBytes: maxResponseBytes),
            transport: URLSessionTransport())
    }

    private func firstDevicePage(_ client: ESETClient) async throws {
        var cursor = ESETListCursor()
        _ = try await client.nextDevicePage(&cursor)
    }

    /// A server that hands out a token and answers `/v1/devices` with `devices`.
    private func serving(devices: @escaping @Sendable (_ send: ([UInt8]) -> Bool) -> Void) throws -> HostileServer {
        try HostileServer { head, _, send in
            if HostileServer.path(of: head).contains("/oauth/token") {
                _ = send(HostileServer.answer(200, HostileServer.token))
            } else {
                devices(send)
            }
        }
    }

    // MARK: Item 1: redirects

    func testARedirectOnTheDevicesCallIsRefusedAndTheTokenNeverLeaves() async throws {
        let foreign = try HostileServer { _, _, send in _ = send(HostileServer.answer(200, #"{"devices":[]}"#)) }
        let origin = try serving { send in
            _ = send(HostileServer.answer(302, "", headers: ["Location: http://localhost:\(foreign.port)/v1/devices"]))
        }
        let error = await assertClientError(.redirected) { try await self.firstDevicePage(self.client(origin)) }
        XCTAssertTrue(error?.message.contains("HTTP 302") == true && error?.message.contains("'localhost'") == true, "\(String(describing: error))")
        XCTAssertEqual(foreign.requests.count, 0, "nothing, least of all the bearer token, reached the other origin")
        XCTAssertEqual(origin.requests.filter { !$0.head.contains("/oauth/token") }.count, 1, "a redirect is not retried")
    }

    func testARedirectOnTheTokenEndpointIsRefusedAndThePasswordNeverLeaves() async throws {
        let foreign = try HostileServer { _, _, send in _ = send(HostileServer.answer(200, HostileServer.token)) }
        let origin = try HostileServer { _, _, send in
            _ = send(HostileServer.answer(307, "", headers: ["Location: http://localhost:\(foreign.port)/oauth/token"]))
        }
        let error = await assertClientError(.redirected) { _ = try await self.client(origin).accessToken() }
        XCTAssertTrue(error?.message.contains("HTTP 307") == true, "\(String(describing: error))")
        XCTAssertEqual(foreign.requests.count, 0)
        XCTAssertEqual(origin.requests.count, 1)
    }

    func testARedirectOnTheSekoiaPushAndTaskPollIsRefusedAndTheKeyNeverLeaves() async throws {
        let foreign = try HostileServer { _, _, send in _ = send(HostileServer.answer(200, "{}")) }
        let origin = try HostileServer { head, _, send in
            let path = HostileServer.path(of: head)
            if path.contains("/tasks/") {
                _ = send(HostileServer.answer(301, "", headers: ["Location: http://localhost:\(foreign.port)\(path)"]))
            } else if head.contains("X-Test: push-redirect") || path.hasSuffix("redirected-connector") {
                _ = send(HostileServer.answer(307, "", headers: ["Location: http://localhost:\(foreign.port)/push"]))
            } else {
                _ = send(HostileServer.answer(200, #"{"task_id":"task-1"}"#))
            }
        }
        func intake(_ uuid: String) -> SekoiaIntakeClient {
            SekoiaIntakeClient(
                configuration: SekoiaConfiguration(baseURL: origin.baseURL, connectorUUID: uuid, apiKey: Secret("sekoia-key-123"), requestTimeout: 5),
                transport: URLSessionTransport())
        }
        do {
            _ = try await intake("redirected-connector").push([Array(#"{"a":1}"#.utf8)], batchNumber: 1)
            XCTFail("a redirected push must fail")
        } catch let error as SekoiaError {
            XCTAssertEqual(error.kind, .redirected)
            XCTAssertTrue(error.message.contains("HTTP 307") && error.message.contains("localhost"), error.message)
        }
        let taskID = try await intake("good-connector").push([Array(#"{"a":1}"#.utf8)], batchNumber: 1)
        XCTAssertEqual(taskID, "task-1")
        do {
            try await intake("good-connector").waitForTask("task-1")
            XCTFail("a redirected task poll must fail")
        } catch let error as SekoiaError {
            XCTAssertEqual(error.kind, .redirected, error.message)
        }
        XCTAssertEqual(foreign.requests.count, 0, "the API key never reached the other origin")
    }

    // MARK: Item 4: bounded bodies and deadlines

    func testAnEndlessChunkedBodyStopsAtTheLimit() async throws {
        let chunk = Array((String(65536, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 0x20, count: 65536) + Array("\r\n".utf8)
        let origin = try serving { send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) else { return }
            for _ in 0..<(64 * 1024) where !send(chunk) { return }  // at most 4 GiB, normally a few MiB
        }
        let started = Date()
        let error = await assertClientError(.responseTooLarge) {
            try await self.firstDevicePage(self.client(origin, maxResponseBytes: 2 << 20))
        }
        XCTAssertTrue(error?.message.contains("2097152 bytes") == true, "\(String(describing: error))")
        // The kind says it: the size stopped it, not the 30 s deadline (a generous bound for a loaded machine).
        XCTAssertLessThan(Date().timeIntervalSince(started), 25, "fails at once, not at the deadline")
    }

    func testAHugeDeclaredLengthFailsBeforeTheBody() async throws {
        let origin = try serving { send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n".utf8)) else { return }
            for _ in 0..<(64 * 1024) where !send([UInt8](repeating: 0x20, count: 65536)) { return }
        }
        let error = await assertClientError(.responseTooLarge) { try await self.firstDevicePage(self.client(origin)) }
        XCTAssertTrue(error?.message.contains("declares 10737418240 bytes") == true, "\(String(describing: error))")
    }

    /// A server sending a 40 KB gzip stream that inflates to about 6 MB.
    private func bombServer() throws -> HostileServer {
        let bomb = HostileServer.gzipBomb(compressedBytes: 40_000)
        return try serving { send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n".utf8)) else { return }
            _ = send(bomb)
        }
    }

    func testACompressedAnswerNobodyAskedForIsRefusedBeforeInflating() async throws {
        let origin = try bombServer()
        let error = await assertClientError(.responseTooLarge) {
            try await self.firstDevicePage(self.client(origin, maxResponseBytes: 1 << 20))
        }
        XCTAssertTrue(error?.message.contains("Content-Encoding: gzip") == true, "\(String(describing: error))")
        XCTAssertTrue(origin.requests.last?.head.lowercased().contains("accept-encoding: identity") == true, origin.requests.last?.head ?? "")
    }

    func testACompressionBombIsCountedAfterDecodingWhenCompressionWasAccepted() async throws {
        // 40 KB on the wire, about 6 MB decoded: only counting decoded bytes catches it.
        let origin = try bombServer()
        let request = HTTPClientRequest(
            method: "GET", url: origin.baseURL + "/v1/devices", headers: [("Accept-Encoding", "gzip")], timeout: 5, maxResponseBytes: 1 << 20)
        do {
            _ = try await URLSessionTransport().send(request)
            XCTFail("a 6 MB answer passed a 1 MiB limit")
        } catch let error as TransportError {
            XCTAssertEqual(error, .responseTooLarge(limit: 1 << 20, declared: nil))
        }
    }

    func testTheTimeoutIsADeadlineForTheWholeAnswer() async throws {
        let origin = try serving { send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) else { return }
            // Bytes keep coming, so an idle timeout would never fire.
            for _ in 0..<100_000 {
                guard send(Array("2\r\n  \r\n".utf8)) else { return }
                usleep(2_000)
            }
        }
        let started = Date()
        let error = await assertClientError(.retriesExhausted) {
            try await self.firstDevicePage(self.client(origin, timeout: 2))
        }
        XCTAssertTrue(error?.description.contains("GET /v1/devices (page 1): no complete answer within 2 s") == true, "\(String(describing: error))")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "3 attempts of 2 s each, not forever")
    }

    func testAPageWithMoreDevicesThanAskedIsAProtocolViolation() async throws {
        let devices = (0..<11).map { #"{"uuid":"device-\#($0)"}"# }.joined(separator: ",")
        let origin = try serving { send in _ = send(HostileServer.answer(200, #"{"devices":[\#(devices)]}"#)) }
        let error = await assertClientError(.protocolViolation) { try await self.firstDevicePage(self.client(origin, pageSize: 10)) }
        XCTAssertTrue(error?.message.contains("11 devices, but pageSize=10") == true, "\(String(describing: error))")
        XCTAssertEqual(origin.requests.count, 2, "token + one page: a protocol violation is not retried")
    }

    func testTheDefaultLimitFitsThePageSize() {
        XCTAssertEqual(ESETClientConfiguration.defaultMaxResponseBytes(pageSize: 1000), (1 << 20) + 1000 * 32 * 1024)
        let configuration = ESETClientConfiguration(
            endpoints: ESETEndpoints(region: .eu), username: "u", password: Secret("p"), pageSize: 100)
        XCTAssertEqual(configuration.effectiveMaxResponseBytes, (1 << 20) + 100 * 32 * 1024)
    }
}
