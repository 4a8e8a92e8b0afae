import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPServer
import XCTest

/// The connector talks to the mock through URLSession (libcurl on Linux): check the server and
/// that client agree on framing, keep-alive and `Expect: 100-continue`.
final class URLSessionInteropTests: ServerTestCase {
    private func fetch(_ session: URLSession, _ request: URLRequest) throws -> (HTTPURLResponse, Data) {
        let result = Shared<Result<(HTTPURLResponse, Data), Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { data, response, error in
            if let error {
                result.update { $0 = .failure(error) }
            } else if let response = response as? HTTPURLResponse {
                result.update { $0 = .success((response, data ?? Data())) }
            }
            done.signal()
        }.resume()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "URLSession request timed out")
        return try XCTUnwrap(result.value).get()
    }

    func testURLSessionGetAndLargePostReuseOneConnection() throws {
        let peers = Shared<Set<String>>([])
        let server = try startServer(handler: { request in
            peers.update { _ = $0.insert(request.remoteAddress) }
            return .json(200, Array("{\"method\":\"\(request.method)\",\"received\":\(request.body.count)}".utf8))
        })
        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }
        let url = try XCTUnwrap(URL(string: server.baseURL + "/api?x=1"))

        for _ in 0..<3 {
            let (response, data) = try fetch(session, URLRequest(url: url))
            XCTAssertEqual(response.statusCode, 200)
            XCTAssertEqual(String(decoding: data, as: UTF8.self), "{\"method\":\"GET\",\"received\":0}")
        }
        var post = URLRequest(url: url)
        post.httpMethod = "POST"
        post.httpBody = Data(repeating: 42, count: 300_000)
        post.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (response, data) = try fetch(session, post)
        XCTAssertEqual(response.statusCode, 200)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "{\"method\":\"POST\",\"received\":300000}")
        XCTAssertEqual(response.value(forHTTPHeaderField: "Content-Type"), "application/json")
        XCTAssertEqual(peers.value.count, 1, "URLSession should reuse the keep-alive connection: \(peers.value)")
    }
}
