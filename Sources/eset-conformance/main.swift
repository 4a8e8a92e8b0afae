import Conformance
import ConformanceCLI
import ConnectorCLI
import Foundation

/// Without --connector-command or --connector-binary, our own connector is certified in process.
let ourConnector = ConnectorLauncher.inProcess { arguments, environment in
    let context = CLIContext(environment: environment, standardOutput: .memory(), standardError: .memory())
    let status = await runConnectorCLI(arguments, context: context)
    return (status, context.standardOutput.text, context.standardError.text)
}
exit(await runConformanceCLI(Array(CommandLine.arguments.dropFirst()), connector: ourConnector))
