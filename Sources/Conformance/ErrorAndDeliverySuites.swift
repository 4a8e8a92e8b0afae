import ESETMock
import Foundation
import JSON

/// The error suite (`kind: error`) and the delivery suite (`kind: delivery`).
///
/// An error case names mock scenarios and the outcome a correct connector must reach:
///
///     {"kind": "error", "description": "...", "scenarios": ["token-expiry"],
///      "fleet": "default" | "edge-cases" | "case", "arguments": ["--allow-missing-groups"],
///      "expect": {"exitStatus": 0, "delivered": "all" | "none" | {"uuids": [...]} | {"allExcept": [...], "plus": [...]},
///                 "stderrIncludes": ["..."], "retries": {"min": 1, "max": 8}, "maxSeconds": 30}}
///
/// Optional parts of an error case, for hostile servers:
/// - `"expect": {"exitStatus": "failure"}` accepts any status but 0 and 2 (a connector's own code).
/// - `"sekoia": true` also pushes to the mock's Sekoia.io intake (`--sekoia-url`, an API key file).
/// - `"expect": {"foreignRequestsMax": 0}`: at most that many requests may reach the mock's
///   foreign-origin trap (the host its redirects point at); `"noSecretOffOrigin": true`: none of
///   them may carry a credential.
/// - `"expect": {"afterwards": {"scenarios": [...], "exitStatus": 0, "delivered": ...}}`: both runs
///   share a `--state-dir`, and a second run follows the first. After a failed first run,
///   `"delivered": "all"` proves the checkpoint did not move; `{"undatedPlus": [uuid]}` means the
///   devices without a usable `lastSyncTime` in the first run's output plus those uuids.
///
/// A delivery case pushes to the mock Sekoia.io intake over several cycles with one state dir:
///
///     {"kind": "delivery", "batchSize": 37, "cycles": [
///        {"scenarios": [], "expect": {"exitStatus": 0, "delivered": "all"}},
///        {"scenarios": [], "expect": {"exitStatus": 0, "delivered": "undated"}}]}
///
/// `"undated"` means exactly the devices whose first-cycle event has no `device.last_seen_time`
/// (devices without a parsable `lastSyncTime` are always sent again).
extension ConformanceRunner {
    func runError(_ testCase: ConformanceCase, started: Date) async throws -> CaseResult {
        let definition = testCase.definition
        let file = testCase.directory.appendingPathComponent("case.json").path
        let expect = definition["expect"] ?? .object(JSONObject())
        let scenarios = definition["scenarios"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let arguments = definition["arguments"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let fixtures = try fleet(definition, testCase: testCase)
        let fleetUUIDs = Set(fixtures.deviceUUIDs.compactMap { $0 })
        let workspace = try Workspace()
        defer { workspace.remove() }
        let output = workspace.path("events.ndjson")
        let mock = try startMock(fixtures: fixtures, scenarios: scenarios, rateLimit: intValue(definition["mockRateLimit"]),
                                 specValidFixtures: (definition["fleet"]?.stringValue ?? "default") == "default")
        defer { mock.stop() }
        let afterwards = expect["afterwards"]
        var shared: [String] = []
        if afterwards != nil {
            let state = workspace.path("state")
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            shared += ["--state-dir", state]
        }
        if definition["sekoia"] == .bool(true) {
            let keyFile = workspace.path("sekoia.key")
            try Data(mock.configuration.sekoiaAPIKey.utf8).write(to: URL(fileURLWithPath: keyFile))
            shared += [
                "--sekoia-url", mock.sekoiaBaseURL, "--connector-uuid", "4f3e2d1c-0000-4000-8000-00000000c0de",
                "--sekoia-api-key-file", keyFile,
            ]
        }
        let region = definition["region"]?.stringValue ?? "eu"
        func collect(output: String) async -> ConnectorRun {
            await runConnector(
                mock: mock, region: region,
                arguments: ["--rate-limit", definition["connectorRateLimit"]?.stringValue ?? "off", "--output", output, "--retry-delay", "0.05"]
                    + shared + arguments + ["--profile", testCase.profile])
        }
        let clock = Date()
        let run = await collect(output: output)
        let seconds = Date().timeIntervalSince(clock)

        var problems: [String] = []
        checkRun(run, expect: expect, seconds: seconds, file: file, problems: &problems)
        let events = try readNDJSON(output, allowMissing: true)
        let delivered = events.compactMap { $0["device"]?["uid"]?.stringValue }
        if run.status != 0, run.status != 2, FileManager.default.fileExists(atPath: output) {
            problems.append("a failed run left an output file that looks complete")
        }
        if let want = try expectedDelivery(expect["delivered"], fleet: fleetUUIDs, firstCycle: events, file: file) {
            compareDelivery(delivered, want, problems: &problems)
        }
        checkForeignOrigin(mock, expect: expect, problems: &problems)
        if let afterwards {
            try mock.setScenarios(afterwards["scenarios"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let secondOutput = workspace.path("events-afterwards.ndjson")
            let secondClock = Date()
            let second = await collect(output: secondOutput)
            var secondProblems: [String] = []
            checkRun(second, expect: afterwards, seconds: Date().timeIntervalSince(secondClock), file: file, problems: &secondProblems)
            let secondDelivered = try readNDJSON(secondOutput, allowMissing: true).compactMap { $0["device"]?["uid"]?.stringValue }
            if let want = try expectedDelivery(afterwards["delivered"], fleet: fleetUUIDs, firstCycle: events, file: file) {
                compareDelivery(secondDelivered, want, problems: &secondProblems)
            }
            checkForeignOrigin(mock, expect: expect, problems: &secondProblems)
            if !secondProblems.isEmpty {
                problems += secondProblems.map { "second run: \($0)" }
                problems.append("second run: connector stderr (end): " + String(second.standardError.suffix(600)))
            }
        }
        if !problems.isEmpty { problems.append("connector stderr (end): " + String(run.standardError.suffix(800))) }
        return CaseResult(
            name: testCase.name, kind: .error, profile: testCase.profile, rules: testCase.rules,
            failedRules: problems.isEmpty ? [] : testCase.rules, problems: problems, seconds: Date().timeIntervalSince(started))
    }

    func runDelivery(_ testCase: ConformanceCase, started: Date) async throws -> CaseResult {
        let definition = testCase.definition
        let file = testCase.directory.appendingPathComponent("case.json").path
        guard let cycles = definition["cycles"]?.arrayValue, !cycles.isEmpty else {
            throw CaseError(file, "a delivery case needs a non-empty \"cycles\" array")
        }
        let batchSize = intValue(definition["batchSize"]) ?? 100
        let fixtures = try fleet(definition, testCase: testCase)
        let fleetUUIDs = Set(fixtures.deviceUUIDs.compactMap { $0 })
        let workspace = try Workspace()
        defer { workspace.remove() }
        let stateDirectory = workspace.path("state")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let keyFile = workspace.path("sekoia.key")
        let mock = try startMock(fixtures: fixtures, scenarios: [], rateLimit: nil,
                                 specValidFixtures: (definition["fleet"]?.stringValue ?? "default") == "default")
        defer { mock.stop() }
        try Data(mock.configuration.sekoiaAPIKey.utf8).write(to: URL(fileURLWithPath: keyFile))

        var problems: [String] = []
        var firstCycleEvents: [JSONValue] = []
        for (number, cycle) in cycles.enumerated() {
            let label = "cycle \(number + 1)"
            try mock.setScenarios(cycle["scenarios"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let batchesBefore = mock.receivedSekoiaBatches().count
            let itemsBefore = mock.receivedSekoiaItems().count
            let output = workspace.path("events-\(number + 1).ndjson")
            let clock = Date()
            let run = await runConnector(
                mock: mock,
                arguments: [
                    "--rate-limit", "off", "--output", output, "--state-dir", stateDirectory, "--retry-delay", "0.05",
                    "--sekoia-url", mock.sekoiaBaseURL, "--connector-uuid", "4f3e2d1c-0000-4000-8000-00000000c0de",
                    "--sekoia-api-key-file", keyFile, "--batch-size", String(batchSize), "--profile", testCase.profile,
                ] + (cycle["arguments"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            let seconds = Date().timeIntervalSince(clock)
            let expect = cycle["expect"] ?? .object(JSONObject())
            var cycleProblems: [String] = []
            checkRun(run, expect: expect, seconds: seconds, file: file, problems: &cycleProblems)

            let batches = Array(mock.receivedSekoiaBatches().dropFirst(batchesBefore))
            let items = try mock.receivedSekoiaItems().dropFirst(itemsBefore).map { try JSONParser.parse($0) }
            let events = try readNDJSON(output, allowMissing: true)
            if number == 0 { firstCycleEvents = events }
            let succeeded = run.status == 0 || run.status == 2
            if succeeded {
                // Everything written to NDJSON reached the intake, in batches of the configured size.
                let uids = items.compactMap { $0["device"]?["uid"]?.stringValue }
                if !zip(events, items).allSatisfy({ $0.semanticallyEquals($1) }) || events.count != items.count {
                    cycleProblems.append("the items received by Sekoia.io differ from the events written (\(items.count) items, \(events.count) events)")
                }
                let sizes = batches.map(\.itemCount)
                if sizes.dropLast().contains(where: { $0 != batchSize }) || (sizes.last ?? 0) > batchSize {
                    cycleProblems.append("batch sizes \(sizes), expected batches of \(batchSize)")
                }
                if let want = try expectedDelivery(expect["delivered"], fleet: fleetUUIDs, firstCycle: firstCycleEvents, file: file) {
                    compareDelivery(uids, want, problems: &cycleProblems)
                }
            }
            if case .bool(let moved)? = expect["checkpointExists"] {
                let exists = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory))?.contains { !$0.hasPrefix(".") } ?? false
                if exists != moved { cycleProblems.append("checkpoint \(exists ? "exists" : "is absent"), expected \(moved ? "present" : "absent")") }
            }
            if !cycleProblems.isEmpty {
                problems += cycleProblems.map { "\(label): \($0)" }
                problems.append("\(label): connector stderr (end): " + String(run.standardError.suffix(600)))
            }
        }
        return CaseResult(
            name: testCase.name, kind: .delivery, profile: testCase.profile, rules: testCase.rules,
            failedRules: problems.isEmpty ? [] : testCase.rules, problems: problems, seconds: Date().timeIntervalSince(started))
    }

    // MARK: Expectations

    func fleet(_ definition: JSONValue, testCase: ConformanceCase) throws -> MockFixtures {
        switch definition["fleet"]?.stringValue ?? "default" {
        case "default": return try MockFixtures(directory: ESETMockServer.defaultDataDirectory)
        // The tolerance data set: the seed sample verbatim, the edge devices, off-contract values.
        case "edge-cases": return try MockFixtures(directory: ESETMockServer.defaultDataDirectory.appendingPathComponent("edge-cases"))
        case "case": return try caseFixtures(testCase.directory)
        case let other:
            throw CaseError(testCase.directory.appendingPathComponent("case.json").path, "unknown \"fleet\" \(other.debugDescription); expected default, edge-cases or case")
        }
    }

    /// The foreign-origin trap's record against `foreignRequestsMax` and `noSecretOffOrigin`.
    func checkForeignOrigin(_ mock: ESETMockServer, expect: JSONValue, problems: inout [String]) {
        let requests = mock.foreignOriginRequests
        if let maximum = intValue(expect["foreignRequestsMax"]), requests.count > maximum {
            let shown = requests.prefix(3).map { "\($0.method) \($0.path)" }.joined(separator: ", ")
            problems.append("\(requests.count) request(s) reached the foreign origin (at most \(maximum) allowed), e.g. \(shown)")
        }
        if expect["noSecretOffOrigin"] == .bool(true), let leak = requests.first(where: \.credential) {
            problems.append("a credential was sent off-origin: \(leak.method) \(leak.path) reached the foreign origin with a credential")
        }
    }

    func checkRun(_ run: ConnectorRun, expect: JSONValue, seconds: Double, file: String, problems: inout [String]) {
        if let status = intValue(expect["exitStatus"]), Int32(status) != run.status {
            problems.append("exit status \(run.status), expected \(status)")
        }
        // "failure": any status that claims neither success (0) nor completion with rejects (2).
        if expect["exitStatus"] == .string("failure"), run.status == 0 || run.status == 2 {
            problems.append("exit status \(run.status), expected a failure (neither 0 nor 2)")
        }
        for text in expect["stderrIncludes"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !run.standardError.contains(text) {
            problems.append("stderr lacks \(text.debugDescription)")
        }
        if let limit = expect["maxSeconds"]?.doubleValue, seconds > limit {
            problems.append(String(format: "took %.1f s, more than the %.1f s allowed", seconds, limit))
        }
        if let bounds = expect["retries"] {
            let retries = Self.retryCount(in: run.standardError)
            if let minimum = intValue(bounds["min"]), retries < minimum { problems.append("\(retries) retries, expected at least \(minimum)") }
            if let maximum = intValue(bounds["max"]), retries > maximum { problems.append("\(retries) retries, expected at most \(maximum)") }
        }
    }

    /// ESET calls the connector retried, from its summary line `retries (ESET): 429 2, server 1`
    /// (Sekoia.io task polls are not retries of a failure, so that line is not counted).
    static func retryCount(in standardError: String) -> Int {
        var total = 0
        for line in standardError.split(separator: "\n") where line.contains("retries (ESET)") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            for part in line[line.index(after: colon)...].split(separator: ",") {
                if let number = part.split(separator: " ").last.flatMap({ Int($0) }) { total += number }
            }
        }
        return total
    }

    func expectedDelivery(_ value: JSONValue?, fleet: Set<String>, firstCycle: [JSONValue], file: String) throws -> Set<String>? {
        switch value {
        case nil: return nil
        case .string("all")?: return fleet
        case .string("none")?: return []
        case .string("undated")?:
            return Set(firstCycle.filter { $0["device"]?["last_seen_time"] == nil }.compactMap { $0["device"]?["uid"]?.stringValue })
        case .object(let object)?:
            if let uuids = object["uuids"]?.arrayValue { return Set(uuids.compactMap(\.stringValue)) }
            if let plus = object["undatedPlus"]?.arrayValue {
                let undated = firstCycle.filter { $0["device"]?["last_seen_time"] == nil }.compactMap { $0["device"]?["uid"]?.stringValue }
                return Set(undated).union(plus.compactMap(\.stringValue))
            }
            let except = Set(object["allExcept"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let plus = Set(object["plus"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            return fleet.subtracting(except).union(plus)
        default:
            throw CaseError(file, "\"delivered\" must be \"all\", \"none\", \"undated\" or an object with \"uuids\" or \"allExcept\"/\"plus\"")
        }
    }

    func compareDelivery(_ delivered: [String], _ expected: Set<String>, problems: inout [String]) {
        var seen = Set<String>()
        let duplicated = delivered.filter { !seen.insert($0).inserted }
        if !duplicated.isEmpty { problems.append("\(duplicated.count) device(s) delivered twice, e.g. \(duplicated.prefix(3).joined(separator: ", "))") }
        let missing = expected.subtracting(seen)
        let extra = seen.subtracting(expected)
        if !missing.isEmpty { problems.append("\(missing.count) device(s) lost, e.g. \(missing.sorted().prefix(3).joined(separator: ", "))") }
        if !extra.isEmpty { problems.append("\(extra.count) unexpected device(s) delivered, e.g. \(extra.sorted().prefix(3).joined(separator: ", "))") }
    }

    func intValue(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let integer)?: return Int(integer)
        case .double(let double)? where double == double.rounded(): return Int(double)
        default: return nil
        }
    }
}
