import ConnectorCheck
import ESET

/// The words of `check`: a headline per step, and on failure the likely causes and the fix, in
/// the setup guide's own terms. Every text here is listed in the README ("Before your first
/// collect"); a test keeps the two in step.
struct CheckMessage: Sendable, Equatable {
    /// `✓ …`, `✗ …` or `– …`.
    var headline: String
    var causes: [String] = []
    var fix: String?

    var lines: [String] {
        [headline] + causes.map { "    cause: " + $0 } + (fix.map { ["    fix: " + $0] } ?? [])
    }
}

enum CheckMessages {
    static func mark(_ status: CheckStatus) -> String {
        switch status {
        case .passed: return "✓"
        case .failed: return "✗"
        case .skipped: return "–"
        }
    }

    /// What the step proves, as its line starts.
    static func title(_ step: CheckStep) -> String {
        switch step.id {
        case .esetReachable: return "ESET token endpoint reachable (\(step.string("host") ?? "?"))"
        case .esetCredentials: return "credentials accepted in region \(step.string("region") ?? "?")"
        case .esetDeviceGroups: return "device groups readable"
        case .esetDevices: return "devices readable"
        case .sekoiaAPIKey: return "Sekoia.io reachable and API key accepted (\(step.string("host") ?? "?"))"
        case .sekoiaConnector: return "asset connector \(step.string("connectorUUID") ?? "?") known to Sekoia.io"
        }
    }

    static func message(_ step: CheckStep, configuration: CheckConfiguration) -> CheckMessage {
        let head = mark(step.status) + " " + title(step)
        switch step.status {
        case .skipped:
            return CheckMessage(headline: head + ": skipped (an earlier step failed)")
        case .passed:
            return CheckMessage(headline: head + passedSuffix(step, configuration: configuration))
        case .failed:
            var message = failure(step, configuration: configuration)
            message.headline = head + ": " + message.headline
            return message
        }
    }

    static func passedSuffix(_ step: CheckStep, configuration: CheckConfiguration) -> String {
        switch step.id {
        case .esetReachable, .sekoiaAPIKey: return ""
        case .esetCredentials: return " (user \(step.string("username") ?? "?"))"
        case .esetDeviceGroups:
            let count = step.int("groupCount") ?? 0
            let groups = count == 1 ? "1 group" : "\(count) groups"
            return step.bool("groupCountIsLowerBound") == true ? ": at least \(groups)" : ": \(groups)"
        case .esetDevices:
            return step.bool("devicesExist") == true
                ? ": the tenant has devices"
                : ": no devices yet (collect will have nothing to send)"
        case .sekoiaConnector: return ": an empty batch was accepted (nothing was delivered)"
        }
    }

    /// `HTTP 400 invalid_grant: invalid username or password`.
    static func answer(_ step: CheckStep) -> String {
        var text = "HTTP \(step.int("httpStatus") ?? 0)"
        if let error = step.string("oauthError") { text += " " + error }
        if let message = step.string("serverMessage") { text += ": " + message }
        return text
    }

    static func isSekoia(_ step: CheckStep) -> Bool { step.id == .sekoiaAPIKey || step.id == .sekoiaConnector }

    static func failure(_ step: CheckStep, configuration: CheckConfiguration) -> CheckMessage {
        let region = configuration.region.rawValue
        let service = isSekoia(step) ? "Sekoia.io" : "ESET"
        switch step.diagnosis ?? .unexpectedAnswer {
        case .unreachable:
            return unreachable(step, configuration: configuration)

        case .invalidGrant:
            var outcomes = ""
            var probed = false
            if case .pairs(let pairs)? = step[fact: "probedRegions"] {
                probed = true
                outcomes = pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
            }
            let mistakes = "ESET gives this same answer (invalid_grant) to several setup mistakes: a wrong password; an API user whose first login to ESET PROTECT Hub was never completed; "
            var causes: [String]
            var fix = "check the password (ESET_PASSWORD or --password-file); accept the invitation and log in once to ESET PROTECT Hub with this API user; use a dedicated API user with the Integrations toggle on, not the Superuser or Root account"
            if probed {
                causes = [
                    mistakes + "or a Superuser or Root account, which cannot be given API access.",
                    "not the region: no other region accepted these credentials (\(outcomes)).",
                ]
            } else {
                causes = [mistakes + "a Superuser or Root account, which cannot be given API access; or an account that belongs to another region than \(region)."]
                fix += "; to find the account's region, run again with --probe-regions (it sends the password to ESET's token endpoints of the other regions)"
            }
            return CheckMessage(headline: answer(step), causes: causes, fix: fix + ".")

        case .accountInOtherRegion:
            let accepted = step.strings("acceptedInRegions") ?? []
            let list = accepted.joined(separator: ", ")
            return CheckMessage(
                headline: answer(step) + "; accepted in region \(list)",
                causes: ["the API user belongs to region \(list): an ESET account exists only in its own region."],
                fix: "run with --region \(accepted.first ?? "?").")

        case .integrationsPermissionMissing:
            let cause = step.id == .esetCredentials
                ? "ESET refused to issue a token to this API user (HTTP 403): it is not allowed to use the API."
                : "ESET issued a token but denied the data (HTTP 403): the API user lacks the Integrations permission (ESET also documents this 403 for some API users created in ESET PROTECT Hub)."
            return CheckMessage(
                headline: answer(step),
                causes: [cause],
                fix: "as a Superuser, edit this user (ESET PROTECT Hub: Users; ESET Business Account: User management), enable the toggle next to Integrations under Permissions (Access Rights), and check that its ESET PROTECT permission sets can read computers and groups; then run check again.")

        case .rateLimited:
            if isSekoia(step) {
                return CheckMessage(
                    headline: answer(step),
                    causes: ["Sekoia.io answered HTTP 429 (too many requests) to the call and to its one retry."],
                    fix: "wait a minute and run check again.")
            }
            return CheckMessage(
                headline: answer(step),
                causes: ["ESET answered HTTP 429 (too many requests) to the call and to its one retry: ESET allows 10 calls per second per API user, account and source address, so another client probably uses this API user from here (a running collect, another integration)."],
                fix: "wait a minute and run check again; give each integration its own API user.")

        case .serverError:
            return CheckMessage(
                headline: answer(step),
                causes: ["\(service) answered HTTP \(step.int("httpStatus") ?? 0) to the call and to its one retry: the service is failing or under maintenance."],
                fix: "try again later.")

        case .tokenRefused:
            return CheckMessage(
                headline: answer(step),
                causes: ["the device-management API refused the token just issued (HTTP 401): the token and data hosts disagree about the account."],
                fix: "check --region (and --eset-url, if given), then run check again.")

        case .apiKeyRefused:
            return CheckMessage(
                headline: answer(step),
                causes: ["Sekoia.io refused the API key: it is wrong, expired or revoked, or it belongs to another Sekoia.io region than --sekoia-url."],
                fix: "create an API key in Sekoia.io (Settings > Workspace > API Keys), pass it in SEKOIA_API_KEY or --sekoia-api-key-file, and use your region's API URL as --sekoia-url (e.g. https://api.sekoia.io).")

        case .apiKeyLacksPermission:
            return CheckMessage(
                headline: answer(step),
                causes: ["Sekoia.io accepted the API key but refused a push to this asset connector (HTTP 403): the key lacks the permission to push assets."],
                fix: "give the key the asset management permissions (Settings > Workspace > API Keys), or create a key that has them.")

        case .connectorUnknown:
            return CheckMessage(
                headline: answer(step),
                causes: ["Sekoia.io knows no asset connector \(step.string("connectorUUID") ?? "?") in the API key's workspace."],
                fix: "copy the UUID from the asset connector's page in Sekoia.io into --connector-uuid, and use an API key of the same workspace.")

        case .unexpectedAnswer:
            let flags = isSekoia(step) ? "--sekoia-url" : "--region and --eset-url"
            return CheckMessage(
                headline: answer(step),
                causes: ["\(service) gave an answer this check does not expect."],
                fix: "check \(flags) and run check again.")
        }
    }

    static func unreachable(_ step: CheckStep, configuration: CheckConfiguration) -> CheckMessage {
        // The address actually dialled: the ESET or Sekoia.io host, or --eset-url's.
        var host = step.string("address") ?? step.string("host") ?? "?"
        if !isSekoia(step), configuration.esetURL != nil { host += " (--eset-url)" }
        var causes: [String]
        var fix: String
        switch step.string("failure") ?? "other" {
        case "dns":
            causes = ["the name \(host) does not resolve (DNS)."]
            fix = "check this machine's DNS resolver, and that outbound DNS is allowed."
        case "refused":
            causes = ["no connection to \(host): refused, or blocked by a firewall."]
            fix = "allow outbound HTTPS from this machine to \(host)."
        case "tls":
            causes = ["the TLS handshake with \(host) failed: a proxy or firewall inspecting TLS may present its own certificate."]
            fix = "trust the inspecting proxy's CA on this machine, or exempt \(host) from TLS inspection."
        case "redirect":
            causes = ["\(host) answered with a redirect, which check never follows (no credential may reach another origin): a proxy or captive portal in the way, or a wrong URL."]
            fix = "check the network path to \(host) and the URL options, then run check again."
        case "timeout":
            causes = ["\(host) did not answer within \(seconds(configuration.requestTimeout))."]
            fix = "check the network path (firewall, proxy) to \(host); --timeout sets the limit."
        default:
            causes = ["the exchange with \(host) failed."]
            fix = "check the network path (firewall, proxy) to \(host), then run check again."
        }
        if let proxies = step.strings("proxyVariables"), !proxies.isEmpty {
            causes.append("a proxy is configured (\(proxies.joined(separator: ", "))): it may be unreachable, or refuse \(host).")
            fix += " Check the proxy, or exempt \(host) with NO_PROXY."
        }
        return CheckMessage(headline: step.string("detail") ?? "no answer", causes: causes, fix: fix)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    static func summary(_ report: CheckReport) -> String {
        if report.passed { return "check passed: ready for 'eset-connector collect'." }
        let failed = report.steps.filter { $0.status == .failed }.count
        return "check failed: \(failed) of \(report.steps.count) steps failed."
    }
}
