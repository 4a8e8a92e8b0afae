import ArgumentParsing
import ConnectorCheck
import ESET
import HTTPClient
import Foundation
import JSON

/// `eset-connector check`: the setup guide's "Test connector" button, with a diagnosis per step.
enum CheckCommand: ConnectorSubcommand {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Check the ESET (and Sekoia.io) settings with the least intrusive calls, and diagnose what is wrong.",
        discussion: """
            Steps, in order: ESET token endpoint reachable; credentials accepted in the region; device groups and devices
            readable (pageSize=1); with --sekoia-url, the API key accepted and the asset connector known (an empty batch:
            nothing is delivered). One line per step with ✓ or ✗; on ✗, the likely causes and the fix.
            The password comes from ESET_PASSWORD or --password-file, the Sekoia.io API key from SEKOIA_API_KEY or
            --sekoia-api-key-file; never from the command line, and neither is ever printed.
            Exit status: 0 every step passed, 1 a step failed, 64 usage error.
            Example: ESET_PASSWORD=... eset-connector check --region eu --username api@example.com
            """,
        options: [
            ConnectorOptions.region.spec,
            .option("username", value: "USER", help: "ESET Connect API user (an e-mail address)."),
            .option("password-file", value: "FILE", help: "File holding the API user's password (else ESET_PASSWORD)."),
            .option("password", value: "-", help: "Refused: a password on the command line shows in ps and shell history."),
            .option("eset-url", value: "URL", help: "Send every ESET call to URL/HOST/path instead of https://HOST/path (a mock)."),
            .option("sekoia-url", value: "URL", help: "Sekoia.io API base, e.g. https://api.sekoia.io (needs --connector-uuid)."),
            .option("connector-uuid", value: "UUID", help: "The Sekoia.io asset connector collect will push to."),
            .option("sekoia-api-key-file", value: "FILE", help: "File holding the Sekoia.io API key (else SEKOIA_API_KEY)."),
            .option("sekoia-api-key", value: "-", help: "Refused: an API key on the command line shows in ps and shell history."),
            .flag("probe-regions", help: "After invalid_grant, ask the other four regions' token endpoints (sends the password there) and name the one that works."),
            .flag("json", help: "Print the steps as one JSON object instead of lines."),
            timeout.spec,
            retryDelay.spec,
        ]
    )

    static let timeout = TypedOption<Double>("timeout", value: "SECONDS", help: "Per-request HTTP timeout.", default: 30, in: 0.01...3600)
    static let retryDelay = TypedOption<Double>(
        "retry-delay", value: "SECONDS", help: "Wait before the one retry of a 429/5xx when the server names none.", default: 1, in: 0...60)

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        let configuration: CheckConfiguration
        var warnings: [String] = []
        do {
            configuration = try parse(arguments, environment: context.environment, warnings: &warnings)
        } catch {
            return usageFailure(error, context: context, command: "check")
        }
        for warning in warnings { context.error(warning) }
        let (passed, output) = await runCheck(configuration, json: arguments.flag("json"))
        for line in output { context.print(line) }
        return passed ? .success : .failure
    }

    /// - Parameter warnings: collects what deserves saying but does not stop the check (a
    ///   secret file readable by others).
    static func parse(_ arguments: ParsedArguments, environment: [String: String], warnings: inout [String]) throws(UsageError) -> CheckConfiguration {
        let path = arguments.commandPath
        func usage(_ message: String) -> UsageError { UsageError(message, commandPath: path) }
        try CollectSettings.refuseSecretsInArguments(arguments)
        let region = try arguments.required(ConnectorOptions.region)
        let username = try arguments.required("username")
        guard !username.isEmpty else { throw usage("'--username' is empty") }
        let password = try CollectSettings.secret(
            file: arguments.value("password-file"), flag: "password-file", environment: environment, variable: "ESET_PASSWORD",
            missing: "no ESET password: set ESET_PASSWORD or use '--password-file FILE' (never on the command line)", path: path,
            warnings: &warnings)
        let esetURL = try arguments.value("eset-url").map { text throws(UsageError) in
            try CollectSettings.checkedURL(text, flag: "eset-url", path: path)
        }
        var sekoia: SekoiaCheckTarget?
        switch (arguments.value("sekoia-url"), arguments.value("connector-uuid")) {
        case (nil, nil):
            if arguments.value("sekoia-api-key-file") != nil { throw usage("'--sekoia-api-key-file' needs '--sekoia-url'") }
        case (nil, _?):
            throw usage("'--connector-uuid' needs '--sekoia-url'")
        case (_?, nil):
            throw usage("'--sekoia-url' needs '--connector-uuid'")
        case (let url?, let uuid?):
            guard !uuid.isEmpty, !uuid.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "?" || $0 == "#" }) else {
                throw usage("invalid value '\(uuid)' for '--connector-uuid'")
            }
            let apiKey = try CollectSettings.secret(
                file: arguments.value("sekoia-api-key-file"), flag: "sekoia-api-key-file", environment: environment,
                variable: "SEKOIA_API_KEY",
                missing: "no Sekoia.io API key: set SEKOIA_API_KEY or use '--sekoia-api-key-file FILE' (never on the command line)", path: path,
                warnings: &warnings)
            sekoia = SekoiaCheckTarget(
                baseURL: try CollectSettings.checkedURL(url, flag: "sekoia-url", path: path), connectorUUID: uuid, apiKey: apiKey)
        }
        return CheckConfiguration(
            region: region, username: username, password: password, esetURL: esetURL, sekoia: sekoia,
            probeRegions: arguments.flag("probe-regions"),
            requestTimeout: try arguments.required(timeout),
            retryDelay: try arguments.required(retryDelay),
            proxyVariables: CheckConfiguration.proxyVariables(in: environment))
    }

    /// One line per step (plus causes and fix under a failed one), then the verdict.
    static func text(_ report: CheckReport, configuration: CheckConfiguration) -> [String] {
        var lines: [String] = []
        for step in report.steps { lines += CheckMessages.message(step, configuration: configuration).lines }
        lines.append(CheckMessages.summary(report))
        return lines
    }

    /// The same steps as one JSON object, for automation.
    static func json(_ report: CheckReport, configuration: CheckConfiguration) -> String {
        var writer = JSONWriter(reservingCapacity: 2048)
        writer.beginObject()
        writer.key("passed")
        writer.bool(report.passed)
        writer.key("exitStatus")
        writer.int(Int(report.passed ? ExitStatus.success.rawValue : ExitStatus.failure.rawValue))
        writer.key("region")
        writer.string(report.region)
        writer.key("username")
        writer.string(report.username)
        writer.key("steps")
        writer.beginArray()
        for step in report.steps {
            let message = CheckMessages.message(step, configuration: configuration)
            writer.beginObject()
            writer.key("id")
            writer.string(step.id.rawValue)
            writer.key("status")
            writer.string(step.status.rawValue)
            writer.key("line")
            writer.string(message.headline)
            if let diagnosis = step.diagnosis {
                writer.key("diagnosis")
                writer.string(diagnosis.rawValue)
            }
            if !message.causes.isEmpty {
                writer.key("causes")
                writer.beginArray()
                for cause in message.causes { writer.string(cause) }
                writer.endArray()
            }
            if let fix = message.fix {
                writer.key("fix")
                writer.string(fix)
            }
            writer.key("facts")
            writer.beginObject()
            for (name, value) in step.facts {
                writer.key(name)
                switch value {
                case .string(let text): writer.string(text)
                case .int(let number): writer.int(number)
                case .bool(let flag): writer.bool(flag)
                case .strings(let list):
                    writer.beginArray()
                    for item in list { writer.string(item) }
                    writer.endArray()
                case .pairs(let pairs):
                    writer.beginObject()
                    for (key, item) in pairs {
                        writer.key(key)
                        writer.string(item)
                    }
                    writer.endObject()
                }
            }
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        writer.key("summary")
        writer.string(CheckMessages.summary(report))
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// Runs `check` with `configuration` and returns its lines (text) or its JSON object: for
/// embedders such as `demo --check`, which point it at an in-process mock.
package func runCheck(_ configuration: CheckConfiguration, json: Bool) async -> (passed: Bool, output: [String]) {
    let report = await ConnectionCheck(configuration: configuration, transport: URLSessionTransport()).run()
    let secrets = [configuration.password.revealed] + (configuration.sekoia.map { [$0.apiKey.revealed] } ?? [])
    let lines = json ? [CheckCommand.json(report, configuration: configuration)] : CheckCommand.text(report, configuration: configuration)
    return (report.passed, lines.map { redacting($0, secrets: secrets) })
}
