import ESETMock
import HTTPTesting
import JSON
import Synchronization
import XCTest

final class TokenTests: XCTestCase {
    func testPasswordGrantIssuesBearerTokensWithConfiguredLifetime() throws {
        let mock = try MockHarness { $0.tokenLifetime = 1799 }
        let response = try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"),
                                              ("password", "demo-password")])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        XCTAssertEqual(response.header("Cache-Control"), "no-store")
        let json = try JSONParser.parse(response.body)
        XCTAssertEqual(json["token_type"], "Bearer")
        XCTAssertEqual(json["expires_in"], .int(1799))
        let access = try XCTUnwrap(json["access_token"]?.stringValue)
        let refresh = try XCTUnwrap(json["refresh_token"]?.stringValue)
        XCTAssertNotEqual(access, refresh)
        XCTAssertGreaterThanOrEqual(access.count, 40, "tokens must be long enough to be unguessable")
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: access).status, 200)
        // Usernames compare case-insensitively, like e-mail addresses.
        XCTAssertEqual(try mock.login(username: "Demo@Example.com").expiresIn, 1799)
    }

    func testEachLoginGetsDistinctTokens() throws {
        let mock = try MockHarness()
        let first = try mock.login()
        let second = try mock.login()
        XCTAssertNotEqual(first.access, second.access)
        XCTAssertNotEqual(first.refresh, second.refresh)
    }

    func testRefreshTokenRotatesAndTheOldOneDies() throws {
        let mock = try MockHarness()
        let first = try mock.login()
        let refreshed = try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", first.refresh)])
        XCTAssertEqual(refreshed.status, 200, refreshed.bodyText)
        let json = try JSONParser.parse(refreshed.body)
        let newRefresh = try XCTUnwrap(json["refresh_token"]?.stringValue)
        let newAccess = try XCTUnwrap(json["access_token"]?.stringValue)
        XCTAssertNotEqual(newRefresh, first.refresh)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: newAccess).status, 200)

        let replay = try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", first.refresh)])
        XCTAssertEqual(replay.status, 400)
        XCTAssertEqual(try JSONParser.parse(replay.body)["error"], "invalid_grant")
        // The rotated one works once more.
        XCTAssertEqual(try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", newRefresh)]).status, 200)
    }

    func testWrongPasswordUnknownUserAndMissingFieldsAreOAuthErrors() throws {
        let mock = try MockHarness()
        for fields in [[("grant_type", "password"), ("username", "demo@example.com"), ("password", "wrong")],
                       [("grant_type", "password"), ("username", "nobody@example.com"), ("password", "demo-password")]] {
            let response = try mock.tokenRequest(fields)
            XCTAssertEqual(response.status, 400)
            let json = try JSONParser.parse(response.body)
            XCTAssertEqual(json["error"], "invalid_grant")
            XCTAssertNotNil(json["error_description"]?.stringValue)
            XCTAssertFalse(response.bodyText.contains("wrong"), "the answer must not echo the password")
        }
        let missing = try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com")])
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(try JSONParser.parse(missing.body)["error"], "invalid_request")
        let noGrant = try mock.tokenRequest([("username", "demo@example.com")])
        XCTAssertEqual(try JSONParser.parse(noGrant.body)["error"], "invalid_request")
        let otherGrant = try mock.tokenRequest([("grant_type", "client_credentials")])
        XCTAssertEqual(otherGrant.status, 400)
        XCTAssertEqual(try JSONParser.parse(otherGrant.body)["error"], "unsupported_grant_type")
        let badRefresh = try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", "forged.token")])
        XCTAssertEqual(try JSONParser.parse(badRefresh.body)["error"], "invalid_grant")
    }

    func testNonFormBodyIs415AndOtherMethodsAre405() throws {
        let mock = try MockHarness()
        let json = try mock.request("POST", "/\(MockHarness.euToken)/oauth/token", headers: [("Content-Type", "application/json")],
                                    body: Array("{\"grant_type\":\"password\"}".utf8))
        XCTAssertEqual(json.status, 415)
        XCTAssertEqual(try JSONParser.parse(json.body)["error"], "invalid_request")
        let none = try mock.request("POST", "/\(MockHarness.euToken)/oauth/token", body: Array("grant_type=password".utf8))
        XCTAssertEqual(none.status, 415)
        // Parameters on the media type are fine.
        let charset = try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")],
                                            contentType: "application/x-www-form-urlencoded; charset=UTF-8")
        XCTAssertEqual(charset.status, 200)
        let get = try mock.request("GET", "/\(MockHarness.euToken)/oauth/token")
        XCTAssertEqual(get.status, 405)
        XCTAssertEqual(get.header("Allow"), "POST")
    }

    func testTokensAreBoundToTheirRegion() throws {
        let mock = try MockHarness()
        let eu = try mock.login(region: .eu)
        XCTAssertEqual(try mock.get("/\(MockRegion.eu.deviceManagementHost)/v1/devices", token: eu.access).status, 200)
        for region in MockRegion.allCases where region != .eu {
            let response = try mock.get("/\(region.deviceManagementHost)/v1/devices", token: eu.access)
            XCTAssertEqual(response.status, 401, "an eu token must not work in \(region)")
        }
        // Refresh tokens too: the us endpoint does not know an eu refresh token.
        let crossRefresh = try mock.tokenRequest(region: .us, [("grant_type", "refresh_token"), ("refresh_token", eu.refresh)])
        XCTAssertEqual(crossRefresh.status, 400)
        // Each region issues its own tokens for the demo account.
        for region in MockRegion.allCases {
            let login = try mock.login(region: region)
            XCTAssertEqual(try mock.get("/\(region.deviceManagementHost)/v1/device_groups", token: login.access).status, 200)
        }
    }

    func testExpiredAccessTokenIs401() throws {
        let clock = TestClock()
        let mock = try MockHarness { configuration in
            configuration.tokenLifetime = 60
            configuration.clock = { clock.now }
        }
        let login = try mock.login()
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: login.access).status, 200)
        clock.advance(59.5)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: login.access).status, 200)
        clock.advance(1)
        let expired = try mock.get("/\(MockHarness.eu)/v1/devices", token: login.access)
        XCTAssertEqual(expired.status, 401)
        XCTAssertEqual(try JSONParser.parse(expired.body)["code"], .int(16))
        // The refresh token outlives the access token.
        XCTAssertEqual(try mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", login.refresh)]).status, 200)
    }

    func testMissingOrMalformedAuthorizationIs400AndUnknownTokenIs401() throws {
        let mock = try MockHarness()
        let missing = try mock.get("/\(MockHarness.eu)/v1/devices", token: nil)
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(try JSONParser.parse(missing.body)["code"], .int(3))
        let basic = try mock.get("/\(MockHarness.eu)/v1/devices", token: nil, headers: [("Authorization", "Basic ZGVtbzpkZW1v")])
        XCTAssertEqual(basic.status, 400)
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: "not-a-token").status, 401)
        let login = try mock.login()
        // A token with one character changed (same selector, wrong secret) is refused.
        var tampered = Array(login.access)
        tampered[tampered.count - 1] = tampered[tampered.count - 1] == "A" ? "B" : "A"
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: String(tampered)).status, 401)
        // The scheme name is case-insensitive and the 3rd-integration header is accepted.
        let lower = try mock.get("/\(MockHarness.eu)/v1/devices", token: nil,
                                 headers: [("authorization", "bearer \(login.access)"), ("3rd-integration", "test-suite")])
        XCTAssertEqual(lower.status, 200)
    }

    func testAccountWithoutIntegrationsPermissionGets403AndRegionRestrictedAccount() throws {
        let mock = try MockHarness { configuration in
            configuration.accounts += [
                MockAccount(username: "noperm@example.com", password: "p1", hasIntegrationsPermission: false),
                MockAccount(username: "us-only@example.com", password: "p2", regions: [.us]),
            ]
        }
        let noPermission = try mock.login(username: "noperm@example.com", password: "p1")
        let refused = try mock.get("/\(MockHarness.eu)/v1/devices", token: noPermission.access)
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(try JSONParser.parse(refused.body)["code"], .int(7))
        XCTAssertEqual(try mock.tokenRequest(region: .eu, [("grant_type", "password"), ("username", "us-only@example.com"),
                                                           ("password", "p2")]).status, 400)
        _ = try mock.login(region: .us, username: "us-only@example.com", password: "p2")
    }
}

/// A clock tests move by hand, so expiry is tested without waiting.
final class TestClock: Sendable {
    private let value = Mutex<Double>(1000)
    var now: Double { value.withLock { $0 } }
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}
