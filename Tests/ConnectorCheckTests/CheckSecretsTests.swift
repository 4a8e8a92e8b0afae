@testable import ConnectorCLI
import ConnectorCheck
import ESET
import HTTPClient
import Foundation
import XCTest

/// A hostile server that quotes back what it was sent, in several encodings, in every answer.
final class EchoingTransport: HTTPTransport {
    let status: Int
    let secrets: [String]

    init(status: Int, secrets: [String]) {
        self.status = status
        self.secrets = secrets
    }

    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var echoes = [String(decoding: request.body, as: UTF8.self)]
        echoes += request.headers.map { "\($0.name): \($0.value)" }
        for secret in secrets {
            echoes += [secret, Data(secret.utf8).base64EncodedString(), percentEncode(secret), percentEncode(secret).lowercased(),
                       secret.replacingOccurrences(of: "/", with: "\\/")]
        }
        let quoted = echoes.joined(separator: " | ").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let body = "{\"error\": \"invalid_grant\", \"error_description\": \"you sent: \(quoted)\", \"message\": \"\(quoted)\"}"
        return HTTPClientResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }
}

/// Every form of a secret a server could echo is scrubbed before anything is printed.
final class CheckSecretsTests: XCTestCase {
    let password = "p@ss word/with+odd\"chars"
    let apiKey = "sekoia key/+=="

    func configuration(probe: Bool) -> CheckConfiguration {
        CheckConfiguration(
            region: .eu, username: "api@example.com", password: Secret(password), esetURL: "http://127.0.0.1:9",
            sekoia: SekoiaCheckTarget(baseURL: "http://127.0.0.1:9/sekoia", connectorUUID: "u-1", apiKey: Secret(apiKey)),
            probeRegions: probe, retryDelay: 0)
    }

    func forms(of secret: String) -> [String] {
        [secret, Data(secret.utf8).base64EncodedString(), percentEncode(secret), percentEncode(secret).lowercased(),
         formEncode([("password", secret)]), secret.replacingOccurrences(of: "/", with: "\\/"),
         secret.replacingOccurrences(of: "\"", with: "\\\"")]
    }

    func testEchoedSecretsNeverReachTheOutput() async {
        for status in [400, 401, 403, 500] {
            for probe in [false, true] {
                let configuration = configuration(probe: probe)
                let transport = EchoingTransport(status: status, secrets: [password, apiKey])
                let report = await ConnectionCheck(configuration: configuration, transport: transport).run()
                XCTAssertFalse(report.passed)
                let output = CheckCommand.text(report, configuration: configuration).joined(separator: "\n")
                    + CheckCommand.json(report, configuration: configuration)
                XCTAssertTrue(output.contains("<redacted>"), "the echo is shown, scrubbed: \(output)")
                for secret in [password, apiKey] {
                    for form in forms(of: secret) {
                        XCTAssertFalse(output.contains(form), "HTTP \(status), probe \(probe): \(form) leaked in \(output)")
                    }
                }
            }
        }
    }
}
