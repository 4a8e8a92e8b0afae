@testable import Collector
@testable import ESET
@testable import HTTPClient
import Foundation
import JSON
import Mapping
import Synchronization
import XCTest

/// Issue 12 items 2, 6, 8 and 11 at the collector and client level: secrets in every encoding,
/// times in the future, the rejects file on failure, and messages that say what happened.
final class HostileInputTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "hostile-input-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    // MARK: Item 2: secrets in every encoding

    func testEveryEncodingOfASecretIsScrubbed() {
        let secret = "S3cr&t p@ss+word%"
        let spellings = [
            secret,
            "S3cr%26t%20p%40ss%2Bword%25",  // what the issue saw: RFC 3986 percent-encoding
            "S3cr%26t+p%40ss%2Bword%25",  // form encoding, space as +
            "S3cr%26t%20p%40ss%2bword%25",  // lowercase hex
            "S3cr%26t%20p@ss%2Bword%25",  // a query encoder that leaves @ alone
            String(decoding: Array(#"S3cr\u0026t p@ss+word%"#.utf8), as: UTF8.self).replacingOccurrences(of: #"\u0026"#, with: "&"),
            Data("user:\(secret)".utf8).base64EncodedString(),  // Basic auth, secret at an offset
            Data("\(secret)".utf8).base64EncodedString(),
            Data("x\(secret)y".utf8).base64EncodedString(),
        ]
        for spelling in spellings {
            let message = "the server said: password=\(spelling)&grant_type=password"
            let scrubbed = redacting(message, secrets: [secret])
            XCTAssertTrue(scrubbed.contains("<redacted>"), "not scrubbed: \(spelling) → \(scrubbed)")
            XCTAssertFalse(scrubbed.contains("S3cr"), "a piece of the secret survived: \(scrubbed)")
        }
        let json = #"{"password":"quote\"back\\slash/é"}"#
        XCTAssertEqual(redacting(json, secrets: [#"quote"back\slash/é"#]), #"{"password":"<redacted>"}"#)
        XCTAssertEqual(redacting(#"{"p":"quote\"back\\slash\/\u00e9"}"#, secrets: [#"quote"back\slash/é"#]), #"{"p":"<redacted>"}"#)
    }

    func testATokenEndpointBodyIsNeverPrinted() async throws {
        let secret = "S3cr&t p@ss+word%"
        for status in [400, 500, 418] {
            let transport = ScriptedTransport { request, _ in
                // An endpoint that echoes the form it was sent.
                json(status, #"{"error":"invalid_grant","error_description":"bad form \#(String(decoding: request.body, as: UTF8.self))"}"#)
            }
            let client = ESETClient(
                configuration: ESETClientConfiguration(
                    endpoints: ESETEndpoints(region: .eu), username: "api@example.com", password: Secret(secret),
                    retry: RetryPolicy(maxRetries: 0), callsPerSecond: nil),
                transport: transport)
            do {
                _ = try await client.accessToken()
                XCTFail("expected a failure")
            } catch {
                let text = String(describing: error)
                XCTAssertFalse(text.contains("bad form"), "the body was printed: \(text)")
                XCTAssertFalse(text.contains("S3cr"), text)
            }
        }
    }

    func testA3xxFromAnyTransportIsRefusedNotRetried() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return json(307, "", headers: [("Location", "https://elsewhere.example/v1/device_groups")])
        }
        let error = await assertClientError(.redirected) { _ = try await drainGroups(testClient(transport)) }
        XCTAssertTrue(error?.message.contains("HTTP 307 redirect to host 'elsewhere.example' refused") == true, "\(String(describing: error))")
        XCTAssertEqual(transport.dataRequests.count, 1, "no retry")
    }

    // MARK: Item 11: messages that say what happened

    func testAHugeRetryAfterIsNamedInTheMessage() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : json(429, "{}", headers: [("Retry-After", "1000000000")])
        }
        let client = testClient(transport, retry: RetryPolicy(maxRetries: 3, maxRetryTime: 0.5, initialDelay: 0.001, maxDelay: 0.01, maxRetryAfter: 60))
        let error = await assertClientError(.retriesExhausted) { _ = try await drainGroups(client) }
        let message = error?.message ?? ""
        XCTAssertTrue(message.contains("Retry-After '1000000000'"), message)
        XCTAssertTrue(message.contains("waiting at most 60 s"), message)
    }

    func testATokenEndpointFailingIsAnAuthenticationFailureNotAGroupProblem() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? json(500, #"{"error":"server_error"}"#) : emptyGroups
        }
        let collector = Collector(client: testClient(transport), options: CollectorOptions(), sinks: [])
        do {
            _ = try await collector.runCycle()
            XCTFail("expected a failure")
        } catch {
            XCTAssertFalse(error.underlying is MissingGroupsError, "\(error)")
            XCTAssertEqual((error.underlying as? ESETClientError)?.kind, .tokenUnavailable, "\(error)")
            XCTAssertTrue(error.description.contains("authentication failed"), error.description)
            XCTAssertFalse(error.description.contains("--allow-missing-groups"), error.description)
        }
    }

    func testAUUIDThatIsNotUTF8IsRejectedNotAltered() throws {
        let body = Array(#"{"devices":[{"uuid":"ok-1"},{"uuid":"bad-"#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""},{"uuid":"ok-2"}]}"#.utf8)
        let page = try DevicePage.decode(bytes: body, page: 3)
        XCTAssertEqual(page.devices.map(\.uuid), ["ok-1", "ok-2"])
        XCTAssertEqual(page.rejections.map(\.reason), [.uuidNotUTF8])
        XCTAssertEqual(page.rejections.first?.index, 1)
        XCTAssertTrue(page.rejections.first?.description.contains("not valid UTF-8") == true)
        // The tree decoder agrees.
        let json = try JSONParser.parse(body)
        let devices = json["devices"]?.arrayValue ?? []
        guard devices.count == 3, case .failure(let reason) = ESETDevice.decode(devices[1]) else {
            return XCTFail("the tree decoder accepted the device")
        }
        XCTAssertEqual(reason, .uuidNotUTF8)
    }

    // MARK: Item 6: times in the future

    func testAFutureLastSyncTimeIsDeliveredWarnedAndNeverMovesTheCheckpoint() async throws {
        let directory = try temporaryDirectory()
        let now: Int64 = 1_780_000_000_000_000  // 2026-05-28
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            return json(200, #"{"devices":[{"uuid":"old","lastSyncTime":"2025-05-21T10:00:00Z"},{"uuid":"future","lastSyncTime":"2099-01-01T00:00:00Z"}]}"#)
        }
        let store = CheckpointStore(directory: directory, region: "eu", username: "api@example.com")
        let events = Mutex<[CollectorEvent]>([])
        let sink = RecordingSink()
        let collector = Collector(
            client: testClient(transport), options: CollectorOptions(clock: { now }), sinks: [sink], checkpointStore: store
        ) { event in events.withLock { $0.append(event) } }
        let report = try await collector.runCycle()
        XCTAssertEqual(report.statistics.mapped, 2, "the future device is delivered")
        XCTAssertEqual(sink.events.count, 2)
        XCTAssertGreaterThanOrEqual(report.statistics.warnings, 1)
        XCTAssertTrue(events.withLock { $0 }.contains { if case .futureLastSyncTime(_, _, "future", _) = $0 { return true } else { return false } })
        let saved = try XCTUnwrap(report.checkpointAfter)
        XCTAssertLessThanOrEqual(saved.newestLastSync, now, "never beyond the cycle's start")
        XCTAssertEqual(saved.newestLastSync, RFC3339.microseconds("2025-05-21T10:00:00Z"))
    }

    func testACheckpointInTheFutureIsIgnoredWithAWarning() async throws {
        let directory = try temporaryDirectory()
        let now: Int64 = 1_780_000_000_000_000
        let store = CheckpointStore(directory: directory, region: "eu", username: "api@example.com")
        try store.save(Checkpoint(newestLastSync: RFC3339.microseconds("2999-01-01T00:00:00Z")!))
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            return devicesPage(["a", "b", "c"])
        }
        let events = Mutex<[String]>([])
        let collector = Collector(
            client: testClient(transport), options: CollectorOptions(clock: { now }), sinks: [], checkpointStore: store
        ) { event in if case .checkpointUnusable(let reason) = event { events.withLock { $0.append(reason) } } }
        let report = try await collector.runCycle()
        XCTAssertEqual(report.statistics.mapped, 3, "a full cycle")
        XCTAssertEqual(report.statistics.skippedByCheckpoint, 0)
        XCTAssertTrue(events.withLock { $0 }.first?.contains("2999-01-01") == true, "\(events.withLock { $0 })")
        XCTAssertLessThanOrEqual(try XCTUnwrap(report.checkpointAfter).newestLastSync, now)
    }

    // MARK: Item 8: the rejects file on failure

    func testAFailedCycleLeavesThePreviousRejectsFile() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/rejects.ndjson"
        try "previous rejects\n".write(toFile: path, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            if request.url.contains("pageToken") { return json(503, "{}") }
            return json(200, #"{"devices":[{"uuid":null},{"uuid":"a"}],"nextPageToken":"p2"}"#)
        }
        let collector = Collector(
            client: testClient(transport), options: CollectorOptions(), sinks: [], rejectsFile: RejectsFile(path: path))
        do {
            _ = try await collector.runCycle()
            XCTFail("page 2 never answers")
        } catch {
            XCTAssertEqual(error.statistics.rejected, 1, "the rejection was seen")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous rejects\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["rejects.ndjson"], "no partial file left")
    }
}
