import ESET
import HTTPClient
import Foundation
import JSON

/// The Sekoia.io side of a check: where the connector would push, and with which key.
package struct SekoiaCheckTarget: Sendable {
    /// API base without a trailing slash, e.g. `https://api.sekoia.io`.
    package var baseURL: String
    package var connectorUUID: String
    package var apiKey: Secret

    package init(baseURL: String, connectorUUID: String, apiKey: Secret) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.connectorUUID = connectorUUID
        self.apiKey = apiKey
    }

    /// The least intrusive call Sekoia.io offers to prove a key: it reads the key's own identity.
    package var validateURL: String { baseURL + "/api/v1/apiauth/auth/validate" }
    /// The push endpoint `collect` uses; `check` posts an empty batch to it.
    package var connectorURL: String { baseURL + "/api/v2/asset-management/asset-connector/" + connectorUUID }
}

/// What `check` is asked to prove.
package struct CheckConfiguration: Sendable {
    package var region: ESETRegion
    package var username: String
    package var password: Secret
    /// `URL/HOST/path` instead of `https://HOST/path` (a mock); applies to probed regions too.
    package var esetURL: String?
    package var sekoia: SekoiaCheckTarget?
    /// After `invalid_grant`, ask the four other regions' token endpoints (this sends the
    /// password to them, hence opt-in).
    package var probeRegions: Bool
    /// Seconds one HTTP exchange may take.
    package var requestTimeout: Double
    /// Wait before the single retry of a 429/5xx when the server names no `Retry-After`.
    package var retryDelay: Double
    /// The longest `Retry-After` honoured before the single retry; a check must answer in seconds.
    package var maxRetryAfter: Double
    /// Names of the proxy variables set in the environment (their values may hold credentials
    /// and are never reported).
    package var proxyVariables: [String]
    /// Sent as `3rd-integration`, as on every call of `collect`.
    package var integrationName: String

    package init(region: ESETRegion, username: String, password: Secret, esetURL: String? = nil, sekoia: SekoiaCheckTarget? = nil,
                probeRegions: Bool = false, requestTimeout: Double = 30, retryDelay: Double = 1, maxRetryAfter: Double = 5,
                proxyVariables: [String] = [], integrationName: String = "Sekoia.io") {
        self.region = region
        self.username = username
        self.password = password
        self.esetURL = esetURL
        self.sekoia = sekoia
        self.probeRegions = probeRegions
        self.requestTimeout = requestTimeout
        self.retryDelay = retryDelay
        self.maxRetryAfter = maxRetryAfter
        self.proxyVariables = proxyVariables
        self.integrationName = integrationName
    }

    /// The proxy variables libcurl (under URLSession on Linux) honours, among `environment`'s names.
    package static func proxyVariables(in environment: [String: String]) -> [String] {
        ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
            .filter { environment[$0].map { !$0.isEmpty } ?? false }
    }
}

/// Runs the least intrusive calls that prove a configuration, step by step, and reports facts.
///
/// Bounded in time: each call has `requestTimeout`, and only 429/5xx get one retry.
package struct ConnectionCheck: Sendable {
    package let configuration: CheckConfiguration
    private let transport: any HTTPTransport

    package init(configuration: CheckConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    /// Pages read at most to count device groups after the first (1000 groups per page): a
    /// check stays a few calls; a larger tenant's count is reported as a lower bound.
    package static let groupPageLimit = 10

    package func run() async -> CheckReport {
        var scrubber = SecretScrubber([configuration.password.revealed] + (configuration.sekoia.map { [$0.apiKey.revealed] } ?? []))
        var steps = await esetSteps(&scrubber)
        steps += await sekoiaSteps(scrubber)
        return CheckReport(region: configuration.region.rawValue, username: configuration.username, steps: steps)
    }

    // MARK: ESET

    private func esetSteps(_ scrubber: inout SecretScrubber) async -> [CheckStep] {
        let region = configuration.region
        let endpoints = ESETEndpoints(region: region, overrideBase: configuration.esetURL)
        var reach = CheckStep(id: .esetReachable, status: .passed, facts: [("host", .string(region.tokenHost))])
        var credentials = CheckStep(id: .esetCredentials, status: .passed,
                                    facts: [("region", .string(region.rawValue)), ("username", .string(configuration.username))])
        var groups = CheckStep(id: .esetDeviceGroups, status: .skipped, facts: [("path", .string("/v1/device_groups?pageSize=1"))])
        var devices = CheckStep(id: .esetDevices, status: .skipped, facts: [("path", .string("/v1/devices?pageSize=1"))])

        let outcome = await call(tokenRequest(endpoints))
        let token: Secret
        switch outcome {
        case .failed(let failure, _):
            reach.status = .failed
            reach.diagnosis = .unreachable
            record(failure, in: &reach, scrubber)
            credentials.status = .skipped
            return [reach, credentials, groups, devices]
        case .answered(let response, let attempts):
            reach.add("httpStatus", .int(response.status))
            credentials.add("httpStatus", .int(response.status))
            if attempts > 1 { credentials.add("attempts", .int(attempts)) }
            switch response.status {
            case 200:
                guard let access = Self.accessToken(response.body) else {
                    credentials.status = .failed
                    credentials.diagnosis = .unexpectedAnswer
                    credentials.add("serverMessage", .string("a 200 answer without an access_token"))
                    return [reach, credentials, groups, devices]
                }
                token = access
                scrubber.add(access.revealed)
            default:
                credentials.status = .failed
                addServerMessage(response, to: &credentials, scrubber)
                switch response.status {
                case 400, 401:
                    credentials.diagnosis = .invalidGrant
                    if configuration.probeRegions {
                        let accepted = await probe(&credentials, scrubber)
                        if !accepted.isEmpty { credentials.diagnosis = .accountInOtherRegion }
                    }
                case 403: credentials.diagnosis = .integrationsPermissionMissing
                case 429: credentials.diagnosis = .rateLimited
                case 500...599: credentials.diagnosis = .serverError
                default: credentials.diagnosis = .unexpectedAnswer
                }
                return [reach, credentials, groups, devices]
            }
        }

        groups = await groupsStep(endpoints, token: token, scrubber)
        if groups.status == .passed {
            devices = await devicesStep(endpoints, token: token, scrubber)
        }
        return [reach, credentials, groups, devices]
    }

    private func tokenRequest(_ endpoints: ESETEndpoints) -> HTTPClientRequest {
        let form = formEncode([
            ("grant_type", "password"), ("username", configuration.username), ("password", configuration.password.revealed),
        ])
        return HTTPClientRequest(
            method: "POST", url: endpoints.tokenURL,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
                ("3rd-integration", configuration.integrationName),
            ],
            body: Array(form.utf8), timeout: configuration.requestTimeout)
    }

    /// Asks every other region's token endpoint, all at once (so the probe costs one timeout at
    /// most); returns the regions that issued a token, in ESET's region order.
    private func probe(_ step: inout CheckStep, _ scrubber: SecretScrubber) async -> [String] {
        let others = ESETRegion.allCases.filter { $0 != configuration.region }
        let answers = await withTaskGroup(of: (ESETRegion, String).self) { group -> [ESETRegion: String] in
            for other in others {
                group.addTask {
                    let endpoints = ESETEndpoints(region: other, overrideBase: configuration.esetURL)
                    switch await call(tokenRequest(endpoints)) {
                    case .failed(let failure, _):
                        return (other, "unreachable: " + scrubber.scrub(failure.detail))
                    case .answered(let response, _):
                        if response.status == 200, Self.accessToken(response.body) != nil { return (other, "accepted") }
                        if response.status == 400 || response.status == 401 { return (other, "refused") }
                        return (other, "HTTP \(response.status)")
                    }
                }
            }
            var answers: [ESETRegion: String] = [:]
            for await (region, outcome) in group { answers[region] = outcome }
            return answers
        }
        let outcomes = others.map { ($0.rawValue, answers[$0] ?? "not asked") }
        let accepted = outcomes.filter { $0.1 == "accepted" }.map(\.0)
        step.add("probedRegions", .pairs(outcomes))
        step.add("acceptedInRegions", .strings(accepted))
        return accepted
    }

    private func dataRequest(_ endpoints: ESETEndpoints, path: String, token: Secret) -> HTTPClientRequest {
        HTTPClientRequest(
            method: "GET", url: endpoints.deviceManagementURL(path),
            headers: [
                ("Authorization", "Bearer \(token.revealed)"), ("Accept", "application/json"),
                ("3rd-integration", configuration.integrationName),
            ],
            timeout: configuration.requestTimeout)
    }

    private func groupsStep(_ endpoints: ESETEndpoints, token: Secret, _ scrubber: SecretScrubber) async -> CheckStep {
        var step = CheckStep(id: .esetDeviceGroups, status: .passed, facts: [("path", .string("/v1/device_groups?pageSize=1"))])
        guard let first = await dataCall(endpoints, path: "/v1/device_groups?pageSize=1", token: token, into: &step, scrubber) else {
            return step
        }
        guard let page = Self.listPage(first, key: "deviceGroups") else {
            step.status = .failed
            step.diagnosis = .unexpectedAnswer
            step.add("serverMessage", .string("not a device group page"))
            return step
        }
        var count = page.count
        var complete = page.next == nil
        if !complete {
            // Counted with large pages; a count that does not finish is reported as a lower bound.
            count = 0
            var pageToken: String?
            for _ in 0..<Self.groupPageLimit {
                var path = "/v1/device_groups?pageSize=1000"
                if let pageToken { path += "&pageToken=" + percentEncode(pageToken) }
                var scratch = CheckStep(id: .esetDeviceGroups, status: .passed)
                guard let body = await dataCall(endpoints, path: path, token: token, into: &scratch, scrubber),
                      let more = Self.listPage(body, key: "deviceGroups") else { break }
                count += more.count
                guard let next = more.next, next != pageToken else {
                    complete = true
                    break
                }
                pageToken = next
            }
            count = max(count, page.count)
        }
        step.add("groupCount", .int(count))
        if !complete { step.add("groupCountIsLowerBound", .bool(true)) }
        return step
    }

    private func devicesStep(_ endpoints: ESETEndpoints, token: Secret, _ scrubber: SecretScrubber) async -> CheckStep {
        var step = CheckStep(id: .esetDevices, status: .passed, facts: [("path", .string("/v1/devices?pageSize=1"))])
        guard let body = await dataCall(endpoints, path: "/v1/devices?pageSize=1", token: token, into: &step, scrubber) else {
            return step
        }
        guard let page = Self.listPage(body, key: "devices") else {
            step.status = .failed
            step.diagnosis = .unexpectedAnswer
            step.add("serverMessage", .string("not a device page"))
            return step
        }
        step.add("devicesExist", .bool(page.count > 0))
        return step
    }

    /// One data call; on anything but 200 the step is marked failed with its diagnosis.
    private func dataCall(_ endpoints: ESETEndpoints, path: String, token: Secret, into step: inout CheckStep,
                          _ scrubber: SecretScrubber) async -> [UInt8]? {
        switch await call(dataRequest(endpoints, path: path, token: token)) {
        case .failed(let failure, _):
            step.status = .failed
            step.diagnosis = .unreachable
            step.add("host", .string(configuration.region.deviceManagementHost))
            record(failure, in: &step, scrubber)
            return nil
        case .answered(let response, let attempts):
            step.add("httpStatus", .int(response.status))
            if attempts > 1 { step.add("attempts", .int(attempts)) }
            if response.status == 200 { return response.body }
            step.status = .failed
            addServerMessage(response, to: &step, scrubber)
            switch response.status {
            case 401: step.diagnosis = .tokenRefused
            case 403: step.diagnosis = .integrationsPermissionMissing
            case 429: step.diagnosis = .rateLimited
            case 500...599: step.diagnosis = .serverError
            default: step.diagnosis = .unexpectedAnswer
            }
            return nil
        }
    }

    // MARK: Sekoia.io

    private func sekoiaSteps(_ scrubber: SecretScrubber) async -> [CheckStep] {
        guard let sekoia = configuration.sekoia else { return [] }
        let host = URL(string: sekoia.baseURL)?.host ?? sekoia.baseURL
        var key = CheckStep(id: .sekoiaAPIKey, status: .passed,
                            facts: [("host", .string(host)), ("path", .string("/api/v1/apiauth/auth/validate"))])
        var connector = CheckStep(id: .sekoiaConnector, status: .skipped,
                                  facts: [("connectorUUID", .string(sekoia.connectorUUID)), ("itemsSent", .int(0))])
        let headers: [(name: String, value: String)] = [("Authorization", "Bearer \(sekoia.apiKey.revealed)"), ("Accept", "application/json")]

        switch await call(HTTPClientRequest(method: "GET", url: sekoia.validateURL, headers: headers, timeout: configuration.requestTimeout)) {
        case .failed(let failure, _):
            key.status = .failed
            key.diagnosis = .unreachable
            record(failure, in: &key, scrubber)
            return [key, connector]
        case .answered(let response, let attempts):
            key.add("httpStatus", .int(response.status))
            if attempts > 1 { key.add("attempts", .int(attempts)) }
            // Sekoia.io's own integrations test the body as well as the status: a refusal may
            // come as `{"message": "The token is invalid", "code": "T300"}` whatever the status.
            if response.status == 200, Self.isInvalidTokenAnswer(response.body) {
                key.status = .failed
                key.diagnosis = .apiKeyRefused
                addServerMessage(response, to: &key, scrubber)
                return [key, connector]
            }
            guard response.status == 200 else {
                key.status = .failed
                addServerMessage(response, to: &key, scrubber)
                switch response.status {
                case 401, 403: key.diagnosis = .apiKeyRefused
                case 429: key.diagnosis = .rateLimited
                case 500...599: key.diagnosis = .serverError
                default: key.diagnosis = .unexpectedAnswer
                }
                return [key, connector]
            }
        }

        connector.status = .passed
        let empty = HTTPClientRequest(
            method: "POST", url: sekoia.connectorURL, headers: headers + [("Content-Type", "application/json")],
            body: Array("{\"version\":1,\"items\":[]}".utf8), timeout: configuration.requestTimeout)
        switch await call(empty) {
        case .failed(let failure, _):
            connector.status = .failed
            connector.diagnosis = .unreachable
            connector.add("host", .string(host))
            record(failure, in: &connector, scrubber)
        case .answered(let response, let attempts):
            connector.add("httpStatus", .int(response.status))
            if attempts > 1 { connector.add("attempts", .int(attempts)) }
            if !(200...299).contains(response.status) {
                connector.status = .failed
                addServerMessage(response, to: &connector, scrubber)
                switch response.status {
                case 404: connector.diagnosis = .connectorUnknown
                case 401: connector.diagnosis = .apiKeyRefused
                case 403: connector.diagnosis = .apiKeyLacksPermission
                case 429: connector.diagnosis = .rateLimited
                case 500...599: connector.diagnosis = .serverError
                default: connector.diagnosis = .unexpectedAnswer
                }
            }
        }
        return [key, connector]
    }

    // MARK: Calls

    enum CallOutcome {
        case answered(HTTPClientResponse, attempts: Int)
        case failed(TransportFailure, attempts: Int)
    }

    /// Why no HTTP answer came, classified for the diagnosis.
    struct TransportFailure {
        /// `dns`, `refused`, `tls`, `timeout`, `connection`, `truncated`, `invalid-url` or `other`.
        var kind: String
        var detail: String
        /// `host[:port]` actually dialled: the ESET host, or `--eset-url`'s.
        var address = ""
    }

    /// Sends `request`; 429 and 5xx get exactly one retry (after `Retry-After`, capped, or
    /// `retryDelay`), a 202 "request cached" one re-send with its `response-id`. Nothing else is retried.
    private func call(_ request: HTTPClientRequest) async -> CallOutcome {
        var request = request
        var attempt = 1
        while true {
            let response: HTTPClientResponse
            do {
                response = try await transport.send(request)
            } catch {
                var failure: TransportFailure
                switch error {
                case let transportError as TransportError: failure = Self.classify(transportError)
                case is CancellationError: failure = TransportFailure(kind: "other", detail: "cancelled")
                default: failure = TransportFailure(kind: "other", detail: String(describing: type(of: error)))
                }
                if let url = URL(string: request.url), let host = url.host {
                    failure.address = url.port.map { "\(host):\($0)" } ?? host
                }
                return .failed(failure, attempts: attempt)
            }
            let retriable = response.status == 429 || (500...599).contains(response.status)
                || (response.status == 202 && response.header("response-id") != nil)
            guard retriable, attempt == 1 else { return .answered(response, attempts: attempt) }
            attempt += 1
            var wait = configuration.retryDelay
            if let header = response.header("Retry-After"), let seconds = RetryAfter.seconds(header, maximum: configuration.maxRetryAfter) {
                wait = seconds
            }
            if response.status == 202, let id = response.header("response-id") {
                request.headers.removeAll { $0.name.lowercased() == "response-id" }
                request.headers.append(("response-id", id))
            }
            do {
                try await Task.sleep(nanoseconds: UInt64(max(0, min(wait, configuration.maxRetryAfter)) * 1_000_000_000))
            } catch {
                return .answered(response, attempts: attempt - 1)
            }
        }
    }

    static func classify(_ error: TransportError) -> TransportFailure {
        switch error {
        case .timedOut: return TransportFailure(kind: "timeout", detail: error.description)
        case .truncatedBody: return TransportFailure(kind: "truncated", detail: error.description)
        case .invalidURL: return TransportFailure(kind: "invalid-url", detail: error.description)
        case .redirected: return TransportFailure(kind: "redirect", detail: error.description)
        case .responseTooLarge: return TransportFailure(kind: "too-large", detail: error.description)
        case .unrequestedEncoding: return TransportFailure(kind: "encoding", detail: error.description)
        case .connectionFailed(let reason):
            let lowered = reason.lowercased()
            let kind: String
            if lowered.contains("resolve") || lowered.contains("dns") {
                kind = "dns"
            } else if lowered.contains("tls") || lowered.contains("certificate") || lowered.contains("ssl") {
                kind = "tls"
            } else if lowered.contains("cannot connect") || lowered.contains("refused") {
                kind = "refused"
            } else {
                kind = "connection"
            }
            return TransportFailure(kind: kind, detail: error.description)
        }
    }

    private func record(_ failure: TransportFailure, in step: inout CheckStep, _ scrubber: SecretScrubber) {
        step.add("failure", .string(failure.kind))
        if !failure.address.isEmpty { step.add("address", .string(failure.address)) }
        step.add("detail", .string(scrubber.scrub(failure.detail)))
        if !configuration.proxyVariables.isEmpty { step.add("proxyVariables", .strings(configuration.proxyVariables)) }
    }

    /// `error`/`error_description`/`code`/`message` of an error body (several shapes are
    /// seen), shortened and scrubbed; nothing when the body says nothing readable.
    private func addServerMessage(_ response: HTTPClientResponse, to step: inout CheckStep, _ scrubber: SecretScrubber) {
        let body = response.body.prefix(64 * 1024)
        guard !body.isEmpty else { return }
        if let json = try? JSONParser.parse(Array(body)), case .object(let object) = json {
            if case .string(let error)? = object["error"], !error.isEmpty { step.add("oauthError", .string(scrubber.scrub(Self.short(error)))) }
            var parts: [String] = []
            for key in ["error_description", "message"] {
                if case .string(let text)? = object[key], !text.isEmpty { parts.append(text) }
            }
            if !parts.isEmpty { step.add("serverMessage", .string(scrubber.scrub(Self.short(parts.joined(separator: ": "))))) }
            if case .string(let code)? = object["code"], !code.isEmpty { step.add("serverCode", .string(scrubber.scrub(Self.short(code)))) }
            if case .int(let code)? = object["code"] { step.add("serverCode", .string(String(code))) }
            return
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        guard text.contains(where: { $0.isLetter }) else { return }
        step.add("serverMessage", .string(scrubber.scrub(Self.short(text))))
    }

    static func short(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(String.init).joined()
        return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
    }

    static func isInvalidTokenAnswer(_ body: [UInt8]) -> Bool {
        guard let json = try? JSONParser.parse(body), case .string(let message)? = json["message"] else { return false }
        return message == "The token is invalid" || json["code"] == .string("T300")
    }

    static func accessToken(_ body: [UInt8]) -> Secret? {
        guard let json = try? JSONParser.parse(body), case .string(let access)? = json["access_token"], !access.isEmpty else {
            return nil
        }
        return Secret(access)
    }

    /// The item count and next page token of an ESET list page; nil when it is not one.
    static func listPage(_ body: [UInt8], key: String) -> (count: Int, next: String?)? {
        guard let json = try? JSONParser.parse(body), case .object(let object) = json else { return nil }
        let count: Int
        switch object[key] {
        case .array(let items)?: count = items.count
        case nil, .null?: count = 0
        default: return nil
        }
        var next: String?
        if case .string(let token)? = object["nextPageToken"], !token.isEmpty { next = token }
        return (count, next)
    }
}
