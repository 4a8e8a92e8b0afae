import ESETMockTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// The scoped lifecycle of `ESETMockServer.withRunning`: up inside the body, down after it in
/// every way the body can end.
final class WithRunningTests: XCTestCase {
    func testTheTestingPresetIsLoopbackOnAFreePortWithoutRateLimitAndTheDefaultTenant() throws {
        let configuration = try ESETMockConfiguration.testing(scenarios: [.tokenExpiry, .serverErrors])
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 0)
        XCTAssertNil(configuration.rateLimitPerSecond)
        XCTAssertEqual(configuration.activeScenarios, ["token-expiry", "server-errors"])
        XCTAssertGreaterThanOrEqual(configuration.fixtures.deviceCount, 200, "the default tenant, not an empty one")
        XCTAssertTrue(configuration.accounts.contains(.demo))
        XCTAssertEqual(Set(configuration.scenarioLibrary.map(\.name)), Set(MockScenarioName.shipped.map(\.rawValue)))
    }

    func testServesTheDefaultTenantOverHTTPAndStopsAfterTheBody() async throws {
        var seen: RunningESETMock?
        let pageSize = try await ESETMockServer.withRunning(.testing()) { mock in
            seen = mock
            XCTAssertTrue(mock.server.httpServer.isRunning)
            XCTAssertNotEqual(mock.port, 0)
            XCTAssertEqual(mock.baseURL.absoluteString, "http://127.0.0.1:\(mock.port)")
            XCTAssertEqual(mock.tokenURL(.de).absoluteString,
                           "http://127.0.0.1:\(mock.port)/de.business-account.iam.eset.systems/oauth/token")
            XCTAssertEqual(mock.deviceManagementURL().absoluteString,
                           "http://127.0.0.1:\(mock.port)/eu.device-management.eset.systems")
            let token = try await demoToken(mock)
            let (status, body) = try await get(mock.deviceManagementURL(.eu).appendingPathComponent("v1/devices"), token: token)
            XCTAssertEqual(status, 200)
            let page = try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any])
            return (page["devices"] as? [Any])?.count ?? 0
        }
        XCTAssertGreaterThan(pageSize, 0)
        let mock = try XCTUnwrap(seen)
        XCTAssertFalse(mock.server.httpServer.isRunning, "stopped once the body returned")
        XCTAssertFalse(canConnect(port: mock.port), "the port no longer accepts connections")
    }

    func testAThrowingBodyStillStopsTheServerAndItsErrorReachesTheCaller() async throws {
        struct Planted: Error {}
        var seen: RunningESETMock?
        do {
            try await ESETMockServer.withRunning(.testing()) { mock in
                seen = mock
                throw Planted()
            }
            XCTFail("the body's error was swallowed")
        } catch is Planted {}
        let mock = try XCTUnwrap(seen)
        XCTAssertFalse(mock.server.httpServer.isRunning)
        XCTAssertFalse(canConnect(port: mock.port))
    }

    func testCancellingTheTaskStopsTheServerWhileTheBodyIsStillRunning() async throws {
        let (started, startedContinuation) = AsyncStream.makeStream(of: RunningESETMock.self)
        let task = Task {
            try await ESETMockServer.withRunning(.testing()) { mock in
                startedContinuation.yield(mock)
                // A body that ignores cancellation: only the cancellation handler can stop the
                // server; wait (bounded) to observe it.
                let deadline = Date(timeIntervalSinceNow: 20)
                while mock.server.httpServer.isRunning && Date() < deadline { await Task.yield() }
                return mock.server.httpServer.isRunning
            }
        }
        var iterator = started.makeAsyncIterator()
        let mock = try await XCTUnwrapAsync(await iterator.next())
        task.cancel()
        let stillRunningInsideTheBody = try await task.value
        XCTAssertFalse(stillRunningInsideTheBody, "cancellation stopped the server before the body ended")
        XCTAssertFalse(mock.server.httpServer.isRunning)
    }

    func testAnUnknownScenarioNameFailsBeforeAnythingStartsAndListsTheKnownOnes() async throws {
        var ran = false
        do {
            try await ESETMockServer.withRunning(.testing(scenarios: [MockScenarioName(rawValue: "sever-errors")])) { _ in ran = true }
            XCTFail("an unknown scenario was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("sever-errors"), "\(error)")
            XCTAssertTrue("\(error)".contains("server-errors"), "the message lists the known names: \(error)")
        }
        XCTAssertFalse(ran)
    }

    func testScenarioCountersJournalAndMidTestScenarioChange() async throws {
        try await ESETMockServer.withRunning(.testing(scenarios: [.serverErrors])) { mock in
            let token = try await demoToken(mock)
            let devices = mock.deviceManagementURL(.eu).appendingPathComponent("v1/devices")
            var statuses: [Int] = []
            for _ in 1...3 { statuses.append(try await get(devices, token: token).status) }
            XCTAssertEqual(statuses, [500, 502, 200])
            XCTAssertEqual(mock.counters.count(route: "devices", status: 500), 1)
            XCTAssertEqual(mock.journal.filter { $0.route == "devices" }.map(\.status), [500, 502, 200])
            XCTAssertEqual(mock.journal.last?.scenario, nil, "the third call is past the scenario's rules")

            try mock.setScenarios([.serverErrorsPersistent])
            XCTAssertEqual(mock.server.activeScenarios, ["server-errors-persistent"])
            mock.reset()
            XCTAssertEqual(mock.counters.total, 0)
        }
    }

    func testTheSekoiaIntakeShowsWhatWasPushed() async throws {
        try await ESETMockServer.withRunning(.testing()) { mock in
            XCTAssertEqual(mock.sekoia.baseURL.absoluteString, "http://127.0.0.1:\(mock.port)/sekoia")
            let uuid = "11111111-2222-4333-8444-555555555555"
            var push = URLRequest(url: mock.sekoia.baseURL.appendingPathComponent("api/v2/asset-management/asset-connector/\(uuid)"))
            push.httpMethod = "POST"
            push.setValue("Bearer \(mock.sekoia.apiKey)", forHTTPHeaderField: "Authorization")
            push.setValue("application/json", forHTTPHeaderField: "Content-Type")
            push.httpBody = Data(#"{"version":1,"items":[{"device":{"uid":"a"}},{"device":{"uid":"b"}}]}"#.utf8)
            let (body, response) = try await URLSession.shared.data(for: push)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            XCTAssertTrue((200..<300).contains(status), "\(status): \(String(decoding: body, as: UTF8.self))")
            struct Item: Decodable { struct Device: Decodable { var uid: String }; var device: Device }
            XCTAssertEqual(try mock.sekoia.decodedItems(as: Item.self).map(\.device.uid), ["a", "b"])
            XCTAssertEqual(mock.sekoia.itemCount, 2)
            XCTAssertEqual(mock.sekoia.batches.map(\.connectorUUID), [uuid])
        }
    }
}

// MARK: Helpers

func demoToken(_ mock: RunningESETMock) async throws -> String {
    var grant = URLRequest(url: mock.tokenURL(.eu))
    grant.httpMethod = "POST"
    grant.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    grant.httpBody = Data("grant_type=password&username=demo%40example.com&password=\(MockAccount.demo.password)".utf8)
    let (body, response) = try await URLSession.shared.data(for: grant)
    XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, String(decoding: body, as: UTF8.self))
    let json = try JSONSerialization.jsonObject(with: body) as? [String: Any]
    return try XCTUnwrap(json?["access_token"] as? String)
}

func get(_ url: URL, token: String) async throws -> (status: Int, body: Data) {
    var request = URLRequest(url: url)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    let (body, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
}

/// Whether a TCP connection to 127.0.0.1:`port` is accepted.
func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
