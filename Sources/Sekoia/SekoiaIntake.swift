import HTTPClient
import Foundation
import JSON

/// Where and how the Sekoia.io asset-connector intake is reached.
public struct SekoiaConfiguration: Sendable {
    /// `https://api.sekoia.io` in production; a mock's `BASE/sekoia` in tests.
    public var baseURL: String
    public var connectorUUID: String
    public var apiKey: Secret
    /// Seconds one HTTP exchange may take.
    public var requestTimeout: Double
    /// Bounds for 429, 5xx and connection failures; `maxRetryAfter` is 3600 as Sekoia.io's SDK clamps.
    public var retry: RetryPolicy
    /// Seconds to wait for a task to leave PENDING/RUNNING (Sekoia.io's default: 300).
    public var taskTimeout: Double
    /// The first wait between task polls; it doubles up to `taskPollMaxDelay`.
    public var taskPollInitialDelay: Double
    public var taskPollMaxDelay: Double

    public init(
        baseURL: String = "https://api.sekoia.io", connectorUUID: String, apiKey: Secret, requestTimeout: Double = 30,
        retry: RetryPolicy = RetryPolicy(maxRetryAfter: 3600), taskTimeout: Double = 300, taskPollInitialDelay: Double = 0.1,
        taskPollMaxDelay: Double = 5
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.connectorUUID = connectorUUID
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.taskTimeout = taskTimeout
        self.taskPollInitialDelay = taskPollInitialDelay
        self.taskPollMaxDelay = taskPollMaxDelay
    }

    /// `POST` here to push a batch.
    public var pushURL: String { "\(baseURL)/api/v2/asset-management/asset-connector/\(percentEncode(connectorUUID))" }
    /// `GET` here to follow a task.
    public func taskURL(_ id: String) -> String { "\(baseURL)/api/v1/tasks/\(percentEncode(id))" }
}

/// Why delivering to Sekoia.io failed. Messages never contain the API key.
public struct SekoiaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// 401/403: the API key is wrong or lacks the permission to push assets.
        case unauthorized
        /// Another final non-200 answer (400, 404, 413, …): the batch was refused.
        case refused
        /// 429, 5xx or connection failures outlasted the retry bounds.
        case retriesExhausted = "retries-exhausted"
        /// The task ended in a status other than FINISHED.
        case taskFailed = "task-failed"
        /// The task was still PENDING or RUNNING when the timeout came.
        case taskTimedOut = "task-timed-out"
        /// The request cannot be sent (bad URL).
        case invalidRequest = "invalid-request"
    }

    public var kind: Kind
    public var call: String
    public var message: String

    public init(kind: Kind, call: String, message: String) {
        self.kind = kind
        self.call = call
        self.message = message
    }

    public var description: String { "\(call): \(message)" }
}

/// Pushes batches of events to Sekoia.io and follows the tasks they start.
public final class SekoiaIntakeClient: Sendable {
    public let configuration: SekoiaConfiguration
    /// Retries of this client's calls, by cause.
    public let retries: RetryCounter
    private let transport: any HTTPTransport
    private let onNotice: (@Sendable (String) -> Void)?

    public init(
        configuration: SekoiaConfiguration, transport: any HTTPTransport, retries: RetryCounter = RetryCounter(),
        onNotice: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retries = retries
        self.onNotice = onNotice
    }

    /// The request body for `events` (each already compact JSON): `{"version": 1, "items": [...]}`.
    public static func body(for events: [[UInt8]]) -> [UInt8] {
        var body = Array(#"{"version":1,"items":["#.utf8)
        body.reserveCapacity(events.reduce(32) { $0 + $1.count + 1 })
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: event)
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    /// Pushes one batch; returns the task id when Sekoia.io started one.
    public func push(_ events: [[UInt8]], batchNumber: Int) async throws -> String? {
        let call = "POST asset-connector batch \(batchNumber) (\(events.count) events)"
        let request = HTTPClientRequest(
            method: "POST", url: configuration.pushURL,
            headers: [
                ("Authorization", "Bearer \(configuration.apiKey.revealed)"), ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ],
            body: Self.body(for: events), timeout: configuration.requestTimeout)
        let response = try await send(request, call: call)
        guard case .object(let object)? = try? JSONParser.parse(response.body) else { return nil }
        return nonEmptyString(object["task_id"])
    }

    /// Polls a task until it leaves PENDING/RUNNING: returns when FINISHED, throws otherwise.
    public func waitForTask(_ id: String) async throws {
        let call = "GET task \(id)"
        let started = ContinuousClock.now
        var delay = configuration.taskPollInitialDelay
        var lastStatus = "unknown"
        for _ in 0..<100_000 {
            let request = HTTPClientRequest(
                method: "GET", url: configuration.taskURL(id),
                headers: [("Authorization", "Bearer \(configuration.apiKey.revealed)"), ("Accept", "application/json")],
                timeout: configuration.requestTimeout)
            let response = try await send(request, call: call) { body in
                guard let json = try? JSONParser.parse(body), nonEmptyString(json["status"]) != nil else {
                    return "task answer without a status"
                }
                return nil
            }
            let json = try? JSONParser.parse(response.body)
            let status = nonEmptyString(json?["status"]) ?? "unknown"
            lastStatus = status
            switch status.uppercased() {
            case "FINISHED":
                return
            case "PENDING", "RUNNING":
                break
            default:
                let detail = json.map { errorSummary($0) } ?? ""
                throw SekoiaError(kind: .taskFailed, call: call, message: "task ended with status \(status)\(detail)")
            }
            let elapsed = seconds(since: started)
            guard elapsed + delay <= configuration.taskTimeout else {
                throw SekoiaError(
                    kind: .taskTimedOut, call: call,
                    message: "task still \(lastStatus) after \(formatDuration(elapsed)) (--task-timeout \(formatDuration(configuration.taskTimeout)))")
            }
            retries.record(.taskPending)
            try await waitSeconds(delay)
            delay = min(configuration.taskPollMaxDelay, delay * 2)
        }
        throw SekoiaError(kind: .taskTimedOut, call: call, message: "task still \(lastStatus)")
    }

    /// Sends with retries for 429 (Retry-After clamped to [0, 3600]), 5xx, connection failures
    /// and, when `validate` objects, a malformed 200; returns the final 200.
    private func send(_ request: HTTPClientRequest, call: String, validate: (([UInt8]) -> String?)? = nil) async throws -> HTTPClientResponse {
        var budget = RetryBudget(policy: configuration.retry)
        for _ in 0..<10_000 {
            let cause: RetryCause
            let detail: String
            var serverWait: Double?
            do {
                let response = try await transport.send(request)
                switch response.status {
                case 200, 201, 202:
                    if let problem = validate?(response.body) {
                        cause = .malformedBody
                        detail = problem
                    } else {
                        return response
                    }
                case 429:
                    cause = .rateLimited
                    detail = "HTTP 429"
                    serverWait = response.header("Retry-After").flatMap { RetryAfter.seconds($0, maximum: configuration.retry.maxRetryAfter) }
                case 500, 502, 503, 504:
                    cause = .serverError
                    detail = "HTTP \(response.status)\(errorSummary(response.body))"
                case 401, 403:
                    throw SekoiaError(
                        kind: .unauthorized, call: call,
                        message: "Sekoia.io refused the API key (HTTP \(response.status)\(errorSummary(response.body))). Check SEKOIA_API_KEY or --sekoia-api-key-file, and that the key may push to asset connector \(configuration.connectorUUID).")
                default:
                    throw SekoiaError(kind: .refused, call: call, message: "HTTP \(response.status)\(errorSummary(response.body))")
                }
            } catch let error as TransportError {
                switch error {
                case .timedOut: cause = .timeout
                case .truncatedBody: cause = .malformedBody
                case .connectionFailed: cause = .connectionFailure
                case .invalidURL: throw SekoiaError(kind: .invalidRequest, call: call, message: error.description)
                }
                detail = error.description
            }
            guard let wait = budget.nextWait(serverWait: serverWait) else {
                throw SekoiaError(
                    kind: .retriesExhausted, call: call,
                    message: "\(detail); gave up after \(budget.retriesUsed + 1) attempt\(budget.retriesUsed == 0 ? "" : "s") in \(formatDuration(budget.elapsed))")
            }
            retries.record(cause)
            onNotice?("\(call): \(detail); \(cause.rawValue), retrying in \(formatDuration(wait))")
            try await waitSeconds(wait)
        }
        throw SekoiaError(kind: .retriesExhausted, call: call, message: "gave up")
    }

    private func errorSummary(_ body: [UInt8]) -> String {
        guard let json = try? JSONParser.parse(body) else { return "" }
        return errorSummary(json)
    }

    /// `: code: message` from a Sekoia.io JSON error body, without the API key.
    private func errorSummary(_ json: JSONValue) -> String {
        var parts: [String] = []
        for key in ["code", "message", "error"] {
            switch json[key] {
            case .string(let text)? where !text.isEmpty: parts.append(text)
            case .int(let number)?: parts.append(String(number))
            default: break
            }
        }
        guard !parts.isEmpty else { return "" }
        var summary = parts.joined(separator: ": ")
        if summary.count > 200 { summary = String(summary.prefix(200)) + "…" }
        return ": " + redacting(summary, secrets: [configuration.apiKey.revealed])
    }
}

/// A non-empty JSON string, or nil: Sekoia.io's answers are read as leniently as ESET's.
private func nonEmptyString(_ value: JSONValue?) -> String? {
    if case .string(let text)? = value, !text.isEmpty { return text }
    return nil
}
