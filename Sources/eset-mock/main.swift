import Foundation
import MockCLI

exit(runMockCLI(Array(CommandLine.arguments.dropFirst())))
