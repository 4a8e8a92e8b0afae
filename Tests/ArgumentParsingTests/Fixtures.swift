import ArgumentParsing
import XCTest

/// A command tree shaped like the connector's, shared by every suite.
let connectorSpec = CommandSpec(
    name: "eset-connector",
    abstract: "Collect ESET devices as OCSF.",
    options: [.flag("verbose", short: "v", help: "Log more.")],
    subcommands: [
        CommandSpec(name: "map", abstract: "Map ESET device JSON to OCSF.", options: [
            .option("input", short: "i", value: "<path>", help: "ESET devices JSON file."),
            .option("output", short: "o", value: "<path>", help: "Where to write.", defaultDescription: "stdout"),
            .option("label", value: "<text>", help: "Extra label.", repeatable: true),
            .flag("full", help: "Include raw data."),
        ]),
        CommandSpec(name: "collect", abstract: "Collect from the API.", options: [
            .option("port", value: "<port>", help: "Port."),
            .option("ratio", value: "<ratio>", help: "Sampling ratio."),
            .option("format", value: "<format>", help: "Output format."),
            .option("offset", value: "<n>", help: "Clock offset."),
        ]),
        CommandSpec(name: "validate", abstract: "Validate OCSF files.", positionals: [
            PositionalSpec("schema", help: "Schema file."),
            PositionalSpec("files", help: "Files to check.", optional: true, repeatable: true),
        ]),
    ])

/// Two levels of subcommands, and a root that also runs on its own.
let nestedSpec = CommandSpec(
    name: "tool", abstract: "A nested tool.",
    subcommands: [
        CommandSpec(name: "remote", abstract: "Manage remotes.", subcommands: [
            CommandSpec(name: "add", abstract: "Add a remote.", options: [.flag("force", help: "Overwrite.")],
                        positionals: [PositionalSpec("url", help: "Remote URL.")]),
            CommandSpec(name: "list", abstract: "List remotes."),
        ]),
    ],
    runsWithoutSubcommand: true)

/// Parses and expects a command to run, failing the test on help or error.
func expectRun(_ arguments: [String], _ spec: CommandSpec = connectorSpec,
         file: StaticString = #filePath, line: UInt = #line) throws -> ParsedArguments {
    switch try parse(arguments, spec: spec) {
    case .run(let parsed): return parsed
    case .help(let text):
        XCTFail("expected a run, got help:\n\(text)", file: file, line: line)
        throw UsageError("unexpected help")
    }
}

/// Parses and expects help, returning its text.
func expectHelp(_ arguments: [String], _ spec: CommandSpec = connectorSpec,
          file: StaticString = #filePath, line: UInt = #line) throws -> String {
    switch try parse(arguments, spec: spec) {
    case .help(let text): return text
    case .run(let parsed):
        XCTFail("expected help, got a run of \(parsed.commandPath)", file: file, line: line)
        return ""
    }
}

/// The usage error that parsing `arguments` throws, or a test failure if it throws none.
func expectError(_ arguments: [String], _ spec: CommandSpec = connectorSpec,
                file: StaticString = #filePath, line: UInt = #line) -> UsageError? {
    do {
        _ = try parse(arguments, spec: spec)
        XCTFail("expected a usage error for \(arguments)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts the exact message of the error `body` throws about the arguments `arguments` parse to.
func assertUsageError<T>(_ expected: String, parsing arguments: [String],
                         file: StaticString = #filePath, line: UInt = #line,
                         _ body: (ParsedArguments) throws -> T) {
    guard let parsed = try? expectRun(arguments, file: file, line: line) else {
        return XCTFail("\(arguments) did not parse", file: file, line: line)
    }
    do {
        let result = try body(parsed)
        XCTFail("expected '\(expected)', got \(result)", file: file, line: line)
    } catch {
        XCTAssertEqual((error as? UsageError)?.message, expected, file: file, line: line)
    }
}
