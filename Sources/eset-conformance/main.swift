import ConformanceCLI
import Foundation

exit(await runConformanceCLI(Array(CommandLine.arguments.dropFirst())))
