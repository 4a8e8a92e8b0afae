import ConnectorCLI
import Foundation

exit(await runConnectorCLI(Array(CommandLine.arguments.dropFirst())))
