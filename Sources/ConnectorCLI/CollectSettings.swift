import ArgumentParsing
import Collector
import ESET
import Foundation
import HTTPClient
import Mapping
import Sekoia

/// Everything `collect` was asked to do, checked: each mistake is a usage error naming its flag.
package struct CollectSettings: Sendable {
    package var region: ESETRegion
    package var username: String
    package var password: Secret
    package var esetURL: String?
    package var pageSize: Int
    package var callsPerSecond: Double?
    package var outputPath: String?
    package var sekoia: SekoiaConfiguration?
    package var batchSize: Int
    package var stateDirectory: String?
    package var full: Bool
    package var interval: Double?
    package var cycles: Int?
    package var allowMissingGroups: Bool
    package var rejectsPath: String?
    package var profile: MappingProfile
    package var requestTimeout: Double
    package var retry: RetryPolicy
    package var verbose: Bool

    package init(
        region: ESETRegion, username: String, password: Secret, esetURL: String?, pageSize: Int, callsPerSecond: Double?, outputPath: String?, sekoia: SekoiaConfiguration?, batchSize: Int, stateDirectory: String?, full: Bool, interval: Double?, cycles: Int?, allowMissingGroups: Bool, rejectsPath: String?, profile: MappingProfile, requestTimeout: Double, retry: RetryPolicy, verbose: Bool
    ) {
        self.region = region
        self.username = username
        self.password = password
        self.esetURL = esetURL
        self.pageSize = pageSize
        self.callsPerSecond = callsPerSecond
        self.outputPath = outputPath
        self.sekoia = sekoia
        self.batchSize = batchSize
        self.stateDirectory = stateDirectory
        self.full = full
        self.interval = interval
        self.cycles = cycles
        self.allowMissingGroups = allowMissingGroups
        self.rejectsPath = rejectsPath
        self.profile = profile
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.verbose = verbose
    }

    /// Whether NDJSON goes to standard output (neither a file nor Sekoia.io was asked for).
    var writesStandardOutput: Bool { outputPath == nil && sekoia == nil }

    /// The secrets of this run, to scrub from anything printed.
    package var secrets: [String] { [password.revealed] + (sekoia.map { [$0.apiKey.revealed] } ?? []) }

    var esetConfiguration: ESETClientConfiguration {
        ESETClientConfiguration(
            endpoints: ESETEndpoints(region: region, overrideBase: esetURL), username: username, password: password,
            requestTimeout: requestTimeout, retry: retry, callsPerSecond: callsPerSecond, pageSize: pageSize)
    }

    static let pageSizeOption = TypedOption<Int>("page-size", help: "Devices and groups per page, 1-1000.", default: 1000, in: 1...1000)
    static let batchSizeOption = TypedOption<Int>("batch-size", help: "Events per Sekoia.io push, 1-10000.", default: 100, in: 1...10_000)
    static let intervalOption = TypedOption<Double>(
        "interval", value: "SECONDS", help: "Run a cycle, wait SECONDS, repeat until SIGINT/SIGTERM.", in: 0...31_536_000)
    static let cyclesOption = TypedOption<Int>("cycles", help: "With --interval: stop after N cycles.", in: 1...Int.max)
    static let taskTimeoutOption = TypedOption<Double>(
        "task-timeout", value: "SECONDS", help: "How long to wait for a Sekoia.io task to finish.", default: 300, in: 0...86_400)

    static let options: [OptionSpec] = [
        ConnectorOptions.region.spec,
        .option("username", value: "USER", help: "ESET Connect API user (an e-mail address)."),
        .option("password-file", value: "FILE", help: "File holding the API user's password (else ESET_PASSWORD)."),
        .option("password", value: "-", help: "Refused: a password on the command line shows in ps and shell history."),
        .option("eset-url", value: "URL", help: "Send every ESET call to URL/HOST/path instead of https://HOST/path (a mock)."),
        pageSizeOption.spec,
        ConnectorOptions.rateLimit.spec,
        .option("output", short: "o", value: "FILE", help: "Write NDJSON here, replaced atomically at the end of each cycle."),
        .option("sekoia-url", value: "URL", help: "Sekoia.io API base to push to, e.g. https://api.sekoia.io (needs --connector-uuid)."),
        .option("connector-uuid", value: "UUID", help: "The Sekoia.io asset connector to push to."),
        .option("sekoia-api-key-file", value: "FILE", help: "File holding the Sekoia.io API key (else SEKOIA_API_KEY)."),
        .option("sekoia-api-key", value: "-", help: "Refused: an API key on the command line shows in ps and shell history."),
        batchSizeOption.spec,
        .option("state-dir", value: "DIR", help: "Keep the checkpoint here and send only devices synced since the last good cycle."),
        .flag("full", help: "Ignore the checkpoint: send every device (the checkpoint still moves on success)."),
        intervalOption.spec,
        cyclesOption.spec,
        .flag("allow-missing-groups", help: "If the device groups cannot be loaded, send devices without groups instead of failing."),
        .option("rejects", value: "FILE", help: "Write rejected devices (no usable uuid) here as NDJSON with page, index and reason."),
        profileOption,
    ] + RetryOptions.options + [
        taskTimeoutOption.spec,
        .flag("verbose", short: "v", help: "Also report groups, checkpoint, each accepted batch and each duplicate device on stderr."),
    ]

    static func parse(_ arguments: ParsedArguments, environment: [String: String]) throws(UsageError) -> CollectSettings {
        let path = arguments.commandPath
        func usage(_ message: String) -> UsageError { UsageError(message, commandPath: path) }

        if arguments.value("password") != nil {
            throw usage("'--password' is refused: the command line shows in ps and shell history; set ESET_PASSWORD or use '--password-file FILE'")
        }
        if arguments.value("sekoia-api-key") != nil {
            throw usage("'--sekoia-api-key' is refused: the command line shows in ps and shell history; set SEKOIA_API_KEY or use '--sekoia-api-key-file FILE'")
        }
        let region = try arguments.required(ConnectorOptions.region)
        let username = try arguments.required("username")
        guard !username.isEmpty else { throw usage("'--username' is empty") }

        let password = try secret(
            file: arguments.value("password-file"), flag: "password-file", environment: environment, variable: "ESET_PASSWORD",
            missing: "no ESET password: set ESET_PASSWORD or use '--password-file FILE' (never on the command line)", path: path)

        let esetURL = try arguments.value("eset-url").map { text throws(UsageError) in try checkedURL(text, flag: "eset-url", path: path) }
        let pageSize = try arguments.required(pageSizeOption)

        let callsPerSecond = try arguments.required(ConnectorOptions.rateLimit).callsPerSecond

        let retryOptions = try RetryOptions(parsing: arguments)
        let requestTimeout = retryOptions.requestTimeout
        let retry = retryOptions.policy

        var sekoia: SekoiaConfiguration?
        let sekoiaURL = arguments.value("sekoia-url")
        let connectorUUID = arguments.value("connector-uuid")
        let taskTimeout = try arguments.required(taskTimeoutOption)
        switch (sekoiaURL, connectorUUID) {
        case (nil, nil):
            if arguments.value("sekoia-api-key-file") != nil { throw usage("'--sekoia-api-key-file' needs '--sekoia-url'") }
            if arguments.value("batch-size") != nil { throw usage("'--batch-size' needs '--sekoia-url'") }
        case (nil, _?):
            throw usage("'--connector-uuid' needs '--sekoia-url'")
        case (_?, nil):
            throw usage("'--sekoia-url' needs '--connector-uuid'")
        case (let url?, let uuid?):
            guard !uuid.isEmpty, !uuid.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw usage("invalid value '\(uuid)' for '--connector-uuid'")
            }
            let apiKey = try secret(
                file: arguments.value("sekoia-api-key-file"), flag: "sekoia-api-key-file", environment: environment,
                variable: "SEKOIA_API_KEY",
                missing: "no Sekoia.io API key: set SEKOIA_API_KEY or use '--sekoia-api-key-file FILE' (never on the command line)", path: path)
            var sekoiaRetry = retry
            sekoiaRetry.maxRetryAfter = 3600
            sekoia = SekoiaConfiguration(
                baseURL: try checkedURL(url, flag: "sekoia-url", path: path), connectorUUID: uuid, apiKey: apiKey,
                requestTimeout: requestTimeout, retry: sekoiaRetry, taskTimeout: taskTimeout)
        }
        let batchSize = try arguments.required(batchSizeOption)

        let interval = try arguments.value(intervalOption)
        let cycles = try arguments.value(cyclesOption)
        if cycles != nil && interval == nil { throw usage("'--cycles' needs '--interval'") }

        let profile = try arguments.required(ConnectorOptions.profile)

        let output = arguments.value("output")
        let rejects = arguments.value("rejects")
        for (flag, file) in [("output", output), ("rejects", rejects)] {
            guard let file else { continue }
            guard !file.isEmpty, file != "-" else { throw usage("invalid value '\(file)' for '--\(flag)': expected a file path") }
            let directory = (file as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw usage("invalid value '\(file)' for '--\(flag)': directory '\(directory)' does not exist")
            }
        }
        if let output, let rejects, output == rejects { throw usage("'--output' and '--rejects' name the same file") }

        let stateDirectory = arguments.value("state-dir")
        if let stateDirectory, stateDirectory.isEmpty { throw usage("'--state-dir' is empty") }

        return CollectSettings(
            region: region, username: username, password: password, esetURL: esetURL, pageSize: pageSize,
            callsPerSecond: callsPerSecond, outputPath: output, sekoia: sekoia, batchSize: batchSize,
            stateDirectory: stateDirectory, full: arguments.flag("full"), interval: interval, cycles: cycles,
            allowMissingGroups: arguments.flag("allow-missing-groups"), rejectsPath: rejects, profile: profile,
            requestTimeout: requestTimeout, retry: retry, verbose: arguments.flag("verbose"))
    }

    /// A secret from its file (first line, trailing newline removed) or else its variable.
    static func secret(
        file: String?, flag: String, environment: [String: String], variable: String, missing: String, path: [String]
    ) throws(UsageError) -> Secret {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                let reason = FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file"
                throw UsageError("invalid value '\(file)' for '--\(flag)': \(reason)", commandPath: path)
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw UsageError("'--\(flag)' file '\(file)' is empty", commandPath: path) }
            return Secret(text)
        }
        if let value = environment[variable], !value.isEmpty { return Secret(value) }
        throw UsageError(missing, commandPath: path)
    }

    /// An absolute http(s) URL, without a trailing slash.
    static func checkedURL(_ text: String, flag: String, path: [String]) throws(UsageError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            throw UsageError("invalid value '\(text)' for '--\(flag)': expected an http:// or https:// URL", commandPath: path)
        }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
