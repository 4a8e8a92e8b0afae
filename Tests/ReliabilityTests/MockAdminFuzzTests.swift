import ESETMock
import Foundation
import HTTPServer
import HTTPTesting
import JSON
import XCTest

/// Issue 12, item 12: the mock's scenario loader and admin API, fuzzed like the HTTP parser.
/// Seeded (`RELIABILITY_SEED`), bounded (`Budget`); every scenario that loads is then driven
/// through every route, because the crash the issue found came at the next devices call.
final class MockAdminFuzzTests: XCTestCase {
    static let seed = Budget.seed(0x4D4F_434B_4144_4D4E)

    static let shippedScenarios: [(name: String, bytes: [UInt8])] = {
        let directory = PackagePaths.mockData.appendingPathComponent("scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { (name, Array($0)) }
        }
    }()

    /// Values that broke, or could break, arithmetic and parsing.
    static let oddValues: [JSONValue] = [
        .int(-1), .int(0), .int(1), .int(2), .int(3), .int(7), .int(202), .int(307), .int(429), .int(599), .int(600),
        .int(65536), .int(1_000_000), .int(2_147_483_647), .int(2_147_483_648), .int(Int64.max), .int(Int64.min),
        .double(1e308), .double(1.5), .double(-0.0), .string("12"), .string(""), .string("http-date+9223372036854775807"),
        .string("http-date-9223372036854775808"), .string("http-date+"), .string("foreign-origin"), .string("endless"),
        .string("gzip-bomb"), .string("huge-length"), .null, .bool(true), .array([]), .array([.int(Int64.max)]), .object(JSONObject()),
    ]

    static let numbers: [JSONValue] = [.int(-1), .int(0), .int(1), .int(2), .int(3), .int(202), .int(307), .int(429), .int(599),
                                       .int(65536), .int(1_000_000), .int(2_147_483_647), .int(2_147_483_648), .int(Int64.max),
                                       .int(Int64.min)]

    /// A value for `key`: mostly one of its type (so that documents still load and get served),
    /// sometimes anything odd.
    static func value(for key: String, _ random: inout SeededRandom) -> JSONValue {
        if random.chance(25) { return random.element(oddValues) }
        switch key {
        case "retryAfter":
            return random.element([.string("http-date+9223372036854775807"), .string("http-date-9223372036854775808"),
                                   .string("http-date+9223372036854775807"), .string("http-date+99999999999"),
                                   .string("http-date+1"), .string("http-date+3155760000"), .int(Int64.max), .int(-1), .string("soon")])
        case "route": return .string(random.element(["devices", "token", "data", "sekoia-push", "sekoia-task", "device", "batchGet"]))
        case "body": return .string(random.element(["empty", "text", "rpc", "oauth", "malformed", "normal", "endless", "huge-length", "gzip-bomb"]))
        case "redirect": return .string(random.element(["foreign-origin", "http://elsewhere.invalid/", "https://x"]))
        case "fault": return .string(random.element(["truncate", "reset", "close"]))
        case "calls": return .array([random.element(numbers)])
        case "name", "description": return .string(random.element(["x", "fuzz-\(random.below(100))", ""]))
        default: return random.element(numbers)
        }
    }

    static let ruleFields = ["route", "grant", "region", "calls", "fromCall", "status", "body", "message", "retryAfter", "delayMs",
                             "fault", "pendingPolls", "expiresAfterMs", "redirect", "declaredLength", "unpackedBytes",
                             "bytesPerSecond", "streamSeconds"]
    static let numericRuleFields = ["retryAfter", "delayMs", "status", "declaredLength", "unpackedBytes", "calls", "fromCall",
                                    "pendingPolls", "expiresAfterMs", "streamSeconds", "bytesPerSecond"]
    static let scenarioFields = ["name", "description", "tokenLifetime", "accessTokenMaxCalls", "lastPageToken", "pageSizeCap",
                                 "fleet", "fleetChange", "duplicateAcrossPages", "repeatPageToken", "sekoiaTaskStates",
                                 "sekoiaTaskIds", "extraDevicesPerPage", "devicePatches"]

    // MARK: Scenario loader

    func testMutatedScenarioFilesLoadOrNameFileAndField() throws {
        XCTAssertGreaterThan(Self.shippedScenarios.count, 30, "MockData/scenarios should be found from the test file")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-scenarios-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let mock = try Self.mock()
        defer { mock.stop() }

        var figures = (inputs: 0, loaded: 0, refused: 0, exercised: 0, calls: 0)
        var failures: [String] = []
        for index in 0..<Budget.count(1500) {
            var random = SeededRandom.forCase(seed: Self.seed, index: index)
            let source = random.element(Self.shippedScenarios)
            let bytes = random.chance(70) ? Self.structurallyMutated(source.bytes, &random) : Self.byteMutated(source.bytes, &random)
            let file = root.appendingPathComponent("case-\(index).json").path
            figures.inputs += 1
            let scenario: MockScenario
            do {
                scenario = try MockScenario(json: bytes, source: file)
                figures.loaded += 1
            } catch let error as ESETMockError {
                figures.refused += 1
                if !error.description.contains(file) {
                    failures.append("input \(index) (\(source.name)): error does not name the file: \(error)")
                }
                continue
            } catch {
                failures.append("input \(index): \(type(of: error)) instead of ESETMockError: \(error)")
                continue
            }
            guard Self.cheapToExercise(scenario) else { continue }
            mock.setScenarios([scenario])
            figures.exercised += 1
            figures.calls += Self.exerciseEveryRoute(mock, label: "input \(index)", &failures)
            if failures.count > 20 { break }
        }
        for failure in failures.prefix(20) { XCTFail(failure) }
        XCTAssertGreaterThan(figures.loaded, 0)
        XCTAssertGreaterThan(figures.refused, 0)
        XCTAssertGreaterThan(figures.exercised, 0)
        reportFigures("mock-scenario-loader", ["seed": Self.seed, "inputs": figures.inputs, "loaded": figures.loaded,
                                               "refused": figures.refused, "exercised": figures.exercised, "calls": figures.calls])
    }

    func testDamagedScenarioDirectoriesFailNamingTheFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rel-scenario-dirs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var failures: [String] = []
        for index in 0..<Budget.count(60) {
            var random = SeededRandom.forCase(seed: Self.seed, index: 100_000 + index)
            let directory = root.appendingPathComponent("data-\(index)/scenarios")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let damaged = directory.appendingPathComponent("zz-damaged.json")
            var source = random.element(Self.shippedScenarios).bytes
            source = Self.byteMutated(source, &random)
            try Data(source).write(to: damaged)
            do {
                _ = try ESETMockConfiguration.loadScenarioLibrary(extraDirectory: directory.deletingLastPathComponent())
            } catch let error as ESETMockError {
                if !error.description.contains(damaged.path) { failures.append("input \(index): \(error)") }
            } catch {
                failures.append("input \(index): \(type(of: error)): \(error)")
            }
        }
        for failure in failures.prefix(20) { XCTFail(failure) }
    }

    // MARK: Admin API

    func testRandomAdminRequestsGetOnlyDocumentedAnswers() throws {
        let mock = try Self.mock()
        defer { mock.stop() }
        let paths = ["health", "reset", "scenarios", "journal", "counters", "sekoia/items", "sekoia/batches", "foreign", "",
                     "nope", "scenarios/x", "sekoia", "..%2F", "health/"]
        let numbers = ["0", "1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1000000000",
                       "1000000001", "99999999999999999999", "1e3", "0x10", "+1", " 1", "", "abc", "%00", "१"]
        let hosts = [nil, "127.0.0.1:\(mock.port)", "localhost", "evil.example", "[::1]:\(mock.port)", "127.0.0.1.nip.io"]
        let origins = [nil, nil, nil, "http://127.0.0.1:\(mock.port)", "http://evil.example", "null", "https://127.0.0.1:\(mock.port)"]
        let allowed: Set<Int> = [200, 400, 401, 403, 404, 405, 413]

        var statuses: [Int: Int] = [:]
        var failures: [String] = []
        var exercised = 0
        for index in 0..<Budget.count(1500) {
            var random = SeededRandom.forCase(seed: Self.seed, index: 200_000 + index)
            let method = random.element(["GET", "GET", "POST", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"])
            var target = "/__admin/" + (method == "POST" && random.chance(60) ? "scenarios" : random.element(paths))
            if random.chance(50) {
                let names = ["limit", "offset", "limit", "x"]
                target += "?" + (0..<random.within(1...3)).map { _ in "\(random.element(names))=\(random.element(numbers))" }
                    .joined(separator: "&")
            }
            var headers: [(String, String)] = []
            // Half the inputs come from a well-behaved local client, so the routes behind the guard get fuzzed too.
            let hostile = random.chance(50)
            if hostile, let host = random.element(hosts) { headers.append(("Host", host)) }
            if hostile, let origin = random.element(origins) { headers.append(("Origin", origin)) }
            if hostile && random.chance(20) { headers.append(("Sec-Fetch-Site", random.element(["cross-site", "same-site", "same-origin", "none"]))) }
            if random.chance(30) { headers.append(("Content-Type", random.element(["application/json", "text/plain"]))) }
            let body = method == "POST" ? Self.scenarioPost(&random) : []
            let request = HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: body)
            let response = mock.respond(to: request)
            statuses[response.status, default: 0] += 1
            if !allowed.contains(response.status) {
                failures.append("input \(index): \(method) \(target) → \(response.status)")
            }
            if response.status >= 400, method != "HEAD",
               (try? JSONParser.parse(response.body))?["message"]?.stringValue == nil && response.status != 405 {
                failures.append("input \(index): \(response.status) without a JSON message: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
            if request.path == "/__admin/scenarios", method == "POST", response.status == 200, Self.cheapToExercise(posted: body) {
                exercised += 1
                _ = Self.exerciseEveryRoute(mock, label: "input \(index)", &failures)
            }
            if failures.count > 20 { break }
        }
        // Over the wire as well, a slice of the same inputs: the socket server and the admin API together.
        for index in 0..<Budget.count(60) {
            var random = SeededRandom.forCase(seed: Self.seed, index: 300_000 + index)
            let connection = try RawHTTPConnection(port: mock.port, timeout: 10)
            defer { connection.close() }
            let response = try connection.request(random.element(["GET", "POST"]),
                                                  "/__admin/sekoia/items?offset=\(random.element(numbers))&limit=\(random.element(numbers))",
                                                  body: Self.scenarioPost(&random))
            if !allowed.contains(response.status) { failures.append("wire input \(index): \(response.status)") }
        }
        let health = try RawHTTPConnection(port: mock.port, timeout: 10)
        defer { health.close() }
        XCTAssertEqual(try health.request("GET", "/__admin/health").status, 200, "the mock survived")
        for failure in failures.prefix(20) { XCTFail(failure) }
        XCTAssertGreaterThan(statuses[200, default: 0], 0)
        XCTAssertGreaterThan(statuses[400, default: 0], 0)
        XCTAssertGreaterThan(statuses[403, default: 0], 0)
        reportFigures("mock-admin-api", ["seed": Self.seed, "inputs": statuses.values.reduce(0, +), "exercised": exercised,
                                         "statuses": statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")])
    }

    // MARK: Helpers

    static func mock() throws -> ESETMockServer {
        let devices = (0..<5).map {
            "{\"uuid\":\"00000000-0000-4000-8000-00000000000\($0)\",\"displayName\":\"D\($0)\",\"lastSyncTime\":\"2025-01-01T00:00:00Z\"}"
        }
        var configuration = ESETMockConfiguration(
            fixtures: try MockFixtures(devicesJSON: Array(("[" + devices.joined(separator: ",") + "]").utf8),
                                       deviceGroupsJSON: Array("[{\"uuid\":\"g\",\"displayName\":\"G\"}]".utf8)),
            scenarioLibrary: try ESETMockConfiguration.loadScenarioLibrary())
        configuration.rateLimitPerSecond = nil
        let mock = try ESETMockServer(configuration: configuration)
        try mock.start()
        return mock
    }

    /// Delays are real sleeps and big synthetic pages cost real time: the fuzz checks that such
    /// values load or are refused, but does not wait for them to be served.
    static func cheapToExercise(_ scenario: MockScenario) -> Bool {
        (scenario.extraDevicesPerPage ?? 0) <= 2000
            && scenario.rules.allSatisfy { ($0.delayMs ?? 0) <= 20 && ($0.unpackedBytes ?? 0) <= 5_000_000 }
    }

    static let library = (try? ESETMockConfiguration.loadScenarioLibrary()) ?? []

    /// Whether every scenario of an accepted `POST /__admin/scenarios` body is cheap to serve.
    static func cheapToExercise(posted body: [UInt8]) -> Bool {
        guard let list = (try? JSONParser.parse(body))?["scenarios"]?.arrayValue else { return false }
        return list.allSatisfy { element in
            if let name = element.stringValue { return library.first { $0.name == name }.map { cheapToExercise($0) } ?? false }
            return (try? MockScenario(value: element, source: "posted")).map { cheapToExercise($0) } ?? false
        }
    }

    /// Token, devices (several pages), groups, one device, batchGet, a Sekoia push and a task poll,
    /// in process; every answer must be an HTTP status, and the mock must keep answering.
    static func exerciseEveryRoute(_ mock: ESETMockServer, label: String, _ failures: inout [String]) -> Int {
        var calls = 0
        func call(_ method: String, _ target: String, _ headers: [(String, String)] = [], _ body: String = "") -> HTTPResponse {
            calls += 1
            let response = mock.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: Array(body.utf8)))
            if !(200...599).contains(response.status) { failures.append("\(label): \(method) \(target) → \(response.status)") }
            return response
        }
        let login = call("POST", "/eu.business-account.iam.eset.systems/oauth/token",
                         [("Content-Type", "application/x-www-form-urlencoded")],
                         "grant_type=password&username=demo%40example.com&password=demo-password")
        let token = (try? JSONParser.parse(login.body))?["access_token"]?.stringValue ?? "none"
        let bearer = [("Authorization", "Bearer \(token)")]
        var pageToken = ""
        for _ in 0..<4 {
            let page = call("GET", "/eu.device-management.eset.systems/v1/devices?pageSize=2"
                            + (pageToken.isEmpty ? "" : "&pageToken=\(pageToken)"), bearer)
            guard page.status == 200, case .normal = page.disposition,
                  let next = (try? JSONParser.parse(page.body))?["nextPageToken"]?.stringValue, !next.isEmpty else { break }
            pageToken = next
        }
        _ = call("GET", "/eu.device-management.eset.systems/v1/device_groups", bearer)
        _ = call("GET", "/eu.device-management.eset.systems/v1/devices/00000000-0000-4000-8000-000000000001", bearer)
        _ = call("GET", "/eu.device-management.eset.systems/v1/devices:batchGet?devicesUuids=00000000-0000-4000-8000-000000000002", bearer)
        let push = call("POST", "/sekoia/api/v2/asset-management/asset-connector/c", [("Authorization", "Bearer sekoia-demo-key")],
                        "{\"version\":1,\"items\":[{\"a\":1}]}")
        let task = (try? JSONParser.parse(push.body))?["task_id"]?.stringValue ?? "none"
        _ = call("GET", "/sekoia/api/v1/tasks/\(task)", [("Authorization", "Bearer sekoia-demo-key")])
        let health = call("GET", "/__admin/health")
        if health.status != 200 { failures.append("\(label): health answered \(health.status)") }
        return calls
    }

    /// A `POST /__admin/scenarios` body: names, inline scenarios (mutated), or junk.
    static func scenarioPost(_ random: inout SeededRandom) -> [UInt8] {
        switch random.below(6) {
        case 0: return random.bytes(random.below(64))
        case 1: return Array("{\"scenarios\": [\"\(random.element(shippedScenarios).name.dropLast(5))\"]}".utf8)
        case 2: return Array("{\"scenarios\": []}".utf8)
        default:
            let inline = structurallyMutated(random.element(shippedScenarios).bytes, &random)
            return Array("{\"scenarios\": [".utf8) + inline + Array("]}".utf8)
        }
    }

    static func byteMutated(_ original: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = original
        for _ in 0..<random.within(1...3) {
            guard !bytes.isEmpty else { return [random.byte()] }
            let position = random.below(bytes.count)
            switch random.below(5) {
            case 0: bytes[position] = random.byte()
            case 1: bytes.removeSubrange(position...)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + random.within(1...20)))
            case 3: bytes.insert(contentsOf: random.element([[0xFF], [0x00], Array("\"".utf8), Array("9223372036854775808".utf8)]), at: position)
            default: bytes.insert(contentsOf: Array(bytes[position..<min(bytes.count, position + 40)]), at: position)
            }
        }
        return bytes
    }

    /// Valid JSON whose fields (top level or in a rule) get odd values, appear, or vanish.
    static func structurallyMutated(_ original: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        guard case .object(var object)? = try? JSONParser.parse(original) else { return original }
        for _ in 0..<random.within(1...3) {
            if random.chance(70), case .array(var rules)? = object["rules"], !rules.isEmpty {
                let position = random.below(rules.count)
                if case .object(var rule) = rules[position] {
                    // Half the time a numeric field: that is where the overflows were.
                    let key = random.chance(50) ? random.element(numericRuleFields) : random.element(ruleFields)
                    rule[key] = random.chance(15) ? nil : value(for: key, &random)
                    rules[position] = .object(rule)
                } else {
                    rules[position] = random.element(oddValues)
                }
                object["rules"] = .array(rules)
            } else if random.chance(20) {
                var rule = JSONObject([("route", .string(random.element(["devices", "token", "sekoia-push", "data"])))])
                let key = random.element(ruleFields)
                rule[key] = value(for: key, &random)
                object["rules"] = .array((object["rules"]?.arrayValue ?? []) + [.object(rule)])
            } else {
                let key = random.element(scenarioFields)
                object[key] = random.chance(10) ? nil : value(for: key, &random)
            }
        }
        return JSONValue.object(object).serialized()
    }
}
