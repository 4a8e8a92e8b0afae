import ESET
import Foundation
import HTTPClient
import XCTest

/// Paging rules and the client-side rate limit.
final class PagingAndRateLimitTests: XCTestCase {
    func testPagingFollowsTokensPercentEncodedAndStopsAtTheEnd() async throws {
        let tokens = ["a+b/c=", "next page", ""]
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return devicesPage(["d\(index)"], next: tokens[index - 1])
        }
        let client = testClient(transport)
        var cursor = ESETListCursor()
        var uuids: [String] = []
        while let page = try await client.nextDevicePage(&cursor) { uuids += page.devices.map(\.uuid) }
        XCTAssertEqual(uuids, ["d1", "d2", "d3"])
        XCTAssertEqual(cursor.pagesFetched, 3)
        XCTAssertTrue(cursor.isFinished)
        XCTAssertEqual(transport.dataRequests.map(\.url), [
            "https://eu.device-management.eset.systems/v1/devices?pageSize=1000",
            "https://eu.device-management.eset.systems/v1/devices?pageSize=1000&pageToken=a%2Bb%2Fc%3D",
            "https://eu.device-management.eset.systems/v1/devices?pageSize=1000&pageToken=next%20page",
        ])
        let after = try await client.nextDevicePage(&cursor)
        XCTAssertNil(after, "a finished list stays finished")
        XCTAssertEqual(transport.dataRequests.count, 3)
    }

    func testMissingAndNullTokensEndTheList() async throws {
        for ending in [#"{"devices":[]}"#, #"{"devices":[],"nextPageToken":null}"#, #"{"devices":[],"nextPageToken":""}"#, #"{"nextPageToken":""}"#] {
            let transport = ScriptedTransport { request, _ in
                request.url.contains("/oauth/token") ? tokenAnswer(1) : json(200, ending)
            }
            let client = testClient(transport)
            var cursor = ESETListCursor()
            var pages = 0
            while try await client.nextDevicePage(&cursor) != nil { pages += 1 }
            XCTAssertEqual(pages, 1, ending)
        }
    }

    func testARepeatedTokenIsAnErrorNotALoop() async throws {
        // A → B → A: the third page would start the cycle over.
        let tokens = ["A", "B", "A"]
        let transport = ScriptedTransport { request, index in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : devicesPage(["d\(index)"], next: tokens[index - 1])
        }
        let client = testClient(transport)
        var cursor = ESETListCursor()
        let error = await assertClientError(.repeatedPageToken) {
            while try await client.nextDevicePage(&cursor) != nil {}
        }
        XCTAssertEqual(transport.dataRequests.count, 3)
        XCTAssertTrue(error?.description.hasPrefix("GET /v1/devices (page 3): the API returned page token \"A\" a second time") == true, "\(error!)")
    }

    func testAPageOfTheWrongShapeIsRetriedThenReported() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : json(200, #"{"devices": "none"}"#)
        }
        let client = testClient(transport)
        var cursor = ESETListCursor()
        let error = await assertClientError(.retriesExhausted) { _ = try await client.nextDevicePage(&cursor) }
        XCTAssertTrue(error?.description.contains("'devices' is a JSON string, not an array") == true, "\(error!)")
        XCTAssertEqual(client.retries.snapshot, [.malformedBody: 3])
    }

    func testThePageSizeIsSentAndCapped() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : devicesPage([])
        }
        let client = ESETClient(
            configuration: ESETClientConfiguration(
                endpoints: ESETEndpoints(region: .jpn), username: "u", password: Secret("p"), callsPerSecond: nil, pageSize: 5000),
            transport: transport)
        var cursor = ESETListCursor()
        _ = try await client.nextDevicePage(&cursor)
        XCTAssertEqual(transport.dataRequests.first?.url, "https://jpn.device-management.eset.systems/v1/devices?pageSize=1000")
    }

    func testTheRateLimiterKeepsAnyOneSecondUnderTheLimit() async throws {
        let limiter = RateLimiter(callsPerSecond: 10)
        let clock = ContinuousClock()
        let start = clock.now
        var starts: [Duration] = []
        for _ in 0..<13 {
            try await limiter.acquire()
            starts.append(clock.now - start)
        }
        XCTAssertLessThan(starts[9], .milliseconds(200), "the first 10 go at once")
        XCTAssertGreaterThanOrEqual(starts[10], .milliseconds(990), "the 11th waits for the window")
        for index in 10..<starts.count {
            XCTAssertGreaterThanOrEqual(starts[index] - starts[index - 10], .milliseconds(990), "no 11 calls within one second")
        }
    }

    func testSlowRatesSpaceSingleCalls() async throws {
        let limiter = RateLimiter(callsPerSecond: 4)  // 4 per second
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<5 { try await limiter.acquire() }
        XCTAssertGreaterThanOrEqual(clock.now - start, .milliseconds(990))
    }
}
