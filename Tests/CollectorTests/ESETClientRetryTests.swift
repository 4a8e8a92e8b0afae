import ESET
import Foundation
import HTTPClient
import XCTest

/// The client's resilience rules, driven by a scripted transport: exact attempt counts and bounds.
final class ESETClientRetryTests: XCTestCase {
    func testServerErrorsAreRetriedUpToMaxRetries() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : HTTPClientResponse(status: 503)
        }
        let client = testClient(transport)
        let error = await assertClientError(.retriesExhausted) { _ = try await drainGroups(client) }
        XCTAssertEqual(transport.dataRequests.count, 4, "1 attempt + 3 retries")
        XCTAssertEqual(client.retries.snapshot, [.serverError: 3])
        XCTAssertTrue(error?.description.hasPrefix("GET /v1/device_groups (page 1): HTTP 503; gave up after 4 attempts") == true, "\(error!)")
    }

    func testRetriesAreBoundedInTotalTime() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : HTTPClientResponse(status: 500)
        }
        let client = testClient(transport, retry: RetryPolicy(maxRetries: 1000, maxRetryTime: 0.3, initialDelay: 0.05, maxDelay: 0.1))
        let started = Date()
        await assertClientError(.retriesExhausted) { _ = try await drainGroups(client) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0)
        XCTAssertLessThan(transport.dataRequests.count, 10, "the time bound stopped it long before 1000 retries")
    }

    func testEachTransientCauseIsRetriedAndCounted() async throws {
        let script: [Result<HTTPClientResponse, TransportError>] = [
            .failure(.connectionFailed("reset")), .failure(.timedOut(seconds: 1)), .failure(.truncatedBody(received: 3, expected: 9)),
            .success(json(200, "{\"deviceGroups\": [")), .success(HTTPClientResponse(status: 502)), .success(HTTPClientResponse(status: 504)),
            .success(HTTPClientResponse(status: 429)), .success(emptyGroups),
        ]
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return try script[index - 1].get()
        }
        let client = testClient(transport, retry: RetryPolicy(maxRetries: 10, maxRetryTime: 10, initialDelay: 0.001, maxDelay: 0.01))
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        XCTAssertEqual(client.retries.snapshot, [.connectionFailure: 1, .timeout: 1, .malformedBody: 2, .serverError: 2, .rateLimited: 1])
        XCTAssertEqual(Set(transport.dataRequests.map(\.url)).count, 1, "the same page every time")
    }

    func testRetryAfterIsHonouredAndClamped() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return index == 1 ? HTTPClientResponse(status: 429, headers: [("Retry-After", "3600")]) : emptyGroups
        }
        // maxRetryAfter 0.05: the hour-long Retry-After is clamped, not obeyed.
        let client = testClient(transport)
        let started = Date()
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertEqual(client.retries.snapshot, [.rateLimited: 1])
    }

    func testFinalStatusesAreNotRetried() async throws {
        for status in [400, 404, 405, 409, 418] {
            let transport = ScriptedTransport { request, _ in
                request.url.contains("/oauth/token") ? tokenAnswer(1) : json(status, #"{"code": 3, "message": "invalid argument: pageToken"}"#)
            }
            let client = testClient(transport)
            let error = await assertClientError(.unexpectedStatus) { _ = try await drainGroups(client) }
            XCTAssertEqual(transport.dataRequests.count, 1, "HTTP \(status)")
            XCTAssertTrue(error?.message.contains("HTTP \(status): 3: invalid argument: pageToken") == true, "\(error!)")
        }
    }

    func testA202IsReSentWithItsResponseIDUntil200() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if index <= 2 { return HTTPClientResponse(status: 202, headers: [("response-id", "cache-7")]) }
            return emptyGroups
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        let data = transport.dataRequests
        XCTAssertEqual(data.count, 3)
        XCTAssertNil(data[0].header("response-id"))
        XCTAssertEqual(data[1].header("response-id"), "cache-7")
        XCTAssertEqual(data[2].header("response-id"), "cache-7")
        XCTAssertEqual(Set(data.map(\.url)).count, 1, "the identical query")
        XCTAssertEqual(client.retries.snapshot, [.pendingResponse: 2])
    }

    func testA202ThatNeverEndsIsBounded() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : HTTPClientResponse(status: 202, headers: [("response-id", "x")])
        }
        let client = testClient(transport, pendingPollLimit: 3)
        await assertClientError(.pendingTooLong) { _ = try await drainGroups(client) }
        XCTAssertEqual(transport.dataRequests.count, 4, "the first answer + 3 re-sends")
    }

    func testAnExpiredCachedAnswerIsAskedAfresh() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            switch index {
            case 1: return HTTPClientResponse(status: 202, headers: [("response-id", "old")])
            case 2: return HTTPClientResponse(status: 404)
            default: return emptyGroups
            }
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        XCTAssertNil(transport.dataRequests[2].header("response-id"), "after the 404 the query is sent without the id")
    }

    func testCancellationStopsRetrying() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : HTTPClientResponse(status: 503)
        }
        let client = testClient(transport, retry: RetryPolicy(maxRetries: 100, maxRetryTime: 100, initialDelay: 0.2, maxDelay: 0.2))
        let task = Task { try await drainGroups(client) }
        // Cancel once the client is inside its retry loop (bounded wait for its first data call).
        let deadline = Date().addingTimeInterval(10)
        while transport.dataRequests.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertFalse(transport.dataRequests.isEmpty, "the client made its first data call")
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(transport.dataRequests.count, 3)
    }

    func testBackoffGrowsExponentiallyWithJitterWithinItsCap() {
        let policy = RetryPolicy(initialDelay: 1, maxDelay: 30)
        XCTAssertEqual(policy.backoff(retry: 1, random: 0), 0.5)
        XCTAssertEqual(policy.backoff(retry: 1, random: 1), 1)
        XCTAssertEqual(policy.backoff(retry: 3, random: 1), 4)
        XCTAssertEqual(policy.backoff(retry: 3, random: 0), 2)
        XCTAssertEqual(policy.backoff(retry: 10, random: 1), 30, "capped")
        XCTAssertEqual(policy.backoff(retry: 1000, random: 0.5), 22.5, "no overflow")
        for retry in 1...8 {
            let wait = policy.backoff(retry: retry)
            XCTAssertGreaterThanOrEqual(wait, min(30, pow(2, Double(retry - 1))) / 2)
            XCTAssertLessThanOrEqual(wait, min(30, pow(2, Double(retry - 1))))
        }
    }

    func testTheBudgetCountsRetriesAndTime() {
        var budget = RetryBudget(policy: RetryPolicy(maxRetries: 2, maxRetryTime: 100, initialDelay: 0, maxDelay: 0))
        XCTAssertNotNil(budget.nextWait())
        XCTAssertNotNil(budget.nextWait())
        XCTAssertNil(budget.nextWait(), "a third retry is refused")
        var timed = RetryBudget(policy: RetryPolicy(maxRetries: 50, maxRetryTime: 5))
        XCTAssertNil(timed.nextWait(serverWait: 6), "a wait ending past the time bound is refused")
        XCTAssertEqual(timed.nextWait(serverWait: 4), 4)
    }
}
