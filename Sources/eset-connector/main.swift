import ConnectorCLI
import ConnectorDemo
import Foundation

// A closed stdout (`>&-`) must fail the cycle with EBADF, and its descriptor number must not be
// reused by a socket the connector opens later.
TextStream.guardStandardDescriptors()
// A reader that goes away (`| head -1`) must surface as a write error (EPIPE) that fails the
// cycle with a message, not as a silent death by SIGPIPE.
signal(SIGPIPE, SIG_IGN)
exit(await runESETConnector(Array(CommandLine.arguments.dropFirst())))
