import ESETMock
import Foundation
import JSON

/// Runs one case under the client contract (`Conformance/CLIENTS.md`): a fresh mock holding the
/// case's data and scenarios, the client's command once per cycle with the contract's
/// environment, and a judgement on what the mock saw and received only.
extension ConformanceRunner {
    /// The Sekoia.io asset connector every contract run pushes to.
    static let contractConnectorUUID = "4f3e2d1c-0000-4000-8000-00000000c0de"
    /// A case without `maxSeconds` gets this long before it is scored as a hang.
    static let defaultContractTimeout = 60.0

    private struct Cycle {
        var scenarios: [String]
        var expect: JSONValue
        /// Capabilities whose arguments this cycle alone adds (e.g. `full-resync` on a second run).
        var with: [String]
        var acceptable: AcceptableOutcomes
        /// The intake accepts the items but their tasks end FAILED: nothing counts as delivered.
        var tasksFail: Bool
    }

    func runContract(_ testCase: ConformanceCase, client: ClientDeclaration, started: Date) async throws -> CaseResult {
        var result = CaseResult(
            name: testCase.name, kind: testCase.kind, profile: testCase.profile, rules: testCase.rules, failedRules: [], problems: [], seconds: 0)
        result.acceptable = testCase.acceptable
        let missing = testCase.requiredCapabilities.filter { client.capabilities[$0] == nil }
        guard missing.isEmpty else {
            // Not applicable: neither passed nor failed, and no rule is counted for it.
            result.missingCapabilities = missing
            result.rules = []
            return result
        }
        let definition = testCase.definition
        let file = testCase.directory.appendingPathComponent("case.json").path
        let fixtures = testCase.kind == .mapping ? try caseFixtures(testCase.directory) : try fleet(definition, testCase: testCase)
        let fleetUUIDs = Set(fixtures.deviceUUIDs.compactMap { $0 })
        let expected = testCase.kind == .mapping ? try testCase.expectedEvents() : []
        let cycles = try contractCycles(testCase, client: client, file: file)
        let cycleOnly = Set(cycles.flatMap(\.with))

        let workspace = try Workspace()
        defer { workspace.remove() }
        let workdir = workspace.path("workdir")
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        // Fresh credentials per case, so any copy of them found where it should not be is a leak.
        let account = MockAccount(username: "conformance@example.com", password: "pw-" + UUID().uuidString.lowercased())
        var configuration = ESETMockConfiguration(fixtures: fixtures, scenarioLibrary: scenarioLibrary)
        configuration.rateLimitPerSecond = intValue(definition["mockRateLimit"])
        configuration.accounts = [account]
        configuration.sekoiaAPIKey = "sk-" + UUID().uuidString.lowercased()
        configuration.responseObserver = responseObserver
        if testCase.kind == .mapping || (definition["fleet"]?.stringValue ?? "default") != "default" {
            configuration.fixturesOffContract = [.bodySchema]
        }
        let mock = try ESETMockServer(configuration: configuration)
        try mock.start()
        defer { mock.stop() }

        let region = definition["region"]?.stringValue ?? "eu"
        var problems: [String] = []
        var outcome: Outcome?
        var firstCycleEvents: [JSONValue] = []
        var wrongRules: [String] = []
        var deviations: [String: Int] = [:]
        var everyCycleAcceptable = true
        for (number, cycle) in cycles.enumerated() {
            let label = cycles.count > 1 ? "cycle \(number + 1): " : ""
            try mock.setScenarios(cycle.scenarios)
            let itemsBefore = mock.receivedSekoiaItems().count
            let foreignBefore = mock.foreignOriginRequests.count
            let timeout = cycle.expect["maxSeconds"]?.doubleValue ?? definition["maxSeconds"]?.doubleValue ?? Self.defaultContractTimeout
            let values = [
                "region": region, "username": account.username, "eset_base_url": mock.baseURL, "sekoia_url": mock.sekoiaBaseURL,
                "connector_uuid": Self.contractConnectorUUID, "case": testCase.name, "workdir": workdir,
                "timeout": String(format: "%g", timeout), "batch_size": String(intValue(definition["batchSize"]) ?? 100),
                "request_timeout": definition["requestTimeout"]?.doubleValue.map { String(format: "%g", $0) } ?? "0.1",
            ]
            var template = client.command
            for capability in testCase.requiredCapabilities where !cycleOnly.contains(capability) { template += client.capabilities[capability] ?? [] }
            for capability in cycle.with { template += client.capabilities[capability] ?? [] }
            let arguments = try template.map { try ClientDeclaration.expand($0, values: values) }
            var environment: [String: String] = [:]
            for name in client.passedEnvironment { environment[name] = ProcessInfo.processInfo.environment[name] }
            environment.merge([
                "ESET_REGION": region, "ESET_USERNAME": account.username, "ESET_PASSWORD": account.password, "ESET_BASE_URL": mock.baseURL,
                "SEKOIA_URL": mock.sekoiaBaseURL, "SEKOIA_API_KEY": configuration.sekoiaAPIKey, "SEKOIA_CONNECTOR_UUID": Self.contractConnectorUUID,
                "CONFORMANCE_CASE": testCase.name, "CONFORMANCE_WORKDIR": workdir, "CONFORMANCE_TIMEOUT": values["timeout"]!,
            ]) { _, contract in contract }
            let windowStart = Date().timeIntervalSince1970
            let exit = await launcher.launch(ConnectorInvocation(arguments: arguments, environment: environment, timeout: timeout))
            let windowEnd = Date().timeIntervalSince1970

            let rawItems = mock.receivedSekoiaItems().dropFirst(itemsBefore).map { String(decoding: $0, as: UTF8.self) }
            var items: [JSONValue] = []
            for (index, raw) in rawItems.enumerated() {
                do { items.append(try JSONParser.parse(raw)) } catch { problems.append("\(label)item \(index + 1) received is not JSON: \(error)") }
            }
            if number == 0 { firstCycleEvents = items }
            let delivered = cycle.tasksFail ? [] : items
            var leaks = leaks(
                of: [account.password, configuration.sekoiaAPIKey],
                in: [("the client's standard output", exit.standardOutput), ("the client's standard error", exit.standardError),
                     ("the events sent to Sekoia.io", rawItems.joined(separator: "\n"))])
            leaks += foreignOriginLeaks(mock, since: foreignBefore)
            var findings = RunFindings(
                termination: exit.termination, expectsFailure: false, target: [],
                received: delivered.enumerated().map { $1["device"]?["uid"]?.stringValue ?? "(item \($0 + 1) without device.uid)" }, leaks: leaks)
            if testCase.kind == .mapping {
                findings.expectsFailure = !testCase.rejectedIndices.isEmpty
                findings.target = Set(expected.compactMap { $0["device"]?["uid"]?.stringValue })
                var output = MappingRunOutput(
                    events: inExpectedOrder(delivered, expected: expected), exitStatus: exit.status, rejectedIndices: [],
                    runWindowSeconds: windowStart...windowEnd)
                output.judgesExitAndRejects = false
                let evaluation = MappingEvaluation.evaluate(testCase, expected: expected, output: output, catalog: catalog, seconds: 0)
                findings.wrongRules = evaluation.failedRules
                wrongRules += evaluation.failedRules.filter { !wrongRules.contains($0) }
                deviations.merge(evaluation.deviations, uniquingKeysWith: +)
                if !evaluation.failedRules.isEmpty { problems += evaluation.problems.prefix(30).map { label + $0 } }
            } else {
                findings.expectsFailure = AcceptableOutcomes.expectsFailure(cycle.expect)
                findings.target = try targetSet(cycle.expect, fleet: fleetUUIDs, firstCycle: firstCycleEvents, file: file)
            }
            let classes = findings.classes()
            let cycleOutcome = classes.first ?? .complete
            outcome = min(outcome ?? cycleOutcome, cycleOutcome)
            if !cycle.acceptable.accepts(cycleOutcome) {
                everyCycleAcceptable = false
                problems.append(
                    "\(label)outcome \(cycleOutcome.rawValue) is not acceptable here (accepted: "
                        + cycle.acceptable.reasons.keys.sorted().map(\.rawValue).joined(separator: ", ") + ")")
                problems += findings.explanations().map { label + $0 }
                if case .exited(let status) = exit.termination { problems.append("\(label)exit status \(status)") }
                problems.append(String(format: "%@wall time %.2f s of %g s allowed", label, exit.seconds, timeout))
                let tail = exit.standardError.suffix(600)
                if !tail.isEmpty { problems.append("\(label)client stderr (end): \(tail)") }
            }
        }
        let acceptable = everyCycleAcceptable
        result.outcome = outcome
        result.problems = acceptable ? [] : problems
        result.failedRules = testCase.kind == .mapping ? wrongRules : (acceptable ? [] : testCase.rules)
        if testCase.kind == .mapping, !acceptable, wrongRules.isEmpty { result.failedRules = testCase.rules }
        result.deviations = deviations
        let counters = mock.counters
        let eset = ["token", "devices", "device_groups", "device", "batchGet"].map { counters.count(route: $0) }.reduce(0, +)
        result.traffic = "ESET \(eset) calls (\(counters.count(route: "token")) token), Sekoia.io \(counters.count(route: "sekoia-push")) pushes, "
            + "\(counters.count(route: "sekoia-task")) task polls" + (mock.foreignOriginRequests.isEmpty ? "" : ", \(mock.foreignOriginRequests.count) to the foreign origin")
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    private func contractCycles(_ testCase: ConformanceCase, client: ClientDeclaration, file: String) throws -> [Cycle] {
        let definition = testCase.definition
        func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }
        switch testCase.kind {
        case .mapping:
            return [Cycle(scenarios: [], expect: .object(JSONObject()), with: [], acceptable: testCase.acceptable, tasksFail: false)]
        case .error:
            let expect = definition["expect"] ?? .object(JSONObject())
            var cycles = [Cycle(scenarios: strings(definition["scenarios"]), expect: expect, with: [], acceptable: testCase.acceptable, tasksFail: false)]
            // "afterwards": a second run on the same state; it proves a checkpoint, so it runs
            // only for a client that keeps one.
            if let afterwards = expect["afterwards"], client.capabilities["checkpoint"] != nil {
                cycles.append(Cycle(
                    scenarios: strings(afterwards["scenarios"]), expect: afterwards, with: [],
                    acceptable: try AcceptableOutcomes.read(afterwards["acceptable"], expect: afterwards, description: testCase.description, file: file),
                    tasksFail: false))
            }
            return cycles
        case .delivery:
            guard let cycles = definition["cycles"]?.arrayValue, !cycles.isEmpty else {
                throw CaseError(file, "a delivery case needs a non-empty \"cycles\" array")
            }
            return try cycles.map { cycle in
                let expect = cycle["expect"] ?? .object(JSONObject())
                let with = strings(cycle["with"])
                for name in with where !testCase.needs.contains(name) {
                    throw CaseError(file, "a cycle uses capability \(name.debugDescription), which the case's \"needs\" does not list")
                }
                return Cycle(
                    scenarios: strings(cycle["scenarios"]), expect: expect, with: with,
                    acceptable: try AcceptableOutcomes.read(cycle["acceptable"], expect: expect, description: testCase.description, file: file),
                    tasksFail: cycle["intakeTasksFail"]?.boolValue == true)
            }
        }
    }

    /// Received events in the golden order when they hold the same unique device uids (a client
    /// may push in any order), else as received.
    private func inExpectedOrder(_ received: [JSONValue], expected: [JSONValue]) -> [JSONValue] {
        let expectedUIDs = expected.map { $0["device"]?["uid"]?.stringValue }
        let receivedUIDs = received.map { $0["device"]?["uid"]?.stringValue }
        guard expectedUIDs.count == receivedUIDs.count, !expectedUIDs.contains(nil),
              Set(expectedUIDs).count == expectedUIDs.count, Set(expectedUIDs) == Set(receivedUIDs) else { return received }
        let byUID = Dictionary(received.map { ($0["device"]?["uid"]?.stringValue ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        return expectedUIDs.compactMap { byUID[$0 ?? ""] }
    }

    /// The requests to the mock's foreign-origin trap (the other host its redirect scenarios
    /// point at), after the first `since`, that carried a credential.
    func foreignOriginLeaks(_ mock: ESETMockServer, since: Int) -> [String] {
        mock.foreignOriginRequests.dropFirst(since).filter { $0.authorization || $0.credential }.map {
            "\($0.method) \($0.path) to a foreign origin carried a credential"
        }
    }
}
