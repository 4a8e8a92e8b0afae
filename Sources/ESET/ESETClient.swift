import Foundation
import HTTPClient
import JSON
import Synchronization

/// Everything the ESET client needs to know; defaults follow ESET's documentation.
public struct ESETClientConfiguration: Sendable {
    public var endpoints: ESETEndpoints
    public var username: String
    public var password: Secret
    /// Sent as the `3rd-integration` header on every call, as ESET asks integrations to do.
    public var integrationName: String
    /// Seconds one HTTP exchange may take.
    public var requestTimeout: Double
    /// Bounds for 429, 5xx, connection failures, timeouts and malformed bodies.
    public var retry: RetryPolicy
    /// Client-side limit; nil turns it off (mocks, benchmarks). ESET allows 10 calls/s.
    public var callsPerSecond: Double?
    /// Devices or groups per page: 1…1000 (ESET coerces larger values to 1000).
    public var pageSize: Int
    /// How many times one call may be re-sent with a `response-id` after 202 "request cached".
    public var pendingPollLimit: Int
    /// The longest wait between two such re-sends, in seconds.
    public var pendingPollMaxDelay: Double

    public init(
        endpoints: ESETEndpoints, username: String, password: Secret, integrationName: String = "Sekoia.io",
        requestTimeout: Double = 30, retry: RetryPolicy = RetryPolicy(), callsPerSecond: Double? = 10, pageSize: Int = 1000,
        pendingPollLimit: Int = 30, pendingPollMaxDelay: Double = 5
    ) {
        self.endpoints = endpoints
        self.username = username
        self.password = password
        self.integrationName = integrationName
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.callsPerSecond = callsPerSecond
        self.pageSize = min(max(pageSize, 1), 1000)
        self.pendingPollLimit = max(0, pendingPollLimit)
        self.pendingPollMaxDelay = max(0, pendingPollMaxDelay)
    }
}

/// Something the client did that a person watching may want to know (a retry and why).
public struct ESETClientNotice: Sendable, CustomStringConvertible {
    public var call: String
    public var cause: RetryCause
    /// What went wrong, e.g. `HTTP 503`.
    public var detail: String
    /// Seconds before the next attempt.
    public var wait: Double

    public var description: String { "\(call): \(detail); \(cause.rawValue), retrying in \(formatSeconds(wait))" }
}

/// Where paging stands in one list (`/v1/devices` or `/v1/device_groups`).
public struct PageCursor: Sendable {
    /// Pages fetched so far; the page about to be fetched is `pagesFetched + 1`.
    public private(set) var pagesFetched = 0
    /// True once a page without a next page token arrived.
    public private(set) var isFinished = false
    fileprivate var nextToken: String?
    /// Every token handed out so far: one page per token, so this stays small.
    fileprivate var seenTokens: Set<String> = []

    public init() {}

    mutating func advance(next: String?, call: String) throws(ESETClientError) {
        pagesFetched += 1
        guard let next else {
            isFinished = true
            return
        }
        guard seenTokens.insert(next).inserted else {
            isFinished = true
            let shown = next.count > 40 ? String(next.prefix(40)) + "…" : next
            throw ESETClientError(
                kind: .repeatedPageToken, call: call,
                message: "the API returned page token \"\(shown)\" a second time; stopping rather than paging forever")
        }
        nextToken = next
    }
}

/// The ESET Connect client: authentication, resilience and paging over an `HTTPTransport`.
///
/// Calls are meant to be made one at a time (paging is sequential by nature); the class is
/// nevertheless safe to share between tasks.
public final class ESETClient: Sendable {
    public let configuration: ESETClientConfiguration
    /// Retries of this client's calls, by cause.
    public let retries: RetryCounter
    private let transport: any HTTPTransport
    private let rateLimiter: RateLimiter?
    private let onNotice: (@Sendable (ESETClientNotice) -> Void)?
    private let tokens = Mutex<TokenState?>(nil)
    private let calls = Atomic<Int>(0)

    private struct TokenState: Sendable {
        var access: Secret
        var refresh: Secret?
        /// When to renew: `expires_in` minus a safety margin after the token arrived.
        var renewAt: ContinuousClock.Instant
    }

    public init(
        configuration: ESETClientConfiguration, transport: any HTTPTransport, retries: RetryCounter = RetryCounter(),
        onNotice: (@Sendable (ESETClientNotice) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retries = retries
        self.onNotice = onNotice
        rateLimiter = configuration.callsPerSecond.map { RateLimiter(callsPerSecond: $0) }
    }

    /// HTTP requests sent so far (token calls included, retries included).
    public var requestsSent: Int { calls.load(ordering: .relaxed) }

    // MARK: Lists

    /// The next page of `GET /v1/devices`, or nil when the list has ended.
    public func nextDevicePage(_ cursor: inout PageCursor) async throws -> DevicePage? {
        // Decoded in place from the body's bytes (the same page and errors as parsing it first,
        // several times faster): device pages are the bulk of a collection.
        try await nextPage(path: "/v1/devices", cursor: &cursor, nextToken: \.nextPageToken) { body, number throws(BodyError) in
            do throws(DevicePageError) {
                return try DevicePage.decode(bytes: body, page: number)
            } catch {
                switch error {
                case .malformedJSON(let syntax): throw Self.malformedBody(body, syntax)
                case .notAPage(let shape): throw BodyError(description: shape.reason)
                }
            }
        }
    }

    /// The next page of `GET /v1/device_groups`, or nil when the list has ended.
    public func nextDeviceGroupPage(_ cursor: inout PageCursor) async throws -> DeviceGroupPage? {
        try await nextPage(path: "/v1/device_groups", cursor: &cursor, nextToken: \.nextPageToken) { body, number throws(BodyError) in
            let json = try Self.parseJSON(body)
            do throws(PageDecodingError) {
                return try DeviceGroupPage.decode(json, page: number)
            } catch {
                throw BodyError(description: error.reason)
            }
        }
    }

    /// Fetches and decodes the page `cursor` points at, then moves the cursor on (or fails on a
    /// page token the API already handed out).
    func nextPage<Page>(
        path: String, cursor: inout PageCursor, nextToken: KeyPath<Page, String?>,
        decode: @escaping @Sendable ([UInt8], Int) throws(BodyError) -> Page
    ) async throws -> Page? {
        guard !cursor.isFinished else { return nil }
        let number = cursor.pagesFetched + 1
        let call = "GET \(path) (page \(number))"
        let page = try await get(path: path, query: pageQuery(cursor), call: call) { body throws(BodyError) in
            try decode(body, number)
        }
        try cursor.advance(next: page[keyPath: nextToken], call: call)
        return page
    }

    private func pageQuery(_ cursor: PageCursor) -> [(String, String)] {
        var query = [("pageSize", String(configuration.pageSize))]
        if let token = cursor.nextToken { query.append(("pageToken", token)) }
        return query
    }

    // MARK: Calls

    /// A body that is not what the call expects; the call is retried like a transient failure.
    struct BodyError: Error, CustomStringConvertible {
        var description: String
    }

    static func parseJSON(_ body: [UInt8]) throws(BodyError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw malformedBody(body, error)
        }
    }

    static func malformedBody(_ body: [UInt8], _ error: JSONParseError) -> BodyError {
        BodyError(description: body.isEmpty ? "empty body" : "malformed JSON at \(error)")
    }

    /// An authenticated GET on the device-management host, with every resilience rule applied.
    func get<T>(path: String, query: [(String, String)], call: String, decode: ([UInt8]) throws(BodyError) -> T) async throws -> T {
        let url = configuration.endpoints.deviceManagementURL(path) + formQuery(query)
        var budget = RetryBudget(policy: configuration.retry)
        var reauthenticated = false
        var responseID: String?
        var pendingPolls = 0
        for _ in 0..<10_000 {
            let token = try await accessToken()
            var headers: [(name: String, value: String)] = [
                ("Authorization", "Bearer \(token.revealed)"), ("Accept", "application/json"),
                ("3rd-integration", configuration.integrationName),
            ]
            if let responseID { headers.append(("response-id", responseID)) }
            let request = HTTPClientRequest(method: "GET", url: url, headers: headers, timeout: configuration.requestTimeout)

            let transient: (cause: RetryCause, detail: String, serverWait: Double?)
            switch try await exchange(request, call: call) {
            case .failure(let error):
                transient = (error.cause, error.detail, nil)
            case .success(let response):
                switch response.status {
                case 200:
                    do {
                        return try decode(response.body)
                    } catch {
                        transient = (.malformedBody, error.description, nil)
                    }
                case 202:
                    guard let id = response.header("response-id"), !id.isEmpty else {
                        transient = (.pendingResponse, "HTTP 202 without a response-id header", nil)
                        break
                    }
                    pendingPolls += 1
                    guard pendingPolls <= configuration.pendingPollLimit else {
                        throw ESETClientError(
                            kind: .pendingTooLong, call: call,
                            message: "the answer was still being prepared (HTTP 202) after \(configuration.pendingPollLimit) re-sends; try a smaller --page-size or later")
                    }
                    responseID = id
                    let wait = min(configuration.pendingPollMaxDelay, configuration.retry.initialDelay * pow(2, Double(min(pendingPolls - 1, 20))))
                    retries.record(.pendingResponse)
                    onNotice?(ESETClientNotice(call: call, cause: .pendingResponse, detail: "HTTP 202 (request cached)", wait: wait))
                    try await waitSeconds(wait)
                    continue
                case 401:
                    guard !reauthenticated else {
                        throw ESETClientError(
                            kind: .unauthorized, call: call,
                            message: "HTTP 401 again after renewing the token\(errorSummary(response.body)); check that user '\(configuration.username)' belongs to region \(configuration.endpoints.region.rawValue)")
                    }
                    reauthenticated = true
                    invalidateAccessToken()
                    retries.record(.unauthorized)
                    onNotice?(ESETClientNotice(call: call, cause: .unauthorized, detail: "HTTP 401", wait: 0))
                    continue
                case 403:
                    throw accessDenied(call: call, body: response.body)
                case 404 where responseID != nil:
                    // The cached answer expired (ESET keeps it 10 minutes): ask afresh.
                    responseID = nil
                    transient = (.pendingResponse, "HTTP 404 for the cached answer", nil)
                case 429:
                    let serverWait = response.header("Retry-After").flatMap {
                        RetryAfter.seconds($0, maximum: configuration.retry.maxRetryAfter)
                    }
                    transient = (.rateLimited, "HTTP 429", serverWait)
                case 500, 502, 503, 504:
                    transient = (.serverError, "HTTP \(response.status)", nil)
                default:
                    throw ESETClientError(
                        kind: .unexpectedStatus, call: call,
                        message: "HTTP \(response.status)\(errorSummary(response.body))")
                }
            }
            try await retryAfterTransient(&budget, call: call, cause: transient.cause, detail: transient.detail, serverWait: transient.serverWait)
        }
        throw ESETClientError(kind: .retriesExhausted, call: call, message: "gave up")
    }

    /// Waits before the next attempt, or throws when the retry budget is spent.
    private func retryAfterTransient(_ budget: inout RetryBudget, call: String, cause: RetryCause, detail: String, serverWait: Double?) async throws {
        guard let wait = budget.nextWait(serverWait: serverWait) else {
            let attempts = budget.retriesUsed + 1
            throw ESETClientError(
                kind: .retriesExhausted, call: call,
                message: "\(detail); gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(formatSeconds((budget.elapsed * 10).rounded() / 10)) (limits: --max-retries \(budget.policy.maxRetries), --max-retry-time \(formatSeconds(budget.policy.maxRetryTime)))")
        }
        retries.record(cause)
        onNotice?(ESETClientNotice(call: call, cause: cause, detail: detail, wait: wait))
        try await waitSeconds(wait)
    }

    private struct ExchangeFailure: Error {
        var cause: RetryCause
        var detail: String
    }

    /// Sends one request under the rate limit; transport failures come back as values.
    private func exchange(_ request: HTTPClientRequest, call: String) async throws -> Result<HTTPClientResponse, ExchangeFailure> {
        try await rateLimiter?.acquire()
        calls.add(1, ordering: .relaxed)
        do {
            return .success(try await transport.send(request))
        } catch let error as TransportError {
            switch error {
            case .timedOut: return .failure(ExchangeFailure(cause: .timeout, detail: error.description))
            case .truncatedBody: return .failure(ExchangeFailure(cause: .malformedBody, detail: error.description))
            case .connectionFailed: return .failure(ExchangeFailure(cause: .connectionFailure, detail: error.description))
            case .invalidURL: throw ESETClientError(kind: .invalidRequest, call: call, message: error.description)
            }
        }
    }

    // MARK: Authentication

    /// A valid access token, obtaining or renewing one first when needed.
    func accessToken() async throws -> Secret {
        let now = ContinuousClock.now
        let current = tokens.withLock { $0 }
        if let current, now < current.renewAt { return current.access }
        if let refresh = current?.refresh {
            do {
                return try await grant(.refresh(refresh))
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as ESETClientError where error.kind == .accessDenied {
                throw error
            } catch {
                // Long-running collectors see refresh grants start failing after days: fall
                // back to the password, which is what the refresh token stood in for.
                retries.record(.refreshFallback)
                onNotice?(ESETClientNotice(call: "POST /oauth/token (refresh)", cause: .refreshFallback, detail: "\(error)", wait: 0))
            }
        }
        return try await grant(.password)
    }

    /// Forces the next call to renew the token (after a 401).
    func invalidateAccessToken() {
        tokens.withLock { $0?.renewAt = .now }
    }

    /// Obtains a token with the password grant now (normally done lazily by the first call), so
    /// that credential problems surface before anything else happens.
    public func authenticate() async throws {
        _ = try await grant(.password)
    }

    private enum Grant {
        case password
        case refresh(Secret)
        var name: String {
            switch self {
            case .password: return "password"
            case .refresh: return "refresh_token"
            }
        }
    }

    private func grant(_ grant: Grant) async throws -> Secret {
        let call = "POST /oauth/token (\(grant.name) grant)"
        var form: [(String, String)] = [("grant_type", grant.name)]
        switch grant {
        case .password:
            form += [("username", configuration.username), ("password", configuration.password.revealed)]
        case .refresh(let token):
            form.append(("refresh_token", token.revealed))
        }
        let request = HTTPClientRequest(
            method: "POST", url: configuration.endpoints.tokenURL,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("3rd-integration", configuration.integrationName),
            ],
            body: Array(formEncode(form).utf8), timeout: configuration.requestTimeout)
        var budget = RetryBudget(policy: configuration.retry)
        for _ in 0..<10_000 {
            let transient: (cause: RetryCause, detail: String, serverWait: Double?)
            switch try await exchange(request, call: call) {
            case .failure(let error):
                transient = (error.cause, error.detail, nil)
            case .success(let response):
                switch response.status {
                case 200:
                    do {
                        let state = try parseToken(response.body)
                        tokens.withLock { $0 = state }
                        return state.access
                    } catch {
                        transient = (.malformedBody, error.description, nil)
                    }
                case 400, 401:
                    if case .refresh = grant {
                        throw ESETClientError(kind: .unauthorized, call: call, message: "refresh token refused (HTTP \(response.status)\(errorSummary(response.body)))")
                    }
                    let region = configuration.endpoints.region.rawValue
                    throw ESETClientError(
                        kind: .badCredentials, call: call,
                        message: "ESET refused the username or password (HTTP \(response.status)\(errorSummary(response.body))). Check --username '\(configuration.username)' and the password (ESET_PASSWORD or --password-file), and that this API user was created in region '\(region)': a user only exists in its own region.")
                case 403:
                    throw accessDenied(call: call, body: response.body)
                case 429:
                    let serverWait = response.header("Retry-After").flatMap {
                        RetryAfter.seconds($0, maximum: configuration.retry.maxRetryAfter)
                    }
                    transient = (.rateLimited, "HTTP 429", serverWait)
                case 500, 502, 503, 504:
                    transient = (.serverError, "HTTP \(response.status)", nil)
                default:
                    throw ESETClientError(kind: .unexpectedStatus, call: call, message: "HTTP \(response.status)\(errorSummary(response.body))")
                }
            }
            try await retryAfterTransient(&budget, call: call, cause: transient.cause, detail: transient.detail, serverWait: transient.serverWait)
        }
        throw ESETClientError(kind: .retriesExhausted, call: call, message: "gave up")
    }

    private func parseToken(_ body: [UInt8]) throws(BodyError) -> TokenState {
        let json = try Self.parseJSON(body)
        guard let access = json["access_token"].presentString else {
            throw BodyError(description: "token answer without an access_token")
        }
        // ESET documents `expires_in` (values like 1799 are seen). Without it, assume a short
        // life: renewing early costs one call, using an expired token costs a 401 and a retry.
        let lifetime = Double(eset64(json["expires_in"]) ?? 300)
        let margin = min(60, lifetime * 0.1)
        let renewAt = ContinuousClock.now + .seconds(max(0, lifetime - margin))
        return TokenState(access: Secret(access), refresh: json["refresh_token"].presentString.map(Secret.init), renewAt: renewAt)
    }

    private func accessDenied(call: String, body: [UInt8]) -> ESETClientError {
        ESETClientError(
            kind: .accessDenied, call: call,
            message: "ESET denied access (HTTP 403\(errorSummary(body))). The API user '\(configuration.username)' needs the \"Integrations\" permission, and must have logged in once to ESET PROTECT Hub (or ESET Business Account) to activate the account. Grant the permission, log in once with this user, then run again.")
    }

    /// `: code: message` from an error body, shortened and with secrets removed; empty when the
    /// body says nothing useful. ESET documents no error schema, so several shapes are tried.
    func errorSummary(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        var parts: [String] = []
        if let json = try? JSONParser.parse(body), case .object(let object) = json {
            for key in ["error", "code", "error_description", "message"] {
                switch object[key] {
                case .string(let text)? where !text.isEmpty: parts.append(text)
                case .int(let number)?: parts.append(String(number))
                default: break
                }
            }
        }
        if parts.isEmpty {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            guard text.contains(where: { $0.isLetter }) else { return "" }
            parts.append(text.replacingOccurrences(of: "\n", with: " "))
        }
        var summary = parts.joined(separator: ": ")
        if summary.count > 200 { summary = String(summary.prefix(200)) + "…" }
        var secrets = [configuration.password.revealed]
        if let state = tokens.withLock({ $0 }) {
            secrets.append(state.access.revealed)
            if let refresh = state.refresh { secrets.append(refresh.revealed) }
        }
        return ": " + redacting(summary, secrets: secrets)
    }
}
