import Collector
import ESET
import HTTPClient
import Sekoia

/// What the person running the connector can do about a failure. The libraries report facts
/// (kind, status, attempts, limits); the advice names this program's flags, so it lives here.
func renderFailure(_ error: any Error) -> String {
    let text = String(describing: error)
    let hints = failureHints(error)
    guard !hints.isEmpty else { return text }
    return text + (text.hasSuffix(".") ? " " : ". ") + hints.joined(separator: " ")
}

/// The hints for `error`, most specific first.
func failureHints(_ error: any Error) -> [String] {
    switch error {
    case let failure as CycleFailure:
        return failureHints(failure.underlying)
    case let missing as MissingGroupsError:
        return ["Use --allow-missing-groups to send them anyway."] + failureHints(missing.underlying)
    case let eset as ESETClientError:
        switch eset.kind {
        case .retriesExhausted:
            return eset.policy.map { [retryLimits($0)] } ?? []
        case .badCredentials:
            return ["Check --username and the password (ESET_PASSWORD or --password-file), and --region."]
        case .pendingTooLong:
            return ["Try a smaller --page-size, or later."]
        case .responseTooLarge:
            return ["--max-response-bytes sets the limit."]
        case .accessDenied, .unauthorized, .repeatedPageToken, .unexpectedStatus, .invalidRequest, .redirected, .protocolViolation,
            .tokenUnavailable:
            return []
        }
    case let sekoia as SekoiaError:
        switch sekoia.kind {
        case .unauthorized:
            return ["Check SEKOIA_API_KEY or --sekoia-api-key-file, and --connector-uuid."]
        case .taskTimedOut:
            return ["--task-timeout sets how long to wait."]
        case .retriesExhausted:
            return ["--max-retries and --max-retry-time set the limits."]
        case .refused, .taskFailed, .invalidRequest, .redirected, .responseTooLarge:
            return []
        }
    default:
        return []
    }
}

private func retryLimits(_ policy: RetryPolicy) -> String {
    "Limits: --max-retries \(policy.maxRetries), --max-retry-time \(formatDuration(policy.maxRetryTime))."
}
