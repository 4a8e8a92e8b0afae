import ArgumentParsing
import ESET
import Foundation
import HTTPClient
#if canImport(Glibc)
import Glibc
#endif

/// An ESET region as `--region` takes it (any case). A wrapper rather than a conformance of
/// `ESETRegion` itself, which the connector's command library declares.
struct RegionArgument: OptionValue {
    let region: ESETRegion
    static let valueName = "REGION"
    static var expectation: String { "one of: " + ESETRegion.allCases.map(\.rawValue).joined(separator: ", ") }
    init?(argument: String) {
        guard let region = ESETRegion(rawValue: argument.lowercased()) else { return nil }
        self.region = region
    }
    var argument: String { region.rawValue }
}

/// `record`'s options, each declared once with its default and bounds.
enum RecordOptions {
    static let region = TypedOption<RegionArgument>("region", help: "ESET Connect region: eu, de, us, ca or jpn.")
    static let username = TypedOption<String>("username", value: "USER", help: "ESET Connect API user (an e-mail address).")
    static let passwordFile = TypedOption<String>("password-file", value: "FILE", help: "File holding the API user's password (else ESET_PASSWORD).")
    static let password = TypedOption<String>("password", value: "-", help: "Refused: a password on the command line shows in ps and shell history.")
    static let esetURL = TypedOption<String>("eset-url", value: "URL", help: "Send every ESET call to URL/HOST/path instead of https://HOST/path (a mock).")
    static let out = TypedOption<String>("out", value: "DIR", help: "Directory to create with the recording (required; must not exist or be empty).")
    static let saltFile = TypedOption<String>(
        "salt-file", value: "FILE", help: "Key the pseudonyms with this file's bytes (16+), so re-recordings match.",
        defaultDescription: "a random salt, not kept")
    static let pageSize = TypedOption<Int>("page-size", help: "Devices and groups per page, 1-1000.", default: 1000, in: 1...1000)
    static let rateLimit = TypedOption<RateLimit>("rate-limit", help: "Client-side limit of ESET calls per second, or 'off'.", default: .perSecond(10))
    static let timeout = TypedOption<Double>("timeout", value: "SECONDS", help: "Per-request HTTP timeout.", default: 30, in: 0.01...3600)
    static let maxRetries = TypedOption<Int>(
        "max-retries", help: "Retries of one call after 429, 5xx, timeouts, broken connections or bodies.", default: 5, in: 0...100)
    static let maxRetryTime = TypedOption<Double>(
        "max-retry-time", value: "SECONDS", help: "No retry of one call starts later than this after its first attempt.", default: 300,
        in: 0...86_400)
    static let retryDelay = TypedOption<Double>(
        "retry-delay", value: "SECONDS", help: "First backoff wait; doubles per retry (with jitter), up to 30 s.", default: 1, in: 0...600)
}

let recordSpec = CommandSpec(
    name: "record",
    abstract: "Record an ESET Connect tenant into scrubbed fixtures that 'eset-mock serve --data DIR' serves.",
    discussion: """
        Reads every page of /v1/device_groups and /v1/devices with the connector's ESET client (same retries,
        rate limit and secret handling as 'eset-connector collect') and writes DIR/devices.json,
        DIR/device_groups.json and DIR/RECORDING.md. Identifiers, names, addresses, serial numbers, e-mail
        addresses and user names are replaced by keyed pseudonyms (consistent across the recording); structure,
        types, member order, enums, numbers, times, OS, hardware and product data are kept byte for byte.
        No token, password or header is ever written. DIR must not exist or be empty; it appears only when the
        recording is complete. The password comes from ESET_PASSWORD or --password-file, never the command line.
        Exit status: 0 success, 1 failure (nothing written), 64 usage error.
        Example: ESET_PASSWORD=... eset-mock record --region eu --username api@example.com --out tenant
        """,
    options: [
        RecordOptions.region.spec, RecordOptions.username.spec, RecordOptions.passwordFile.spec, RecordOptions.password.spec,
        RecordOptions.esetURL.spec, RecordOptions.out.spec,
        .option("keep", value: "FIELD", help: "Keep the member FIELD (e.g. managementDomain, tags) verbatim.", repeatable: true),
        .flag("scrub-mac-vendor", help: "Also replace the vendor part (OUI) of MAC addresses; marks them locally administered."),
        RecordOptions.saltFile.spec, RecordOptions.pageSize.spec, RecordOptions.rateLimit.spec, RecordOptions.timeout.spec,
        RecordOptions.maxRetries.spec, RecordOptions.maxRetryTime.spec, RecordOptions.retryDelay.spec,
    ])

/// Everything `record` was asked to do, checked.
struct RecordSettings: Sendable {
    var region: ESETRegion
    var username: String
    var password: Secret
    var esetURL: String?
    var outputDirectory: String
    var keptMembers: Set<String>
    var keepsMACVendor: Bool
    var salt: [UInt8]
    var saltFromFile: Bool
    var pageSize: Int
    var callsPerSecond: Double?
    var requestTimeout: Double
    var retry: RetryPolicy

    var esetConfiguration: ESETClientConfiguration {
        ESETClientConfiguration(
            endpoints: ESETEndpoints(region: region, overrideBase: esetURL), username: username, password: password,
            requestTimeout: requestTimeout, retry: retry, callsPerSecond: callsPerSecond, pageSize: pageSize)
    }

    static func parse(_ arguments: ParsedArguments, environment: [String: String]) throws(UsageError) -> RecordSettings {
        let path = arguments.commandPath
        func usage(_ message: String) -> UsageError { UsageError(message, commandPath: path) }
        if try arguments.value(RecordOptions.password) != nil {
            throw usage("'--password' is refused: the command line shows in ps and shell history; set ESET_PASSWORD or use '--password-file FILE'")
        }
        let region = try arguments.required(RecordOptions.region).region
        let username = try arguments.required(RecordOptions.username)
        guard !username.isEmpty else { throw usage("'--username' is empty") }
        let password: Secret
        if let file = try arguments.value(RecordOptions.passwordFile) {
            let text = try readSmallFile(file, flag: "password-file", path: path)
            var line = String(decoding: text, as: UTF8.self)
            while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
            guard !line.isEmpty else { throw usage("'--password-file' file '\(file)' is empty") }
            password = Secret(line)
        } else if let value = environment["ESET_PASSWORD"], !value.isEmpty {
            password = Secret(value)
        } else {
            throw usage("no ESET password: set ESET_PASSWORD or use '--password-file FILE' (never on the command line)")
        }
        var esetURL: String?
        if let text = try arguments.value(RecordOptions.esetURL) {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty, url.query == nil else {
                throw usage("invalid value '\(text)' for '--eset-url': expected an http:// or https:// URL")
            }
            esetURL = text
        }
        let out = try arguments.required(RecordOptions.out)
        guard !out.isEmpty else { throw usage("'--out' is empty") }
        let keep = Set(arguments.values("keep"))
        if let empty = keep.first(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            throw usage("invalid value '\(empty)' for '--keep': expected a member name such as managementDomain")
        }
        var salt: [UInt8]
        let saltFromFile: Bool
        if let file = try arguments.value(RecordOptions.saltFile) {
            salt = try readSmallFile(file, flag: "salt-file", path: path)
            guard salt.count >= 16 else {
                throw usage("'--salt-file' file '\(file)' holds \(salt.count) bytes; at least 16 are needed (e.g. head -c 32 /dev/urandom > \(file))")
            }
            saltFromFile = true
        } else {
            var generator = SystemRandomNumberGenerator()
            salt = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            saltFromFile = false
        }
        let retry = RetryPolicy(
            maxRetries: try arguments.required(RecordOptions.maxRetries), maxRetryTime: try arguments.required(RecordOptions.maxRetryTime),
            initialDelay: try arguments.required(RecordOptions.retryDelay), maxDelay: 30, maxRetryAfter: 60)
        return RecordSettings(
            region: region, username: username, password: password, esetURL: esetURL, outputDirectory: out,
            keptMembers: keep, keepsMACVendor: !arguments.flag("scrub-mac-vendor"), salt: salt, saltFromFile: saltFromFile,
            pageSize: try arguments.required(RecordOptions.pageSize), callsPerSecond: try arguments.required(RecordOptions.rateLimit).callsPerSecond,
            requestTimeout: try arguments.required(RecordOptions.timeout), retry: retry)
    }

    /// A password or salt file: read whole, refused when absurdly large (it is not either).
    private static func readSmallFile(_ file: String, flag: String, path: [String]) throws(UsageError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file"
            throw UsageError("invalid value '\(file)' for '--\(flag)': \(reason)", commandPath: path)
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 65_537)) ?? Data()
        guard data.count <= 65_536 else {
            throw UsageError("invalid value '\(file)' for '--\(flag)': larger than 64 KiB", commandPath: path)
        }
        return Array(data)
    }
}

/// `eset-mock record`: parses, runs the recorder with progress on a terminal, and reports.
func record(_ arguments: ParsedArguments, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int32 {
    let settings = try RecordSettings.parse(arguments, environment: environment)
    let showsProgress = isatty(STDERR_FILENO) == 1
    let secrets = [settings.password.revealed]
    let say: @Sendable (String) -> Void = { text in
        writeError((showsProgress ? "\r\u{1B}[2K" : "") + redacting(text, secrets: secrets) + "\n")
    }
    let progress: @Sendable (String) -> Void = { text in
        if showsProgress { writeError("\r\u{1B}[2K" + text) }
    }
    let recorder = Recorder(settings: settings, transport: URLSessionTransport(), say: say, progress: progress)
    let outcome = runBlocking { await recorder.runCatchingSignals() }
    switch outcome {
    case .success(let summary):
        progress("")
        for line in summary.lines { say(line) }
        return ExitStatus.success.rawValue
    case .failure(let error):
        progress("")
        say("error: \(error)")
        say("summary: FAILED; nothing written to \(settings.outputDirectory)")
        return ExitStatus.failure.rawValue
    }
}

/// Runs async work from the synchronous command entry point (the CLI's main thread waits; the
/// work runs on the cooperative pool).
func runBlocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = BlockingResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class BlockingResult<T>: @unchecked Sendable {
    // Written once by the task before `signal`, read once after `wait`: the semaphore orders them.
    var value: T?
}
