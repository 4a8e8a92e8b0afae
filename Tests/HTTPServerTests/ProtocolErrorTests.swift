import Foundation
import HTTPServer
import HTTPTesting
import XCTest

/// Every protocol error is answered with a precise status and then the connection is closed,
/// because the start of the next request can no longer be trusted.
final class ProtocolErrorTests: ServerTestCase {
    /// Sends `raw`, expects `status` with a body mentioning `mentioning`, then a closed connection.
    private func expectRejection(_ raw: String, status: Int, mentioning: String? = nil,
                                 configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let server = try startServer(configure)
        let connection = try connect(server)
        try connection.send(raw)
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, status, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.header("Connection"), "close", file: file, line: line)
        if let mentioning {
            XCTAssertTrue(response.bodyText.contains(mentioning), "body: \(response.bodyText)", file: file, line: line)
        }
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3), "connection left open after \(status)", file: file, line: line)
    }

    func testContentLengthWithTransferEncodingIsRejected() throws {
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                            status: 400, mentioning: "both Content-Length and Transfer-Encoding")
    }

    func testInvalidContentLengthIsRejected() throws {
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", status: 400, mentioning: "invalid Content-Length")
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", status: 400, mentioning: "invalid Content-Length")
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400)
    }

    func testConflictingContentLengthsAreRejected() throws {
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                            status: 400, mentioning: "conflicting Content-Length")
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", status: 400, mentioning: "conflicting")
    }

    func testRepeatedIdenticalContentLengthIsAccepted() throws {
        let server = try startServer()
        let connection = try connect(server)
        try connection.send("POST /same HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc")
        XCTAssertEqual(try connection.readResponse().bodyText, "POST /same\nbody abc")
    }

    func testUnsupportedTransferCodings() throws {
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501, mentioning: "gzip")
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400, mentioning: "must end with chunked")
        try expectRejection("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400, mentioning: "HTTP/1.0")
    }

    func testMalformedChunkedBodyIsRejected() throws {
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400, mentioning: "chunk size")
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n", status: 400, mentioning: "CRLF")
    }

    func testHeadJustUnderTheLimitPassesAndJustOverGets431() throws {
        let limit = 1024
        let server = try startServer { $0.maxHeaderBytes = limit }
        func head(totalBytes: Int) -> String {
            let skeleton = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \r\n\r\n"
            return "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "p", count: totalBytes - skeleton.utf8.count) + "\r\n\r\n"
        }
        let atLimit = head(totalBytes: limit)
        XCTAssertEqual(atLimit.utf8.count, limit)
        let fits = try connect(server)
        try fits.send(atLimit)
        XCTAssertEqual(try fits.readResponse().status, 200)
        try fits.send(atLimit)
        XCTAssertEqual(try fits.readResponse().status, 200, "the limit applies per request, not per connection")

        let tooBig = try connect(server)
        try tooBig.send(head(totalBytes: limit + 1))
        let response = try tooBig.readResponse()
        XCTAssertEqual(response.status, 431)
        XCTAssertTrue(tooBig.isClosedByPeer(timeout: 3))
    }

    func testEndlessHeadIsCutAt431WithoutWaitingForItsEnd() throws {
        let server = try startServer { $0.maxHeaderBytes = 2048 }
        let connection = try connect(server)
        try connection.send("GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 4000))
        XCTAssertEqual(try connection.readResponse().status, 431)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3))
    }

    func testBodyAtTheLimitPassesAndAboveGets413() throws {
        let server = try startServer { $0.maxBodyBytes = 1000 }
        let fits = try connect(server)
        let accepted = try fits.request("POST", "/", body: [UInt8](repeating: 65, count: 1000))
        XCTAssertEqual(accepted.status, 200)
        XCTAssertEqual(accepted.body.count, "POST /\nbody ".utf8.count + 1000)

        let tooBig = try connect(server)
        let rejected = try tooBig.request("POST", "/", body: [UInt8](repeating: 65, count: 1001))
        XCTAssertEqual(rejected.status, 413)
        XCTAssertTrue(rejected.bodyText.contains("1001"), rejected.bodyText)
        XCTAssertTrue(tooBig.isClosedByPeer(timeout: 3))
    }

    func testHugeUploadStillReceives413() throws {
        // The client is still uploading when the answer comes: the server must drain instead of
        // resetting, or the client would never see the 413.
        let server = try startServer { $0.maxBodyBytes = 1000 }
        let connection = try connect(server)
        let response = try connection.request("POST", "/", body: [UInt8](repeating: 66, count: 16_000_000))
        XCTAssertEqual(response.status, 413)
    }

    func testChunkedBodyAboveTheLimitGets413() throws {
        let chunk = String(repeating: "c", count: 600)
        try expectRejection("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n",
                            status: 413, configure: { $0.maxBodyBytes = 1000 })
    }

    func testMalformedRequestLinesGet400() throws {
        try expectRejection("GARBAGE\r\n\r\n", status: 400, mentioning: "malformed request line")
        try expectRejection("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", status: 400)
        try expectRejection("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", status: 400)
        try expectRejection("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, mentioning: "invalid method")
        try expectRejection("GET relative HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, mentioning: "must start with '/'")
        try expectRejection("GET / http/1.1\r\nHost: x\r\n\r\n", status: 400, mentioning: "HTTP version")
        try expectRejection("GET /\u{7}bell HTTP/1.1\r\nHost: x\r\n\r\n", status: 400)
    }

    func testMalformedHeadersGet400NamingTheLine() throws {
        try expectRejection("GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", status: 400, mentioning: "line 3")
        try expectRejection("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", status: 400, mentioning: "invalid header name at line 3")
        try expectRejection("GET / HTTP/1.1\r\nHost : x\r\n\r\n", status: 400, mentioning: "invalid header name")
        try expectRejection("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", status: 400, mentioning: "folding")
        try expectRejection("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", status: 400, mentioning: "control character")
        try expectRejection("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", status: 400, mentioning: "bare CR")
    }

    func testHostIsRequiredOnceInHTTP11() throws {
        try expectRejection("GET / HTTP/1.1\r\n\r\n", status: 400, mentioning: "missing Host")
        try expectRejection("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, mentioning: "2 Host headers")
    }

    func testUnsupportedVersionGets505() throws {
        try expectRejection("GET / HTTP/2.0\r\nHost: x\r\n\r\n", status: 505, mentioning: "HTTP/2.0")
        try expectRejection("GET / HTTP/0.9\r\n\r\n", status: 505)
    }

    func testErrorAfterGoodPipelinedRequestAnswersBothInOrder() throws {
        let server = try startServer()
        let connection = try connect(server)
        try connection.send("GET /good HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().bodyText, "GET /good\nbody ")
        XCTAssertEqual(try connection.readResponse().status, 400)
        XCTAssertTrue(connection.isClosedByPeer(timeout: 3), "nothing after a malformed request may be served")
    }
}
