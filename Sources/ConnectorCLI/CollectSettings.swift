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
    /// `--max-response-bytes`; nil derives the limit from the page size.
    package var maxResponseBytes: Int? = nil
    /// Problems worth a warning that do not stop the run (a secret file others may read).
    package var warnings: [String] = []

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
            requestTimeout: requestTimeout, retry: retry, callsPerSecond: callsPerSecond, pageSize: pageSize,
            maxResponseBytes: maxResponseBytes)
    }

    static let pageSizeOption = TypedOption<Int>("page-size", help: "Devices and groups per page, 1-1000.", default: 1000, in: 1...1000)
    static let batchSizeOption = TypedOption<Int>("batch-size", help: "Events per Sekoia.io push, 1-10000.", default: 100, in: 1...10_000)
    static let intervalOption = TypedOption<Double>(
        "interval", value: "SECONDS", help: "Run a cycle, wait SECONDS, repeat until SIGINT/SIGTERM.", in: 0...31_536_000)
    static let cyclesOption = TypedOption<Int>("cycles", help: "With --interval: stop after N cycles.", in: 1...Int.max)
    static let maxResponseBytesOption = TypedOption<Int>(
        "max-response-bytes", value: "N",
        help: "Largest ESET list answer accepted (after decompression); larger ones fail the call at once. Default: 1 MiB + 32 KiB x page size.",
        in: 1024...(1 << 40))
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
        maxResponseBytesOption.spec,
    ] + RetryOptions.options + [
        taskTimeoutOption.spec,
        .flag("verbose", short: "v", help: "Also report groups, checkpoint, each accepted batch and each duplicate device on stderr."),
    ]

    /// `--password` and `--sekoia-api-key` are refused by every command that takes credentials:
    /// a command line shows in `ps` and in shell history.
    static func refuseSecretsInArguments(_ arguments: ParsedArguments) throws(UsageError) {
        if arguments.value("password") != nil {
            throw UsageError("'--password' is refused: the command line shows in ps and shell history; set ESET_PASSWORD or use '--password-file FILE'",
                             commandPath: arguments.commandPath)
        }
        if arguments.value("sekoia-api-key") != nil {
            throw UsageError("'--sekoia-api-key' is refused: the command line shows in ps and shell history; set SEKOIA_API_KEY or use '--sekoia-api-key-file FILE'",
                             commandPath: arguments.commandPath)
        }
    }

    static func parse(_ arguments: ParsedArguments, environment: [String: String]) throws(UsageError) -> CollectSettings {
        let path = arguments.commandPath
        func usage(_ message: String) -> UsageError { UsageError(message, commandPath: path) }

        try refuseSecretsInArguments(arguments)
        let region = try arguments.required(ConnectorOptions.region)
        let username = try arguments.required("username")
        guard !username.isEmpty else { throw usage("'--username' is empty") }

        var warnings: [String] = []
        let password = try secret(
            file: arguments.value("password-file"), flag: "password-file", environment: environment, variable: "ESET_PASSWORD",
            missing: "no ESET password: set ESET_PASSWORD or use '--password-file FILE' (never on the command line)", path: path,
            warnings: &warnings)
        let maxResponseBytes = try arguments.value(maxResponseBytesOption)

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
                missing: "no Sekoia.io API key: set SEKOIA_API_KEY or use '--sekoia-api-key-file FILE' (never on the command line)", path: path,
                warnings: &warnings)
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
        if let stateDirectory {
            var info = stat()
            if stat(stateDirectory, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
                throw usage("invalid value '\(stateDirectory)' for '--state-dir': it exists but is not a directory")
            }
        }

        var settings = CollectSettings(
            region: region, username: username, password: password, esetURL: esetURL, pageSize: pageSize,
            callsPerSecond: callsPerSecond, outputPath: output, sekoia: sekoia, batchSize: batchSize,
            stateDirectory: stateDirectory, full: arguments.flag("full"), interval: interval, cycles: cycles,
            allowMissingGroups: arguments.flag("allow-missing-groups"), rejectsPath: rejects, profile: profile,
            requestTimeout: requestTimeout, retry: retry, verbose: arguments.flag("verbose"))
        settings.maxResponseBytes = maxResponseBytes
        settings.warnings = warnings
        return settings
    }

    /// A secret from its file or else its variable.
    ///
    /// The file may be a regular file, a FIFO or `/dev/stdin` (`--password-file <(pass show x)`):
    /// it is read to its end, at most 64 KiB. Exactly one trailing line break (LF or CRLF) is
    /// removed, as editors and `echo` add one; anything else is part of the secret. A regular file
    /// that group or others may read draws a warning, as ssh gives for private keys.
    static func secret(
        file: String?, flag: String, environment: [String: String], variable: String, missing: String, path: [String],
        warnings: inout [String]
    ) throws(UsageError) -> Secret {
        if let file {
            let bytes: [UInt8]
            switch readSecretFile(file) {
            case .success(let read): bytes = read
            case .failure(let problem): throw UsageError("invalid value '\(file)' for '--\(flag)': \(problem.reason)", commandPath: path)
            }
            var text = bytes
            if text.last == 0x0A {
                text.removeLast()
                if text.last == 0x0D { text.removeLast() }
            }
            guard !text.isEmpty else { throw UsageError("'--\(flag)' file '\(file)' is empty", commandPath: path) }
            guard let decoded = String(validating: text, as: UTF8.self) else {
                throw UsageError("'--\(flag)' file '\(file)' is not UTF-8 text", commandPath: path)
            }
            var info = stat()
            if stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 {
                let mode = String(info.st_mode & 0o777, radix: 8)
                warnings.append("warning: '--\(flag)' file '\(file)' is readable by others than its owner (mode \(mode)); run 'chmod 600 \(file)'")
            }
            return Secret(decoded)
        }
        if let value = environment[variable], !value.isEmpty { return Secret(value) }
        throw UsageError(missing, commandPath: path)
    }

    struct SecretFileProblem: Error { var reason: String }

    /// Reads a whole secret file with plain `read(2)`, which works for FIFOs and `/dev/stdin`.
    static func readSecretFile(_ file: String) -> Result<[UInt8], SecretFileProblem> {
        let limit = 64 * 1024
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot open it: \(String(cString: strerror(errno)))"
            return .failure(SecretFileProblem(reason: reason))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(SecretFileProblem(reason: "cannot read it: \(String(cString: strerror(errno)))"))
            }
            if count == 0 { return .success(bytes) }
            bytes += chunk[0..<count]
        }
        return .failure(SecretFileProblem(reason: "larger than 64 KiB; a secret file holds one secret"))
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
