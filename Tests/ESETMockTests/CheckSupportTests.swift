import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

/// What the mock offers `eset-connector check`: the Sekoia.io key validation call, and the
/// accounts that model an unfinished first login and a Superuser (modelled, unconfirmed).
final class CheckSupportTests: XCTestCase {
    private let validate = "/sekoia/api/v1/apiauth/auth/validate"

    func testSekoiaValidateAcceptsTheKeyAndNeverEchoesIt() throws {
        let mock = try MockHarness()
        let response = try mock.request("GET", validate, headers: [("Authorization", "Bearer sekoia-demo-key")])
        XCTAssertEqual(response.status, 200, response.bodyText)
        let json = try JSONParser.parse(response.body)
        XCTAssertEqual(json["type"], .string("access"))
        XCTAssertNotNil(json["identity"]?.stringValue)
        XCTAssertFalse(response.bodyText.contains("sekoia-demo-key"))
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0)
        XCTAssertEqual(mock.server.counters.count(route: "sekoia-validate", status: 200), 1)
    }

    func testSekoiaValidateRefusesAWrongOrMissingKeyAsSekoiaDoes() throws {
        let mock = try MockHarness()
        for headers in [[("Authorization", "Bearer wrong-key")], [], [("Authorization", "Basic c2Vrb2lh")]] {
            let response = try mock.request("GET", validate, headers: headers)
            XCTAssertEqual(response.status, 401, "\(headers)")
            XCTAssertEqual(try JSONParser.parse(response.body), .object(JSONObject([("message", "The token is invalid"), ("code", "T300")])))
            XCTAssertFalse(response.bodyText.contains("wrong-key"))
        }
        XCTAssertEqual(try mock.request("POST", validate, headers: [("Authorization", "Bearer sekoia-demo-key")]).status, 405)
    }

    func testFirstLoginPendingAndSuperuserAreRefusedLikeAWrongPassword() throws {
        let mock = try MockHarness { configuration in
            configuration.accounts += [
                MockAccount(username: "pending@example.com", password: "pending-password", hasCompletedFirstLogin: false),
                MockAccount(username: "root@example.com", password: "root-password", isSuperuser: true),
            ]
        }
        let wrong = try mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "nope")])
        for (user, password) in [("pending@example.com", "pending-password"), ("root@example.com", "root-password")] {
            let response = try mock.tokenRequest([("grant_type", "password"), ("username", user), ("password", password)])
            XCTAssertEqual(response.status, wrong.status, user)
            XCTAssertEqual(response.bodyText, wrong.bodyText, "\(user): indistinguishable from a wrong password")
        }
        XCTAssertEqual(wrong.status, 400)
    }

    func testTheShippedAccountsDescribeEachModelledAnswer() throws {
        let path = ESETMockServer.defaultDataDirectory.appendingPathComponent("accounts.json").path
        let accounts = try MockAccount.load(from: path)
        let pending = try XCTUnwrap(accounts.first { $0.username == "first-login-pending@example.com" })
        XCTAssertFalse(pending.hasCompletedFirstLogin)
        XCTAssertFalse(pending.mayObtainToken)
        let superuser = try XCTUnwrap(accounts.first { $0.username == "superuser@example.com" })
        XCTAssertTrue(superuser.isSuperuser)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "MODELLED, UNCONFIRMED").count - 1, 2, "both modelled answers say so")
    }

    func testAccountFlagsMustBeBooleans() {
        let bad = Array(#"[{"username": "a@b.c", "password": "p", "superuser": "yes"}]"#.utf8)
        XCTAssertThrowsError(try MockAccount.parse(bad, source: "accounts.json")) { error in
            XCTAssertTrue("\(error)".contains("accounts[0].superuser: expected true or false"), "\(error)")
        }
    }
}
