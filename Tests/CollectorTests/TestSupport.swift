import ESET
import Foundation
import HTTPClient
import JSON
import Synchronization
import XCTest

/// A transport that answers from a script instead of the network, recording every request.
final class ScriptedTransport: HTTPTransport {
    typealias Handler = @Sendable (HTTPClientRequest, Int) throws -> HTTPClientResponse
    private let handler: Handler
    private let recorded = Mutex<[HTTPClientRequest]>([])

    init(_ handler: @escaping Handler) { self.handler = handler }

    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let index = recorded.withLock { requests -> Int in
            requests.append(request)
            return requests.count - 1
        }
        return try handler(request, index)
    }

    var requests: [HTTPClientRequest] { recorded.withLock { $0 } }
    var dataRequests: [HTTPClientRequest] { requests.filter { !$0.url.contains("/oauth/token") } }
    var tokenRequests: [HTTPClientRequest] { requests.filter { $0.url.contains("/oauth/token") } }
}

/// The form fields of a token request body.
func formFields(_ request: HTTPClientRequest) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        fields[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}

func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPClientResponse {
    HTTPClientResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
}

/// A token answer; each call hands out numbered tokens so rotation can be checked.
func tokenAnswer(_ number: Int, expiresIn: Int = 3600) -> HTTPClientResponse {
    json(200, #"{"access_token":"access-\#(number)","refresh_token":"refresh-\#(number)","token_type":"Bearer","expires_in":\#(expiresIn)}"#)
}

func devicesPage(_ uuids: [String], next: String? = nil) -> HTTPClientResponse {
    let devices = uuids.map { #"{"uuid":"\#($0)","displayName":"\#($0)","lastSyncTime":"2025-05-21T10:00:00Z"}"# }.joined(separator: ",")
    let token = next.map { #","nextPageToken":"\#($0)""# } ?? ""
    return json(200, #"{"devices":[\#(devices)]\#(token)}"#)
}

let emptyGroups = json(200, #"{"deviceGroups":[],"nextPageToken":""}"#)

/// A client of `transport` with fast retries and no rate limit.
func testClient(_ transport: ScriptedTransport, retry: RetryPolicy = RetryPolicy(maxRetries: 3, maxRetryTime: 10, initialDelay: 0.001, maxDelay: 0.01, maxRetryAfter: 0.05), pendingPollLimit: Int = 5, overrideBase: String? = nil) -> ESETClient {
    ESETClient(
        configuration: ESETClientConfiguration(
            endpoints: ESETEndpoints(region: .eu, overrideBase: overrideBase), username: "api@example.com", password: Secret("s3cret-pass"),
            retry: retry, callsPerSecond: nil, pendingPollLimit: pendingPollLimit, pendingPollMaxDelay: 0.01),
        transport: transport)
}

/// Fetches every group page; returns the number of pages.
func drainGroups(_ client: ESETClient) async throws -> Int {
    var cursor = ESETListCursor()
    var pages = 0
    while try await client.nextDeviceGroupPage(&cursor) != nil { pages += 1 }
    return pages
}

/// Asserts that `body` throws an `ESETClientError` of `kind`, and returns it.
@discardableResult
func assertClientError(_ kind: ESETClientError.Kind, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async -> ESETClientError? {
    do {
        try await body()
        XCTFail("expected \(kind), got success", file: file, line: line)
    } catch let error as ESETClientError {
        XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
        return error
    } catch {
        XCTFail("expected \(kind), got \(error)", file: file, line: line)
    }
    return nil
}
