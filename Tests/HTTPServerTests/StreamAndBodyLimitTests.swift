import Foundation
import HTTPServer
import HTTPTesting
import XCTest

/// The two server features the mock's hostile scenarios and per-route limits rest on: a body that
/// never completes (bounded by the client, `maxSeconds` and `stop()`), and a body limit decided
/// per request from its head.
final class StreamAndBodyLimitTests: ServerTestCase {
    private func streaming(_ stream: HTTPBodyStream, prefix: String = "[") -> HTTPHandler {
        { _ in
            var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array(prefix.utf8))
            response.disposition = .stream(stream)
            return response
        }
    }

    func testChunkedStreamRepeatsItsUnitAndNeverSendsTheLastChunk() throws {
        let server = try startServer(handler: streaming(HTTPBodyStream(framing: .chunked, repeating: Array("ab".utf8))))
        let connection = try connect(server)
        try connection.send(RawHTTPConnection.encodeRequest("GET", "/"))
        let (head, prefix, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 300_000)
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked")
        XCTAssertEqual(head.header("Connection"), "close")
        XCTAssertFalse(ended)
        let text = String(decoding: prefix, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("1\r\n[\r\n10000\r\nababab"), String(text.prefix(40)))
        connection.close()
        XCTAssertTrue(waitUntil(timeout: 10) { server.connectionCount == 0 }, "the stream ends when the client leaves")
    }

    func testDeclaredLengthStreamStopsOneByteShortAndTrickleRespectsItsBounds() throws {
        let server = try startServer(handler: streaming(HTTPBodyStream(framing: .contentLength(70_000), repeating: [0x20])))
        let connection = try connect(server)
        try connection.send(RawHTTPConnection.encodeRequest("GET", "/"))
        let (head, body, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 1 << 20)
        XCTAssertEqual(head.header("Content-Length"), "70000")
        XCTAssertTrue(ended)
        XCTAssertEqual(body.count, 69_999)

        let slow = try startServer(handler: streaming(HTTPBodyStream(framing: .chunked, repeating: [0x20], bytesPerSecond: 1000,
                                                                     maxSeconds: 1)))
        let trickle = try connect(slow, timeout: 10)
        try trickle.send(RawHTTPConnection.encodeRequest("GET", "/"))
        let started = Date()
        let (_, bytes, closed) = try trickle.readHeadAndBodyPrefix(maxBodyBytes: 1 << 20)
        XCTAssertTrue(closed, "maxSeconds ends the stream")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.5, "paced, not sent at once")
        XCTAssertLessThan(bytes.count, 3000)
    }

    func testStopCutsStreamsWithoutWaitingForTheirTimeout() throws {
        let streamer = try startServer({ $0.idleTimeout = 60 }, handler: streaming(HTTPBodyStream(framing: .chunked, repeating: [0x41])))
        let connection = try connect(streamer, timeout: 10)
        try connection.send(RawHTTPConnection.encodeRequest("GET", "/"))
        _ = try connection.readHeadAndBodyPrefix(maxBodyBytes: 10)
        let started = Date()
        streamer.stop(timeout: 30)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 10))
    }

    func testBodyLimitIsDecidedPerRequestFromTheHead() throws {
        let server = try startServer { configuration in
            configuration.maxBodyBytes = 10   // ignored once bodyLimit is set
            configuration.bodyLimit = { head in head.path.hasPrefix("/large") ? 5000 : 100 }
        }
        let small = try connect(server)
        XCTAssertEqual(try small.request("POST", "/small", body: Array(repeating: 0x61, count: 100)).status, 200)
        XCTAssertEqual(try connect(server).request("POST", "/small", body: Array(repeating: 0x61, count: 101)).status, 413)
        XCTAssertEqual(try connect(server).request("POST", "/large", body: Array(repeating: 0x61, count: 5000)).status, 200)
        let refused = try connect(server).request("POST", "/large?x=1", body: Array(repeating: 0x61, count: 5001))
        XCTAssertEqual(refused.status, 413)
        XCTAssertTrue(refused.bodyText.contains("5000"), refused.bodyText)
        let chunked = try connect(server)
        try chunked.send(Array("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n".utf8)
                         + Array(repeating: 0x61, count: 100) + Array("\r\n1\r\na\r\n0\r\n\r\n".utf8))
        XCTAssertEqual(try chunked.readResponse().status, 413)
    }
}
