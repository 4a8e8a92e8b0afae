import ArgumentParsing

/// Placeholder until the `collect` command lands.
enum CollectCommand: ConnectorSubcommand {
    static let spec = CommandSpec(name: "collect", abstract: "(not implemented yet)")

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        context.error("error: 'collect' is not implemented yet")
        return .failure
    }
}
