import ESETMock
import HTTPTesting
import JSON
import XCTest

final class RateLimitTests: XCTestCase {
    private let devices = "/\(MockHarness.eu)/v1/devices"

    func testTenCallsPerSecondThen429WithRetryAfter() throws {
        let clock = TestClock()
        let mock = try MockHarness(rateLimit: 10) { $0.clock = { clock.now } }
        let token = try mock.login().access
        for call in 1...10 {
            XCTAssertEqual(try mock.get(devices, token: token).status, 200, "call \(call) is within the limit")
        }
        let limited = try mock.get(devices, token: token)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.header("Retry-After"), "1")
        XCTAssertNotNil(limited.header("request-id"))
        // After a tenth of a second one call is allowed again, and only one.
        clock.advance(0.1)
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        XCTAssertEqual(try mock.get(devices, token: token).status, 429)
        clock.advance(1)
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        XCTAssertEqual(mock.server.counters.count(route: "devices", status: 429), 2)
    }

    func testLimitIsPerCredential() throws {
        let clock = TestClock()
        let mock = try MockHarness(rateLimit: 2) { configuration in
            configuration.clock = { clock.now }
            configuration.accounts.append(MockAccount(username: "other@example.com", password: "other"))
        }
        let demo = try mock.login().access
        let other = try mock.login(username: "other@example.com", password: "other").access
        XCTAssertEqual(try mock.get(devices, token: demo).status, 200)
        XCTAssertEqual(try mock.get(devices, token: demo).status, 200)
        XCTAssertEqual(try mock.get(devices, token: demo).status, 429)
        XCTAssertEqual(try mock.get(devices, token: other).status, 200)
    }

    func testRetryAfterCanBeSwitchedOff() throws {
        let clock = TestClock()
        let mock = try MockHarness(rateLimit: 1) { configuration in
            configuration.sendsRetryAfter = false
            configuration.clock = { clock.now }
        }
        let token = try mock.login().access
        XCTAssertEqual(try mock.get(devices, token: token).status, 200)
        // The bucket refills at one call per second: the next call, half a second later, is refused.
        clock.advance(0.5)
        let limited = try mock.get(devices, token: token)
        XCTAssertEqual(limited.status, 429)
        XCTAssertNil(limited.header("Retry-After"))
    }

    func testRateLimitOffAllowsBursts() throws {
        let mock = try MockHarness(rateLimit: nil)
        let token = try mock.login().access
        for _ in 0..<40 { XCTAssertEqual(try mock.get(devices, token: token).status, 200) }
    }
}
