import HTTPClient
import Foundation
import XCTest

/// `Retry-After` as servers send it: seconds, HTTP dates, out-of-range values and garbage.
final class RetryAfterTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_747_821_600)  // 2025-05-21T10:00:00Z

    func testDelaySeconds() {
        XCTAssertEqual(RetryAfter.seconds("1", now: now, maximum: 60), 1)
        XCTAssertEqual(RetryAfter.seconds(" 17 ", now: now, maximum: 60), 17)
        XCTAssertEqual(RetryAfter.seconds("0", now: now, maximum: 60), 0)
        XCTAssertEqual(RetryAfter.seconds("1.5", now: now, maximum: 60), 1.5)
    }

    func testDelaySecondsAreClamped() {
        XCTAssertEqual(RetryAfter.seconds("86400", now: now, maximum: 3600), 3600)
        XCTAssertEqual(RetryAfter.seconds("-5", now: now, maximum: 3600), 0)
        XCTAssertEqual(RetryAfter.seconds("99999999999999999999999", now: now, maximum: 60), 60)
    }

    func testHTTPDatesInAllThreeForms() {
        XCTAssertEqual(RetryAfter.seconds("Wed, 21 May 2025 10:00:30 GMT", now: now, maximum: 3600), 30)
        XCTAssertEqual(RetryAfter.seconds("Wednesday, 21-May-25 10:01:00 GMT", now: now, maximum: 3600), 60)
        XCTAssertEqual(RetryAfter.seconds("Wed May 21 10:00:05 2025", now: now, maximum: 3600), 5)
    }

    func testHTTPDatesAreClamped() {
        XCTAssertEqual(RetryAfter.seconds("Wed, 21 May 2025 09:00:00 GMT", now: now, maximum: 3600), 0, "a date in the past means now")
        XCTAssertEqual(RetryAfter.seconds("Thu, 22 May 2025 10:00:00 GMT", now: now, maximum: 3600), 3600)
    }

    func testGarbageIsNotAWait() {
        for garbage in ["", "soon", "inf", "nan", "Infinity", "0x10", "1e999", "Wed, 99 May 2025 10:00:00 GMT", "--1", "1 2"] {
            XCTAssertNil(RetryAfter.seconds(garbage, now: now, maximum: 60), "'\(garbage)'")
        }
    }
}
