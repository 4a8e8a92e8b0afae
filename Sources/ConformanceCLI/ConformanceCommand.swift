import ArgumentParsing
import Conformance
import ESETMock
import Foundation
import JSON

let conformanceSpec = CommandSpec(
    name: "eset-conformance",
    abstract: "Run the conformance suites against a connector: ours in process, our binary, or any command.",
    discussion: """
        Each case starts the mock on a free loopback port and runs the connector against it. Without
        --connector-command or --connector-binary, our own connector runs in process ('eset-connector
        collect', only --eset-url differs from production). --connector-command runs any client under the
        contract of Conformance/CLIENTS.md (environment variables, {placeholders}, capabilities), judged
        on what the mock's Sekoia.io intake received. The tables list every rule and case with its outcome
        class; the last line counts cases: 'N passed, N failed'. Exit status 0 when every applicable case
        reached an acceptable outcome, 1 otherwise, 64 usage.
        """,
    options: [
        .option("cases", value: "DIR", help: "Run the cases below DIR (any folder with a case.json) instead of the shipped suites."),
        .option("rules", value: "FILE", help: "The rule list.", defaultDescription: "Conformance/rules.json"),
        .option("filter", value: "TEXT", help: "Run only cases whose name contains TEXT or that name rule TEXT.", repeatable: true),
        .option("profile", value: "NAME", help: "Run the mapping cases of this profile only (sekoia or ocsf-strict), and the error and delivery suites under it."),
        .option("connector-command", value: "'CMD ARGS…'", help: "Certify this command under the client contract (split without a shell; {placeholders} allowed)."),
        .option("connector-binary", value: "PATH", help: "Certify a built eset-connector binary under the client contract."),
        .option("capabilities", value: "FILE", help: "The client's capabilities: {\"contract\": 1, \"capabilities\": {\"name\": [\"arg\", …]}}."),
        .option("capability", value: "NAME", help: "Declare a capability that needs no argument.", repeatable: true),
        .option("connector-name", value: "NAME", help: "How the scorecard names the connector.", defaultDescription: "the command"),
        .option("pass-env", value: "NAME", help: "Also pass this variable of the runner's environment to the client (PATH and HOME always pass).", repeatable: true),
        .option("jobs", short: "j", value: "N", help: "Run N cases at a time (each has its own mock).", defaultDescription: "1"),
        .option("junit", value: "FILE", help: "Also write the results as JUnit XML to FILE."),
        .option("scorecard", value: "FILE", help: "Also write a Markdown scorecard (every case's outcome and a verdict) to FILE."),
        .flag("record", help: "Rewrite expected.ndjson of the mapping cases run from what the connector produced (review the diff!)."),
        .flag("verbose", short: "v", help: "Print each case as it finishes."),
    ],
    runsWithoutSubcommand: true
)

/// The repository's Conformance folder, found from this source file (the toolkit runs from its checkout).
let defaultConformanceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Conformance").standardized

/// Runs `eset-conformance`; returns its exit status. `connector` is the launcher used when the
/// command line names no connector (the executable injects our own connector, in process).
package func runConformanceCLI(_ arguments: [String], connector: ConnectorLauncher? = nil, write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
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
    var launcher: ConnectorLauncher
    do {
        guard let chosen = try chooseLauncher(parsed, default: connector) else {
            writeError("error: no connector to certify: give --connector-command 'CMD ARGS…' or --connector-binary PATH\n")
            return ExitStatus.usage.rawValue
        }
        launcher = chosen
        if let name = parsed.value("connector-name") { launcher.name = name }
    } catch {
        writeError("error: \(error)\n")
        return ExitStatus.usage.rawValue
    }
    if parsed.flag("record"), case .contract = launcher.interface {
        writeError("error: --record rewrites golden files from our own connector; it cannot be combined with --connector-command or --connector-binary\n")
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
    let jobs = parsed.value("jobs").map { Int($0) ?? 0 } ?? 1
    guard (1...64).contains(jobs) else {
        writeError("error: invalid value '\(parsed.value("jobs") ?? "")' for '--jobs': expected a number from 1 to 64\n")
        return ExitStatus.usage.rawValue
    }
    let verbose = parsed.flag("verbose")
    let runner = ConformanceRunner(catalog: catalog, scenarioLibrary: library, launcher: launcher)
    let report = await runner.run(cases, jobs: jobs) { result in
        guard verbose else { return }
        let label = result.notApplicable ? "n/a " : result.passed ? "pass" : "FAIL"
        write("\(label) \(result.name) \(result.outcome.map { "[\($0.rawValue)] " } ?? "")(\(String(format: "%.2f", result.seconds)) s)\n")
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
    if let scorecard = parsed.value("scorecard") {
        do {
            try Data(finalReport.scorecardMarkdown(connector: launcher.name).utf8).write(to: URL(fileURLWithPath: scorecard))
        } catch {
            writeError("error: cannot write \(scorecard): \(error.localizedDescription)\n")
            return ExitStatus.failure.rawValue
        }
    }
    return (finalReport.succeeded ? ExitStatus.success : .failure).rawValue
}

/// The connector the command line names, else the injected default.
func chooseLauncher(_ parsed: ParsedArguments, default connector: ConnectorLauncher?) throws -> ConnectorLauncher? {
    let command = parsed.value("connector-command")
    let binary = parsed.value("connector-binary")
    if command != nil, binary != nil { throw CommandSyntaxError(message: "give --connector-command or --connector-binary, not both") }
    if command == nil, binary == nil {
        if parsed.value("capabilities") != nil || !parsed.values("capability").isEmpty || !parsed.values("pass-env").isEmpty {
            throw CommandSyntaxError(message: "--capabilities, --capability and --pass-env describe a client: give --connector-command too")
        }
        return connector
    }
    var client: ClientDeclaration
    if let binary {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CommandSyntaxError(message: "--connector-binary \(binary): no executable file there")
        }
        client = .esetConnector(binary: binary)
    } else {
        do {
            client = ClientDeclaration(command: try ClientDeclaration.splitCommand(command ?? ""))
        } catch {
            throw CommandSyntaxError(message: "--connector-command: \(error)")
        }
    }
    if let file = parsed.value("capabilities") { client.capabilities.merge(try ClientDeclaration.loadCapabilities(URL(fileURLWithPath: file))) { _, new in new } }
    for name in parsed.values("capability") {
        guard ClientDeclaration.knownCapabilities[name] != nil else {
            throw CommandSyntaxError(message: "--capability: unknown capability \(name.debugDescription); known: \(ClientDeclaration.knownCapabilities.keys.sorted().joined(separator: ", "))")
        }
        client.capabilities[name] = client.capabilities[name] ?? []
    }
    client.passedEnvironment += parsed.values("pass-env").filter { !client.passedEnvironment.contains($0) }
    try client.validate()
    return ConnectorLauncher.command(client, name: binary.map { _ in "eset-connector (built binary, client contract)" })
}
