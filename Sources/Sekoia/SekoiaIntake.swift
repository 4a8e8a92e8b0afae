import HTTPClient
import Foundation
import JSON

/// Where and how the Sekoia.io asset-connector intake is reached.
package struct SekoiaConfiguration: Sendable {
    /// `https://api.sekoia.io` in production; a mock's `BASE/sekoia` in tests.
    package var baseURL: String
    package var connectorUUID: String
    package var apiKey: Secret
    /// Seconds one HTTP exchange may take.
    package var requestTimeout: Double
    /// Bounds for 429, 5xx and connection failures; `maxRetryAfter` is 3600 as Sekoia.io's SDK clamps.
    package var retry: RetryPolicy
    /// Seconds to wait for a task to leave PENDING/RUNNING (Sekoia.io's default: 300).
    package var taskTimeout: Double
    /// The first wait between task polls; it doubles up to `taskPollMaxDelay`.
    package var taskPollInitialDelay: Double
    package var taskPollMaxDelay: Double

    package init(
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
    package var pushURL: String { "\(baseURL)/api/v2/asset-management/asset-connector/\(percentEncode(connectorUUID))" }
    /// `GET` here to follow a task.
    func taskURL(_ id: String) -> String { "\(baseURL)/api/v1/tasks/\(percentEncode(id))" }
}

/// Why delivering to Sekoia.io failed: the facts (kind, call, status, attempts, cause, time
/// spent) and a message that names no command-line flag. Messages never contain the API key.
package struct SekoiaError: CallFailure {
    package enum Kind: String, Sendable, Equatable {
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
        /// Sekoia.io answered 3xx; redirects are never followed (the API key would follow them).
        case redirected
        /// The answer was larger than the 1 MiB an acknowledgement or task status may take.
        case responseTooLarge = "response-too-large"
    }

    package var kind: Kind
    package var call: String
    /// The HTTP status of the last answer; nil when none arrived.
    package var status: Int?
    /// The attempt that failed (1 for the first).
    package var attempt: Int
    /// Why the last attempt was worth retrying, for `retriesExhausted`.
    package var cause: RetryCause?
    /// Seconds spent on the call (or waiting for the task) when it failed.
    package var elapsed: Double?
    /// The last status a task reported, for `taskFailed` and `taskTimedOut`.
    package var taskStatus: String?
    /// What happened, in words, without the call.
    package var message: String

    package init(
        kind: Kind, call: String, status: Int? = nil, attempt: Int = 1, cause: RetryCause? = nil, elapsed: Double? = nil,
        taskStatus: String? = nil, message: String
    ) {
        self.kind = kind
        self.call = call
        self.status = status
        self.attempt = attempt
        self.cause = cause
        self.elapsed = elapsed
        self.taskStatus = taskStatus
        self.message = message
    }

    package var description: String { "\(call): \(message)" }

    /// A refused API key needs a person; everything else may succeed next cycle.
    package var requiresIntervention: Bool { kind == .unauthorized }
}

/// Pushes batches of events to Sekoia.io and follows the tasks they start.
package final class SekoiaIntakeClient: Sendable {
    package let configuration: SekoiaConfiguration
    /// Retries of this client's calls, by cause.
    package let retries: RetryCounter
    private let transport: any HTTPTransport
    private let onNotice: (@Sendable (RetryNotice) -> Void)?

    package init(
        configuration: SekoiaConfiguration, transport: any HTTPTransport, retries: RetryCounter = RetryCounter(),
        onNotice: (@Sendable (RetryNotice) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retries = retries
        self.onNotice = onNotice
    }

    /// The request body for `events` (each already compact JSON): `{"version": 1, "items": [...]}`.
    package static func body(for events: [[UInt8]]) -> [UInt8] {
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
    package func push(_ events: [[UInt8]], batchNumber: Int) async throws -> String? {
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
    package func waitForTask(_ id: String) async throws {
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
                throw SekoiaError(kind: .taskFailed, call: call, taskStatus: status, message: "task ended with status \(status)\(detail)")
            }
            let elapsed = seconds(since: started)
            guard elapsed + delay <= configuration.taskTimeout else {
                throw SekoiaError(
                    kind: .taskTimedOut, call: call, elapsed: elapsed, taskStatus: lastStatus,
                    message: "task still \(lastStatus) after \(formatDuration(elapsed)) (task timeout \(formatDuration(configuration.taskTimeout)))")
            }
            retries.record(.taskPending)
            try await waitSeconds(delay)
            delay = min(configuration.taskPollMaxDelay, delay * 2)
        }
        throw SekoiaError(kind: .taskTimedOut, call: call, taskStatus: lastStatus, message: "task still \(lastStatus)")
    }

    /// Sends with HTTPClient's retry loop: 429 (Retry-After clamped to [0, 3600]), 5xx,
    /// connection failures and, when `validate` objects, a malformed 2xx; returns the final 2xx.
    private func send(_ request: HTTPClientRequest, call: String, validate: (([UInt8]) -> String?)? = nil) async throws -> HTTPClientResponse {
        do {
            return try await withRetries(policy: configuration.retry) { _ in
                try await transport.send(request)
            } interpret: { response, attempt -> AnswerVerdict<HTTPClientResponse> in
                switch response.status {
                case 200, 201, 202:
                    if let problem = validate?(response.body) { return .retry(.malformedBody, detail: problem) }
                    return .done(response)
                case 300...399:
                    let error = TransportError.redirected(
                        status: response.status, locationHost: response.header("Location").flatMap { URL(string: $0)?.host })
                    throw SekoiaError(kind: .redirected, call: call, status: response.status, attempt: attempt, message: error.description)
                case 401, 403:
                    throw SekoiaError(
                        kind: .unauthorized, call: call, status: response.status, attempt: attempt,
                        message: "Sekoia.io refused the API key (HTTP \(response.status)\(errorSummary(response.body))) for asset connector \(configuration.connectorUUID)")
                default:
                    throw SekoiaError(
                        kind: .refused, call: call, status: response.status, attempt: attempt,
                        message: "HTTP \(response.status)\(errorSummary(response.body))")
                }
            } serverErrorDetail: { response in
                "HTTP \(response.status)\(errorSummary(response.body))"
            } willRetry: { cause, detail, wait in
                retries.record(cause)
                onNotice?(RetryNotice(call: call, cause: cause, detail: detail, wait: wait))
            }
        } catch let exhausted as RetriesExhausted {
            throw SekoiaError(
                kind: .retriesExhausted, call: call, status: exhausted.status, attempt: exhausted.attempts, cause: exhausted.cause,
                elapsed: exhausted.elapsed, message: exhausted.summary)
        } catch let error as TransportError {
            switch error {
            case .redirected(let status, _):
                throw SekoiaError(kind: .redirected, call: call, status: status, message: error.description)
            case .responseTooLarge, .unrequestedEncoding:
                throw SekoiaError(kind: .responseTooLarge, call: call, message: error.description)
            default:
                throw SekoiaError(kind: .invalidRequest, call: call, message: error.description)
            }
        }
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
