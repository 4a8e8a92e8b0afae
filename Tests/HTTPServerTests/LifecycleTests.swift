import Dispatch
import Foundation
import HTTPServer
import HTTPTesting
import XCTest

final class LifecycleTests: ServerTestCase {
    private func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    func testStartFailsClearlyWhenPortIsTaken() throws {
        let first = try startServer()
        var configuration = HTTPServer.Configuration()
        configuration.port = first.port
        let second = HTTPServer(configuration: configuration, handler: describingHandler)
        XCTAssertThrowsError(try second.start()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("127.0.0.1:\(first.port)"), text)
            XCTAssertTrue(text.contains("Address already in use"), text)
            XCTAssertEqual((error as? HTTPServerError)?.errno, EADDRINUSE)
        }
        XCTAssertEqual(try connect(first).request("GET", "/").status, 200, "the first server is unaffected")
    }

    func testStartFailsClearlyForBadHost() {
        var configuration = HTTPServer.Configuration()
        configuration.host = "not-an-address.invalid"
        let server = HTTPServer(configuration: configuration, handler: describingHandler)
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue("\(error)".contains("not-an-address.invalid:0"), "\(error)")
        }
    }

    func testStartTwiceIsRejected() throws {
        let server = try startServer()
        XCTAssertThrowsError(try server.start()) { XCTAssertTrue("\($0)".contains("already started"), "\($0)") }
    }

    func testManyServersSideBySide() throws {
        var servers: [HTTPServer] = []
        for index in 0..<16 {
            servers.append(try startServer(handler: { _ in .text(200, "server \(index)") }))
        }
        XCTAssertEqual(Set(servers.map(\.port)).count, servers.count, "each server has its own port")
        let connections = try servers.map { try connect($0) }
        for round in 0..<3 {
            for (index, connection) in connections.enumerated() {
                XCTAssertEqual(try connection.request("GET", "/\(round)").bodyText, "server \(index)")
            }
        }
    }

    func testStopLetsInFlightRequestFinish() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { request in
            entered.signal()
            _ = release.wait(timeout: .now() + 5)
            return .text(200, "finished \(request.path)")
        })
        let result = Shared<Result<RawHTTPResponse, RawHTTPError>?>(nil)
        let port = server.port
        Thread.detachNewThread {
            do {
                let connection = try RawHTTPConnection(port: port)
                let response = try connection.request("GET", "/slow")
                result.update { $0 = .success(response) }
            } catch {
                result.update { $0 = .failure(error as? RawHTTPError ?? RawHTTPError("\(error)")) }
            }
        }
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success, "handler never called")
        // Release the handler only once stop() is under way, so stop must wait for it.
        Thread.detachNewThread {
            _ = waitUntil { !server.isRunning }
            release.signal()
        }
        server.stop(timeout: 5)
        XCTAssertEqual(server.connectionCount, 0)
        XCTAssertTrue(waitUntil { result.value != nil })
        let response = try XCTUnwrap(result.value).get()
        XCTAssertEqual(response.bodyText, "finished /slow")
        XCTAssertEqual(response.header("Connection"), "close", "a response sent while stopping announces the close")
        XCTAssertThrowsError(try RawHTTPConnection(port: port), "still accepting after stop")
    }

    func testStopClosesIdleKeepAliveConnectionsPromptly() throws {
        let server = try startServer()
        let idle = try connect(server)
        XCTAssertEqual(try idle.request("GET", "/").status, 200)
        let neverSent = try connect(server)
        XCTAssertTrue(waitUntil { server.connectionCount == 2 })
        let start = Date()
        server.stop(timeout: 5)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "idle connections must not delay stop")
        XCTAssertTrue(idle.isClosedByPeer(timeout: 2))
        XCTAssertTrue(neverSent.isClosedByPeer(timeout: 2))
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testStopGivesUpOnAStuckHandlerAfterTimeout() throws {
        let release = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { _ in
            entered.signal()
            _ = release.wait(timeout: .now() + 10)
            return .text(200, "late")
        })
        let client = try connect(server)
        try client.send(RawHTTPConnection.encodeRequest("GET", "/stuck"))
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success)
        let start = Date()
        server.stop(timeout: 0.3)
        let took = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(took, 0.25)
        XCTAssertLessThan(took, 2.0)
        release.signal()
        XCTAssertTrue(client.isClosedByPeer(timeout: 3))
        XCTAssertTrue(waitUntil { server.connectionCount == 0 })
    }

    func testStopIsIdempotentAndWaitUntilStoppedReturns() throws {
        let neverStarted = HTTPServer(handler: describingHandler)
        neverStarted.stop()
        neverStarted.waitUntilStopped()

        let server = try startServer()
        XCTAssertTrue(server.isRunning)
        let stopped = expectation(description: "waitUntilStopped returned")
        Thread.detachNewThread {
            server.waitUntilStopped()
            stopped.fulfill()
        }
        server.stop()
        server.stop()
        wait(for: [stopped], timeout: 5)
        XCTAssertFalse(server.isRunning)
    }

    func testStartStopCyclesDoNotLeakDescriptors() throws {
        let before = openFileDescriptors()
        XCTAssertGreaterThan(before, 0)
        for _ in 0..<10 {
            let server = HTTPServer(handler: describingHandler)
            try server.start()
            let keepAlive = try RawHTTPConnection(port: server.port)
            XCTAssertEqual(try keepAlive.request("GET", "/").status, 200)
            let closing = try RawHTTPConnection(port: server.port)
            XCTAssertEqual(try closing.request("GET", "/", headers: [("Connection", "close")]).status, 200)
            let rejected = try RawHTTPConnection(port: server.port)
            try rejected.send("BAD\r\n\r\n")
            XCTAssertEqual(try rejected.readResponse().status, 400)
            server.stop()
            keepAlive.close()
            closing.close()
            rejected.close()
        }
        let settled = waitUntil { self.openFileDescriptors() <= before }
        XCTAssertTrue(settled, "descriptors before: \(before), after: \(openFileDescriptors())")
    }

    func testSignalStopsServer() throws {
        let server = try startServer()
        let received = Shared<[Int32]>([])
        let registration = installSignalStop(server, signals: [SIGUSR2]) { signal in
            received.update { $0.append(signal) }
        }
        defer { registration.cancel() }
        let stopped = expectation(description: "server stopped by signal")
        Thread.detachNewThread {
            server.waitUntilStopped()
            stopped.fulfill()
        }
        kill(getpid(), SIGUSR2)
        wait(for: [stopped], timeout: 5)
        XCTAssertEqual(received.value, [SIGUSR2])
        XCTAssertFalse(server.isRunning)
    }
}
