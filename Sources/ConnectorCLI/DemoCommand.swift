import ArgumentParsing

/// Placeholder until the `demo` command lands.
enum DemoCommand: ConnectorSubcommand {
    static let spec = CommandSpec(name: "demo", abstract: "(not implemented yet)")

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        context.error("error: 'demo' is not implemented yet")
        return .failure
    }
}
