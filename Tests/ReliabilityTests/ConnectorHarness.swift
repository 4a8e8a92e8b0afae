import ConnectorCLI
import ESETMock
import ESETMockTesting
import Foundation
import HTTPServer
import JSON
import Mapping
import Synchronization
import XCTest

/// Secrets unique to one harness, so that finding one anywhere cannot be a coincidence.
struct HarnessSecrets: Sendable {
    let username = "reliability@example.com"
    let password = "Rel-pw-" + UUID().uuidString
    let sekoiaAPIKey = "rel-sekoia-" + UUID().uuidString
}

/// A generated fleet whose every device has a distinct `lastSyncTime`, so the checkpoint can be
/// checked against exactly what was delivered.
struct ReliabilityFleet: Sendable {
    var devices: [String] = []
    var groups: [String] = []
    var syncMicroseconds: [String: Int64] = [:]
    var uuids: Set<String> { Set(syncMicroseconds.keys) }

    init(devices count: Int, groups groupCount: Int = 3) {
        groups = (0..<groupCount).map { "{\"uuid\":\"group-\($0)\",\"displayName\":\"Group \($0)\"}" }
        for index in 0..<count {
            let uuid = String(format: "0000%04x-0000-4000-8000-%012x", index, index)
            let second = index * 7
            let time = String(format: "2025-05-21T%02d:%02d:%02dZ", 10 + second / 3600, second / 60 % 60, second % 60)
            devices.append("{\"uuid\":\"\(uuid)\",\"displayName\":\"REL-\(index)\",\"deviceType\":\"DEVICE_TYPE_DESKTOP\","
                           + "\"primaryLocalIpAddress\":\"10.1.\(index / 250).\(index % 250 + 1)\",\"lastSyncTime\":\"\(time)\","
                           + "\"parentGroupUuid\":\"group-\(index % max(groupCount, 1))\",\"operatingSystem\":{\"familyId\":1}}")
            syncMicroseconds[uuid] = RFC3339.microseconds(time)!
        }
    }

    var newestSync: Int64 { syncMicroseconds.values.max() ?? 0 }

    func fixtures() throws -> MockFixtures {
        try MockFixtures(devicesJSON: Array(("[" + devices.joined(separator: ",\n") + "]").utf8),
                         deviceGroupsJSON: Array(("[" + groups.joined(separator: ",\n") + "]").utf8))
    }
}

/// The mock behind a thin recording front: the front serves the mock's answers unchanged (faults
/// included) and keeps every token the token endpoint hands out, so a secrets scan can look for them.
final class RecordingMock: Sendable {
    let mock: ESETMockServer
    let front: HTTPServer
    let secrets: HarnessSecrets
    let fleet: ReliabilityFleet
    private let issuedTokens = TokenSet()

    static let library: [MockScenario] = (try? ESETMockConfiguration.testing().scenarioLibrary) ?? []

    init(fleet: ReliabilityFleet, secrets: HarnessSecrets = HarnessSecrets(), scenarios: [MockScenario] = []) throws {
        // The shared test preset (loopback, port 0, no rate limit, the shipped scenario library);
        // the front below, not the mock, owns the socket.
        var configuration = try ESETMockConfiguration.testing(fixtures: try fleet.fixtures())
        configuration.accounts = [MockAccount(username: secrets.username, password: secrets.password)]
        configuration.sekoiaAPIKey = secrets.sekoiaAPIKey
        configuration.journalCapacity = 100_000
        let mock = try ESETMockServer(configuration: configuration)
        mock.setScenarios(scenarios)
        self.mock = mock
        self.secrets = secrets
        self.fleet = fleet
        let tokens = issuedTokens
        front = HTTPServer(configuration: configuration.http) { request in
            let response = mock.respond(to: request)
            if request.path.hasSuffix("/oauth/token"), let json = try? JSONParser.parse(response.body) {
                for key in ["access_token", "refresh_token"] {
                    if let token = json[key]?.stringValue { tokens.insert(token) }
                }
            }
            return response
        }
        try front.start()
    }

    deinit { front.stop(timeout: 1) }

    var baseURL: String { front.baseURL }
    var tokens: Set<String> { issuedTokens.all }

    /// `device.uid` of every item the intake kept, in arrival order.
    var deliveredUIDs: [String] {
        mock.receivedSekoiaItems().compactMap { (try? JSONParser.parse($0))?["device"]?["uid"]?.stringValue }
    }

    /// The admin journal as the admin API serves it (the text a person would read).
    func journalText() throws -> String {
        let client = CheckedMockClient(port: front.port, expectations: try MockExpectations(fleet.fixtures()))
        defer { client.close() }
        let response = try client.send("GET", "/__admin/journal?limit=100000")
        guard response.status == 200 else { throw WrongAnswer("journal: \(response.status)") }
        return response.bodyText
    }

    func collectArguments(directory: URL, extra: [String] = []) -> [String] {
        var defaults: [(String, String)] = [
            ("--region", "eu"), ("--username", secrets.username), ("--eset-url", baseURL), ("--rate-limit", "off"),
            ("--retry-delay", "0.01"), ("--timeout", "3"), ("--max-retries", "3"), ("--page-size", "40"),
            ("--sekoia-url", "\(baseURL)/sekoia"), ("--connector-uuid", "11111111-2222-4333-8444-555555555555"),
            ("--batch-size", "25"), ("--state-dir", directory.appendingPathComponent("state").path),
            ("--output", directory.appendingPathComponent("devices.ndjson").path),
            ("--rejects", directory.appendingPathComponent("rejects.ndjson").path),
        ]
        defaults.removeAll { option in extra.contains(option.0) }
        return ["collect"] + defaults.flatMap { [$0.0, $0.1] } + extra
    }

    var environment: [String: String] { ["ESET_PASSWORD": secrets.password, "SEKOIA_API_KEY": secrets.sekoiaAPIKey] }
}

/// Tokens seen, shared with the front's handler.
final class TokenSet: Sendable {
    private let storage = Mutex<Set<String>>([])
    func insert(_ token: String) { storage.withLock { _ = $0.insert(token) } }
    var all: Set<String> { storage.withLock { $0 } }
}

/// One in-process `eset-connector` run.
struct InProcessRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
}

func runInProcess(_ arguments: [String], environment: [String: String]) async -> InProcessRun {
    let context = CLIContext(environment: environment, standardOutput: .memory(), standardError: .memory())
    let started = Date()
    let status = await runConnectorCLI(arguments, context: context)
    return InProcessRun(status: status, stdout: context.standardOutput.text, stderr: context.standardError.text,
                        seconds: Date().timeIntervalSince(started))
}

/// What a run left on disk in its directory.
struct RunArtifacts {
    var outputUIDs: [String]?
    var checkpointMicroseconds: Int64?
    var checkpointBytes: [UInt8]?
    var files: [(path: String, bytes: [UInt8])]

    init(directory: URL) {
        let output = directory.appendingPathComponent("devices.ndjson")
        if let data = FileManager.default.contents(atPath: output.path) {
            outputUIDs = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
                (try? JSONParser.parse(String($0)))?["device"]?["uid"]?.stringValue
            }
        }
        let checkpoint = directory.appendingPathComponent("state/checkpoint-eu.json")
        if let data = FileManager.default.contents(atPath: checkpoint.path) {
            checkpointBytes = Array(data)
            if case .int(let micros)? = (try? JSONParser.parse(Array(data)))?["newestLastSyncMicroseconds"] { checkpointMicroseconds = micros }
        }
        files = []
        if let walker = FileManager.default.enumerator(atPath: directory.path) {
            while let relative = walker.nextObject() as? String {
                let path = directory.appendingPathComponent(relative).path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   let data = FileManager.default.contents(atPath: path) {
                    files.append((path, Array(data)))
                }
            }
        }
    }
}

/// Every place a secret could leak to after a run, searched for every secret; returns the leaks.
func secretLeaks(secrets: HarnessSecrets, tokens: Set<String>, texts: [(place: String, text: String)], files: [(path: String, bytes: [UInt8])]) -> [String] {
    var needles: [(name: String, value: String)] = [("password", secrets.password), ("Sekoia API key", secrets.sekoiaAPIKey)]
    for token in tokens {
        needles.append(("token", token))
        // The secret half alone is enough to matter.
        if let dot = token.firstIndex(of: ".") { needles.append(("token secret part", String(token[token.index(after: dot)...]))) }
    }
    var leaks: [String] = []
    for (place, text) in texts {
        for needle in needles where text.contains(needle.value) { leaks.append("\(needle.name) found in \(place)") }
    }
    for (path, bytes) in files {
        let text = String(decoding: bytes, as: UTF8.self)
        for needle in needles where text.contains(needle.value) { leaks.append("\(needle.name) found in file \(path)") }
    }
    return leaks
}

/// Checks the promise of one run: exit 0 means the whole fleet exactly once (in the output file and,
/// unless an accepted push lost its answer, at the intake); a failure means a clear error, no final
/// output and an unmoved checkpoint. In every case the checkpoint never passes a device that was
/// not delivered. Returns the problems found.
/// `expected` maps each uuid the mock serves to its sync time (the fixture fleet unless a
/// scenario changes what is served).
func judgeRun(_ run: InProcessRun, harness: RecordingMock, expected: [String: Int64], deliveredBefore: Int, checkpointBefore: [UInt8]?,
              artifacts: RunArtifacts, allowDuplicatePushes: Bool) -> [String] {
    var problems: [String] = []
    let uuids = Set(expected.keys)
    let all = harness.deliveredUIDs
    let thisRun = Array(all.dropFirst(deliveredBefore))
    switch run.status {
    case 0:
        if Set(thisRun) != uuids {
            problems.append("exit 0 but the intake got \(Set(thisRun).count) distinct devices (\(Set(thisRun).subtracting(uuids).count) unexpected) for \(uuids.count)")
        }
        if thisRun.count != uuids.count && !allowDuplicatePushes {
            problems.append("exit 0 but the intake got \(thisRun.count) items for \(uuids.count) devices (duplicates)")
        }
        if let output = artifacts.outputUIDs {
            if output.count != uuids.count || Set(output) != uuids {
                problems.append("exit 0 but the output file has \(output.count) events (\(Set(output).count) distinct) for \(uuids.count) devices")
            }
        } else {
            problems.append("exit 0 without an output file")
        }
        let newest = expected.values.max()
        let checkpointWanted = newest ?? checkpointBefore.flatMap { _ in artifacts.checkpointMicroseconds }
        if artifacts.checkpointMicroseconds != checkpointWanted {
            problems.append("exit 0 but the checkpoint is \(String(describing: artifacts.checkpointMicroseconds)), not the newest sync delivered \(String(describing: checkpointWanted))")
        }
    case 1:
        let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error") }
        if errorLines.isEmpty { problems.append("exit 1 without an 'error' line on stderr: \(run.stderr.suffix(400))") }
        if artifacts.outputUIDs != nil { problems.append("exit 1 but an output file was written") }
        if artifacts.checkpointBytes != checkpointBefore { problems.append("exit 1 but the checkpoint changed") }
    default:
        problems.append("unexpected exit status \(run.status): \(run.stderr.suffix(400))")
    }
    // Never past undelivered data: a device the next run would skip must have been delivered.
    if let checkpoint = artifacts.checkpointMicroseconds {
        let delivered = Set(all)
        for (uuid, sync) in expected where sync <= checkpoint + 1 && !delivered.contains(uuid) {
            problems.append("checkpoint \(checkpoint) passes undelivered device \(uuid) synced \(sync)")
            break
        }
    }
    return problems
}
