import ArgumentParsing
import Collector
import ConnectorCLI
import ESET
import ESETMock
import Foundation
import HTTPClient
import Mapping
import Sekoia

/// `eset-connector demo`: the whole connector against the mock ESET API and a mock Sekoia.io
/// intake, both started in-process on free ports, so that anyone can see it work in seconds.
enum DemoCommand: ConnectorSubcommand {
    static let connectorUUID = "00000000-5e60-4a11-8000-000000000de0"

    static let events = TypedOption<Int>("events", help: "How many delivered events to print.", default: 2, in: 0...1000)
    static let pageSize = TypedOption<Int>("page-size", help: "Devices per page (small, to show paging).", default: 100, in: 1...1000)

    static let spec = CommandSpec(
        name: "demo",
        abstract: "Run one full cycle against an in-process mock ESET API and mock Sekoia.io intake, and show what happened.",
        discussion: """
            Starts the mock (the default tenant of MockData/, or $ESET_MOCK_DATA) on a free port of 127.0.0.1, then
            fetches, maps, pushes to the mock intake and waits for its tasks, exactly as 'collect' does against
            the real services. --scenario makes the mock misbehave (see MockData/scenarios) to show the resilience.
            """,
        options: [
            ConnectorOptions.demoRegion.spec,
            profileOption,
            .option("scenario", value: "NAME", help: "A mock scenario to activate, e.g. server-errors or sekoia-429."),
            events.spec,
            pageSize.spec,
        ]
    )

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        let region: ESETRegion
        let profile: MappingProfile
        let eventCount: Int
        let pageSize: Int
        do {
            region = try arguments.required(ConnectorOptions.demoRegion)
            profile = try arguments.required(ConnectorOptions.profile)
            eventCount = try arguments.required(Self.events)
            pageSize = try arguments.required(Self.pageSize)
        } catch {
            return usageFailure(error, context: context, command: "demo")
        }

        var configuration: ESETMockConfiguration
        do {
            configuration = try ESETMockConfiguration.load()
        } catch {
            context.error("error: cannot load the mock's data: \(error). Set ESET_MOCK_DATA to a MockData directory.")
            return .failure
        }
        if let scenario = arguments.value("scenario") {
            let known = configuration.scenarioLibrary.map(\.name).sorted()
            guard known.contains(scenario) else {
                return usageFailure(
                    UsageError("invalid value '\(scenario)' for '--scenario'; available: \(known.joined(separator: ", "))"), context: context,
                    command: "demo")
            }
            configuration.activeScenarios = [scenario]
        }
        let mock: ESETMockServer
        do {
            mock = try ESETMockServer(configuration: configuration)
            try mock.start()
        } catch {
            context.error("error: cannot start the mock: \(error)")
            return .failure
        }
        defer { mock.stop(timeout: 1) }

        let account = MockAccount.demo
        let settings = CollectSettings(
            region: region, username: account.username, password: Secret(account.password), esetURL: mock.baseURL, pageSize: pageSize,
            callsPerSecond: 10, outputPath: nil,
            sekoia: SekoiaConfiguration(
                baseURL: mock.sekoiaBaseURL, connectorUUID: connectorUUID, apiKey: Secret(configuration.sekoiaAPIKey), requestTimeout: 10,
                retry: RetryPolicy(maxRetries: 5, maxRetryTime: 60, initialDelay: 0.25, maxDelay: 2, maxRetryAfter: 5), taskTimeout: 30),
            batchSize: 100, stateDirectory: nil, full: false, interval: nil, cycles: nil, allowMissingGroups: false, rejectsPath: nil,
            profile: profile, requestTimeout: 10, retry: RetryPolicy(maxRetries: 5, maxRetryTime: 60, initialDelay: 0.25, maxDelay: 2, maxRetryAfter: 5),
            verbose: false)

        let out = context.standardOutput
        @Sendable func say(_ line: String = "") { out.write(line + "\n") }
        let endpoints = ESETEndpoints(region: region, overrideBase: mock.baseURL)
        say("eset-connector demo: one full cycle against a mock ESET Connect API and a mock Sekoia.io intake (in-process).")
        say()
        say("  ESET token endpoint   \(endpoints.tokenURL)")
        say("  ESET devices          \(endpoints.deviceManagementURL("/v1/devices"))")
        say("                        (production: https://\(region.deviceManagementHost)/v1/devices)")
        say("  Sekoia.io intake      \(settings.sekoia!.pushURL)")
        say("  tenant                \(configuration.fixtures.deviceCount) devices, \(configuration.fixtures.deviceGroupCount) groups (\(ESETMockServer.defaultDataDirectory.path))")
        say("  account               \(account.username) (mock-only password)")
        say("  profile               \(profile.rawValue)")
        say("  scenario              \(configuration.activeScenarios.first ?? "none (everything works)")")
        say()

        // The run's own lines (warnings, retries, summary) go to stdout too, in order.
        let runContext = CLIContext(environment: [:], standardOutput: .memory(), standardError: out, standardErrorIsTerminal: false)
        let reporter = Reporter(context: runContext, secrets: settings.secrets)
        let runner = CollectRunner(settings: settings, reporter: reporter, transport: URLSessionTransport()) { batch in
            say("  batch \(batch.number): \(batch.events) events accepted" + (batch.taskID.map { ", task \($0)" } ?? ""))
        }
        let status = await runner.runCycles(controller: StopController(gracefulFirst: false))

        say()
        say("What the mock saw:")
        let counters = mock.counters
        for route in ["token", "device_groups", "devices", "sekoia-push", "sekoia-task"] {
            guard let statuses = counters.byRoute[route], !statuses.isEmpty else { continue }
            let text = statuses.sorted { $0.key < $1.key }.map { "\($0.value) × HTTP \($0.key)" }.joined(separator: ", ")
            say("  \(route.padding(toLength: 14, withPad: " ", startingAt: 0)) \(text)")
        }
        let batches = mock.receivedSekoiaBatches()
        say("  Sekoia.io received \(mock.receivedSekoiaItemCount) events in \(batches.count) batch\(batches.count == 1 ? "" : "es")")

        let items = mock.receivedSekoiaItems().prefix(eventCount)
        if !items.isEmpty {
            say()
            say("The first \(items.count == 1 ? "event" : "\(items.count) events") Sekoia.io received (OCSF 1.5.0 Device Inventory Info, profile \(profile.rawValue)):")
            for item in items { say(prettyJSON(item)) }
        }
        say()
        switch status {
        case .success:
            say("Done. Next: 'eset-connector collect --help' to run it against ESET itself.")
        case .completedWithRejections:
            say("Done, with rejected devices (exit status 2). Next: 'eset-connector collect --help'.")
        default:
            say("The cycle failed (exit status \(status.rawValue)); see the error above. Without --scenario the demo succeeds.")
        }
        return status
    }
}

/// Runs `eset-connector` with every subcommand, `demo` included: the executable's entry point.
package func runESETConnector(_ arguments: [String], context: CLIContext = .process()) async -> Int32 {
    await runConnectorCLI(arguments, context: context, subcommands: [DemoCommand.self] + connectorSubcommands)
}

/// Re-indents compact JSON (2 spaces) without reparsing, so numbers keep their exact text.
package func prettyJSON(_ bytes: [UInt8]) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count * 2)
    var depth = 0
    var inString = false
    var escaped = false
    func newline() {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        defer { index += 1 }
        if inString {
            output.append(byte)
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
            output.append(byte)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            output.append(byte)
            let closing = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            if index + 1 < bytes.count, bytes[index + 1] == closing {
                output.append(closing)
                index += 1
            } else {
                depth += 1
                newline()
            }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            newline()
            output.append(byte)
        case UInt8(ascii: ","):
            output.append(byte)
            newline()
        case UInt8(ascii: ":"):
            output.append(contentsOf: [byte, UInt8(ascii: " ")])
        case 0x20, 0x0A, 0x0D, 0x09:
            break
        default:
            output.append(byte)
        }
    }
    return String(decoding: output, as: UTF8.self)
}
