import ArgumentParsing
import Conformance
import ESETMock
import Foundation
import JSON

let conformanceSpec = CommandSpec(
    name: "eset-conformance",
    abstract: "Run the conformance suites: the real connector over HTTP against the mock, every rule and error case.",
    discussion: """
        Each case starts the mock on a free loopback port and runs 'eset-connector collect' against it
        (only --eset-url differs from production). The table lists every rule with its cases; the last
        line counts cases: 'N passed, N failed'. Exit status 0 when everything passed, 1 otherwise, 64 usage.
        """,
    options: [
        .option("cases", value: "DIR", help: "Run the cases below DIR (any folder with a case.json) instead of the shipped suites."),
        .option("rules", value: "FILE", help: "The rule list.", defaultDescription: "Conformance/rules.json"),
        .option("filter", value: "TEXT", help: "Run only cases whose name contains TEXT or that name rule TEXT.", repeatable: true),
        .option("profile", value: "NAME", help: "Run the mapping cases of this profile only (sekoia or ocsf-strict), and the error and delivery suites under it."),
        .option("junit", value: "FILE", help: "Also write the results as JUnit XML to FILE."),
        .flag("record", help: "Rewrite expected.ndjson of the mapping cases run from what the connector produced (review the diff!)."),
        .flag("verbose", short: "v", help: "Print each case as it finishes."),
    ],
    runsWithoutSubcommand: true
)

/// The repository's Conformance folder, found from this source file (the toolkit runs from its checkout).
let defaultConformanceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Conformance").standardized

/// Runs `eset-conformance`; returns its exit status.
package func runConformanceCLI(_ arguments: [String], write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
                              writeError: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) async -> Int32 {
    let parsed: ParsedArguments
    do {
        switch try parse(arguments, spec: conformanceSpec) {
        case .help(let text):
            write(text.hasSuffix("\n") ? text : text + "\n")
            return ExitStatus.success.rawValue
        case .run(let run):
            parsed = run
        }
    } catch {
        writeError("error: \(error.message)\n")
        if let hint = error.helpHint { writeError(hint + "\n") }
        return ExitStatus.usage.rawValue
    }
    if let profile = parsed.value("profile"), !["sekoia", "ocsf-strict"].contains(profile) {
        writeError("error: invalid value '\(profile)' for '--profile': expected sekoia or ocsf-strict\n")
        return ExitStatus.usage.rawValue
    }
    let casesDirectory = parsed.value("cases").map { URL(fileURLWithPath: $0) } ?? defaultConformanceDirectory.appendingPathComponent("cases")
    let rulesFile = parsed.value("rules").map { URL(fileURLWithPath: $0) } ?? defaultConformanceDirectory.appendingPathComponent("rules.json")
    let catalog: RuleCatalog
    var cases: [ConformanceCase]
    let library: [MockScenario]
    do {
        catalog = try RuleCatalog.load(rulesFile)
        cases = try CaseLoader.loadCases(under: casesDirectory)
        library = try ESETMockConfiguration.loadScenarioLibrary(extraDirectory: parsed.value("cases").map { URL(fileURLWithPath: $0) })
    } catch {
        writeError("error: \(error)\n")
        return ExitStatus.failure.rawValue
    }
    var suiteProblems: [String] = []
    let filters = parsed.values("filter")
    if filters.isEmpty {
        // Coverage is a property of the whole suite, so it is only judged when the whole suite runs.
        if parsed.value("cases") == nil { suiteProblems = CaseLoader.coverageProblems(cases: cases, catalog: catalog) }
        else {
            let known = Set(catalog.rules.map(\.id))
            suiteProblems = cases.flatMap { testCase in testCase.rules.filter { !known.contains($0) }.map { "case \(testCase.name) names unknown rule \($0)" } }
        }
    } else {
        cases = cases.filter { testCase in filters.contains { testCase.name.contains($0) || testCase.rules.contains($0) } }
    }
    if let profile = parsed.value("profile") {
        cases = cases.compactMap { testCase in
            var testCase = testCase
            if testCase.kind == .mapping { return testCase.profile == profile ? testCase : nil }
            testCase.profile = profile
            return testCase
        }
    }
    if cases.isEmpty {
        writeError("error: no case to run under \(casesDirectory.path)\(filters.isEmpty ? "" : " matching the filter")\n")
        return ExitStatus.failure.rawValue
    }
    let verbose = parsed.flag("verbose")
    let runner = ConformanceRunner(catalog: catalog, scenarioLibrary: library)
    let report = await runner.run(cases) { result in
        if verbose { write("\(result.passed ? "pass" : "FAIL") \(result.name) (\(String(format: "%.2f", result.seconds)) s)\n") }
    }
    var finalReport = report
    finalReport.suiteProblems = suiteProblems
    if parsed.flag("record") {
        do {
            let recorded = try await GoldenRecorder(runner: runner).record(cases.filter { $0.kind == .mapping })
            write("recorded \(recorded) golden file(s); review them with 'git diff Conformance/'\n")
        } catch {
            writeError("error: recording failed: \(error)\n")
            return ExitStatus.failure.rawValue
        }
    }
    write(finalReport.text(verbose: verbose))
    if let junit = parsed.value("junit") {
        do {
            try Data(finalReport.junitXML().utf8).write(to: URL(fileURLWithPath: junit))
        } catch {
            writeError("error: cannot write \(junit): \(error.localizedDescription)\n")
            return ExitStatus.failure.rawValue
        }
    }
    return (finalReport.succeeded ? ExitStatus.success : .failure).rawValue
}
