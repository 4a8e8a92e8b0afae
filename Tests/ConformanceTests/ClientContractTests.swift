import Conformance
import ConformanceCLI
import ESETMock
import Foundation
import JSON
import Synchronization
import XCTest

/// The client contract of Conformance/CLIENTS.md: other connectors run as commands, judged on
/// what the mock saw and received.
final class ClientContractTests: XCTestCase {
    private func runner(_ launcher: ConnectorLauncher) throws -> ConformanceRunner {
        ConformanceRunner(
            catalog: try RuleCatalog.load(conformanceRoot.appendingPathComponent("rules.json")),
            scenarioLibrary: try ESETMockConfiguration.loadScenarioLibrary(), launcher: launcher)
    }

    private func shippedCases() throws -> [ConformanceCase] {
        try CaseLoader.loadCases(under: conformanceRoot.appendingPathComponent("cases"))
    }

    /// A one-device error case in a temporary directory, for the stub clients below.
    private func tinyCase(maxSeconds: Double = 10) throws -> (ConformanceCase, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(#"{"kind": "error", "description": "one device", "fleet": "case", "expect": {"exitStatus": 0, "delivered": "all", "maxSeconds": \#(maxSeconds)}}"#.utf8)
            .write(to: directory.appendingPathComponent("case.json"))
        try Data(#"[{"uuid": "tiny-1", "displayName": "A", "lastSyncTime": "2025-05-21T10:00:00Z"}]"#.utf8)
            .write(to: directory.appendingPathComponent("devices.json"))
        return (try CaseLoader.load(directory), directory)
    }

    private func shell(_ script: String) -> ConnectorLauncher {
        .command(ClientDeclaration(command: ["/bin/sh", "-c", script]))
    }

    // MARK: The environment and the command line

    func testTheClientGetsExactlyTheContractEnvironmentAndExpandedPlaceholders() async throws {
        let (testCase, directory) = try tinyCase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seen = Mutex<ConnectorInvocation?>(nil)
        let client = ClientDeclaration(command: ["my-client", "--case={case}", "--to", "{eset_base_url}", "{{literal}}", "--t={timeout}"])
        let launcher = ConnectorLauncher(name: "recorder", interface: .contract(client)) { invocation in
            seen.withLock { $0 = invocation }
            return ConnectorExit(termination: .exited(1), standardOutput: "", standardError: "", seconds: 0)
        }
        let result = try await runner(launcher).run(testCase)
        let invocation = try XCTUnwrap(seen.withLock { $0 })
        let contract: Set = [
            "ESET_REGION", "ESET_USERNAME", "ESET_PASSWORD", "ESET_BASE_URL", "SEKOIA_URL", "SEKOIA_API_KEY", "SEKOIA_CONNECTOR_UUID",
            "CONFORMANCE_CASE", "CONFORMANCE_WORKDIR", "CONFORMANCE_TIMEOUT",
        ]
        let passed = Set(["PATH", "HOME"].filter { ProcessInfo.processInfo.environment[$0] != nil })
        XCTAssertEqual(Set(invocation.environment.keys), contract.union(passed))
        let environment = invocation.environment
        XCTAssertEqual(environment["ESET_REGION"], "eu")
        XCTAssertEqual(environment["CONFORMANCE_TIMEOUT"], "10")
        XCTAssertTrue(environment["ESET_BASE_URL"]?.hasPrefix("http://127.0.0.1:") == true, environment["ESET_BASE_URL"] ?? "")
        XCTAssertEqual(environment["SEKOIA_URL"], (environment["ESET_BASE_URL"] ?? "") + "/sekoia")
        XCTAssertNotEqual(environment["ESET_PASSWORD"], "demo-password", "each case gets fresh credentials")
        XCTAssertEqual(
            invocation.arguments,
            ["my-client", "--case=\(testCase.name)", "--to", environment["ESET_BASE_URL"] ?? "?", "{literal}", "--t=10"])
        XCTAssertFalse(invocation.arguments.contains { $0.contains(environment["ESET_PASSWORD"] ?? "-") }, "no secret in argv")
        XCTAssertEqual(result.outcome, .cleanFailure)
        XCTAssertFalse(result.passed, "a clean failure is not acceptable where the case expects every device")
    }

    func testCommandSplittingIsShellFreeAndPlaceholdersAreChecked() throws {
        XCTAssertEqual(
            try ClientDeclaration.splitCommand(#"python3  'my dir/c.py' --name "a \"b\"" x\ y $HOME"#),
            ["python3", "my dir/c.py", "--name", #"a "b""#, "x y", "$HOME"])
        XCTAssertThrowsError(try ClientDeclaration.splitCommand("run 'open"))
        XCTAssertThrowsError(try ClientDeclaration.expand("{password}", values: [:])) { error in
            XCTAssertTrue("\(error)".contains("secrets never travel in argv"), "\(error)")
        }
        XCTAssertThrowsError(try ClientDeclaration(command: ["x", "{nope}"]).validate())
        XCTAssertEqual(try ClientDeclaration.expand("{workdir}/state", values: ["workdir": "/w"]), "/w/state")
    }

    func testCapabilitiesFilesAreCheckedForTheContractVersionAndKnownNames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("caps.json")
        try Data(#"{"contract": 1, "capabilities": {"checkpoint": [], "full-resync": ["--full"]}}"#.utf8).write(to: file)
        XCTAssertEqual(try ClientDeclaration.loadCapabilities(file), ["checkpoint": [], "full-resync": ["--full"]])
        try Data(#"{"contract": 2, "capabilities": {}}"#.utf8).write(to: file)
        XCTAssertThrowsError(try ClientDeclaration.loadCapabilities(file)) { XCTAssertTrue("\($0)".contains("implements contract 1"), "\($0)") }
        try Data(#"{"contract": 1, "capabilities": {"checkpoints": []}}"#.utf8).write(to: file)
        XCTAssertThrowsError(try ClientDeclaration.loadCapabilities(file)) { XCTAssertTrue("\($0)".contains("unknown capability \"checkpoints\""), "\($0)") }
    }

    // MARK: The judge can tell every outcome class apart

    func testStubClientsScoreCrashHangSilentLossCleanFailureAndSecretOffOrigin() async throws {
        let (testCase, directory) = try tinyCase(maxSeconds: 1.5)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (script, outcome) in [
            ("kill -SEGV $$", Outcome.crash),
            ("exec sleep 30", .hang),
            ("exit 0", .silentLoss),
            ("exit 3", .cleanFailure),
            (#"echo "token: $SEKOIA_API_KEY"; exit 1"#, .secretOffOrigin),
        ] {
            let result = try await runner(shell(script)).run(testCase)
            XCTAssertEqual(result.outcome, outcome, script)
            XCTAssertFalse(result.passed, script)
            XCTAssertLessThan(result.seconds, 8, "\(script): the runner stops a hang at the case's timeout")
        }
    }

    /// Cases in the hostile-server format (`"exitStatus": "failure"`, a second run `afterwards`)
    /// accept a clean failure by default; exit 0 there is a silent loss.
    func testAFailureExpectationAcceptsACleanFailureAndScoresExitZeroAsSilentLoss() async throws {
        let (_, directory) = try tinyCase()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"kind": "error", "fleet": "case", "expect": {"exitStatus": "failure", "delivered": "none", "maxSeconds": 10, "afterwards": {"exitStatus": 0, "delivered": "all"}}}"#.utf8)
            .write(to: directory.appendingPathComponent("case.json"))
        let testCase = try CaseLoader.load(directory)
        XCTAssertEqual(Set(testCase.acceptable.reasons.keys), [.cleanFailure])
        let failing = try await runner(shell("exit 1")).run(testCase)
        XCTAssertEqual(failing.outcome, .cleanFailure)
        XCTAssertTrue(failing.passed, failing.problems.joined(separator: "\n"))
        let claimingSuccess = try await runner(shell("exit 0")).run(testCase)
        XCTAssertEqual(claimingSuccess.outcome, .silentLoss)
        XCTAssertFalse(claimingSuccess.passed)
        // With a checkpoint, the second run happens and must deliver everything.
        let withCheckpoint = try await runner(.command(ClientDeclaration(command: ["/bin/sh", "-c", "exit 1"], capabilities: ["checkpoint": []]))).run(testCase)
        XCTAssertEqual(withCheckpoint.outcome, .cleanFailure)
        XCTAssertFalse(withCheckpoint.passed, "the second run delivered nothing: \(withCheckpoint.problems)")
        XCTAssertTrue(withCheckpoint.problems.contains { $0.hasPrefix("cycle 2: outcome clean failure is not acceptable") }, "\(withCheckpoint.problems)")
    }

    func testACaseNeedingACapabilityTheClientLacksIsNotApplicableNotFailed() async throws {
        let testCase = try CaseLoader.load(conformanceRoot.appendingPathComponent("cases/delivery/batches-and-checkpoint"))
        let result = try await runner(shell("exit 1")).run(testCase)
        XCTAssertEqual(result.missingCapabilities, ["checkpoint"])
        XCTAssertTrue(result.passed)
        XCTAssertNil(result.outcome)
        let report = ConformanceReport(catalog: try RuleCatalog.load(conformanceRoot.appendingPathComponent("rules.json")), results: [result])
        XCTAssertTrue(report.text().hasSuffix("0 passed, 0 failed, 1 not applicable\n"), report.text())
        XCTAssertTrue(report.junitXML().contains("<skipped message=\"not applicable (needs checkpoint)\"/>"), report.junitXML())
    }

    func testShippedCasesDeclareOnlyAcceptableClassesWithReasons() throws {
        for testCase in try shippedCases() {
            XCTAssertFalse(testCase.acceptable.reasons.isEmpty, testCase.name)
            for (outcome, reason) in testCase.acceptable.reasons {
                XCTAssertFalse(Outcome.neverAcceptable.contains(outcome), testCase.name)
                XCTAssertFalse(reason.isEmpty, "\(testCase.name): \(outcome.rawValue) needs a reason")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(#"{"kind": "error", "acceptable": {"hang": "slow is fine"}}"#.utf8).write(to: directory.appendingPathComponent("case.json"))
        XCTAssertThrowsError(try CaseLoader.load(directory)) { XCTAssertTrue("\($0)".contains("never acceptable"), "\($0)") }
        try Data(#"{"kind": "error", "needs": ["telepathy"]}"#.utf8).write(to: directory.appendingPathComponent("case.json"))
        XCTAssertThrowsError(try CaseLoader.load(directory)) { XCTAssertTrue("\($0)".contains("telepathy"), "\($0)") }
    }

    // MARK: Two real clients

    /// The Python reference connector, a second and independent client: its real outcomes,
    /// failures included (the judge is proven able to fail a client).
    func testReferenceConnectorScoresItsRealOutcomes() async throws {
        guard let python = pythonOnPath() else {
            print("skipped: no python3 on this machine, the reference connector cannot run")
            throw XCTSkip("no python3 on this machine")
        }
        let script = conformanceRoot.appendingPathComponent("../Scripts/conformance").standardized
        var client = ClientDeclaration(command: [python, script.appendingPathComponent("reference_connector.py").path])
        client.capabilities = try ClientDeclaration.loadCapabilities(script.appendingPathComponent("reference_connector.capabilities.json"))
        // Every error and delivery case, and mapping cases of both profiles and G4.
        let mapping: Set = ["mapping/seed-sample", "mapping/strict-seed-sample", "mapping/G4-rejected-devices", "mapping/M13-fallback", "mapping/M09-full-order"]
        let cases = try shippedCases().filter { $0.kind != .mapping || mapping.contains($0.name) }
        let report = try await runner(.command(client, name: "reference connector")).run(cases, jobs: 3)
        let outcomes = Dictionary(uniqueKeysWithValues: report.results.map { ($0.name, $0) })
        func expect(_ name: String, _ outcome: Outcome?, acceptable: Bool, file: StaticString = #filePath, line: UInt = #line) {
            guard let result = outcomes[name] else { return XCTFail("no case \(name)", file: file, line: line) }
            XCTAssertEqual(result.outcome, outcome, "\(name): \(result.problems.joined(separator: "\n"))", file: file, line: line)
            XCTAssertEqual(result.passed, acceptable, "\(name): \(result.problems.joined(separator: "\n"))", file: file, line: line)
        }
        for name in mapping where name != "mapping/G4-rejected-devices" { expect(name, .complete, acceptable: true) }
        expect("mapping/G4-rejected-devices", .cleanFailure, acceptable: true)
        for name in ["happy-path-eu", "happy-path-jpn", "empty-fleet", "last-page-token-null", "fleet-changes-between-pages", "slow-response"] {
            expect("error/\(name)", .complete, acceptable: true)
        }
        for name in ["bad-credentials", "missing-permission", "server-errors-persistent", "repeated-page-token", "rejected-devices"] {
            expect("error/\(name)", .cleanFailure, acceptable: true)
        }
        expect("delivery/sekoia-task-failed", .cleanFailure, acceptable: true)
        // What "simple on purpose" costs: no retry, no re-login, no de-duplication, no 202 flow.
        for name in ["error/server-errors", "error/rate-limit-burst", "error/token-expiry", "error/refresh-fails", "error/truncated-body", "delivery/sekoia-429"] {
            expect(name, .cleanFailure, acceptable: false)
        }
        expect("error/duplicate-across-pages", .duplicates, acceptable: false)
        expect("error/slow-cache-202", .silentLoss, acceptable: false)
        for name in ["delivery/batches-and-checkpoint", "delivery/full-ignores-checkpoint", "delivery/task-failed-keeps-checkpoint",
                     "error/server-errors-persistent-allowed", "error/slow-response-timeout"] {
            XCTAssertTrue(outcomes[name]?.notApplicable == true, name)
        }
        XCTAssertFalse(report.succeeded)
        let scorecard = report.scorecardMarkdown(connector: "reference connector")
        XCTAssertTrue(scorecard.contains("| error/slow-cache-202 | error | silent loss (not acceptable) | **not acceptable** |"), scorecard)
        XCTAssertTrue(scorecard.contains("reported success while devices were missing (silent loss) in "), scorecard)
        // urllib forwards the Authorization header across a redirect to another origin: the mock's
        // foreign-origin trap, when present, catches it.
        if let redirect = outcomes["error/redirect-devices-foreign"] {
            XCTAssertEqual(redirect.outcome, .secretOffOrigin, redirect.problems.joined(separator: "\n"))
            XCTAssertFalse(redirect.passed)
        }
    }

    /// A client that maps to its own table (here: the reference connector forced to the strict
    /// profile on sekoia cases) is scored per rule, not just failed.
    func testAClientMappingToItsOwnTableIsScoredPerRule() async throws {
        guard let python = pythonOnPath() else {
            print("skipped: no python3 on this machine, the reference connector cannot run")
            throw XCTSkip("no python3 on this machine")
        }
        let script = conformanceRoot.appendingPathComponent("../Scripts/conformance/reference_connector.py").standardized.path
        let launcher = ConnectorLauncher.command(ClientDeclaration(command: [python, script, "--profile=ocsf-strict"]))
        let testCase = try CaseLoader.load(conformanceRoot.appendingPathComponent("cases/mapping/M13-fallback"))
        let result = try await runner(launcher).run(testCase)
        XCTAssertEqual(result.outcome, .wrongMapping, result.problems.joined(separator: "\n"))
        XCTAssertTrue(result.failedRules.contains("M13"), "\(result.failedRules)")
        XCTAssertFalse(result.failedRules.contains { $0.hasPrefix("S") }, "strict rules do not judge a sekoia case: \(result.failedRules)")
        XCTAssertTrue(result.problems.contains { $0.contains("time: expected") }, result.problems.joined(separator: "\n"))
    }

    /// A client that follows a redirect to another origin with its token (Python's urllib keeps
    /// the Authorization header) is caught by the mock's foreign-origin trap.
    func testFollowingARedirectToAForeignOriginWithACredentialIsSecretOffOrigin() async throws {
        guard let python = pythonOnPath() else {
            print("skipped: no python3 on this machine, the reference connector cannot run")
            throw XCTSkip("no python3 on this machine")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"kind": "error", "scenarios": ["redirect-devices-foreign"], "expect": {"exitStatus": "failure", "delivered": "none", "maxSeconds": 20}}"#.utf8)
            .write(to: directory.appendingPathComponent("case.json"))
        let testCase = try CaseLoader.load(directory)
        let script = conformanceRoot.appendingPathComponent("../Scripts/conformance/reference_connector.py").standardized.path
        let reference = try await runner(.command(ClientDeclaration(command: [python, script]))).run(testCase)
        XCTAssertEqual(reference.outcome, .secretOffOrigin, reference.problems.joined(separator: "\n"))
        XCTAssertTrue(reference.problems.contains { $0.contains("/v1/devices to a foreign origin carried a credential") }, "\(reference.problems)")
    }

    /// Our own built binary through the same contract: every case acceptable, none skipped.
    func testOurBuiltBinaryScoresEveryCaseAcceptableThroughTheContract() async throws {
        let binary = try locateConnectorBinary()
        let report = try await runner(.esetConnectorBinary(binary)).run(try shippedCases(), jobs: 3)
        for result in report.results where !result.passed || result.notApplicable {
            XCTFail("\(result.name): \(result.outcome?.rawValue ?? "not applicable") \(result.problems.joined(separator: "\n"))")
        }
        XCTAssertEqual(report.failedRuleIDs, [])
        XCTAssertEqual(report.ruleRows.count, 34)
        XCTAssertEqual(Set(report.results.compactMap(\.outcome)), [.complete, .cleanFailure])
        XCTAssertTrue(report.succeeded)
    }

    func testTheCommandLineCertifiesACommandAndWritesScorecardAndJUnit() async throws {
        let (_, directory) = try tinyCase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let scorecard = directory.appendingPathComponent("scorecard.md").path
        let junit = directory.appendingPathComponent("junit.xml").path
        let output = Captured()
        let status = await ConformanceCLI.runConformanceCLI(
            ["--cases", directory.path, "--connector-command", "/bin/sh -c 'exit 0'", "--scorecard", scorecard, "--junit", junit],
            write: output.append, writeError: output.append)
        XCTAssertEqual(status, 1, output.text)
        XCTAssertTrue(output.text.contains("silent loss (not acceptable)"), output.text)
        let card = try String(contentsOfFile: scorecard, encoding: .utf8)
        XCTAssertTrue(card.hasPrefix("# Conformance scorecard: /bin/sh -c exit 0\n"), card)
        XCTAssertTrue(card.contains("## Verdict"), card)
        XCTAssertTrue(try String(contentsOfFile: junit, encoding: .utf8).contains("outcome silent loss"))

        let usage = Captured()
        let noConnector = await ConformanceCLI.runConformanceCLI(["--cases", directory.path], write: usage.append, writeError: usage.append)
        XCTAssertEqual(noConnector, 64)
        XCTAssertTrue(usage.text.contains("no connector to certify"), usage.text)
        let both = await ConformanceCLI.runConformanceCLI(
            ["--cases", directory.path, "--connector-command", "x", "--connector-binary", "/bin/sh"], write: usage.append, writeError: usage.append)
        XCTAssertEqual(both, 64)
        let missing = await ConformanceCLI.runConformanceCLI(
            ["--cases", directory.path, "--connector-command", "no-such-client-4f3e2d1c --go"], write: usage.append, writeError: usage.append)
        XCTAssertEqual(missing, 64)
        XCTAssertTrue(usage.text.contains(#"cannot find the executable "no-such-client-4f3e2d1c" on PATH"#), usage.text)
    }

    /// Our binary given as a plain `--connector-command` with its capabilities file (what
    /// `--connector-binary` stands for), on cases that use every kind of capability.
    func testOurBinaryRunsAsAPlainConnectorCommand() async throws {
        let binary = try locateConnectorBinary()
        let capabilities = conformanceRoot.appendingPathComponent("../Scripts/conformance/eset-connector.capabilities.json").standardized.path
        let command = "'\(binary)' collect --region {region} --username {username} --eset-url {eset_base_url} --sekoia-url {sekoia_url} "
            + "--connector-uuid {connector_uuid} --state-dir {workdir} --rate-limit off --retry-delay 0.05"
        let output = Captured()
        let status = await ConformanceCLI.runConformanceCLI(
            ["--connector-command", command, "--capabilities", capabilities, "--jobs", "2", "--filter", "happy-path-eu", "--filter", "strict-seed-sample",
             "--filter", "full-ignores-checkpoint", "--filter", "slow-response-timeout", "--filter", "server-errors-persistent-allowed"],
            write: output.append, writeError: output.append)
        XCTAssertEqual(status, 0, output.text)
        XCTAssertTrue(output.text.hasSuffix("5 passed, 0 failed\n"), output.text)
    }

    /// `python3` as the runner's PATH finds it.
    private func pythonOnPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }.first(where: FileManager.default.isExecutableFile)
    }

    /// The built `eset-connector` next to this test bundle (SwiftPM puts products and the test
    /// bundle in one directory), or where ESET_CONNECTOR_BINARY says.
    private func locateConnectorBinary() throws -> String {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["ESET_CONNECTOR_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("eset-connector"))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").standardized
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("eset-connector"))
            directory = directory.deletingLastPathComponent()
        }
        let root = conformanceRoot.deletingLastPathComponent()
        for build in ["debug", "release"] { candidates.append(root.appendingPathComponent(".build/\(build)/eset-connector")) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CaseError(
                "eset-connector", "not built: looked in \(candidates.map(\.path).joined(separator: ", ")); run 'swift build' or set ESET_CONNECTOR_BINARY")
        }
        return found.path
    }
}
