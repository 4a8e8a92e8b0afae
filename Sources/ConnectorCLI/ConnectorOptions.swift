import ArgumentParsing
import ESET
import HTTPClient
import Mapping

extension MappingProfile: OptionValue {
    package static let valueName = "NAME"
}

extension ESETRegion: OptionValue {
    package static let valueName = "REGION"
    /// Region names are accepted in any case (`EU` as `eu`).
    package init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// The options several commands share, each declared once with its default.
package enum ConnectorOptions {
    /// `--profile`, for every command that maps.
    package static let profile = TypedOption<MappingProfile>(
        "profile", help: "Mapping profile: sekoia (the published table) or ocsf-strict (valid OCSF 1.5.0).", default: .sekoia)
    /// `--region` of `collect`: required, ESET accounts live in one region.
    package static let region = TypedOption<ESETRegion>("region", help: "ESET Connect region: eu, de, us, ca or jpn.")
    /// `--region` of `demo`: which region the mock plays.
    package static let demoRegion = TypedOption<ESETRegion>("region", help: "The ESET region to play: eu, de, us, ca or jpn.", default: .eu)
    /// `--rate-limit` of ESET calls.
    package static let rateLimit = TypedOption<RateLimit>(
        "rate-limit", help: "Client-side limit of ESET calls per second, or 'off'.", default: .perSecond(10))
}

/// How long one ESET or Sekoia.io call may take and how often it is retried: `--timeout`,
/// `--max-retries`, `--max-retry-time`, `--retry-delay`.
package struct RetryOptions: OptionGroup {
    /// Seconds one HTTP exchange may take.
    package var requestTimeout: Double
    /// The bounds for ESET calls (Sekoia.io calls use the same, with a longer `Retry-After` cap).
    package var policy: RetryPolicy

    static let timeout = TypedOption<Double>("timeout", value: "SECONDS", help: "Deadline for one HTTP exchange, from sending to the last byte of the answer.", default: 30, in: 0.01...3600)
    static let maxRetries = TypedOption<Int>(
        "max-retries", help: "Retries of one call after 429, 5xx, timeouts, broken connections or bodies.", default: 5, in: 0...100)
    static let maxRetryTime = TypedOption<Double>(
        "max-retry-time", value: "SECONDS", help: "No retry of one call starts later than this after its first attempt.", default: 300,
        in: 0...86_400)
    static let retryDelay = TypedOption<Double>(
        "retry-delay", value: "SECONDS", help: "First backoff wait; doubles per retry (with jitter), up to 30 s.", default: 1, in: 0...600)

    package static let options: [OptionSpec] = [timeout.spec, maxRetries.spec, maxRetryTime.spec, retryDelay.spec]

    package init(parsing arguments: ParsedArguments) throws(UsageError) {
        requestTimeout = try arguments.required(Self.timeout)
        policy = RetryPolicy(
            maxRetries: try arguments.required(Self.maxRetries), maxRetryTime: try arguments.required(Self.maxRetryTime),
            initialDelay: try arguments.required(Self.retryDelay), maxDelay: 30, maxRetryAfter: 60)
    }
}
