import ArgumentParsing
import ESETMock
import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// The typed options of `serve`, each declared once with its default.
enum ServeOptions {
    static let host = TypedOption<String>(
        "host", value: "HOST", help: "Address to bind; a non-loopback address exposes the demo account.", default: "127.0.0.1")
    static let port = TypedOption<Int>("port", value: "PORT", help: "Port to bind; 0 picks a free port.", default: 0, in: 0...65535)
    static let tokenLifetime = TypedOption<Int>(
        "token-lifetime", value: "SECONDS", help: "expires_in of issued access tokens.", default: 3600, in: 1...31_536_000)
    static let journalCapacity = TypedOption<Int>("journal-capacity", help: "Requests kept in the admin journal.", default: 1000, in: 0...10_000_000)
}

let serveSpec = CommandSpec(
    name: "serve",
    abstract: "Serve the mock ESET Connect API (every region) and the mock Sekoia.io intake.",
    discussion: """
        Prints 'eset-mock listening on http://HOST:PORT' as its first line, then the URLs to use.
        Address a region by path prefix equal to the real host name, e.g.
          POST http://HOST:PORT/eu.business-account.iam.eset.systems/oauth/token
          GET  http://HOST:PORT/eu.device-management.eset.systems/v1/devices
        Sekoia.io intake: http://HOST:PORT/sekoia/api/v2/asset-management/asset-connector/{uuid}
        Admin API: http://HOST:PORT/__admin/health, /scenarios, /journal, /counters, /reset, /sekoia/items
        Fixtures of 4 MiB or more are indexed once: the scan is saved beside the file
        (devices.json.index, checked against the file's size, times and inode) and a later start
        maps it instead of scanning again. A read-only directory only costs speed.
        The demo account and the mock Sekoia API key are documented in MockData/README.md.
        Stops gracefully on SIGINT or SIGTERM.
        """,
    options: [
        ServeOptions.host.spec,
        ServeOptions.port.spec,
        .option("data", value: "DIR",
                help: "Directory with devices.json, device_groups.json, optional accounts.json and scenarios/.",
                defaultDescription: "$ESET_MOCK_DATA or the built-in default tenant (MockData/)"),
        .option("scenario", value: "NAME", help: "Activate a scenario (repeatable; see 'eset-mock scenarios').",
                repeatable: true),
        mockRateLimit.spec,
        .flag("no-retry-after", help: "Send 429 answers of the rate limiter without a Retry-After header."),
        .flag("no-index-cache",
              help: "Neither read nor write the fixture index (DIR/devices.json.index): validate and scan the fixtures at every start."),
        ServeOptions.tokenLifetime.spec,
        ServeOptions.journalCapacity.spec,
        .option("admin-token-file", value: "FILE",
                help: "Require 'Authorization: Bearer <token>' on the admin API; the token is read from FILE (one trailing newline stripped), never from argv.",
                defaultDescription: "$ESET_MOCK_ADMIN_TOKEN, else no token: open to local processes"),
    ])

/// `--rate-limit` of `serve`: the mock's own limiter, 10/s per credential like ESET's.
let mockRateLimit = TypedOption<RateLimit>("rate-limit", help: "Calls per second per credential on data calls, or 'off'.", default: .perSecond(10))

let scenariosSpec = CommandSpec(
    name: "scenarios",
    abstract: "List the scenarios available to --scenario, with what a correct client should do.",
    options: [
        .option("data", value: "DIR", help: "Also list the scenarios of DIR/scenarios (they override by name)."),
    ])

let mockSpec = CommandSpec(
    name: "eset-mock",
    abstract: "A local stand-in for ESET Connect and the Sekoia.io asset intake, served from fixtures.",
    subcommands: [serveSpec, generateSpec, scenariosSpec, lintSpec, recordSpec])

/// Runs the `eset-mock` command line (`arguments` without the program name) and returns the
/// process exit status: 0 success, 1 failure (fixture, scenario or bind error), 64 usage error.
/// `serve` blocks until SIGINT or SIGTERM.
package func runMockCLI(_ arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    do {
        switch try parse(arguments, spec: mockSpec) {
        case .help(let text):
            writeOut(text.hasSuffix("\n") ? text : text + "\n")
            return ExitStatus.success.rawValue
        case .run(let arguments):
            parsed = arguments
        }
    } catch {
        return usageFailure(error)
    }
    do {
        switch parsed.commandPath.last {
        case "serve": return try serve(parsed)
        case "generate": return try generate(parsed)
        case "scenarios": return try listScenarios(parsed)
        case "lint": return try lint(parsed)
        case "record": return try record(parsed)
        default:
            return usageFailure(UsageError("missing subcommand: serve, generate, scenarios, lint or record", commandPath: ["eset-mock"]))
        }
    } catch let error as UsageError {
        return usageFailure(error)
    } catch {
        writeError("eset-mock: \(error)\n")
        return ExitStatus.failure.rawValue
    }
}

func usageFailure(_ error: UsageError) -> Int32 {
    var text = "eset-mock: \(error.message)\n"
    if let hint = error.helpHint { text += hint + "\n" }
    writeError(text)
    return ExitStatus.usage.rawValue
}

/// Builds the server configuration from `serve`'s options (exposed for the option rules' sake).
func serveConfiguration(_ arguments: ParsedArguments) throws -> ESETMockConfiguration {
    let port = try arguments.required(ServeOptions.port)
    let tokenLifetime = try arguments.required(ServeOptions.tokenLifetime)
    let journalCapacity = try arguments.required(ServeOptions.journalCapacity)
    var rateLimit: Int?
    if let perSecond = try arguments.required(mockRateLimit).callsPerSecond {
        // The mock counts whole calls per second per credential.
        guard perSecond >= 1, perSecond == perSecond.rounded() else {
            throw UsageError("invalid value '\(arguments.value("rate-limit") ?? "")' for '--rate-limit': expected a whole number of calls per second or 'off'",
                             commandPath: arguments.commandPath)
        }
        rateLimit = Int(perSecond)
    }
    let dataDirectory = arguments.value("data").map { URL(fileURLWithPath: $0, isDirectory: true) }
    let fixtureIndex: FixtureIndexPolicy = arguments.flag("no-index-cache") ? .off : .default
    var configuration = try ESETMockConfiguration.load(dataDirectory: dataDirectory, fixtureIndex: fixtureIndex)
    configuration.host = try arguments.required(ServeOptions.host)
    configuration.port = port
    configuration.activeScenarios = arguments.values("scenario")
    configuration.rateLimitPerSecond = rateLimit
    configuration.sendsRetryAfter = !arguments.flag("no-retry-after")
    configuration.tokenLifetime = tokenLifetime
    configuration.journalCapacity = journalCapacity
    configuration.adminToken = try adminToken(arguments)
    return configuration
}

/// The admin token from `--admin-token-file` or `$ESET_MOCK_ADMIN_TOKEN` (never an argv value:
/// argv is visible to every local user).
func adminToken(_ arguments: ParsedArguments) throws -> String? {
    var token: String
    if let path = arguments.value("admin-token-file") {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read '--admin-token-file' \(path)", commandPath: arguments.commandPath)
        }
        var bytes = Array(data)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        token = String(decoding: bytes, as: UTF8.self)
    } else if let value = ProcessInfo.processInfo.environment["ESET_MOCK_ADMIN_TOKEN"], !value.isEmpty {
        token = value
    } else {
        return nil
    }
    guard !token.isEmpty, !token.contains(where: { $0.isNewline }), token.utf8.count <= 4096 else {
        throw UsageError("the admin token must be one non-empty line of at most 4096 bytes", commandPath: arguments.commandPath)
    }
    return token
}

func serve(_ arguments: ParsedArguments) throws -> Int32 {
    let configuration = try serveConfiguration(arguments)
    let server = try ESETMockServer(configuration: configuration)
    // Once per start, and never fatal: an index that could not be used or written only costs speed.
    let indexNotes = configuration.fixtures.indexReports.filter { $0.rejected != nil || $0.outcome == .notWritten }
    if !indexNotes.isEmpty {
        writeError("eset-mock: note: fixture index: " + indexNotes.map(\.summary).joined(separator: "; ") + "\n")
    }
    if !isLoopback(configuration.host) {
        writeError("eset-mock: warning: binding \(configuration.host), not a loopback address: the documented demo "
                   + "account and Sekoia key are reachable from the network\n")
    }
    try server.start()
    let base = server.baseURL
    var lines = ["eset-mock listening on \(base)"]
    lines.append("regions: \(MockRegion.allCases.map(\.rawValue).joined(separator: ", "))")
    lines.append("token endpoint: \(server.tokenURL(region: .eu))")
    lines.append("devices: \(server.deviceManagementURL(region: .eu))/v1/devices")
    lines.append("demo account: \(MockAccount.demo.username) (password: see MockData/README.md)"
                 + (configuration.accounts.count > 1 ? "; \(configuration.accounts.count - 1) more from accounts.json" : ""))
    lines.append("sekoia intake: \(server.sekoiaBaseURL)/api/v2/asset-management/asset-connector/{uuid}")
    lines.append("admin: \(server.adminURL)/health" + (configuration.adminToken == nil
        ? " (open to local processes)" : " (token required)"))
    lines.append("foreign-origin trap: \(server.foreignOriginURL)")
    lines.append("fleet: \(configuration.fixtures.deviceCount) devices, \(configuration.fixtures.deviceGroupCount) groups")
    lines.append("fixture index: " + configuration.fixtures.indexReports.map {
        URL(fileURLWithPath: $0.fixturePath).lastPathComponent + " " + $0.outcome.rawValue
    }.joined(separator: ", "))
    lines.append("scenarios: " + (configuration.activeScenarios.isEmpty ? "none" : configuration.activeScenarios.joined(separator: ", ")))
    lines.append("rate limit: " + (configuration.rateLimitPerSecond.map {
        "\($0) calls/s per credential, Retry-After \(configuration.sendsRetryAfter ? "on" : "off")"
    } ?? "off"))
    // Catch signals before announcing the port: a script that reads the first line and then sends
    // SIGTERM must get a graceful stop (exit 0), not the default action.
    installSignalStop(server.httpServer) { signal in
        writeError("eset-mock: signal \(signal), stopping\n")
    }
    writeOut(lines.joined(separator: "\n") + "\n")
    server.waitUntilStopped()
    server.stop(timeout: 1)   // the foreign-origin trap too
    writeError("eset-mock: stopped\n")
    return ExitStatus.success.rawValue
}

func listScenarios(_ arguments: ParsedArguments) throws -> Int32 {
    let directory = arguments.value("data").map { URL(fileURLWithPath: $0, isDirectory: true) }
    let library = try ESETMockConfiguration.loadScenarioLibrary(extraDirectory: directory)
    var text = ""
    for scenario in library {
        text += "\(scenario.name)\n  \(scenario.description)\n"
        if let expectation = scenario.expectation { text += "  expect: \(expectation)\n" }
    }
    writeOut(text.isEmpty ? "no scenarios found\n" : text)
    return ExitStatus.success.rawValue
}

func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
}

/// Writes and flushes at once: the first line is read by scripts waiting for the port.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
