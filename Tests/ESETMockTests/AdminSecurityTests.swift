import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

/// Issue 12, items 12–14: the admin API refuses web pages and foreign host names, takes an
/// optional token, range-checks its numbers; every route has its own body limit.
final class AdminSecurityTests: XCTestCase {
    private func admin(_ mock: MockHarness, _ method: String, _ path: String, headers: [(String, String)] = [],
                       body: String = "") throws -> RawHTTPResponse {
        try mock.request(method, "/__admin/\(path)", headers: headers, body: Array(body.utf8))
    }

    // MARK: Item 13: Host, Origin, Sec-Fetch-Site, token

    func testForeignHostNamesAreRefusedLoopbackNamesAccepted() throws {
        let mock = try MockHarness()
        let port = mock.server.port
        for host in ["evil.example", "evil.example:\(port)", "127.0.0.1.evil.example", "localhost.evil.example:\(port)",
                     "10.0.0.1:\(port)", "[::2]:\(port)", "[::1"] {
            let response = try admin(mock, "GET", "health", headers: [("Host", host)])
            XCTAssertEqual(response.status, 403, "Host '\(host)': \(response.bodyText)")
        }
        XCTAssertNotEqual(try admin(mock, "GET", "health", headers: [("Host", "")]).status, 200)
        for host in ["127.0.0.1:\(port)", "127.0.0.1", "localhost:\(port)", "LOCALHOST", "[::1]:\(port)", "127.1.2.3:\(port)"] {
            XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Host", host)]).status, 200, "Host '\(host)'")
        }
        let refused = try admin(mock, "POST", "reset", headers: [("Host", "evil.example")])
        XCTAssertTrue(refused.bodyText.contains("DNS rebinding"), refused.bodyText)
    }

    func testBrowserCrossOriginRequestsAreRefusedAndChangeNothing() throws {
        let mock = try MockHarness()
        let port = mock.server.port
        let body = "{\"scenarios\": [\"bad-credentials\"]}"
        let hostile: [[(String, String)]] = [
            [("Origin", "http://evil.example"), ("Content-Type", "text/plain")],
            [("Origin", "null"), ("Content-Type", "text/plain")],
            [("Origin", "http://127.0.0.1:\(port + 1)")],
            [("Origin", "https://127.0.0.1:\(port)")],
            [("Origin", "http://localhost:\(port)")],   // another origin than the Host below, though the same machine
            [("Sec-Fetch-Site", "cross-site")],
            [("Sec-Fetch-Site", "same-site")],
        ]
        for headers in hostile {
            let response = try admin(mock, "POST", "scenarios", headers: headers, body: body)
            XCTAssertEqual(response.status, 403, "\(headers): \(response.bodyText)")
            XCTAssertEqual(mock.server.activeScenarios, [], "\(headers) switched a scenario")
            XCTAssertEqual(try admin(mock, "POST", "reset", headers: headers).status, 403)
        }
        let sameOrigin = try admin(mock, "POST", "scenarios",
                                   headers: [("Origin", "http://127.0.0.1:\(port)"), ("Sec-Fetch-Site", "same-origin")], body: body)
        XCTAssertEqual(sameOrigin.status, 200, sameOrigin.bodyText)
        XCTAssertEqual(mock.server.activeScenarios, ["bad-credentials"])
        XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Sec-Fetch-Site", "none")]).status, 200)
        XCTAssertNil(try admin(mock, "GET", "health").header("Access-Control-Allow-Origin"), "no CORS grant")
    }

    func testOtherRoutesAreNotGuarded() throws {
        let mock = try MockHarness()
        let answer = try mock.request("POST", "/\(MockHarness.euToken)/oauth/token",
                                      headers: [("Origin", "http://evil.example"), ("Content-Type", "application/x-www-form-urlencoded")],
                                      body: mock.form([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")]))
        XCTAssertEqual(answer.status, 200, "the ESET surface answers any client, as ESET does")
    }

    func testAdminTokenIsRequiredWhenConfigured() throws {
        let secret = "adm-\(UUID().uuidString)"
        let mock = try MockHarness { $0.adminToken = secret }
        XCTAssertEqual(try admin(mock, "GET", "health").status, 401)
        XCTAssertEqual(try admin(mock, "GET", "health").header("WWW-Authenticate")?.hasPrefix("Bearer"), true)
        XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Authorization", "Bearer \(secret)x")]).status, 401)
        XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Authorization", "Bearer \(secret.dropLast())")]).status, 401)
        XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Authorization", "Basic \(secret)")]).status, 401)
        let allowed = try admin(mock, "GET", "health", headers: [("Authorization", "Bearer \(secret)")])
        XCTAssertEqual(allowed.status, 200)
        // The token guards the admin API only, and never shows up in any answer or the journal.
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices", token: try mock.login().access).status, 200)
        let journal = try admin(mock, "GET", "journal", headers: [("Authorization", "Bearer \(secret)")])
        XCTAssertEqual(journal.status, 200)
        for response in [journal, allowed, try admin(mock, "GET", "health")] {
            XCTAssertFalse(response.bodyText.contains(secret))
            XCTAssertFalse(response.headers.contains { $0.1.contains(secret) })
        }
        // The host check still applies with the token.
        XCTAssertEqual(try admin(mock, "GET", "health", headers: [("Authorization", "Bearer \(secret)"), ("Host", "evil.example")]).status, 403)
    }

    // MARK: Item 12: numbers are range-checked

    func testHugeOffsetsAndLimitsAre400NotACrash() throws {
        let mock = try MockHarness()
        let push = "/sekoia/api/v2/asset-management/asset-connector/3f1c2a9e-0000-4000-8000-000000000001"
        _ = try mock.request("POST", push, headers: [("Authorization", "Bearer sekoia-demo-key")],
                             body: Array("{\"version\":1,\"items\":[{\"a\":1},{\"a\":2}]}".utf8))
        for query in ["offset=1&limit=9223372036854775807", "offset=9223372036854775807&limit=1", "offset=-1",
                      "limit=99999999999999999999", "limit=1e3", "limit=", "offset=+1", "limit=0x10", "offset=1000000001"] {
            let response = try admin(mock, "GET", "sekoia/items?\(query)")
            XCTAssertEqual(response.status, 400, "\(query): \(response.bodyText)")
            XCTAssertNotNil(try JSONParser.parse(response.body)["message"]?.stringValue)
        }
        for query in ["limit=9223372036854775807", "limit=-1", "limit=abc"] {
            XCTAssertEqual(try admin(mock, "GET", "journal?\(query)").status, 400, query)
        }
        let edge = try mock.adminJSON("sekoia/items?offset=1&limit=1000000000").json
        XCTAssertEqual(edge["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(try mock.adminJSON("sekoia/items?offset=1000000000").json["items"], .array([]))
        XCTAssertEqual(try admin(mock, "GET", "health").status, 200, "still alive")
    }

    func testOutOfRangeScenarioNumbersAreRefusedNamingTheField() throws {
        let mock = try MockHarness()
        let cases: [(rule: String, field: String)] = [
            ("\"retryAfter\":\"http-date+9223372036854775807\"", "rules[0].retryAfter"),
            ("\"retryAfter\":\"http-date-9223372036854775808\"", "rules[0].retryAfter"),
            ("\"retryAfter\":\"http-date+3155760001\"", "rules[0].retryAfter"),
            ("\"retryAfter\":\"http-date*5\"", "rules[0].retryAfter"),
            ("\"delayMs\":9223372036854775807", "rules[0].delayMs"),
            ("\"delayMs\":600001", "rules[0].delayMs"),
            ("\"status\":99999999999", "rules[0].status"),
            ("\"status\":1e3", "rules[0].status"),
            ("\"calls\":[0]", "rules[0].calls[0]"),
            ("\"fromCall\":-1", "rules[0].fromCall"),
            ("\"status\":202,\"pendingPolls\":9223372036854775807", "rules[0].pendingPolls"),
        ]
        for (rule, field) in cases {
            let posted = try mock.adminJSON("scenarios", method: "POST",
                                            body: "{\"scenarios\":[{\"name\":\"x\",\"description\":\"x\",\"rules\":[{\"route\":\"devices\",\(rule)}]}]}")
            XCTAssertEqual(posted.status, 400, rule)
            XCTAssertTrue(posted.json["message"]?.stringValue?.contains(field) ?? false, "\(rule): \(posted.json)")
        }
        for field in ["\"tokenLifetime\":0", "\"tokenLifetime\":2147483648", "\"pageSizeCap\":-5", "\"extraDevicesPerPage\":100001",
                      "\"accessTokenMaxCalls\":1.5"] {
            let posted = try mock.adminJSON("scenarios", method: "POST", body: "{\"scenarios\":[{\"name\":\"x\",\"description\":\"x\",\(field)}]}")
            XCTAssertEqual(posted.status, 400, field)
        }
        XCTAssertEqual(mock.server.activeScenarios, [])
        // The largest allowed date offset works and the devices call survives it.
        let posted = try mock.adminJSON("scenarios", method: "POST", body: """
            {"scenarios":[{"name":"x","description":"x","rules":[{"route":"devices","status":429,"retryAfter":"http-date+3155760000"}]}]}
            """)
        XCTAssertEqual(posted.status, 200)
        let answer = try mock.get("/\(MockHarness.eu)/v1/devices", token: try mock.login().access)
        XCTAssertEqual(answer.status, 429)
        XCTAssertTrue(answer.header("Retry-After")?.hasSuffix("GMT") ?? false, answer.header("Retry-After") ?? "none")
    }

    func testCodeBuiltScenariosCannotOverflowTheDate() throws {
        let mock = try MockHarness()
        var rule = MockRule(route: .devices, status: 429)
        rule.retryAfter = "http-date+9223372036854775807"
        mock.server.setScenarios([MockScenario(name: "code", description: "built in code", rules: [rule])])
        let answer = try mock.get("/\(MockHarness.eu)/v1/devices", token: try mock.login().access)
        XCTAssertEqual(answer.status, 429)
        XCTAssertNotNil(answer.header("Retry-After"))
    }

    // MARK: Item 14: per-route body limits

    func testBodyLimitsAreOneMebibyteExceptTheIntake() throws {
        let mock = try MockHarness()
        let mebibyte = 1 << 20
        let routes: [(method: String, target: String)] = [
            ("POST", "/\(MockHarness.euToken)/oauth/token"),
            ("GET", "/\(MockHarness.eu)/v1/devices"),
            ("POST", "/__admin/scenarios"),
            ("POST", "/unknown"),
        ]
        for route in routes {
            // Declared too large: refused from the head, before any body byte is read.
            let connection = try RawHTTPConnection(port: mock.server.port, timeout: 10)
            defer { connection.close() }
            try connection.send(Array("\(route.method) \(route.target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(15 * mebibyte)\r\n\r\n".utf8))
            let refused = try connection.readResponse()
            XCTAssertEqual(refused.status, 413, route.target)
            XCTAssertTrue(refused.bodyText.contains("\(mebibyte)"), refused.bodyText)
            // Exactly the limit is read (and answered by the route itself).
            let exact = try mock.request(route.method, route.target, body: Array(repeating: UInt8(ascii: "a"), count: mebibyte))
            XCTAssertNotEqual(exact.status, 413, route.target)
        }
        // Chunked bodies are bounded the same way.
        let chunked = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { chunked.close() }
        let chunk = Array(repeating: UInt8(ascii: "a"), count: 600_000)
        try chunked.send(Array("POST /__admin/scenarios HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        for _ in 0..<2 { try chunked.send(Array("927C0\r\n".utf8) + chunk + Array("\r\n".utf8)) }
        XCTAssertEqual(try chunked.readResponse().status, 413)

        let push = "/sekoia/api/v2/asset-management/asset-connector/3f1c2a9e-0000-4000-8000-000000000001"
        let large = "{\"version\":1,\"items\":[{\"pad\":\"" + String(repeating: "x", count: 5 * mebibyte) + "\"}]}"
        let accepted = try mock.request("POST", push, headers: [("Authorization", "Bearer sekoia-demo-key")], body: Array(large.utf8))
        XCTAssertEqual(accepted.status, 200, "the intake reads up to 16 MiB")
        let tooLarge = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { tooLarge.close() }
        try tooLarge.send(Array("POST \(push) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(16 * mebibyte + 1)\r\n\r\n".utf8))
        XCTAssertEqual(try tooLarge.readResponse().status, 413)
        // The intake's allowance does not leak to a regional host name.
        let regional = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { regional.close() }
        try regional.send(Array("POST \(push) HTTP/1.1\r\nHost: \(MockHarness.eu)\r\nContent-Length: \(2 * mebibyte)\r\n\r\n".utf8))
        XCTAssertEqual(try regional.readResponse().status, 413)
    }

    func testBodyLimitsFollowTheConfiguration() throws {
        let mock = try MockHarness {
            $0.http.maxBodyBytes = 1000
            $0.sekoiaMaxBodyBytes = 2000
        }
        XCTAssertEqual(try mock.request("POST", "/__admin/scenarios", body: Array(repeating: 0x20, count: 1001)).status, 413)
        let push = "/sekoia/api/v2/asset-management/asset-connector/x"
        XCTAssertEqual(try mock.request("POST", push, body: Array(repeating: 0x20, count: 1500)).status, 401)
        XCTAssertEqual(try mock.request("POST", push, body: Array(repeating: 0x20, count: 2001)).status, 413)
    }
}
