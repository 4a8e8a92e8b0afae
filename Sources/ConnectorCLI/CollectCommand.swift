import ArgumentParsing
import Collector
import HTTPClient

/// `eset-connector collect`: ESET Connect → OCSF → NDJSON and/or Sekoia.io, once or periodically.
enum CollectCommand: ConnectorSubcommand {
    static let spec = CommandSpec(
        name: "collect",
        abstract: "Collect the ESET device inventory, map it to OCSF and deliver it (NDJSON and/or Sekoia.io).",
        discussion: """
            The password comes from ESET_PASSWORD or --password-file, the Sekoia.io API key from SEKOIA_API_KEY or
            --sekoia-api-key-file; never from the command line. Without --output and --sekoia-url, NDJSON goes to stdout.
            A summary goes to stderr at the end of each cycle (progress too, when stderr is a terminal).
            Exit status: 0 success, 1 failure, 2 completed but some devices were rejected, 64 usage error.
            Example: ESET_PASSWORD=... eset-connector collect --region eu --username api@example.com -o devices.ndjson
            """,
        options: CollectSettings.options
    )

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        await run(arguments, context: context, stopController: nil)
    }

    /// Parses `arguments` (starting with `collect`) and runs them with `stopController`, for
    /// embedders that stop the collector themselves.
    static func run(_ arguments: [String], context: CLIContext, stopController: StopController) async -> ExitStatus {
        do {
            guard case .run(let parsed) = try parse(arguments, spec: connectorSpec), parsed.commandPath.last == "collect" else {
                return usageFailure(UsageError("expected the collect command"), context: context, command: "collect")
            }
            return await run(parsed, context: context, stopController: stopController)
        } catch {
            return usageFailure(error, context: context, command: "collect")
        }
    }

    /// - Parameter stopController: nil installs SIGINT/SIGTERM handling when `context` writes to
    ///   the process's own stderr; embedders and tests pass their own controller instead.
    static func run(_ arguments: ParsedArguments, context: CLIContext, stopController: StopController?) async -> ExitStatus {
        let settings: CollectSettings
        do {
            settings = try CollectSettings.parse(arguments, environment: context.environment)
        } catch {
            return usageFailure(error, context: context, command: "collect")
        }
        let reporter = Reporter(context: context, secrets: settings.secrets)
        for warning in settings.warnings { reporter.line(warning) }
        var lock: StateLock?
        if let directory = settings.stateDirectory {
            do {
                lock = try StateLock.acquire(directory: directory, region: settings.region.rawValue)
            } catch {
                reporter.line("error: \(error)")
                return .failure
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let controller = stopController ?? StopController(gracefulFirst: settings.interval != nil) { count in
            if count == 1 && settings.interval != nil {
                reporter.line("stopping: finishing the current cycle first (signal again to abandon it)")
            } else {
                reporter.line("stopping: abandoning the current cycle")
            }
        }
        let signals = stopController == nil && context.standardError === TextStream.standardError ? SignalStopper(controller: controller) : nil
        defer { signals?.uninstall() }
        let runner = CollectRunner(settings: settings, reporter: reporter, transport: URLSessionTransport())
        return await runner.runCycles(controller: controller)
    }
}
