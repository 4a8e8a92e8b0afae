import ConnectorDemo
import Foundation

exit(await runESETConnectorProcess(Array(CommandLine.arguments.dropFirst())))
