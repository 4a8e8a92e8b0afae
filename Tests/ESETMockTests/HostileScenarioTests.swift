@testable import ESETMock
import Foundation
import HTTPTesting
import JSON
import XCTest

/// The hostile scenarios of issue 12, proved over real sockets: the mock really redirects off
/// origin, streams without end, lies about lengths, bombs, oversizes and plants bad values, and
/// none of it can hang the mock itself. Every read is bounded by the connection's timeout.
final class HostileScenarioTests: XCTestCase {
    private let devices = "/\(MockHarness.eu)/v1/devices"
    private let push = "/sekoia/api/v2/asset-management/asset-connector/3f1c2a9e-0000-4000-8000-000000000001"

    func testHostileScenariosShip() {
        let names = Set(MockHarness.library.map(\.name))
        for name in ["redirect-token-foreign", "redirect-devices-foreign", "redirect-sekoia-push-foreign", "endless-body",
                     "huge-content-length", "gzip-bomb", "oversized-page", "future-last-sync-time", "invalid-utf8-uuid"] {
            XCTAssertTrue(names.contains(name), "missing scenario \(name)")
        }
    }

    // MARK: Redirects and the foreign-origin trap

    private func location(_ response: RawHTTPResponse, mock: MockHarness, file: StaticString = #filePath,
                          line: UInt = #line) throws -> (port: Int, target: String) {
        let value = try XCTUnwrap(response.header("Location"), "no Location", file: file, line: line)
        let base = mock.server.foreignOriginURL
        XCTAssertTrue(value.hasPrefix(base + "/"), "Location \(value) is not the trap \(base)", file: file, line: line)
        XCTAssertNotEqual(URL(string: value)?.port, mock.server.port, "the trap must be another origin", file: file, line: line)
        return (try XCTUnwrap(URL(string: base)?.port), String(value.dropFirst(base.count)))
    }

    func testRedirectTokenForeignPointsAtTheTrapAndTheTrapRecordsAFollower() throws {
        let mock = try MockHarness(scenarios: ["redirect-token-foreign"])
        let form = mock.form([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")])
        let answer = try mock.request("POST", "/\(MockHarness.euToken)/oauth/token",
                                      headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        XCTAssertEqual(answer.status, 307)
        let (port, target) = try location(answer, mock: mock)
        XCTAssertEqual(target, "/\(MockHarness.euToken)/oauth/token")
        XCTAssertEqual(mock.server.foreignOriginRequests, [], "a client that stops at the 3xx leaves the trap empty")
        XCTAssertEqual(mock.server.journal.last?.scenario, "redirect-token-foreign")
        XCTAssertEqual(mock.server.journal.last?.fault, "redirect")

        // What a naive client does with a 307: the same POST, password included, to the other host.
        let trap = try RawHTTPConnection(port: port, timeout: 10)
        defer { trap.close() }
        let followed = try trap.request("POST", target, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        XCTAssertEqual(followed.status, 200)
        XCTAssertNotNil(try JSONParser.parse(followed.body)["access_token"]?.stringValue, "the trap hands out its own token")
        XCTAssertEqual(mock.server.foreignOriginRequests,
                       [MockForeignRequest(method: "POST", path: target, authorization: false, credential: true)])
        let admin = try mock.adminJSON("foreign").json
        XCTAssertEqual(admin, ["requests": [["method": "POST", "path": .string(target), "authorization": false, "credential": true]]])
        mock.server.reset()
        XCTAssertEqual(mock.server.foreignOriginRequests, [], "reset forgets the trap's records")
    }

    func testRedirectDevicesForeignKeepsPathAndQueryAndTheTrapSeesTheBearer() throws {
        let mock = try MockHarness(scenarios: ["redirect-devices-foreign"])
        let token = try mock.login().access
        let answer = try mock.get(devices + "?pageSize=3", token: token)
        XCTAssertEqual(answer.status, 302)
        let (port, target) = try location(answer, mock: mock)
        XCTAssertEqual(target, devices + "?pageSize=3")
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/device_groups", token: token).status, 200, "only devices redirect")

        let trap = try RawHTTPConnection(port: port, timeout: 10)
        defer { trap.close() }
        let followed = try trap.request("GET", target, headers: [("Authorization", "Bearer \(token)")])
        XCTAssertEqual(try JSONParser.parse(followed.body), ["devices": [], "nextPageToken": ""])
        XCTAssertEqual(mock.server.foreignOriginRequests,
                       [MockForeignRequest(method: "GET", path: devices, authorization: true, credential: true)])
    }

    func testRedirectSekoiaPushForeignKeepsNothing() throws {
        let mock = try MockHarness(scenarios: ["redirect-sekoia-push-foreign"])
        let body = Array("{\"version\":1,\"items\":[{\"a\":1}]}".utf8)
        let answer = try mock.request("POST", push, headers: [("Authorization", "Bearer sekoia-demo-key"),
                                                              ("Content-Type", "application/json")], body: body)
        XCTAssertEqual(answer.status, 307)
        let (port, target) = try location(answer, mock: mock)
        XCTAssertEqual(target, push)
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0, "a redirected push delivers nothing")
        XCTAssertEqual(try mock.request("POST", push, body: body).status, 401, "the API key is still checked first")

        let trap = try RawHTTPConnection(port: port, timeout: 10)
        defer { trap.close() }
        // The leak the issue saw: the API key sent elsewhere with an empty body, and `{}` back.
        let followed = try trap.request("POST", target, headers: [("Authorization", "Bearer sekoia-demo-key")])
        XCTAssertEqual(followed.bodyText, "{}")
        XCTAssertEqual(mock.server.foreignOriginRequests,
                       [MockForeignRequest(method: "POST", path: push, authorization: true, credential: true)])
    }

    func testTrapTellsCredentialsFromHarmlessRequests() throws {
        let mock = try MockHarness()
        let port = try XCTUnwrap(URL(string: mock.server.foreignOriginURL)?.port)
        let cases: [(headers: [(String, String)], body: String, credential: Bool)] = [
            ([], "", false),
            ([("Accept", "application/json"), ("User-Agent", "x")], "{\"version\":1,\"items\":[]}", false),
            ([("Cookie", "a=b")], "", true),
            ([("X-Api-Key", "whatever")], "", true),
            ([], "grant_type=password&username=u&password=p", true),
            ([], "{\"key\": \"sekoia-demo-key\"}", true),
            ([], "pw=demo-password", true),
        ]
        for (index, item) in cases.enumerated() {
            let trap = try RawHTTPConnection(port: port, timeout: 10)
            defer { trap.close() }
            _ = try trap.request("POST", "/case/\(index)", headers: item.headers, body: Array(item.body.utf8))
        }
        let recorded = mock.server.foreignOriginRequests
        XCTAssertEqual(recorded.map(\.path), cases.indices.map { "/case/\($0)" })
        XCTAssertEqual(recorded.map(\.credential), cases.map(\.credential))
        XCTAssertEqual(recorded.map(\.authorization), cases.map { _ in false })
    }

    func testRedirectRulesAreValidated() throws {
        let mock = try MockHarness()
        for (rule, field) in [("{\"route\":\"token\",\"redirect\":\"ftp://x\"}", "redirect"),
                              ("{\"route\":\"token\",\"status\":200,\"redirect\":\"foreign-origin\"}", "redirect"),
                              ("{\"route\":\"token\",\"redirect\":\"foreign-origin\",\"body\":\"text\"}", "body")] {
            let posted = try mock.adminJSON("scenarios", method: "POST",
                                            body: "{\"scenarios\":[{\"name\":\"x\",\"description\":\"x\",\"rules\":[\(rule)]}]}")
            XCTAssertEqual(posted.status, 400, rule)
            XCTAssertTrue(posted.json["message"]?.stringValue?.contains("rules[0].\(field)") ?? false, "\(posted.json)")
        }
        let fixed = try mock.adminJSON("scenarios", method: "POST", body: """
            {"scenarios":[{"name":"x","description":"x","rules":[{"route":"devices","status":308,"redirect":"https://elsewhere.invalid/p"}]}]}
            """)
        XCTAssertEqual(fixed.status, 200)
        let answer = try mock.get(devices, token: try mock.login().access)
        XCTAssertEqual(answer.status, 308)
        XCTAssertEqual(answer.header("Location"), "https://elsewhere.invalid/p")
    }

    // MARK: Endless and huge bodies

    func testEndlessBodyStreamsDevicesUntilTheClientLeaves() throws {
        let mock = try MockHarness(scenarios: ["endless-body"])
        let token = try mock.login().access
        let connection = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        try connection.send(RawHTTPConnection.encodeRequest("GET", devices, headers: [("Authorization", "Bearer \(token)")]))
        let (head, prefix, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 4 << 20)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked")
        XCTAssertNil(head.header("Content-Length"))
        XCTAssertFalse(ended, "4 MiB and still going")
        let text = String(decoding: prefix, as: UTF8.self)
        XCTAssertTrue(text.contains("{\"devices\":["))
        XCTAssertGreaterThan(text.components(separatedBy: TestFleet.uuid(0)).count, 100, "the first device, over and over")
        XCTAssertFalse(text.contains("\r\n0\r\n\r\n"), "never the last chunk")
        connection.close()
        XCTAssertTrue(waitUntil(timeout: 10) { mock.server.httpServer.connectionCount == 0 },
                      "the mock stops streaming once the client has gone")
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/device_groups", token: token).status, 200)
    }

    func testEndlessBodyEndsAfterStreamSecondsAtItsPace() throws {
        let mock = try MockHarness()
        mock.server.setScenarios([try MockScenario(json: Array("""
            {"name":"slow-endless","description":"d","rules":[{"route":"devices","body":"endless","bytesPerSecond":2000,"streamSeconds":1}]}
            """.utf8), source: "inline")])
        let connection = try RawHTTPConnection(port: mock.server.port, timeout: 15)
        defer { connection.close() }
        try connection.send(RawHTTPConnection.encodeRequest("GET", devices, headers: [("Authorization", "Bearer \(try mock.login().access)")]))
        let (_, prefix, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 1 << 20)
        XCTAssertTrue(ended, "the mock closes once streamSeconds have passed")
        // 1 s at 2000 B/s plus the opening and chunk framing: far below what an unpaced stream sends.
        XCTAssertLessThan(prefix.count, 8000)
        XCTAssertGreaterThan(prefix.count, 200)
    }

    func testStopCutsAnEndlessAnswerAtOnce() throws {
        let mock = try MockHarness(scenarios: ["endless-body"])
        let connection = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { connection.close() }
        try connection.send(RawHTTPConnection.encodeRequest("GET", devices, headers: [("Authorization", "Bearer \(try mock.login().access)")]))
        _ = try connection.readHeadAndBodyPrefix(maxBodyBytes: 1024)
        // The client now stops reading: the mock's send blocks on a full socket buffer.
        let started = Date()
        mock.server.stop(timeout: 30)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "stop must not wait for the stream (or its 30 s grace)")
        XCTAssertTrue(connection.isClosedByPeer(timeout: 10))
    }

    func testHugeContentLengthAnnouncesTenGigabytesAndNeverCompletes() throws {
        let mock = try MockHarness(scenarios: ["huge-content-length"])
        let connection = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { connection.close() }
        try connection.send(RawHTTPConnection.encodeRequest("GET", devices, headers: [("Authorization", "Bearer \(try mock.login().access)")]))
        let (head, prefix, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 2 << 20)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "10000000000")
        XCTAssertNil(head.header("Transfer-Encoding"))
        XCTAssertFalse(ended)
        XCTAssertTrue(prefix.starts(with: Array("{\"devices\":[".utf8)))
    }

    func testHugeContentLengthStopsShortOfTheAnnouncedLength() throws {
        let mock = try MockHarness()
        mock.server.setScenarios([try MockScenario(json: Array("""
            {"name":"short-lie","description":"d","rules":[{"route":"devices","body":"huge-length","declaredLength":5000}]}
            """.utf8), source: "inline")])
        let connection = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { connection.close() }
        try connection.send(RawHTTPConnection.encodeRequest("GET", devices, headers: [("Authorization", "Bearer \(try mock.login().access)")]))
        let (head, prefix, ended) = try connection.readHeadAndBodyPrefix(maxBodyBytes: 1 << 20)
        XCTAssertEqual(head.header("Content-Length"), "5000")
        XCTAssertTrue(ended)
        XCTAssertEqual(prefix.count, 4999, "one byte short: the body is never complete")
    }

    func testEndlessAnswersElsewhereKeepNothingAndAreJournaled() throws {
        let mock = try MockHarness()
        mock.server.setScenarios([try MockScenario(json: Array("""
            {"name":"endless-elsewhere","description":"d","rules":[{"route":"sekoia-push","body":"endless","streamSeconds":1},
             {"route":"token","body":"huge-length","declaredLength":100}]}
            """.utf8), source: "inline")])
        let push = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { push.close() }
        try push.send(RawHTTPConnection.encodeRequest("POST", self.push, headers: [("Authorization", "Bearer sekoia-demo-key")],
                                                      body: Array("{\"version\":1,\"items\":[{\"a\":1}]}".utf8)))
        let (head, prefix, _) = try push.readHeadAndBodyPrefix(maxBodyBytes: 100_000)
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(String(decoding: prefix, as: UTF8.self).hasPrefix("1\r\n{\r\n"), "an opening brace, then spaces")
        XCTAssertEqual(mock.server.receivedSekoiaItemCount, 0, "an endless answer to a push keeps nothing")

        let token = try RawHTTPConnection(port: mock.server.port, timeout: 10)
        defer { token.close() }
        try token.send(RawHTTPConnection.encodeRequest("POST", "/\(MockHarness.euToken)/oauth/token",
                                                       headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                       body: Array("grant_type=password&username=u&password=p".utf8)))
        let (tokenHead, body, ended) = try token.readHeadAndBodyPrefix(maxBodyBytes: 1000)
        XCTAssertEqual(tokenHead.header("Content-Length"), "100")
        XCTAssertTrue(ended)
        XCTAssertEqual(body.count, 99)
        XCTAssertTrue(waitUntil { mock.server.journal.count == 2 })
        XCTAssertEqual(Set(mock.server.journal.compactMap(\.fault)), ["endless", "huge-length"])
    }

    // MARK: Gzip bomb

    func testGzipBombInflatesToTheAnnouncedSizeAndAValidPage() throws {
        let mock = try MockHarness()
        mock.server.setScenarios([try MockScenario(json: Array("""
            {"name":"small-bomb","description":"d","rules":[{"route":"devices","body":"gzip-bomb","unpackedBytes":3000000}]}
            """.utf8), source: "inline")])
        let token = try mock.login().access
        let answer = try mock.get(devices + "?pageSize=3", token: token)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.header("Content-Encoding"), "gzip")
        XCTAssertLessThan(answer.body.count, 3_000_000 / 100, "a bomb: small on the wire")
        let inflated = try Inflate.python(answer.body)
        XCTAssertEqual(inflated.size, 3_000_000 + inflated.tail.count)
        XCTAssertEqual(inflated.leadingSpaces, 3_000_000)
        XCTAssertEqual(try JSONParser.parse(Array(inflated.tail.utf8))["devices"]?.uuids, (0..<3).map(TestFleet.uuid))
    }

    func testShippedGzipBombIsTwoHundredMegabytes() throws {
        let mock = try MockHarness(scenarios: ["gzip-bomb"])
        let answer = try mock.get(devices, token: try mock.login().access)
        XCTAssertEqual(answer.header("Content-Encoding"), "gzip")
        XCTAssertLessThan(answer.body.count, 2_000_000)
        let inflated = try Inflate.python(answer.body)
        XCTAssertEqual(inflated.leadingSpaces, 200_000_000)
        XCTAssertEqual(try JSONParser.parse(Array(inflated.tail.utf8))["devices"]?.uuids.count, 7)
    }

    func testGzipMembersAreValidForEdgeSizes() throws {
        for (spaces, tailLength) in [(0, 0), (1, 1), (257, 10), (258, 0), (259, 3), (516, 70_000), (100_003, 131_071)] {
            let tail = (0..<tailLength).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let inflated = try Inflate.python(GzipBomb.member(spaces: spaces, then: tail))
            XCTAssertEqual(inflated.size, spaces + tailLength, "\(spaces)+\(tailLength)")
            XCTAssertEqual(inflated.tail, String(decoding: tail, as: UTF8.self), "\(spaces)+\(tailLength)")
        }
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.ofRepeated(0x20, count: 1000), CRC32.checksum(Array(repeating: 0x20, count: 1000)))
    }

    // MARK: Oversized page and planted values

    func testOversizedPageCarriesAThousandMoreDevicesThanAsked() throws {
        let mock = try MockHarness(scenarios: ["oversized-page"])
        let token = try mock.login().access
        let page = try JSONParser.parse(try mock.get(devices + "?pageSize=2", token: token).body)
        let uuids = page["devices"]?.uuids ?? []
        XCTAssertEqual(uuids.count, 1002)
        XCTAssertEqual(Set(uuids).count, 1002, "the extras have distinct uuids")
        XCTAssertEqual(Array(uuids.suffix(2)), [TestFleet.uuid(0), TestFleet.uuid(1)], "the real page follows the extras")
        XCTAssertEqual(uuids.first, "0e0e0e0e-0000-4000-8000-000000000001")
        XCTAssertFalse(page["nextPageToken"]?.stringValue?.isEmpty ?? true, "paging itself stays normal")
    }

    func testFutureLastSyncTimeIsPlantedInTheThirdDevice() throws {
        let mock = try MockHarness(scenarios: ["future-last-sync-time"])
        let items = try mock.walk(token: try mock.login().access, pageSize: 3).items
        XCTAssertEqual(items.uuids, (0..<7).map(TestFleet.uuid))
        XCTAssertEqual(items.map { $0["lastSyncTime"]?.stringValue ?? "" },
                       (0..<7).map { $0 == 2 ? "2099-01-01T00:00:00Z" : "2025-05-21T10:00:00Z" })
        try mock.server.setScenarios([String]())
        XCTAssertEqual(try mock.walk(token: try mock.login().access).items[2]["lastSyncTime"], "2025-05-21T10:00:00Z",
                       "switching the scenario off restores the fleet")
    }

    func testInvalidUTF8UUIDIsRawBytesOnTheWire() throws {
        let mock = try MockHarness(scenarios: ["invalid-utf8-uuid"])
        let body = try mock.get(devices, token: try mock.login().access).body
        let expected = Array("\"uuid\":\"00000000".utf8) + [0xFF, 0xFE] + Array("-0000-4000-8000-000000000003\"".utf8)
        XCTAssertNotNil(body.firstRange(of: expected), String(decoding: body, as: UTF8.self))
        XCTAssertNil(String(validating: body, as: UTF8.self), "the page is not valid UTF-8")
        XCTAssertNotNil(body.firstRange(of: Array("\"uuid\":\"\(TestFleet.uuid(2))\"".utf8)), "other devices are untouched")
    }

    func testTinyFleetsClampPatchesToTheLastDevice() throws {
        let mock = try MockHarness(fleet: TestFleet(devices: 2), scenarios: ["future-last-sync-time"])
        let items = try mock.walk(token: try mock.login().access).items
        XCTAssertEqual(items.map { $0["lastSyncTime"]?.stringValue ?? "" }, ["2025-05-21T10:00:00Z", "2099-01-01T00:00:00Z"])
    }
}

/// Inflates gzip with Python's zlib (the reference implementation, independent of the mock's
/// encoder), streaming so that 200 MB never sits in memory: the inflated size, the number of
/// leading spaces, and the last 200,000 bytes.
enum Inflate {
    struct Result {
        var size: Int
        var leadingSpaces: Int
        /// What follows the leading spaces (its last 200,000 bytes), read as Latin-1.
        var tail: String
    }

    static let script = """
        import sys, zlib, json
        data = sys.stdin.buffer.read()
        d = zlib.decompressobj(31)
        size, spaces, counting, tail = 0, 0, True, b""
        pending = data
        while True:
            out = d.decompress(pending, 1 << 20)
            pending = d.unconsumed_tail
            size += len(out)
            if counting:
                stripped = out.lstrip(b" ")
                spaces += len(out) - len(stripped)
                counting = len(stripped) == 0
            tail = (tail + out)[-200000:]
            if d.eof or (not out and not pending):
                break
        if not d.eof or d.unused_data:
            sys.exit("not a complete gzip member")
        json.dump({"size": size, "spaces": spaces, "rest": tail.lstrip(b" ").decode("latin-1")}, sys.stdout)
        """

    static func python(_ gzip: [UInt8]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(gzip))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let produced = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RawHTTPError("python3 could not inflate: \(String(decoding: complaint, as: UTF8.self))")
        }
        let json = try JSONParser.parse(Array(produced))
        guard case .int(let size) = json["size"], case .int(let spaces) = json["spaces"], let tail = json["rest"]?.stringValue else {
            throw RawHTTPError("unexpected python output")
        }
        return Result(size: Int(size), leadingSpaces: Int(spaces), tail: tail)
    }
}
