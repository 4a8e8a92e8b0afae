import ESET
import Foundation
import HTTPClient
import XCTest

/// Authentication: the password grant, renewal before expiry, refresh fallback, 401 and 403.
final class ESETClientAuthTests: XCTestCase {
    func testThePasswordGrantIsFormEncodedAndCallsCarryTheHeaders() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : emptyGroups
        }
        let client = testClient(transport)
        _ = try await drainGroups(client)
        let token = try XCTUnwrap(transport.tokenRequests.first)
        XCTAssertEqual(token.method, "POST")
        XCTAssertEqual(token.url, "https://eu.business-account.iam.eset.systems/oauth/token")
        XCTAssertEqual(token.header("Content-Type"), "application/x-www-form-urlencoded")
        XCTAssertEqual(formFields(token), ["grant_type": "password", "username": "api@example.com", "password": "s3cret-pass"])
        XCTAssertEqual(String(decoding: token.body, as: UTF8.self), "grant_type=password&username=api%40example.com&password=s3cret-pass")
        let data = try XCTUnwrap(transport.dataRequests.first)
        XCTAssertEqual(data.url, "https://eu.device-management.eset.systems/v1/device_groups?pageSize=1000")
        XCTAssertEqual(data.header("Authorization"), "Bearer access-1")
        XCTAssertEqual(data.header("3rd-integration"), "Sekoia.io")
        XCTAssertEqual(token.header("3rd-integration"), "Sekoia.io")
    }

    func testTheOverrideBasePrefixesTheRealHost() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : emptyGroups
        }
        _ = try await drainGroups(testClient(transport, overrideBase: "http://127.0.0.1:8080/"))
        XCTAssertEqual(transport.requests.map(\.url), [
            "http://127.0.0.1:8080/eu.business-account.iam.eset.systems/oauth/token",
            "http://127.0.0.1:8080/eu.device-management.eset.systems/v1/device_groups?pageSize=1000",
        ])
    }

    func testTheTokenIsRenewedBeforeExpiryWithTheRotatedRefreshToken() async throws {
        // expires_in 0: every call finds the token due for renewal.
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(index, expiresIn: 0) }
            return json(200, #"{"deviceGroups":[{"uuid":"g\#(index)"}],"nextPageToken":"\#(index < 5 ? "t\(index)" : "")"}"#)
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 3)
        let grants = transport.tokenRequests.map(formFields)
        XCTAssertEqual(grants.map { $0["grant_type"] }, ["password", "refresh_token", "refresh_token"])
        XCTAssertEqual(grants[1]["refresh_token"], "refresh-0", "the refresh token of the previous answer")
        XCTAssertEqual(grants[2]["refresh_token"], "refresh-2", "rotated")
        XCTAssertNil(grants[1]["password"])
        XCTAssertEqual(transport.dataRequests.map { $0.header("Authorization") }, ["Bearer access-0", "Bearer access-2", "Bearer access-4"])
    }

    func testARefusedRefreshFallsBackToThePasswordGrant() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") {
                if formFields(request)["grant_type"] == "refresh_token" {
                    return json(400, #"{"error":"invalid_grant","error_description":"refresh token is no longer valid"}"#)
                }
                return tokenAnswer(index, expiresIn: 0)
            }
            return json(200, #"{"deviceGroups":[],"nextPageToken":"\#(index < 3 ? "t\(index)" : "")"}"#)
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 2)
        XCTAssertEqual(transport.tokenRequests.map { formFields($0)["grant_type"] }, ["password", "refresh_token", "password"])
        XCTAssertEqual(client.retries.snapshot, [.refreshFallback: 1])
    }

    func testA401RenewsTheTokenOnceAndRepeatsTheCall() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return tokenAnswer(index) }
            return request.header("Authorization") == "Bearer access-0" ? json(401, #"{"code":16,"message":"access token expired"}"#) : emptyGroups
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        XCTAssertEqual(transport.tokenRequests.map { formFields($0)["grant_type"] }, ["password", "refresh_token"])
        XCTAssertEqual(transport.dataRequests.count, 2)
        XCTAssertEqual(client.retries.snapshot, [.unauthorized: 1])
    }

    func testA401AfterRenewingFails() async throws {
        let transport = ScriptedTransport { request, index in
            request.url.contains("/oauth/token") ? tokenAnswer(index) : HTTPClientResponse(status: 401)
        }
        let client = testClient(transport)
        let error = await assertClientError(.unauthorized) { _ = try await drainGroups(client) }
        XCTAssertEqual(transport.dataRequests.count, 2, "re-authenticated once, no more")
        XCTAssertTrue(error?.message.contains("HTTP 401 again after renewing the token") == true)
    }

    func testBadCredentialsAreFinalAndSayWhatToCheck() async throws {
        for status in [400, 401] {
            let transport = ScriptedTransport { _, _ in json(status, #"{"error":"invalid_grant","error_description":"invalid username or password"}"#) }
            let client = testClient(transport)
            let error = await assertClientError(.badCredentials) { _ = try await drainGroups(client) }
            XCTAssertEqual(transport.requests.count, 1, "the same credentials are not retried")
            let message = error?.message ?? ""
            XCTAssertTrue(message.contains("HTTP \(status): invalid_grant)"), message)
            XCTAssertFalse(message.contains("invalid username or password"), "a token endpoint's body is never printed beyond its error code")
            XCTAssertTrue(message.contains("'api@example.com'") && message.contains("region 'eu'"), message)
            XCTAssertEqual(error?.status, status)
            XCTAssertFalse(message.contains("--") || message.contains("ESET_PASSWORD"), "flag hints are the command line's: \(message)")
            XCTAssertFalse(message.contains("s3cret-pass"))
            XCTAssertTrue(error?.requiresIntervention == true)
        }
    }

    func testA403SaysWhichPermissionAndIsNotRetried() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : json(403, #"{"code":7,"message":"permission denied","details":[]}"#)
        }
        let client = testClient(transport)
        let error = await assertClientError(.accessDenied) { _ = try await drainGroups(client) }
        XCTAssertEqual(transport.dataRequests.count, 1)
        XCTAssertTrue(error?.message.contains("\"Integrations\" permission") == true)
        XCTAssertTrue(error?.message.contains("logged in once to ESET PROTECT Hub") == true)
    }

    func testA403FromTheTokenEndpointIsAccessDeniedToo() async throws {
        let transport = ScriptedTransport { _, _ in HTTPClientResponse(status: 403) }
        await assertClientError(.accessDenied) { _ = try await drainGroups(testClient(transport)) }
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testAMalformedTokenAnswerIsRetried() async throws {
        let transport = ScriptedTransport { request, index in
            if request.url.contains("/oauth/token") { return index == 0 ? json(200, #"{"token_type":"Bearer"}"#) : tokenAnswer(index) }
            return emptyGroups
        }
        let client = testClient(transport)
        let pages = try await drainGroups(client)
        XCTAssertEqual(pages, 1)
        XCTAssertEqual(client.retries.snapshot, [.malformedBody: 1])
    }

    func testSecretsDoNotShowWhenPrinted() {
        let secret = Secret("hunter2")
        XCTAssertEqual("\(secret)", "<redacted>")
        XCTAssertEqual(String(reflecting: secret), "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        XCTAssertFalse(dumped.contains("hunter2"), dumped)
        let configuration = ESETClientConfiguration(endpoints: ESETEndpoints(region: .eu), username: "u", password: secret)
        XCTAssertFalse("\(configuration)".contains("hunter2"))
        XCTAssertEqual(redacting("key=hunter2; again hunter2", secrets: ["hunter2"]), "key=<redacted>; again <redacted>")
    }
}
