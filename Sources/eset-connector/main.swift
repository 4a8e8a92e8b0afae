import ConnectorDemo
import Foundation

exit(await runESETConnector(Array(CommandLine.arguments.dropFirst())))
