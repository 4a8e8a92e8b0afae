import Foundation
import HTTPServer
import HTTPTesting
import XCTest

final class ConnectionManagementTests: ServerTestCase {
    func testIdleKeepAliveConnectionIsClosedAfterIdleTimeout() throws {
        let server = try startServer { $0.idleTimeout = 0.3 }
        let connection = try connect(server)
        XCTAssertEqual(try connection.request("GET", "/").status, 200)
        let idleSince = Date()
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3), "idle connection never closed")
        let idleFor = Date().timeIntervalSince(idleSince)
        XCTAssertGreaterThan(idleFor, 0.25, "closed before the idle timeout")
        XCTAssertLessThan(idleFor, 2.0)
        XCTAssertTrue(waitUntil { server.connectionCount == 0 })
    }

    func testActivityKeepsConnectionAlivePastTheIdleTimeout() throws {
        let server = try startServer { $0.idleTimeout = 0.3 }
        let connection = try connect(server)
        let start = Date()
        // Back-to-back requests for longer than the idle timeout: the timer restarts per request.
        var count = 0
        while Date().timeIntervalSince(start) < 0.6 && count < 100_000 {
            XCTAssertEqual(try connection.request("GET", "/").status, 200)
            count += 1
        }
    }

    func testSlowlorisHeadGets408WithinTheBound() throws {
        let server = try startServer { $0.idleTimeout = 0.3 }
        let connection = try connect(server)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3))
    }

    func testStalledBodyGets408() throws {
        let server = try startServer { $0.idleTimeout = 0.3 }
        let connection = try connect(server)
        try connection.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        XCTAssertEqual(try connection.readResponse().status, 408)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3))
    }

    func testSlowClientDoesNotBlockAnother() throws {
        let server = try startServer()
        let slow = try connect(server)
        let request = Array("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let half = request.count / 2
        for byte in request[..<half] { try slow.send([byte]) }

        let fast = try connect(server)
        for index in 0..<20 {
            XCTAssertEqual(try fast.request("GET", "/fast\(index)").bodyText, "GET /fast\(index)\nbody ")
        }
        for byte in request[half...] { try slow.send([byte]) }
        XCTAssertEqual(try slow.readResponse().bodyText, "GET /slow\nbody ")
    }

    func testConnectionsAboveTheCapGet503AndClose() throws {
        let server = try startServer { $0.maxConnections = 2 }
        let first = try connect(server)
        let second = try connect(server)
        XCTAssertEqual(try first.request("GET", "/1").status, 200)
        XCTAssertEqual(try second.request("GET", "/2").status, 200)
        XCTAssertEqual(server.connectionCount, 2)

        let third = try connect(server)
        let rejected = try third.readResponse()
        XCTAssertEqual(rejected.status, 503)
        XCTAssertEqual(rejected.header("Connection"), "close")
        XCTAssertTrue(rejected.bodyText.contains("limit 2"), rejected.bodyText)
        XCTAssertTrue(third.isClosedByPeer(timeout: 3))

        // Capacity comes back once a connection goes away.
        first.close()
        XCTAssertTrue(waitUntil { server.connectionCount < 2 }, "closed connection still counted")
        XCTAssertEqual(try connect(server).request("GET", "/again").status, 200)
        XCTAssertEqual(try second.request("GET", "/still").status, 200)
    }

    func testCloseDispositionSendsThenCloses() throws {
        let server = try startServer(handler: { _ in HTTPResponse.text(200, "last").with(.close) })
        let connection = try connect(server)
        let response = try connection.request("GET", "/")
        XCTAssertEqual(response.bodyText, "last")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3))
    }

    func testHandlerConnectionCloseHeaderCloses() throws {
        let server = try startServer(handler: { _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("Connection", "close")]), body: Array("x"))
        })
        let connection = try connect(server)
        XCTAssertEqual(try connection.request("GET", "/").header("Connection"), "close")
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3))
    }

    func testTruncateDispositionSendsFullLengthButPartialBody() throws {
        let body = [UInt8](repeating: UInt8(ascii: "z"), count: 100)
        let server = try startServer(handler: { _ in HTTPResponse(status: 200, bodyChunks: [Array(body[..<4]), Array(body[4...])]).with(.truncate(afterBodyBytes: 10)) })
        let connection = try connect(server)
        try connection.send(RawHTTPConnection.encodeRequest("GET", "/cut"))
        let wire = try connection.readUntilClosed()
        let text = String(decoding: wire, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        XCTAssertEqual(parts.count, 2, text)
        XCTAssertTrue(parts[0].contains("\r\nContent-Length: 100"), parts[0])
        XCTAssertFalse(parts[0].contains("Connection: close"), "a truncation must look like a network failure")
        XCTAssertEqual(parts.last, String(repeating: "z", count: 10))

        let client = try connect(server)
        XCTAssertThrowsError(try client.request("GET", "/cut")) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }

    func testResetDispositionAbortsWithoutAnswer() throws {
        let server = try startServer(handler: { _ in HTTPResponse(status: 200).with(.reset) })
        let connection = try connect(server)
        XCTAssertThrowsError(try connection.request("GET", "/rst")) { error in
            XCTAssertTrue("\(error)".contains("reset"), "expected a TCP reset, got: \(error)")
        }
        XCTAssertTrue(waitUntil { server.connectionCount == 0 })
    }

    func testInvalidHandlerStatusBecomes500() throws {
        let server = try startServer(handler: { _ in HTTPResponse(status: 101) })
        let response = try connect(server).request("GET", "/")
        XCTAssertEqual(response.status, 500)
        XCTAssertTrue(response.bodyText.contains("101"))
    }
}
