import ArgumentParsing
import ESETMock
import Foundation

/// The typed options of `lint`, each declared once with its default.
enum LintOptions {
    static let maxFindings = TypedOption<Int>("max-findings", value: "N", help: "Print at most N findings (all are counted).", default: 1000, in: 0...10_000_000)
}

let lintSpec = CommandSpec(
    name: "lint",
    abstract: "Check a fixture directory (devices.json, device_groups.json) against ESET's OpenAPI description.",
    discussion: """
        Prints every value that leaves the contract, one per line:
          FILE: device index N (UUID): JSON-PATH: what is wrong
        then a summary on standard error. Devices are checked against v1Device, groups against
        v1DeviceGroup (types, formats such as date-time and uint64, enums). The contract is the
        digest of ESET Connect's published descriptions built into the mock; fixtures that break
        it on purpose (tolerance tests, like MockData/edge-cases) are expected to fail.
        Exit status: 0 clean, 1 off-contract values found, 64 usage error (or unreadable files: 1).
        """,
    options: [
        LintOptions.maxFindings.spec,
    ],
    positionals: [PositionalSpec("DIR", help: "The fixture directory, as 'serve --data' reads it.")])

func lint(_ arguments: ParsedArguments) throws -> Int32 {
    guard let path = arguments.positional("DIR") else {
        throw UsageError("missing fixture directory: eset-mock lint DIR", commandPath: arguments.commandPath)
    }
    let limit = try arguments.required(LintOptions.maxFindings)
    let directory = URL(fileURLWithPath: path, isDirectory: true)
    let result = try FixtureLinter.lint(directory: directory, limit: limit)
    var text = ""
    for finding in result.findings {
        text += finding.description + "\n"
        if text.utf8.count > 1 << 16 {
            writeOut(text)
            text = ""
        }
    }
    writeOut(text)
    let checked = "\(result.devices) devices and \(result.groups) groups"
    if result.total == 0 {
        writeError("eset-mock lint: \(checked) in \(directory.path) follow ESET's OpenAPI description\n")
        return ExitStatus.success.rawValue
    }
    let shown = result.findings.count < result.total ? " (\(result.findings.count) shown)" : ""
    writeError("eset-mock lint: \(result.total) off-contract values\(shown) in \(checked) of \(directory.path)\n")
    return ExitStatus.failure.rawValue
}
