import ESETMock
import Foundation
import XCTest

/// Passwords and API keys never reach stdout, stderr or the mock's journal, whatever fails.
final class SecretsTests: XCTestCase {
    let password = "Pa55-word-that-must-never-show"
    let apiKey = "api-key-that-must-never-show"

    func assertNoSecret(_ run: ConnectorRun, _ mock: MockServer, file: StaticString = #filePath, line: UInt = #line) {
        for secret in [password, apiKey] {
            XCTAssertFalse(run.stdout.contains(secret), "stdout leaked a secret", file: file, line: line)
            XCTAssertFalse(run.stderr.contains(secret), "stderr leaked a secret: \(run.stderr)", file: file, line: line)
            for entry in mock.server.journal {
                XCTAssertFalse("\(entry)".contains(secret), "the journal holds a secret", file: file, line: line)
            }
        }
    }

    func mock(scenarios: [String] = []) throws -> MockServer {
        try MockServer(fleet: TestFleet(devices: 60), scenarios: scenarios) { configuration in
            configuration.accounts = [MockAccount(username: "demo@example.com", password: self.password)]
            configuration.sekoiaAPIKey = self.apiKey
        }
    }

    var environment: [String: String] { ["ESET_PASSWORD": password, "SEKOIA_API_KEY": apiKey] }

    func testFailingRunsNeverPrintSecrets() async throws {
        for scenario in ["bad-credentials", "missing-permission", "server-errors-persistent", "sekoia-task-failed", "repeated-page-token"] {
            let mock = try mock(scenarios: [scenario])
            let run = await runConnector(mock.collectArguments(extra: ["--verbose", "--max-retries", "1"]), environment: environment)
            XCTAssertEqual(run.status, 1, "\(scenario): \(run.stderr)")
            assertNoSecret(run, mock)
        }
    }

    func testAWrongPasswordIsNotEchoed() async throws {
        let mock = try mock()
        let wrong = "wrong-password-never-shown"
        let run = await runConnector(mock.collectArguments(extra: ["--verbose"]), environment: ["ESET_PASSWORD": wrong, "SEKOIA_API_KEY": apiKey])
        XCTAssertEqual(run.status, 1)
        XCTAssertFalse(run.stderr.contains(wrong), run.stderr)
        assertNoSecret(run, mock)
    }

    func testASuccessfulVerboseRunNeverPrintsSecrets() async throws {
        let mock = try mock(scenarios: ["token-expiry", "sekoia-5xx"])
        let run = await runConnector(mock.collectArguments(extra: ["--verbose", "--page-size", "20"]), environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        assertNoSecret(run, mock)
    }

    func testAServerEchoingTheSecretIsScrubbed() async throws {
        // A misbehaving server that quotes the password back in its error body.
        let mock = try MockServer(fleet: TestFleet(devices: 5)) { configuration in
            configuration.accounts = [MockAccount(username: "demo@example.com", password: self.password)]
        }
        var rule = MockRule(route: .token, status: 400)
        rule.body = .oauth
        rule.message = "bad password \(password)"
        mock.server.setScenarios([MockScenario(name: "echo", description: "echoes the password", rules: [rule])])
        let run = await runConnector(mock.collectArguments(sekoia: false), environment: environment)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("ESET refused the username or password"), run.stderr)
        XCTAssertFalse(run.stderr.contains("bad password"), "a token endpoint's body is never printed: \(run.stderr)")
        XCTAssertFalse(run.stderr.contains(password))
    }
}
