@testable import HTTPServer
import XCTest

/// The response head is written as bytes straight into one buffer; these pin its exact form.
final class ResponseHeadTests: XCTestCase {
    func testHeadBytesAreTheExactStatusLineAndFields() {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("request-id", "abc"),
                                   ("Content-Length", "999"), ("connection", "x"), ("Date", "never"), ("X-Two", "a\r\nInjected: 1"),
                                   ("bad name", "dropped"), ("", "dropped too")])
        let bytes = ResponseWriter.headBytes(status: 200, headers: headers, contentLength: 42, connection: "close",
                                             date: "Sun, 06 Nov 1994 08:49:37 GMT")
        let expected = "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: application/json\r\n"
            + "request-id: abc\r\nX-Two: a Injected: 1\r\nContent-Length: 42\r\nConnection: close\r\n\r\n"
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), expected)
        XCTAssertEqual(ResponseWriter.head(status: 200, headers: headers, contentLength: 42, connection: "close",
                                           date: "Sun, 06 Nov 1994 08:49:37 GMT"), expected)
    }

    func testHeadWithoutLengthWithChunkingAndAnUnknownStatus() {
        let head = ResponseWriter.head(status: 299, headers: HTTPHeaders([("Ünïcode-Value", "x"), ("X", "é")]),
                                       contentLength: nil, connection: nil, date: "D", chunked: true)
        XCTAssertEqual(head, "HTTP/1.1 299 Status 299\r\nDate: D\r\nX: é\r\nTransfer-Encoding: chunked\r\n\r\n")
    }
}
