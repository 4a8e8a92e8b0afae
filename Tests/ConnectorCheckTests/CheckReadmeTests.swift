@testable import ConnectorCLI
import ConnectorCheck
import ESET
import HTTPClient
import Foundation
import XCTest

/// The README's "Before your first collect" lists every message `check` can print; these
/// examples render each diagnosis with the README's example values, and every line must be there.
final class CheckReadmeTests: XCTestCase {
    static let host = "eu.business-account.iam.eset.systems"
    static let uuid = "5b1e4c52-0000-4000-8000-000000000001"

    static func configuration(proxy: Bool = false) -> CheckConfiguration {
        CheckConfiguration(region: .eu, username: "api@example.com", password: Secret("x-password"),
                           proxyVariables: proxy ? ["HTTPS_PROXY"] : [])
    }

    static func step(_ id: CheckStepID, _ status: CheckStatus, _ diagnosis: CheckDiagnosis? = nil,
                     _ facts: [(String, CheckFactValue)] = []) -> CheckStep {
        var base: [(String, CheckFactValue)]
        switch id {
        case .esetReachable: base = [("host", .string(host))]
        case .esetCredentials: base = [("region", .string("eu")), ("username", .string("api@example.com"))]
        case .sekoiaAPIKey: base = [("host", .string("api.sekoia.io"))]
        case .sekoiaConnector: base = [("connectorUUID", .string(uuid)), ("host", .string("api.sekoia.io"))]
        default: base = []
        }
        return CheckStep(id: id, status: status, diagnosis: diagnosis, facts: (base + facts).map { (name: $0.0, value: $0.1) })
    }

    /// Every message, grouped as the README shows them.
    static func examples() -> [(title: String, steps: [CheckStep], proxy: Bool)] {
        let oauth: [(String, CheckFactValue)] = [("httpStatus", .int(400)), ("oauthError", .string("invalid_grant")),
                                                  ("serverMessage", .string("invalid username or password"))]
        let refused: [(String, String)] = [("de", "refused"), ("us", "refused"), ("ca", "refused"), ("jpn", "refused")]
        let accepted: [(String, String)] = [("de", "refused"), ("us", "accepted"), ("ca", "refused"), ("jpn", "refused")]
        func unreachable(_ kind: String, _ detail: String) -> CheckStep {
            step(.esetReachable, .failed, .unreachable, [("failure", .string(kind)), ("detail", .string(detail))])
        }
        return [
            ("every step passed", [
                step(.esetReachable, .passed), step(.esetCredentials, .passed),
                step(.esetDeviceGroups, .passed, nil, [("groupCount", .int(16))]),
                step(.esetDevices, .passed, nil, [("devicesExist", .bool(true))]),
                step(.sekoiaAPIKey, .passed), step(.sekoiaConnector, .passed),
            ], false),
            ("an empty tenant, more groups than one check counts, a step after a failed one", [
                step(.esetDevices, .passed, nil, [("devicesExist", .bool(false))]),
                step(.esetDeviceGroups, .passed, nil, [("groupCount", .int(10000)), ("groupCountIsLowerBound", .bool(true))]),
                step(.esetDeviceGroups, .skipped),
            ], false),
            ("ESET unreachable: DNS", [unreachable("dns", "connection failed: cannot resolve host")], false),
            ("ESET unreachable: connection refused or blocked", [unreachable("refused", "connection failed: cannot connect to host")], false),
            ("ESET unreachable: TLS (an inspecting proxy)", [unreachable("tls", "connection failed: TLS failure")], false),
            ("ESET unreachable: timeout (--timeout 30), with a proxy configured", [
                step(.esetReachable, .failed, .unreachable, [("failure", .string("timeout")), ("detail", .string("no complete answer within 30 s")),
                                                             ("proxyVariables", .strings(["HTTPS_PROXY"]))]),
            ], true),
            ("ESET unreachable: another network failure", [unreachable("connection", "connection failed: connection lost")], false),
            ("ESET answered with a redirect (never followed)", [
                unreachable("redirect", "HTTP 307 redirect to host 'login.example.net' refused: redirects are never followed, so no credential can reach another origin"),
            ], false),
            ("wrong password, first login never completed, Superuser/Root account, or another region", [
                step(.esetCredentials, .failed, .invalidGrant, oauth),
            ], false),
            ("the same, with --probe-regions: the region is ruled out", [
                step(.esetCredentials, .failed, .invalidGrant, oauth + [("probedRegions", .pairs(refused)), ("acceptedInRegions", .strings([]))]),
            ], false),
            ("account unknown in region eu, with --probe-regions", [
                step(.esetCredentials, .failed, .accountInOtherRegion,
                     oauth + [("probedRegions", .pairs(accepted)), ("acceptedInRegions", .strings(["us"]))]),
            ], false),
            ("Integrations permission missing (403 on the data; on the token call, the first line reads differently)", [
                step(.esetDeviceGroups, .failed, .integrationsPermissionMissing,
                     [("httpStatus", .int(403)), ("serverMessage", .string("permission denied"))]),
                step(.esetCredentials, .failed, .integrationsPermissionMissing, [("httpStatus", .int(403))]),
            ], false),
            ("rate limited (429 twice)", [step(.esetDeviceGroups, .failed, .rateLimited, [("httpStatus", .int(429))])], false),
            ("ESET failing (5xx twice)", [step(.esetDevices, .failed, .serverError, [("httpStatus", .int(503))])], false),
            ("the data host refuses the new token", [step(.esetDeviceGroups, .failed, .tokenRefused, [("httpStatus", .int(401))])], false),
            ("an answer nothing above explains", [step(.esetDevices, .failed, .unexpectedAnswer, [("httpStatus", .int(400))])], false),
            ("Sekoia.io key refused", [
                step(.sekoiaAPIKey, .failed, .apiKeyRefused, [("httpStatus", .int(401)), ("serverMessage", .string("The token is invalid"))]),
            ], false),
            ("Sekoia.io key without the permission to push", [
                step(.sekoiaConnector, .failed, .apiKeyLacksPermission, [("httpStatus", .int(403))]),
            ], false),
            ("connector UUID unknown", [step(.sekoiaConnector, .failed, .connectorUnknown, [("httpStatus", .int(404))])], false),
            ("Sekoia.io rate limited, failing, unexpected or unreachable", [
                step(.sekoiaAPIKey, .failed, .rateLimited, [("httpStatus", .int(429))]),
                step(.sekoiaAPIKey, .failed, .serverError, [("httpStatus", .int(502))]),
                step(.sekoiaAPIKey, .failed, .unexpectedAnswer, [("httpStatus", .int(404))]),
                step(.sekoiaAPIKey, .failed, .unreachable, [("failure", .string("dns")), ("detail", .string("connection failed: cannot resolve host"))]),
            ], false),
        ]
    }

    static func rendered() -> [(title: String, lines: [String])] {
        examples().map { example in
            let configuration = configuration(proxy: example.proxy)
            return (example.title, example.steps.flatMap { CheckMessages.message($0, configuration: configuration).lines })
        }
    }

    func testEveryDiagnosisHasAnExample() {
        let shown = Set(Self.examples().flatMap { $0.steps.compactMap(\.diagnosis) })
        XCTAssertEqual(shown, Set(CheckDiagnosis.allCases))
    }

    func testTheReadmeShowsEveryMessageExactly() throws {
        let readmeURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        if ProcessInfo.processInfo.environment["CHECK_PRINT_MESSAGES"] == "1" {
            for (title, lines) in Self.rendered() { print("# " + title + "\n" + lines.joined(separator: "\n")) }
        }
        guard let start = readme.range(of: "## Before your first collect") else { return XCTFail("README lacks 'Before your first collect'") }
        let section = String(readme[start.upperBound...])
        for (title, lines) in Self.rendered() {
            for line in lines {
                XCTAssertTrue(section.contains(line + "\n"), "README lacks (\(title)): \(line)")
            }
        }
        for summary in ["check passed: ready for 'eset-connector collect'.", "check failed: 1 of 6 steps failed."] {
            XCTAssertTrue(section.contains(summary), summary)
        }
    }
}
