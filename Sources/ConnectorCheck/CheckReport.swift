/// The steps of `eset-connector check`, in the order they run.
package enum CheckStepID: String, Sendable, CaseIterable {
    /// The region's token endpoint answers HTTP at all (DNS, TCP, TLS, proxy).
    case esetReachable = "eset-reachable"
    /// The password grant succeeds in the configured region.
    case esetCredentials = "eset-credentials"
    /// `GET /v1/device_groups?pageSize=1` answers 200 (the Integrations permission).
    case esetDeviceGroups = "eset-device-groups"
    /// `GET /v1/devices?pageSize=1` answers 200.
    case esetDevices = "eset-devices"
    /// Sekoia.io accepts the API key (`GET /api/v1/apiauth/auth/validate`).
    case sekoiaAPIKey = "sekoia-api-key"
    /// The asset connector exists (an empty batch: nothing is delivered).
    case sekoiaConnector = "sekoia-connector"
}

/// How a step ended.
package enum CheckStatus: String, Sendable {
    case passed
    case failed
    /// Not run, because a step it depends on failed.
    case skipped
}

/// Why a step failed, as far as the answers allow telling. The words (causes, fix) are the
/// command line's business; this is the fact.
package enum CheckDiagnosis: String, Sendable, CaseIterable {
    /// No HTTP answer: DNS, refused connection, TLS, proxy, timeout (see the `failure` fact).
    case unreachable
    /// The token endpoint refused the password grant (`invalid_grant` or another 400/401).
    /// ESET gives the same answer for a wrong password, an unfinished first login, a
    /// Superuser/Root account and an account of another region.
    case invalidGrant = "invalid-grant"
    /// Refused in the configured region, accepted in another one (`--probe-regions`).
    case accountInOtherRegion = "account-in-other-region"
    /// A token was issued, but the data calls answer 403.
    case integrationsPermissionMissing = "integrations-permission-missing"
    /// 429 on the first attempt and on the one retry.
    case rateLimited = "rate-limited"
    /// 5xx on the first attempt and on the one retry.
    case serverError = "server-error"
    /// The data API refused the token it had just been given (401).
    case tokenRefused = "token-refused"
    /// Sekoia.io refused the API key (401, or 403 on the validation call).
    case apiKeyRefused = "api-key-refused"
    /// The key is valid but may not push to the asset connector (403 on the push).
    case apiKeyLacksPermission = "api-key-lacks-permission"
    /// Sekoia.io knows no asset connector with this UUID (404 on the push).
    case connectorUnknown = "connector-unknown"
    /// An answer none of the above explains (status and server message in the facts).
    case unexpectedAnswer = "unexpected-answer"
}

/// One observed value: what was asked, what came back.
package enum CheckFactValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case strings([String])
    /// Name → value pairs, in order (e.g. the outcome per probed region).
    case pairs([(String, String)])

    package static func == (lhs: CheckFactValue, rhs: CheckFactValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.strings(let a), .strings(let b)): return a == b
        case (.pairs(let a), .pairs(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }
}

/// One step's outcome and everything observed on the way. Every string in it that came from a
/// server has been scrubbed of the run's secrets.
package struct CheckStep: Sendable {
    package var id: CheckStepID
    package var status: CheckStatus
    package var diagnosis: CheckDiagnosis?
    /// Named facts in the order they were learned, e.g. `host`, `httpStatus`, `groupCount`.
    package var facts: [(name: String, value: CheckFactValue)]

    package init(id: CheckStepID, status: CheckStatus, diagnosis: CheckDiagnosis? = nil,
                facts: [(name: String, value: CheckFactValue)] = []) {
        self.id = id
        self.status = status
        self.diagnosis = diagnosis
        self.facts = facts
    }

    package subscript(fact name: String) -> CheckFactValue? {
        facts.first { $0.name == name }?.value
    }

    package func string(_ name: String) -> String? {
        if case .string(let text)? = self[fact: name] { return text }
        return nil
    }

    package func int(_ name: String) -> Int? {
        if case .int(let number)? = self[fact: name] { return number }
        return nil
    }

    package func bool(_ name: String) -> Bool? {
        if case .bool(let flag)? = self[fact: name] { return flag }
        return nil
    }

    package func strings(_ name: String) -> [String]? {
        if case .strings(let list)? = self[fact: name] { return list }
        return nil
    }

    mutating func add(_ name: String, _ value: CheckFactValue) {
        facts.removeAll { $0.name == name }
        facts.append((name, value))
    }
}

/// Every step of one check, in order.
package struct CheckReport: Sendable {
    package var region: String
    package var username: String
    package var steps: [CheckStep]

    /// True when no step failed (skipped steps only follow failed ones).
    package var passed: Bool { !steps.contains { $0.status != .passed } }

    package func step(_ id: CheckStepID) -> CheckStep? { steps.first { $0.id == id } }
}
