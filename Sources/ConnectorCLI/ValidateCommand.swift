import ArgumentParsing

/// Placeholder until the `validate` command lands.
enum ValidateCommand: ConnectorSubcommand {
    static let spec = CommandSpec(name: "validate", abstract: "(not implemented yet)")

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        context.error("error: 'validate' is not implemented yet")
        return .failure
    }
}
