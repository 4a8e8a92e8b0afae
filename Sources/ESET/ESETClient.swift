import Foundation
import HTTPClient
import JSON
import Synchronization

/// Everything the ESET client needs to know; defaults follow ESET's documentation.
package struct ESETClientConfiguration: Sendable {
    package var endpoints: ESETEndpoints
    package var username: String
    package var password: Secret
    /// Sent as the `3rd-integration` header on every call, as ESET asks integrations to do.
    package var integrationName: String
    /// Seconds one HTTP exchange may take.
    package var requestTimeout: Double
    /// Bounds for 429, 5xx, connection failures, timeouts and malformed bodies.
    package var retry: RetryPolicy
    /// Client-side limit; nil turns it off (mocks, benchmarks). ESET allows 10 calls/s.
    package var callsPerSecond: Double?
    /// Devices or groups per page: 1…1000 (ESET coerces larger values to 1000).
    package var pageSize: Int
    /// How many times one call may be re-sent with a `response-id` after 202 "request cached".
    package var pendingPollLimit: Int
    /// The longest wait between two such re-sends, in seconds.
    package var pendingPollMaxDelay: Double
    /// The largest answer accepted from a list call, in bytes (after decompression); nil uses
    /// `defaultMaxResponseBytes(pageSize:)`. Token answers are bounded to 1 MiB regardless.
    package var maxResponseBytes: Int?

    /// 1 MiB plus 32 KiB per asked device: a real ESET device is 1–4 KiB of JSON, so a page of
    /// 1000 gets 33 MiB, and a server answering with far more than was asked stops there.
    package static func defaultMaxResponseBytes(pageSize: Int) -> Int { (1 << 20) + pageSize * 32 * 1024 }

    /// The limit list calls use.
    package var effectiveMaxResponseBytes: Int { maxResponseBytes ?? Self.defaultMaxResponseBytes(pageSize: pageSize) }

    package init(
        endpoints: ESETEndpoints, username: String, password: Secret, integrationName: String = "Sekoia.io",
        requestTimeout: Double = 30, retry: RetryPolicy = RetryPolicy(), callsPerSecond: Double? = 10, pageSize: Int = 1000,
        pendingPollLimit: Int = 30, pendingPollMaxDelay: Double = 5, maxResponseBytes: Int? = nil
    ) {
        self.maxResponseBytes = maxResponseBytes.map { max(1, $0) }
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

/// Where paging stands in one list (`/v1/devices` or `/v1/device_groups`).
package struct ESETListCursor: Sendable {
    /// Pages fetched so far; the page about to be fetched is `pagesFetched + 1`.
    package private(set) var pagesFetched = 0
    /// True once a page without a next page token arrived.
    package private(set) var isFinished = false
    fileprivate var nextToken: String?
    /// Every token handed out so far: one page per token, so this stays small.
    fileprivate var seenTokens: Set<String> = []

    package init() {}

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
package final class ESETClient: Sendable {
    package let configuration: ESETClientConfiguration
    /// Retries of this client's calls, by cause.
    package let retries: RetryCounter
    private let transport: any HTTPTransport
    private let rateLimiter: RateLimiter?
    private let onNotice: (@Sendable (RetryNotice) -> Void)?
    private let tokens = Mutex<TokenState?>(nil)

    private struct TokenState: Sendable {
        var access: Secret
        var refresh: Secret?
        /// When to renew: `expires_in` minus a safety margin after the token arrived.
        var renewAt: ContinuousClock.Instant
    }

    package init(
        configuration: ESETClientConfiguration, transport: any HTTPTransport, retries: RetryCounter = RetryCounter(),
        onNotice: (@Sendable (RetryNotice) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retries = retries
        self.onNotice = onNotice
        rateLimiter = configuration.callsPerSecond.map { RateLimiter(callsPerSecond: $0) }
    }

    // MARK: Lists

    /// The next page of `GET /v1/devices`, or nil when the list has ended.
    package func nextDevicePage(_ cursor: inout ESETListCursor) async throws -> DevicePage? {
        let pageSize = configuration.pageSize
        // Decoded in place from the body's bytes (the same page and errors as parsing it first,
        // several times faster): device pages are the bulk of a collection.
        return try await nextPage(path: "/v1/devices", cursor: &cursor, nextToken: \.nextPageToken) { body, number throws(BodyError) in
            let page: DevicePage
            do throws(DevicePageError) {
                page = try DevicePage.decode(bytes: body, page: number)
            } catch {
                switch error {
                case .malformedJSON(let syntax): throw Self.malformedBody(body, syntax)
                case .notAPage(let shape): throw BodyError(description: shape.reason)
                }
            }
            if page.rawCount > pageSize {
                throw BodyError(description: Self.oversizedPage(count: page.rawCount, asked: pageSize, what: "devices"), isProtocolViolation: true)
            }
            return page
        }
    }

    /// The next page of `GET /v1/device_groups`, or nil when the list has ended.
    package func nextDeviceGroupPage(_ cursor: inout ESETListCursor) async throws -> DeviceGroupPage? {
        let pageSize = configuration.pageSize
        return try await nextPage(path: "/v1/device_groups", cursor: &cursor, nextToken: \.nextPageToken) { body, number throws(BodyError) in
            let json = try Self.parseJSON(body)
            let count = (json.arrayValue ?? json["deviceGroups"]?.arrayValue)?.count ?? 0
            if count > pageSize {
                throw BodyError(description: Self.oversizedPage(count: count, asked: pageSize, what: "device groups"), isProtocolViolation: true)
            }
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
        path: String, cursor: inout ESETListCursor, nextToken: KeyPath<Page, String?>,
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

    private func pageQuery(_ cursor: ESETListCursor) -> [(String, String)] {
        var query = [("pageSize", String(configuration.pageSize))]
        if let token = cursor.nextToken { query.append(("pageToken", token)) }
        return query
    }

    // MARK: Calls

    /// A body that is not what the call expects; the call is retried like a transient failure,
    /// unless it breaks the protocol (retrying would only fetch the same violation again).
    struct BodyError: Error, CustomStringConvertible {
        var description: String
        var isProtocolViolation = false
    }

    static func oversizedPage(count: Int, asked: Int, what: String) -> String {
        "protocol violation: the page holds \(count) \(what), but pageSize=\(asked) was asked; refusing the page rather than trusting a server that ignores the page size"
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

    /// Sends the request `makeRequest` builds (afresh each attempt, so a renewed token is used)
    /// through HTTPClient's retry loop, under this client's rate limit, policy and notices; the
    /// one path of data calls and token grants alike.
    private func send<Value>(
        call: String, makeRequest: () async throws -> HTTPClientRequest,
        interpret: (HTTPClientResponse, _ attempt: Int) async throws -> AnswerVerdict<Value>
    ) async throws -> Value {
        do {
            return try await withRetries(policy: configuration.retry) { _ in
                let request = try await makeRequest()
                try await rateLimiter?.acquire()
                return try await transport.send(request)
            } interpret: { response, attempt in
                try await interpret(response, attempt)
            } willRetry: { cause, detail, wait in
                retries.record(cause)
                onNotice?(RetryNotice(call: call, cause: cause, detail: detail, wait: wait))
            }
        } catch let exhausted as RetriesExhausted {
            throw ESETClientError(
                kind: .retriesExhausted, call: call, status: exhausted.status, attempt: exhausted.attempts, cause: exhausted.cause,
                elapsed: exhausted.elapsed, policy: exhausted.policy, message: exhausted.summary)
        } catch let error as TransportError {
            switch error {
            case .redirected(let status, _):
                throw ESETClientError(kind: .redirected, call: call, status: status, message: error.description)
            case .responseTooLarge, .unrequestedEncoding:
                throw ESETClientError(kind: .responseTooLarge, call: call, status: 200, message: error.description)
            default:
                throw ESETClientError(kind: .invalidRequest, call: call, message: error.description)
            }
        }
    }

    /// A 3xx answer from a transport that returned it (URLSessionTransport throws first): refused.
    private func redirected(_ response: HTTPClientResponse, call: String, attempt: Int) -> ESETClientError {
        let host = response.header("Location").flatMap { URL(string: $0)?.host }
        return ESETClientError(
            kind: .redirected, call: call, status: response.status, attempt: attempt,
            message: TransportError.redirected(status: response.status, locationHost: host).description)
    }

    /// An authenticated GET on the device-management host, with every resilience rule applied.
    func get<T>(path: String, query: [(String, String)], call: String, decode: ([UInt8]) throws(BodyError) -> T) async throws -> T {
        let url = configuration.endpoints.deviceManagementURL(path) + formQuery(query)
        var reauthenticated = false
        var responseID: String?
        var pendingPolls = 0
        return try await send(call: call) {
            let token = try await accessToken()
            var headers: [(name: String, value: String)] = [
                ("Authorization", "Bearer \(token.revealed)"), ("Accept", "application/json"),
                ("3rd-integration", configuration.integrationName),
            ]
            if let responseID { headers.append(("response-id", responseID)) }
            return HTTPClientRequest(
                method: "GET", url: url, headers: headers, timeout: configuration.requestTimeout,
                maxResponseBytes: configuration.effectiveMaxResponseBytes)
        } interpret: { response, attempt -> AnswerVerdict<T> in
            switch response.status {
            case 200:
                do throws(BodyError) {
                    return .done(try decode(response.body))
                } catch {
                    if error.isProtocolViolation {
                        throw ESETClientError(kind: .protocolViolation, call: call, status: 200, attempt: attempt, message: error.description)
                    }
                    return .retry(.malformedBody, detail: error.description)
                }
            case 202:
                guard let id = response.header("response-id"), !id.isEmpty else {
                    return .retry(.pendingResponse, detail: "HTTP 202 without a response-id header")
                }
                pendingPolls += 1
                guard pendingPolls <= configuration.pendingPollLimit else {
                    throw ESETClientError(
                        kind: .pendingTooLong, call: call, status: 202, attempt: attempt,
                        message: "the answer was still being prepared (HTTP 202) after \(configuration.pendingPollLimit) re-sends")
                }
                responseID = id
                let wait = min(configuration.pendingPollMaxDelay, configuration.retry.initialDelay * pow(2, Double(min(pendingPolls - 1, 20))))
                retries.record(.pendingResponse)
                onNotice?(RetryNotice(call: call, cause: .pendingResponse, detail: "HTTP 202 (request cached)", wait: wait))
                try await waitSeconds(wait)
                return .resend
            case 401:
                guard !reauthenticated else {
                    throw ESETClientError(
                        kind: .unauthorized, call: call, status: 401, attempt: attempt,
                        message: "HTTP 401 again after renewing the token\(errorSummary(response.body)); check that user '\(configuration.username)' belongs to region \(configuration.endpoints.region.rawValue)")
                }
                reauthenticated = true
                invalidateAccessToken()
                retries.record(.unauthorized)
                onNotice?(RetryNotice(call: call, cause: .unauthorized, detail: "HTTP 401", wait: 0))
                return .resend
            case 403:
                throw accessDenied(call: call, body: response.body, attempt: attempt)
            case 404 where responseID != nil:
                // The cached answer expired (ESET keeps it 10 minutes): ask afresh.
                responseID = nil
                return .retry(.pendingResponse, detail: "HTTP 404 for the cached answer")
            case 300...399:
                throw redirected(response, call: call, attempt: attempt)
            default:
                throw ESETClientError(
                    kind: .unexpectedStatus, call: call, status: response.status, attempt: attempt,
                    message: "HTTP \(response.status)\(errorSummary(response.body))")
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
                onNotice?(RetryNotice(call: "POST /oauth/token (refresh)", cause: .refreshFallback, detail: "\(error)", wait: 0))
            }
        }
        return try await grant(.password)
    }

    /// Forces the next call to renew the token (after a 401).
    func invalidateAccessToken() {
        tokens.withLock { $0?.renewAt = .now }
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

    /// Runs a grant; a failure that is not about the credentials themselves is reported as what
    /// it is, an authentication failure (not as a failure of whatever call needed the token).
    private func grant(_ grant: Grant) async throws -> Secret {
        do {
            return try await grantOnce(grant)
        } catch var error as ESETClientError where [.retriesExhausted, .unexpectedStatus, .pendingTooLong].contains(error.kind) {
            error.kind = .tokenUnavailable
            error.message = "authentication failed, no access token obtained: \(error.message)"
            throw error
        }
    }

    private func grantOnce(_ grant: Grant) async throws -> Secret {
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
        return try await send(call: call) {
            request
        } interpret: { response, attempt -> AnswerVerdict<Secret> in
            switch response.status {
            case 200:
                do throws(BodyError) {
                    let state = try parseToken(response.body)
                    tokens.withLock { $0 = state }
                    return .done(state.access)
                } catch {
                    return .retry(.malformedBody, detail: error.description)
                }
            case 400, 401:
                if case .refresh = grant {
                    throw ESETClientError(
                        kind: .unauthorized, call: call, status: response.status, attempt: attempt,
                        message: "refresh token refused (HTTP \(response.status)\(tokenErrorCode(response.body)))")
                }
                throw ESETClientError(
                    kind: .badCredentials, call: call, status: response.status, attempt: attempt,
                    message: "ESET refused the username or password (HTTP \(response.status)\(tokenErrorCode(response.body))) of user '\(configuration.username)' in region '\(configuration.endpoints.region.rawValue)'; an API user only exists in the region it was created in")
            case 403:
                throw accessDenied(call: call, body: response.body, attempt: attempt)
            case 300...399:
                throw redirected(response, call: call, attempt: attempt)
            default:
                throw ESETClientError(
                    kind: .unexpectedStatus, call: call, status: response.status, attempt: attempt,
                    message: "HTTP \(response.status)\(tokenErrorCode(response.body))")
            }
        }
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

    private func accessDenied(call: String, body: [UInt8], attempt: Int) -> ESETClientError {
        ESETClientError(
            kind: .accessDenied, call: call, status: 403, attempt: attempt,
            message: "ESET denied access (HTTP 403\(errorSummary(body))). The API user '\(configuration.username)' needs the \"Integrations\" permission, and must have logged in once to ESET PROTECT Hub (or ESET Business Account) to activate the account. Grant the permission, log in once with this user, then run again.")
    }

    /// The characters of an OAuth error code (RFC 6749 allows more, but every real code uses these).
    private let oauthCodeBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// `: invalid_grant` from a token endpoint's error body: only the OAuth `error` code, and only
    /// when it looks like one. Nothing else of that body is ever shown, because a token endpoint
    /// may echo the form it was sent, password included, in any encoding.
    func tokenErrorCode(_ body: [UInt8]) -> String {
        guard body.count <= 64 * 1024, case .object(let object)? = try? JSONParser.parse(body),
            case .string(let code)? = object["error"], (1...64).contains(code.utf8.count),
            code.utf8.allSatisfy({ oauthCodeBytes.contains($0) })
        else { return "" }
        let scrubbed = redacting(code, secrets: [configuration.password.revealed])
        return scrubbed == code ? ": \(code)" : ""
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
