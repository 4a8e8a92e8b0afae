import ConnectorDemo
import Foundation

// A reader that goes away (`| head -1`) must surface as a write error (EPIPE) that fails the
// cycle with a message, not as a silent death by SIGPIPE.
signal(SIGPIPE, SIG_IGN)
exit(await runESETConnector(Array(CommandLine.arguments.dropFirst())))
