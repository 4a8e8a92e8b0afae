import BenchCLI
import Foundation

exit(runBenchCLI(Array(CommandLine.arguments.dropFirst())))
