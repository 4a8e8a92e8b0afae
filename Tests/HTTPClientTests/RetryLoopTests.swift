import HTTPClient
import Synchronization
import XCTest

/// The retry loop both clients use, driven by scripted answers.
final class RetryLoopTests: XCTestCase {
    private let fast = RetryPolicy(maxRetries: 3, maxRetryTime: 10, initialDelay: 0.001, maxDelay: 0.01, maxRetryAfter: 0.02)

    func testSharedStatusesAreRetriedAndTheVerdictEndsTheCall() async throws {
        let answers = [HTTPClientResponse(status: 429, headers: [("Retry-After", "1")]), HTTPClientResponse(status: 503), HTTPClientResponse(status: 200, body: [1])]
        var retried: [RetryCause] = []
        var waits: [Double] = []
        let body = try await withRetries(policy: fast) { attempt in
            answers[attempt - 1]
        } interpret: { response, _ -> AnswerVerdict<[UInt8]> in
            .done(response.body)
        } willRetry: { cause, _, wait in
            retried.append(cause)
            waits.append(wait)
        }
        XCTAssertEqual(body, [1])
        XCTAssertEqual(retried, [.rateLimited, .serverError])
        XCTAssertEqual(waits.first, 0.02, "Retry-After is clamped to the policy's maxRetryAfter")
    }

    func testExhaustionReportsTheFacts() async throws {
        let sent = Mutex(0)
        do {
            let _: Int = try await withRetries(policy: fast) { _ in
                sent.withLock { $0 += 1 }
                throw TransportError.connectionFailed("reset")
            } interpret: { _, _ in .done(1) } willRetry: { _, _, _ in }
            XCTFail("expected exhaustion")
        } catch let exhausted as RetriesExhausted {
            XCTAssertEqual(exhausted.attempts, 4)
            XCTAssertEqual(exhausted.cause, .connectionFailure)
            XCTAssertNil(exhausted.status)
            XCTAssertEqual(exhausted.policy, fast)
            XCTAssertTrue(exhausted.summary.hasPrefix("connection failed: reset; gave up after 4 attempts in "), exhausted.summary)
        }
        XCTAssertEqual(sent.withLock { $0 }, 4)
    }

    func testResendIsOutsideTheBudgetAndInvalidURLIsFinal() async throws {
        var interpreted = 0
        let value = try await withRetries(policy: RetryPolicy(maxRetries: 0)) { _ in
            HTTPClientResponse(status: 401)
        } interpret: { _, _ -> AnswerVerdict<String> in
            interpreted += 1
            return interpreted < 3 ? .resend : .done("renewed")
        } willRetry: { _, _, _ in XCTFail("no retry was needed") }
        XCTAssertEqual(value, "renewed")

        do {
            let _: Int = try await withRetries(policy: fast) { _ in throw TransportError.invalidURL("x") } interpret: { _, _ in .done(1) } willRetry: { _, _, _ in }
            XCTFail("expected the invalid URL")
        } catch let error as TransportError {
            XCTAssertEqual(error, .invalidURL("x"))
        }
    }
}
