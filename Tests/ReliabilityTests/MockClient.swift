import ESETMock
import Foundation
import HTTPTesting
import JSON
import Synchronization

/// What the mock must answer, computed from its fixtures, so a load test can judge every answer.
struct MockExpectations: Sendable {
    static let dataHost = MockRegion.eu.deviceManagementHost
    static let tokenHost = MockRegion.eu.tokenHost

    let devices: [JSONValue]
    let uuids: [String?]
    let groups: [JSONValue]

    init(_ fixtures: MockFixtures) throws {
        devices = try (0..<fixtures.deviceCount).map { try JSONParser.parse(fixtures.deviceJSON(at: $0)) }
        uuids = fixtures.deviceUUIDs
        groups = try (0..<fixtures.deviceGroupCount).map { try JSONParser.parse(fixtures.deviceGroupJSON(at: $0)) }
    }

    /// Index of the first device with uuid `uuid` (the mock answers the first match).
    func index(of uuid: String) -> Int? { uuids.firstIndex { $0 == uuid } }
}

/// A wrong answer, described for the failure message.
struct WrongAnswer: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Mock requests over one keep-alive `RawHTTPConnection`, each answer checked against the
/// fixtures. Not thread-safe: one per thread.
final class CheckedMockClient {
    let port: Int
    let expectations: MockExpectations
    var connection: RawHTTPConnection?
    let timeout: Double

    init(port: Int, expectations: MockExpectations, timeout: Double = 20) {
        self.port = port
        self.expectations = expectations
        self.timeout = timeout
    }

    func open() throws -> RawHTTPConnection {
        if let connection { return connection }
        let fresh = try RawHTTPConnection(port: port, timeout: timeout)
        connection = fresh
        return fresh
    }

    func close() {
        connection?.close()
        connection = nil
    }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> RawHTTPResponse {
        let connection = try open()
        do {
            let response = try connection.request(method, target, headers: headers, body: body)
            if response.header("Connection")?.lowercased() == "close" { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    static func formBody(_ pairs: [(String, String)]) -> [UInt8] {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return Array(pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&").utf8)
    }

    /// A password grant; returns the access token after checking the answer's shape.
    func token(username: String = MockAccount.demo.username, password: String = MockAccount.demo.password) throws -> (access: String, refresh: String) {
        let response = try send("POST", "/\(MockExpectations.tokenHost)/oauth/token",
                                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                body: Self.formBody([("grant_type", "password"), ("username", username), ("password", password)]))
        guard response.status == 200, let json = try? JSONParser.parse(response.body),
              let access = json["access_token"]?.stringValue, let refresh = json["refresh_token"]?.stringValue else {
            throw WrongAnswer("token: status \(response.status), body \(response.bodyText.prefix(200))")
        }
        guard Self.isFullLengthToken(access), Self.isFullLengthToken(refresh), access != refresh else {
            throw WrongAnswer("token: tokens of unexpected shape (\(access.utf8.count), \(refresh.utf8.count) characters)")
        }
        return (access, refresh)
    }

    /// A mock token at full length: 12 random bytes and 32 random bytes in base64url without
    /// padding (16 and 43 characters) joined by a dot, i.e. 352 random bits.
    static func isFullLengthToken(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        return parts.count == 2 && parts[0].utf8.count == 16 && parts[1].utf8.count == 43
            && parts.allSatisfy { $0.utf8.allSatisfy(alphabet.contains) }
    }

    /// One devices page; checks it holds the fixtures `offset..<offset+count` in order.
    func devicesPage(token: String, pageSize: Int, pageToken: String?, offset: Int) throws -> String {
        var target = "/\(MockExpectations.dataHost)/v1/devices?pageSize=\(pageSize)"
        if let pageToken { target += "&pageToken=\(pageToken)" }
        let response = try send("GET", target, headers: [("Authorization", "Bearer \(token)")])
        guard response.status == 200, let json = try? JSONParser.parse(response.body), case .array(let devices)? = json["devices"] else {
            throw WrongAnswer("devices page at \(offset): status \(response.status), body \(response.bodyText.prefix(200))")
        }
        let expected = Array(expectations.devices[offset..<min(expectations.devices.count, offset + pageSize)])
        guard devices == expected else {
            throw WrongAnswer("devices page at \(offset): \(devices.count) devices, not the \(expected.count) expected in fixture order")
        }
        guard case .string(let next)? = json["nextPageToken"] else {
            throw WrongAnswer("devices page at \(offset): nextPageToken missing or not a string")
        }
        let isLast = offset + pageSize >= expectations.devices.count
        guard isLast == next.isEmpty else { throw WrongAnswer("devices page at \(offset): nextPageToken \(next.isEmpty ? "empty" : "present") wrongly") }
        return next
    }

    func device(token: String, uuid: String) throws {
        let response = try send("GET", "/\(MockExpectations.dataHost)/v1/devices/\(uuid)", headers: [("Authorization", "Bearer \(token)")])
        guard let index = expectations.index(of: uuid) else { throw WrongAnswer("device \(uuid) is not in the fixtures") }
        guard response.status == 200, let json = try? JSONParser.parse(response.body), json["device"] == expectations.devices[index] else {
            throw WrongAnswer("device \(uuid): status \(response.status), body \(response.bodyText.prefix(200))")
        }
    }

    func batchGet(token: String, uuids: [String]) throws {
        let query = uuids.map { "devicesUuids=\($0)" }.joined(separator: "&")
        let response = try send("GET", "/\(MockExpectations.dataHost)/v1/devices:batchGet?\(query)", headers: [("Authorization", "Bearer \(token)")])
        let expected = uuids.compactMap { expectations.index(of: $0).map { expectations.devices[$0] } }
        guard response.status == 200, let json = try? JSONParser.parse(response.body), json["devices"]?.arrayValue == expected else {
            throw WrongAnswer("batchGet of \(uuids.count): status \(response.status), body \(response.bodyText.prefix(200))")
        }
    }

    func groups(token: String) throws {
        let response = try send("GET", "/\(MockExpectations.dataHost)/v1/device_groups?pageSize=1000", headers: [("Authorization", "Bearer \(token)")])
        guard response.status == 200, let json = try? JSONParser.parse(response.body), json["deviceGroups"]?.arrayValue == expectations.groups else {
            throw WrongAnswer("device_groups: status \(response.status), body \(response.bodyText.prefix(200))")
        }
    }

    /// Pushes `items` to the Sekoia intake; returns the task id.
    func sekoiaPush(apiKey: String, connector: String, items: [JSONValue]) throws -> String {
        let body = JSONValue.object(JSONObject([("version", .int(1)), ("items", .array(items))])).serialized()
        let response = try send("POST", "/sekoia/api/v2/asset-management/asset-connector/\(connector)",
                                headers: [("Authorization", "Bearer \(apiKey)"), ("Content-Type", "application/json")], body: body)
        guard response.status == 200, let json = try? JSONParser.parse(response.body), let task = json["task_id"]?.stringValue else {
            throw WrongAnswer("sekoia push of \(items.count): status \(response.status), body \(response.bodyText.prefix(200))")
        }
        return task
    }
}

/// Counters shared by worker threads.
final class SharedCounters: Sendable {
    private let storage = Mutex<[String: Int]>([:])
    private let problems = Mutex<[String]>([])

    func add(_ key: String, _ amount: Int = 1) { storage.withLock { $0[key, default: 0] += amount } }
    func fail(_ problem: String) { problems.withLock { if $0.count < 50 { $0.append(problem) }; } ; add("wrong") }
    subscript(key: String) -> Int { storage.withLock { $0[key] ?? 0 } }
    var all: [String: Int] { storage.withLock { $0 } }
    var failures: [String] { problems.withLock { $0 } }
    var summary: String { all.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",") }
}

/// Starts `count` threads running `body(index)` and waits (bounded) for all of them.
/// Returns false if some did not finish within `seconds`.
@discardableResult
func runThreads(_ count: Int, within seconds: Double, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    startThreads(count, body).wait(timeout: .now() + seconds) == .success
}

/// Starts `count` threads running `body(index)`; the group is left when all have finished.
func startThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 512 * 1024
        thread.start()
    }
    return group
}
