import Conformance
import ConformanceCLI
import ESETMock
import Foundation
import JSON
import Synchronization
import XCTest

/// The shipped suites, run the way `eset-conformance` runs them: the real connector over HTTP.
final class ConformanceSuiteTests: XCTestCase {
    private func runner() throws -> ConformanceRunner {
        ConformanceRunner(
            catalog: try RuleCatalog.load(conformanceRoot.appendingPathComponent("rules.json")),
            scenarioLibrary: try ESETMockConfiguration.loadScenarioLibrary())
    }

    func testEveryShippedCasePassesAndEveryRuleIsProven() async throws {
        let cases = try CaseLoader.loadCases(under: conformanceRoot.appendingPathComponent("cases"))
        // Every answer the mocks give the real connector is checked against ESET's contract;
        // only what a scenario or an off-contract data set declares is accepted.
        let offContract = Mutex<[String]>([])
        let answers = Mutex(0)
        var runner = try runner()
        runner.responseObserver = { exchange in
            answers.withLock { $0 += 1 }
            let unexpected = OpenAPIContract.eset.check(exchange).filter { !exchange.declaredOffContract.contains($0.kind) }
            guard let first = unexpected.first else { return }
            offContract.withLock { if $0.count < 20 { $0.append("\(exchange.method) \(exchange.path) → \(exchange.status): \(first)") } }
        }
        let report = try await runner.run(cases)
        XCTAssertEqual(offContract.withLock { $0 }, [], "answers off ESET's OpenAPI contract")
        XCTAssertGreaterThan(answers.withLock { $0 }, 300)
        for result in report.results where !result.passed {
            XCTFail("\(result.name): \(result.problems.joined(separator: "\n"))")
        }
        XCTAssertEqual(report.failedRuleIDs, [])
        XCTAssertEqual(report.ruleRows.count, 34, "every rule of rules.json has a passing row")
        let deviations = Set(report.results.flatMap { $0.deviations.keys })
        XCTAssertEqual(deviations, MappingEvaluation.knownSekoiaDeviations, "sekoia shows exactly the known deviations")
    }

    /// Corrupting one attribute of one event the connector really produced fails exactly the
    /// rules that own that attribute.
    func testCorruptingOneProducedAttributeFailsExactlyItsOwners() async throws {
        let runner = try runner()
        for (caseName, path, value, owners) in [
            ("seed-sample", ["device", "network_interfaces"], JSONValue.array([]), ["M09", "G2"]),
            ("seed-sample", ["device", "vendor_name"], "HP", ["M11"]),
            ("seed-sample", ["device", "uid"], "other", ["M01"]),
            ("strict-seed-sample", ["severity_id"], 2, ["S02"]),
            ("strict-seed-sample", ["time"], 1_747_821_600, ["S01"]),
        ] as [(String, [String], JSONValue, [String])] {
            let testCase = try CaseLoader.load(conformanceRoot.appendingPathComponent("cases/mapping/\(caseName)"))
            var (output, _) = try await runner.produce(testCase)
            XCTAssertEqual(output.events.count, 1)
            output.events[0] = set(output.events[0], path, value)
            let result = MappingEvaluation.evaluate(
                testCase, expected: try testCase.expectedEvents(), output: output, catalog: runner.catalog, seconds: 0)
            XCTAssertEqual(Set(result.failedRules), Set(owners), "\(caseName) \(path.joined(separator: "."))")
        }
    }

    func testCommandLineRunsAUserCaseDirectoryWithFilterJUnitAndRecord() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let userCase = directory.appendingPathComponent("cases/my-fleet")
        try FileManager.default.createDirectory(at: userCase, withIntermediateDirectories: true)
        try Data(#"{"description": "mine", "rules": ["M01", "M02"]}"#.utf8).write(to: userCase.appendingPathComponent("case.json"))
        try Data(#"[{"uuid": "mine-1", "displayName": "A", "lastSyncTime": "2025-05-21T10:00:00Z"}]"#.utf8)
            .write(to: userCase.appendingPathComponent("devices.json"))
        try Data("{}\n".utf8).write(to: userCase.appendingPathComponent("expected.ndjson"))
        let junit = directory.appendingPathComponent("junit.xml").path
        let output = Captured()
        let failing = await runConformanceCLI(
            ["--cases", directory.appendingPathComponent("cases").path, "--junit", junit], write: output.append, writeError: output.append)
        XCTAssertEqual(failing, 1, output.text)
        XCTAssertTrue(output.text.contains("0 passed, 1 failed"), output.text)
        XCTAssertTrue(try String(contentsOfFile: junit, encoding: .utf8).contains("<failure"))

        let recorded = await runConformanceCLI(
            ["--cases", directory.appendingPathComponent("cases").path, "--record", "--filter", "my-fleet"], write: output.append, writeError: output.append)
        XCTAssertEqual(recorded, 1, "the run that recorded still compared against the old golden")
        let passing = Captured()
        let again = await runConformanceCLI(["--cases", directory.appendingPathComponent("cases").path, "--junit", junit], write: passing.append, writeError: passing.append)
        XCTAssertEqual(again, 0, passing.text)
        XCTAssertTrue(passing.text.hasSuffix("1 passed, 0 failed\n"), passing.text)
        let golden = try String(contentsOfFile: userCase.appendingPathComponent("expected.ndjson").path, encoding: .utf8)
        XCTAssertTrue(golden.contains(#""uid":"mine-1""#), golden)
    }

    func testUnknownRuleInAUserCaseIsASuiteProblem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("c"), withIntermediateDirectories: true)
        try Data(#"{"rules": ["M77"]}"#.utf8).write(to: directory.appendingPathComponent("c/case.json"))
        try Data(#"[{"uuid": "x"}]"#.utf8).write(to: directory.appendingPathComponent("c/devices.json"))
        try Data("".utf8).write(to: directory.appendingPathComponent("c/expected.ndjson"))
        let output = Captured()
        let status = await runConformanceCLI(["--cases", directory.path], write: output.append, writeError: output.append)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.text.contains("suite problem: case c names unknown rule M77"), output.text)
    }

    private func set(_ value: JSONValue, _ path: [String], _ newValue: JSONValue) -> JSONValue {
        guard let first = path.first, case .object(var object) = value else { return value }
        object[first] = path.count == 1 ? newValue : set(object[first] ?? .null, Array(path.dropFirst()), newValue)
        return .object(object)
    }
}

/// Collects what a command writes.
final class Captured: Sendable {
    private let storage = Mutex("")
    var append: @Sendable (String) -> Void { { text in self.storage.withLock { $0 += text } } }
    var text: String { storage.withLock { $0 } }
}
