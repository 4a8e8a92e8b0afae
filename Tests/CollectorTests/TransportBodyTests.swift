@testable import ESET
@testable import HTTPClient
import Foundation
import XCTest

/// `URLSessionTransport` over real sockets: the body a server sends in many small writes, with
/// or without `Content-Length`, chunked or not, arrives byte for byte, and lying lengths and
/// limits end the way they always did.
final class TransportBodyTests: XCTestCase {
    /// 1.7 MB of JSON-ish bytes, about one page of 1000 devices.
    private static let page: [UInt8] = {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1_700_000)
        var index = 0
        while bytes.count < 1_700_000 {
            bytes += Array(#"{"uuid":"\#(index)","name":"d\#(index * 7919 % 100_003)"},"#.utf8)
            index += 1
        }
        return bytes
    }()

    /// Sends `bytes` in pieces of 1 to 4096 bytes, so the client sees many partial reads.
    private static func sendInPieces(_ bytes: [UInt8], _ send: ([UInt8]) -> Bool) -> Bool {
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            guard send(Array(bytes[offset..<end])) else { return false }
            offset = end
            size = size % 4096 + 97
        }
        return true
    }

    private func get(_ server: HostileServer, limit: Int = 33 << 20) async throws -> HTTPClientResponse {
        try await URLSessionTransport().send(
            HTTPClientRequest(method: "GET", url: server.baseURL + "/v1/devices", timeout: 20, maxResponseBytes: limit))
    }

    func testABodyWithContentLengthSentInSmallPiecesArrivesWhole() async throws {
        let body = Self.page
        let server = try HostileServer { _, _, send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)) else { return }
            _ = Self.sendInPieces(body, send)
        }
        let response = try await get(server)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.count, body.count)
        XCTAssertTrue(response.body == body, "the assembled body differs from the bytes sent")
    }

    func testABodyWithoutContentLengthEndedByClosingArrivesWhole() async throws {
        let body = Self.page
        let server = try HostileServer { _, _, send in
            guard send(Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8)) else { return }
            _ = Self.sendInPieces(body, send)
        }
        let response = try await get(server)
        XCTAssertEqual(response.body.count, body.count)
        XCTAssertTrue(response.body == body, "the assembled body differs from the bytes sent")
    }

    func testAChunkedBodyOfManySmallChunksArrivesWhole() async throws {
        let body = Self.page
        let server = try HostileServer { _, _, send in
            guard send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)) else { return }
            var offset = 0
            var size = 1
            while offset < body.count {
                let end = min(body.count, offset + size)
                let chunk = Array((String(end - offset, radix: 16) + "\r\n").utf8) + body[offset..<end] + Array("\r\n".utf8)
                guard send(chunk) else { return }
                offset = end
                size = size % 8192 + 311
            }
            _ = send(Array("0\r\n\r\n".utf8))
        }
        let response = try await get(server)
        XCTAssertEqual(response.body.count, body.count)
        XCTAssertTrue(response.body == body, "the assembled body differs from the bytes sent")
    }

    func testAContentLengthShorterThanTheBodyYieldsTheDeclaredBytesOnly() async throws {
        let body = Array("0123456789abcdefghij".utf8)
        let server = try HostileServer { _, _, send in
            _ = send(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n".utf8) + body)
        }
        let response = try await get(server)
        XCTAssertEqual(response.body, Array(body[0..<10]), "bytes past the declared length are not part of the answer")
    }

    func testAContentLengthLongerThanTheBodyIsNeverAComplete200() async throws {
        let body = Array(Self.page[0..<300_000])
        let server = try HostileServer { _, _, send in
            guard send(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count + 5000)\r\nConnection: close\r\n\r\n".utf8)) else { return }
            _ = Self.sendInPieces(body, send)
        }
        do {
            let response = try await get(server)
            XCTFail("a body 5000 bytes short of its Content-Length was accepted: \(response.body.count) bytes")
        } catch let error as TransportError {
            // libcurl reports the early close itself; either way the call is a retryable failure.
            XCTAssertFalse(error.isFinal, "\(error)")
            switch error {
            case .truncatedBody(let received, let expected):
                XCTAssertEqual(expected, body.count + 5000)
                XCTAssertLessThanOrEqual(received, body.count)
            case .connectionFailed: break
            default: XCTFail("unexpected \(error)")
            }
        }
    }

    func testABodyOfExactlyTheLimitPassesAndOneByteMoreDoesNot() async throws {
        let limit = 200_000
        let exact = Array(Self.page[0..<limit])
        let over = Array(Self.page[0...limit])
        for (body, declares) in [(exact, true), (exact, false), (over, true), (over, false)] {
            let server = try HostileServer { _, _, send in
                let length = declares ? "Content-Length: \(body.count)\r\n" : ""
                guard send(Array("HTTP/1.1 200 OK\r\n\(length)Connection: close\r\n\r\n".utf8)) else { return }
                _ = Self.sendInPieces(body, send)
            }
            do {
                let response = try await get(server, limit: limit)
                XCTAssertEqual(body.count, limit, "\(body.count) bytes passed a limit of \(limit)")
                XCTAssertTrue(response.body == body, "declared \(declares): the body differs")
            } catch let error as TransportError {
                XCTAssertEqual(body.count, limit + 1, "\(error)")
                XCTAssertEqual(error, .responseTooLarge(limit: limit, declared: declares ? limit + 1 : nil), "declared \(declares)")
            }
        }
    }
}

/// Connection reuse: a collection of many pages is one TCP connection, not one per call.
final class TransportKeepAliveTests: XCTestCase {
    func testTheTokenAndEveryPageShareOneKeptAliveConnection() async throws {
        let server = try HostileServer(keepAlive: true) { head, _, send in
            let path = HostileServer.path(of: head)
            let body: String
            if path.contains("/oauth/token") {
                body = HostileServer.token
            } else {
                let page = path.range(of: "pageToken=page-").map { Int(path[$0.upperBound...].prefix(1)) ?? 9 } ?? 0
                let next = page < 4 ? "page-\(page + 1)" : ""
                body = #"{"devices":[{"uuid":"00000000-0000-0000-0000-00000000000\#(page)"}],"nextPageToken":"\#(next)"}"#
            }
            _ = send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        }
        let client = ESETClient(
            configuration: ESETClientConfiguration(
                endpoints: ESETEndpoints(region: .eu, overrideBase: server.baseURL), username: "api@example.com", password: Secret("pw"),
                requestTimeout: 10, callsPerSecond: nil, pageSize: 10),
            transport: URLSessionTransport())
        var cursor = ESETListCursor()
        var pages = 0
        for _ in 0..<10 {
            guard try await client.nextDevicePage(&cursor) != nil else { break }
            pages += 1
        }
        XCTAssertEqual(pages, 5)
        XCTAssertEqual(server.requests.count, 6, "one token grant and five pages")
        XCTAssertEqual(server.connectionsAccepted, 1, "every call after the first reuses the kept-alive connection")
    }
}
