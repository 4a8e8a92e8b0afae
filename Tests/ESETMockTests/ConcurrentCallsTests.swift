import ESETMock
import Foundation
import HTTPTesting
import JSON
import Synchronization
import XCTest

/// The mock's locks were split for speed (one state lock per list call, the journal and
/// counters behind their own): calls from several keep-alive connections at once must still be
/// journaled, counted and numbered exactly once each, in one order, and scenario effects that
/// count across calls must still count every call.
final class ConcurrentCallsTests: XCTestCase {
    static let connections = 6
    static let callsPerConnection = 40

    /// Runs `body(connectionIndex, connection)` on `connections` threads at once, each with its
    /// own keep-alive connection; rethrows the first failure.
    func onConnections(_ mock: MockHarness, _ count: Int = ConcurrentCallsTests.connections,
                       _ body: @escaping @Sendable (Int, RawHTTPConnection) throws -> Void) throws {
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let port = mock.server.port
        for index in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let connection = try RawHTTPConnection(port: port, timeout: 30)
                    defer { connection.close() }
                    try body(index, connection)
                } catch {
                    failures.withLock { $0.append("connection \(index): \(error)") }
                }
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success, "the connections did not finish")
        XCTAssertEqual(failures.withLock { $0 }, [])
    }

    func testEveryCallFromConcurrentConnectionsIsJournaledAndCountedOnceInOrder() throws {
        let calls = Self.connections * Self.callsPerConnection
        let mock = try MockHarness(fleet: TestFleet(devices: 25)) { $0.journalCapacity = calls * 2 }
        let token = try mock.login().access
        let statuses = Mutex<[Int: Int]>([:])
        try onConnections(mock) { index, connection in
            for call in 0..<Self.callsPerConnection {
                // Pages, a bad token and a bad pageSize: three routes/statuses counted apart.
                let (target, bearer): (String, String) = switch call % 4 {
                case 0: ("/\(MockHarness.eu)/v1/devices?pageSize=10", token)
                case 1: ("/\(MockHarness.eu)/v1/device_groups?pageSize=2", token)
                case 2: ("/\(MockHarness.eu)/v1/devices?pageSize=5", "nope.nope")
                default: ("/\(MockHarness.eu)/v1/devices?pageSize=-\(index + 1)", token)
                }
                let response = try connection.request("GET", target, headers: [("Authorization", "Bearer \(bearer)")])
                statuses.withLock { $0[response.status, default: 0] += 1 }
            }
        }
        let perKind = calls / 4
        XCTAssertEqual(statuses.withLock { $0 }, [200: perKind * 2, 401: perKind, 400: perKind])

        let journal = mock.server.journal
        XCTAssertEqual(journal.count, calls + 1, "every call and the login, nothing lost, nothing twice")
        XCTAssertEqual(journal.map(\.sequence), Array(1...(calls + 1)), "numbered in the order recorded, without gaps")
        XCTAssertEqual(Set(journal.map(\.requestID)).count, calls + 1, "one entry per call")
        let counters = mock.server.counters
        XCTAssertEqual(counters.total, calls + 1)
        XCTAssertEqual(counters.count(route: "token", status: 200), 1)
        XCTAssertEqual(counters.count(route: "devices", status: 200), perKind)
        XCTAssertEqual(counters.count(route: "device_groups", status: 200), perKind)
        XCTAssertEqual(counters.count(route: "devices", status: 401), perKind)
        XCTAssertEqual(counters.count(route: "devices", status: 400), perKind)
        XCTAssertEqual(journal.filter { $0.route == "devices" && $0.status == 400 }.map(\.query).sorted(),
                       (0..<Self.connections).flatMap { index in
                           Array(repeating: "pageSize=-\(index + 1)", count: Self.callsPerConnection / 4)
                       }.sorted(),
                       "each entry belongs to the call that made it")

        // The admin API reads the same journal and counters.
        let admin = try mock.adminJSON("journal").json
        XCTAssertEqual(admin["entries"]?.arrayValue?.count, calls + 1)
        XCTAssertEqual(try mock.adminJSON("counters").json["total"], .int(Int64(calls + 1)))
    }

    func testResetBetweenConcurrentBurstsRestartsTheNumbering() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 25)) { $0.journalCapacity = 10_000 }
        try onConnections(mock, 3) { _, connection in
            for _ in 0..<Self.callsPerConnection {
                _ = try connection.request("GET", "/\(MockHarness.eu)/v1/devices", headers: [("Authorization", "Bearer x.y")])
            }
        }
        mock.server.reset()
        XCTAssertEqual(mock.server.journal, [])
        XCTAssertEqual(mock.server.counters.total, 0)
        let calls = 3 * Self.callsPerConnection
        try onConnections(mock, 3) { _, connection in
            for _ in 0..<Self.callsPerConnection {
                _ = try connection.request("GET", "/\(MockHarness.eu)/v1/devices", headers: [("Authorization", "Bearer x.y")])
            }
        }
        XCTAssertEqual(mock.server.journal.map(\.sequence), Array(1...calls), "numbering restarts at 1 after a reset")
        XCTAssertEqual(mock.server.counters.count(route: "devices", status: 401), calls)
    }

    /// `extraDevicesPerPage` numbers its synthetic devices across pages; with pages served on
    /// several connections at once, every number is still given out exactly once.
    func testExtraDevicesAreNumberedOnceEachAcrossConcurrentPages() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 25), scenarios: ["oversized-page"])
        let token = try mock.login().access
        let names = Mutex<[String]>([])
        let pagesPerConnection = 5
        try onConnections(mock, 4) { _, connection in
            for _ in 0..<pagesPerConnection {
                let response = try connection.request("GET", "/\(MockHarness.eu)/v1/devices?pageSize=10",
                                                       headers: [("Authorization", "Bearer \(token)")])
                guard response.status == 200 else { throw RawHTTPError("page answered \(response.status)") }
                let devices = try JSONParser.parse(response.body)["devices"]?.arrayValue ?? []
                let extra = devices.compactMap { $0["displayName"]?.stringValue }.filter { $0.hasPrefix("EXTRA-") }
                let real = devices.compactMap { $0["displayName"]?.stringValue }.filter { $0.hasPrefix("DEV-") }
                guard real == (0..<10).map({ "DEV-\($0)" }) else { throw RawHTTPError("real devices changed: \(real)") }
                names.withLock { $0 += extra }
            }
        }
        let extraPerPage = 1000
        let pages = 4 * pagesPerConnection
        let numbers = names.withLock { $0 }.compactMap { Int($0.dropFirst("EXTRA-".count)) }
        XCTAssertEqual(numbers.count, pages * extraPerPage)
        XCTAssertEqual(numbers.sorted(), Array(1...(pages * extraPerPage)), "each synthetic device once")
    }

    /// Token validity and per-token call limits are checked in the same critical section as the
    /// page: with `accessTokenMaxCalls`, exactly that many calls succeed however they interleave.
    func testATokenCallLimitHoldsExactlyUnderConcurrentCalls() throws {
        let limit = 7
        var inline = MockScenario(name: "seven-calls", description: "an access token is good for seven data calls")
        inline.accessTokenMaxCalls = limit
        let mock = try MockHarness(fleet: TestFleet(devices: 25))
        mock.server.setScenarios([inline])
        let token = try mock.login().access
        let statuses = Mutex<[Int]>([])
        try onConnections(mock, 4) { _, connection in
            for _ in 0..<5 {
                let response = try connection.request("GET", "/\(MockHarness.eu)/v1/devices?pageSize=3",
                                                       headers: [("Authorization", "Bearer \(token)")])
                statuses.withLock { $0.append(response.status) }
            }
        }
        let all = statuses.withLock { $0 }
        XCTAssertEqual(all.count, 20)
        XCTAssertEqual(all.filter { $0 == 200 }.count, limit)
        XCTAssertEqual(all.filter { $0 == 401 }.count, 20 - limit)
    }
}
