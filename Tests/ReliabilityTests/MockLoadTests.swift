import ESETMock
import ESETMockTesting
import Foundation
import HTTPServer
import HTTPTesting
import JSON
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The mock on loopback under load: 500 keep-alive connections at once, slow clients that trickle
/// their headers, and a bounded mixed workload. Every answer is checked against the fixtures.
final class MockLoadTests: XCTestCase {
    static let seed = Budget.seed(0x4C4F_4144_4D4F_434B)

    func startMock() throws -> (ESETMockServer, MockExpectations) {
        var configuration = try ESETMockConfiguration.testing()
        configuration.sekoiaItemCapacity = 10_000
        let mock = try ESETMockServer(configuration: configuration)
        try mock.start()
        return (mock, try MockExpectations(configuration.fixtures))
    }

    /// Page tokens of the default fleet for `pageSize`, walked once by a checked client.
    func pageTokens(_ client: CheckedMockClient, token: String, pageSize: Int) throws -> [String?] {
        var tokens: [String?] = [nil]
        var offset = 0
        while true {
            let next = try client.devicesPage(token: token, pageSize: pageSize, pageToken: tokens.last!, offset: offset)
            if next.isEmpty { break }
            tokens.append(next)
            offset += pageSize
            guard tokens.count < 1000 else { throw WrongAnswer("paging does not end") }
        }
        return tokens
    }

    func testFiveHundredConcurrentKeepAliveConnectionsWithSlowClients() throws {
        let (mock, expectations) = try startMock()
        defer { mock.stop(timeout: 2) }
        let setup = CheckedMockClient(port: mock.port, expectations: expectations)
        let token = try setup.token().access
        let pageSize = 20
        let tokens = try pageTokens(setup, token: token, pageSize: pageSize)
        let uuids = expectations.uuids.compactMap { $0 }.filter { $0.utf8.allSatisfy { $0 == 0x2D || isalnum(Int32($0)) != 0 } }
        setup.close()
        XCTAssertTrue(waitUntil(5) { mock.httpServer.connectionCount == 0 })

        let descriptorsBefore = ProcessResources.openDescriptorCount()
        let residentBefore = ProcessResources.residentKiB()
        let connections = 500
        let requestsPerConnection = Budget.isLong ? 40 : 4
        let counters = SharedCounters()
        let allConnected = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let allDone = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let connected = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let port = mock.port
        let started = Date()

        // Slow clients: each sends one whole request a byte at a time while the 500 are busy.
        let slowClients = 12
        let slowLatencies = Mutex<[Double]>([])
        let slowFinished = DispatchGroup()
        for index in 0..<slowClients {
            slowFinished.enter()
            Thread {
                defer { slowFinished.leave() }
                do {
                    let connection = try RawHTTPConnection(port: port, timeout: 30)
                    defer { connection.close() }
                    let uuid = uuids[index % uuids.count]
                    let request = RawHTTPConnection.encodeRequest("GET", "/\(MockExpectations.dataHost)/v1/devices/\(uuid)",
                                                                  headers: [("Authorization", "Bearer \(token)")])
                    for byte in request {
                        try connection.send([byte])
                        usleep(8_000)
                    }
                    let began = Date()
                    let response = try connection.readResponse()
                    slowLatencies.withLock { $0.append(Date().timeIntervalSince(began)) }
                    guard let position = expectations.index(of: uuid), response.status == 200,
                          (try? JSONParser.parse(response.body))?["device"] == expectations.devices[position] else {
                        counters.fail("slow client \(index): status \(response.status)")
                        return
                    }
                    counters.add("slow-ok")
                } catch {
                    counters.fail("slow client \(index): \(error)")
                }
            }.start()
        }

        let threads = startThreads(connections) { index in
            let client = CheckedMockClient(port: port, expectations: expectations, timeout: 30)
            defer { client.close() }
            do {
                _ = try client.open()
            } catch {
                counters.fail("connection \(index): \(error)")
            }
            if connected.add(1, ordering: .relaxed).newValue == connections { allConnected.signal() }
            _ = go.wait(timeout: .now() + 60)
            var random = SeededRandom.forCase(seed: Self.seed, index: index)
            for _ in 0..<requestsPerConnection {
                do {
                    switch random.below(4) {
                    case 0:
                        let page = random.below(tokens.count)
                        _ = try client.devicesPage(token: token, pageSize: pageSize, pageToken: tokens[page], offset: page * pageSize)
                    case 1: try client.device(token: token, uuid: random.element(uuids))
                    case 2: try client.batchGet(token: token, uuids: (0..<random.within(1...5)).map { _ in random.element(uuids) })
                    default: try client.groups(token: token)
                    }
                    counters.add("answers")
                    if client.connection == nil { counters.add("server-closed") }
                } catch {
                    counters.fail("connection \(index): \(error)")
                }
            }
            if done.add(1, ordering: .relaxed).newValue == connections { allDone.signal() }
            // Stay open until every connection has finished, so all 500 are open at once.
            _ = release.wait(timeout: .now() + 90)
        }
        // The connections are all open before any request is sent.
        XCTAssertEqual(allConnected.wait(timeout: .now() + 60), .success, "not all \(connections) connections opened")
        // Accepting runs on its own thread: give it a moment to register the last connections.
        _ = waitUntil(10) { mock.httpServer.connectionCount >= connections }
        let openAtOnce = mock.httpServer.connectionCount
        for _ in 0..<connections { go.signal() }
        XCTAssertEqual(allDone.wait(timeout: .now() + 90), .success, "not all connections finished their requests")
        let openAfterRequests = mock.httpServer.connectionCount
        for _ in 0..<connections { release.signal() }
        XCTAssertEqual(threads.wait(timeout: .now() + 60), .success, "threads did not finish")
        XCTAssertEqual(slowFinished.wait(timeout: .now() + 60), .success, "slow clients did not finish")
        let seconds = Date().timeIntervalSince(started)

        XCTAssertTrue(waitUntil(10) { mock.httpServer.connectionCount == 0 }, "connections left: \(mock.httpServer.connectionCount)")
        let descriptorsAfter = ProcessResources.waitForDescriptors(atMost: descriptorsBefore, within: 10)
        let residentAfter = ProcessResources.residentKiB()

        for failure in counters.failures.prefix(20) { XCTFail(failure) }
        XCTAssertEqual(counters["wrong"], 0)
        XCTAssertGreaterThanOrEqual(openAtOnce, connections, "connections open at once")
        XCTAssertGreaterThanOrEqual(openAfterRequests, connections, "keep-alive connections dropped by the server")
        XCTAssertEqual(counters["answers"], connections * requestsPerConnection)
        XCTAssertEqual(counters["slow-ok"], slowClients)
        XCTAssertLessThanOrEqual(descriptorsAfter, descriptorsBefore, "descriptors: \(descriptorsBefore) before, \(descriptorsAfter) after")
        XCTAssertLessThan(residentAfter - residentBefore, 256 * 1024, "resident memory grew from \(residentBefore) to \(residentAfter) KiB")
        let latencies = slowLatencies.withLock { $0 }
        reportFigures("mock-load-500", [
            "connections": connections, "open-at-once": openAtOnce, "open-after-requests": openAfterRequests,
            "answers": counters["answers"], "wrong": counters["wrong"], "slow-clients": slowClients, "slow-ok": counters["slow-ok"],
            "slow-answer-max-s": String(format: "%.3f", latencies.max() ?? -1),
            "fd-before": descriptorsBefore, "fd-after": descriptorsAfter, "rss-before-kib": residentBefore,
            "rss-after-kib": residentAfter, "seconds": String(format: "%.1f", seconds),
        ])
    }

    /// While slow clients hold connections open mid-head, a fresh client is answered at once.
    func testSlowlorisDoesNotBlockOthers() throws {
        let (mock, expectations) = try startMock()
        defer { mock.stop(timeout: 2) }
        let port = mock.port
        let slow = 64
        let stop = Atomic<Bool>(false)
        let trickling = Atomic<Int>(0)
        let slowDone = DispatchGroup()
        for _ in 0..<slow {
            slowDone.enter()
            Thread {
                defer { slowDone.leave() }
                guard let connection = try? RawHTTPConnection(port: port, timeout: 10) else { return }
                defer { connection.close() }
                let head = Array("GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
                var sent = 0
                while !stop.load(ordering: .relaxed) && sent < 4000 {
                    let byte = sent < head.count ? head[sent] : UInt8(ascii: "a")
                    if (try? connection.send([byte])) == nil { return }
                    if sent == head.count { trickling.add(1, ordering: .relaxed) }
                    sent += 1
                    usleep(20_000)
                }
            }.start()
        }
        XCTAssertTrue(waitUntil(20) { trickling.load(ordering: .relaxed) == slow }, "slow clients did not start")
        let client = CheckedMockClient(port: port, expectations: expectations, timeout: 5)
        defer { client.close() }
        var latencies: [Double] = []
        var wrong: [String] = []
        for _ in 0..<20 {
            let began = Date()
            do {
                let token = try client.token().access
                try client.groups(token: token)
            } catch {
                wrong.append("\(error)")
            }
            latencies.append(Date().timeIntervalSince(began))
            client.close()
        }
        stop.store(true, ordering: .relaxed)
        XCTAssertEqual(slowDone.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(wrong, [])
        XCTAssertLessThan(latencies.max() ?? 99, 1.0, "a fresh client waited behind slow ones: \(latencies)")
        reportFigures("slowloris", ["slow-connections": slow, "fresh-requests": latencies.count * 2,
                                    "fresh-max-latency-s": String(format: "%.3f", latencies.max() ?? -1), "wrong": wrong.count])
    }

    /// A bounded mixed workload (seconds by default, minutes with RELIABILITY_LONG=1): token grants,
    /// pages, single devices, batchGet, groups, Sekoia pushes, admin calls and malformed requests,
    /// with descriptors and memory measured before and after.
    func testMixedWorkloadHasNoWrongAnswersNorLeaks() throws {
        let (mock, expectations) = try startMock()
        defer { mock.stop(timeout: 2) }
        let setup = CheckedMockClient(port: mock.port, expectations: expectations)
        let token = try setup.token().access
        let pageSize = 37
        let tokens = try pageTokens(setup, token: token, pageSize: pageSize)
        let uuids = expectations.uuids.compactMap { $0 }.filter { $0.utf8.allSatisfy { $0 == 0x2D || isalnum(Int32($0)) != 0 } }
        setup.close()
        XCTAssertTrue(waitUntil(5) { mock.httpServer.connectionCount == 0 })
        let descriptorsBefore = ProcessResources.openDescriptorCount()
        let residentBefore = ProcessResources.residentKiB()

        let duration = Double(Budget.environment["RELIABILITY_SOAK_SECONDS"].flatMap(Int.init) ?? (Budget.isLong ? 180 : 4))
        let workers = 12
        let counters = SharedCounters()
        let port = mock.port
        let deadline = Date(timeIntervalSinceNow: duration)
        let finished = runThreads(workers, within: duration + 60) { worker in
            var random = SeededRandom.forCase(seed: Self.seed ^ 0x4D49_58, index: worker)
            let client = CheckedMockClient(port: port, expectations: expectations, timeout: 20)
            defer { client.close() }
            var iterations = 0
            while Date() < deadline && iterations < 1_000_000 {
                iterations += 1
                do {
                    switch random.below(20) {
                    case 0: _ = try client.token()
                    case 1...6:
                        let page = random.below(tokens.count)
                        _ = try client.devicesPage(token: token, pageSize: pageSize, pageToken: tokens[page], offset: page * pageSize)
                    case 7...9: try client.device(token: token, uuid: random.element(uuids))
                    case 10, 11: try client.batchGet(token: token, uuids: (0..<random.within(1...20)).map { _ in random.element(uuids) })
                    case 12, 13: try client.groups(token: token)
                    case 14, 15:
                        let items = (0..<random.within(1...30)).map { _ in random.element(expectations.devices) }
                        _ = try client.sekoiaPush(apiKey: "sekoia-demo-key", connector: "11111111-2222-4333-8444-555555555555", items: items)
                        counters.add("sekoia-items", items.count)
                    case 16:
                        let response = try client.send("GET", "/__admin/health")
                        guard response.status == 200, (try? JSONParser.parse(response.body))?["devices"] == .int(Int64(expectations.devices.count)) else {
                            throw WrongAnswer("health: \(response.status)")
                        }
                    case 17:
                        // A wrong token must be refused, never served.
                        let response = try client.send("GET", "/\(MockExpectations.dataHost)/v1/devices",
                                                       headers: [("Authorization", "Bearer \(String(token.reversed()))")])
                        guard response.status == 401 else { throw WrongAnswer("forged token answered \(response.status)") }
                    case 18:
                        // A malformed request: 400 and a close; the next request reconnects.
                        let connection = try client.open()
                        try connection.send("GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
                        let response = try connection.readResponse()
                        client.close()
                        guard response.status == 400 else { throw WrongAnswer("malformed request answered \(response.status)") }
                    default:
                        // A fresh connection for this request, closed right after.
                        client.close()
                        try client.device(token: token, uuid: random.element(uuids))
                        client.close()
                    }
                    counters.add("answers")
                } catch {
                    counters.fail("worker \(worker): \(error)")
                    client.close()
                }
            }
        }
        XCTAssertTrue(finished, "workers did not finish in time")
        XCTAssertTrue(waitUntil(10) { mock.httpServer.connectionCount == 0 }, "connections left: \(mock.httpServer.connectionCount)")
        let descriptorsAfter = ProcessResources.waitForDescriptors(atMost: descriptorsBefore, within: 10)
        let residentAfter = ProcessResources.residentKiB()
        for failure in counters.failures.prefix(20) { XCTFail(failure) }
        XCTAssertEqual(counters["wrong"], 0)
        XCTAssertEqual(mock.receivedSekoiaItemCount, counters["sekoia-items"], "items counted by the intake")
        XCTAssertLessThanOrEqual(descriptorsAfter, descriptorsBefore, "descriptors: \(descriptorsBefore) before, \(descriptorsAfter) after")
        XCTAssertLessThan(residentAfter - residentBefore, 256 * 1024, "resident memory grew from \(residentBefore) to \(residentAfter) KiB")
        reportFigures("mixed-workload", [
            "seconds": Int(duration), "workers": workers, "answers": counters["answers"], "wrong": counters["wrong"],
            "sekoia-items": counters["sekoia-items"], "fd-before": descriptorsBefore, "fd-after": descriptorsAfter,
            "rss-before-kib": residentBefore, "rss-after-kib": residentAfter,
        ])
    }
}
