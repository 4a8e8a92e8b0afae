import ESETMock
import HTTPTesting
import JSON
import XCTest

/// Device pages are assembled once and then re-served from one buffer; a page must still never
/// be served stale: not after the fleet changes, not under another filter, not from another
/// position or listing.
final class PageBodyCacheTests: XCTestCase {
    func testARepeatedPageIsByteIdentical() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 25))
        let token = try mock.login().access
        let target = "/\(MockHarness.eu)/v1/devices?pageSize=10"
        let first = try mock.get(target, token: token)
        let second = try mock.get(target, token: token)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.body, second.body)
        let expected = "{\"devices\":[" + TestFleet(devices: 25).devices.prefix(10).joined(separator: ",")
        XCTAssertTrue(first.bodyText.hasPrefix(expected), first.bodyText)
    }

    func testPagesDifferByPositionFilterAndListing() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 25))
        let token = try mock.login().access
        var bodies: [[UInt8]] = []
        for _ in 0..<2 {
            let walked = try mock.walk(token: token, pageSize: 10).pages
            XCTAssertEqual(walked.count, 3)
            bodies += walked.map { $0.serialized() }
            let muted = try mock.get("/\(MockHarness.eu)/v1/devices?pageSize=10&isMuted=true", token: token)
            XCTAssertEqual(try JSONParser.parse(muted.body)["devices"]?.arrayValue?.count, 10)
            XCTAssertTrue(try JSONParser.parse(muted.body)["devices"]?.arrayValue?.allSatisfy { $0["isMuted"] == .bool(true) } ?? false)
            let groups = try mock.walk("device_groups", token: token, pageSize: 10).items
            XCTAssertEqual(groups.count, 3)
        }
        XCTAssertEqual(Array(bodies[0..<3]), Array(bodies[3..<6]), "the second walk sees the same pages")
        XCTAssertEqual(Set(bodies[0..<3].map { $0 }).count, 3, "three different pages")
    }

    func testAChangedFleetIsNeverServedFromTheCache() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 25))
        let token = try mock.login().access
        let target = "/\(MockHarness.eu)/v1/devices?pageSize=30"
        let before = try mock.get(target, token: token)
        try mock.server.setScenarios(["fleet-changes-between-pages"])
        // The scenario changes the fleet after the first device page it serves.
        _ = try mock.get(target, token: token)
        let after = try mock.get(target, token: token)
        XCTAssertNotEqual(before.body, after.body)
        XCTAssertTrue(after.bodyText.contains("ADDED-BETWEEN-PAGES"), after.bodyText)
        mock.server.setScenarios([MockScenario]())
        XCTAssertEqual(try mock.get(target, token: token).body, before.body, "activating restores the original fleet")
    }
}
