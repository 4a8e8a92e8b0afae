@testable import ConnectorCLI
import ESETMock
import Foundation
import JSON
import XCTest

/// A mock ESET API + Sekoia.io intake serving the shipped MockData (accounts and scenarios
/// included), on a free loopback port.
final class CheckMock {
    let server: ESETMockServer
    static let apiKey = "sekoia-demo-key"
    static let connectorUUID = "11111111-2222-4333-8444-555555555555"

    init(scenarios: [String] = []) throws {
        var configuration = try ESETMockConfiguration.load()
        configuration.activeScenarios = scenarios
        configuration.sekoiaAPIKey = Self.apiKey
        configuration.rateLimitPerSecond = nil
        server = try ESETMockServer(configuration: configuration)
        try server.start()
    }

    deinit { server.stop(timeout: 1) }

    /// `check` pointed at this mock, with fast retries; `extra` is appended.
    func arguments(region: String = "eu", username: String = "demo@example.com", sekoia: Bool = true, extra: [String] = []) -> [String] {
        var arguments = ["check", "--region", region, "--username", username, "--eset-url", server.baseURL,
                         "--retry-delay", "0.01", "--timeout", "5"]
        if sekoia {
            arguments += ["--sekoia-url", server.sekoiaBaseURL, "--connector-uuid", Self.connectorUUID]
        }
        return arguments + extra
    }
}

/// What one in-process run of `eset-connector` produced.
struct CheckRun {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    func json() throws -> JSONValue { try JSONParser.parse(Array(stdout.utf8)) }
}

func runCheck(_ arguments: [String], password: String = "demo-password", apiKey: String = CheckMock.apiKey,
              environment extra: [String: String] = [:]) async -> CheckRun {
    let stdout = TextStream.memory()
    let stderr = TextStream.memory()
    var environment = ["ESET_PASSWORD": password, "SEKOIA_API_KEY": apiKey]
    environment.merge(extra) { _, new in new }
    let context = CLIContext(environment: environment, standardOutput: stdout, standardError: stderr)
    let status = await runConnectorCLI(arguments, context: context)
    return CheckRun(status: status, stdout: stdout.text, stderr: stderr.text)
}
