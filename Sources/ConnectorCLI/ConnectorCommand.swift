import ArgumentParsing

/// One subcommand of `eset-connector`: its command-line shape and what it does.
package protocol ConnectorSubcommand: Sendable {
    static var spec: CommandSpec { get }
    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus
}

/// The subcommands of the production connector, in the order `--help` lists them. `demo` is
/// not among them: it links the mock, so it lives in `ConnectorDemo` and the `eset-connector`
/// executable adds it in front.
package let connectorSubcommands: [any ConnectorSubcommand.Type] = [
    CollectCommand.self, MapCommand.self, ValidateCommand.self,
]

/// The command tree of the production connector (without `demo`).
package let connectorSpec = makeConnectorSpec(connectorSubcommands)

/// The command tree of `eset-connector` with `subcommands`.
package func makeConnectorSpec(_ subcommands: [any ConnectorSubcommand.Type]) -> CommandSpec {
    CommandSpec(
    name: "eset-connector",
    abstract: "Collects ESET Connect device inventory as OCSF 1.5.0 Device Inventory Info events and delivers it to Sekoia.io.",
    discussion: """
        Exit status: 0 success, 1 failure, 2 completed but some devices were rejected, 64 usage error.
        Secrets are never taken from the command line: ESET_PASSWORD or --password-file, SEKOIA_API_KEY or --sekoia-api-key-file.
        """,
    subcommands: subcommands.map { $0.spec }
    )
}

/// Runs `eset-connector` with `arguments` (without the program name) and returns its exit status.
///
/// Only the production subcommands (`collect`, `map`, `validate`) are known here; the
/// executable adds `demo` through `ConnectorDemo`.
package func runConnectorCLI(_ arguments: [String], context: CLIContext = .process()) async -> Int32 {
    await runConnectorCLI(arguments, context: context, subcommands: connectorSubcommands)
}

/// Runs `eset-connector` with the given subcommands.
package func runConnectorCLI(_ arguments: [String], context: CLIContext, subcommands: [any ConnectorSubcommand.Type]) async -> Int32 {
    let outcome: ParseOutcome
    do {
        outcome = try parse(arguments, spec: makeConnectorSpec(subcommands))
    } catch {
        context.error("error: \(error.message)")
        if let hint = error.helpHint { context.error(hint) }
        return ExitStatus.usage.rawValue
    }
    switch outcome {
    case .help(let text):
        context.standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
        return ExitStatus.success.rawValue
    case .run(let parsed):
        guard parsed.commandPath.count >= 2,
            let command = subcommands.first(where: { $0.spec.name == parsed.commandPath[1] })
        else {
            context.error("error: missing subcommand; see 'eset-connector --help'")
            return ExitStatus.usage.rawValue
        }
        return await command.run(parsed, context: context).rawValue
    }
}

/// Reports a usage error the way the parser does, naming the command's help.
package func usageFailure(_ error: UsageError, context: CLIContext, command: String) -> ExitStatus {
    context.error("error: \(error.message)")
    context.error("See 'eset-connector \(command) --help'.")
    return .usage
}

/// The `--profile` option shared by every command that maps (read it with
/// `arguments.required(ConnectorOptions.profile)`).
package let profileOption = ConnectorOptions.profile.spec
