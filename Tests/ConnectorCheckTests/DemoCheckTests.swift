import ConnectorCLI
import ConnectorDemo
import XCTest

/// `eset-connector demo --check`: a newcomer sees a good check, and a failing one with --scenario.
final class DemoCheckTests: XCTestCase {
    func run(_ arguments: [String]) async -> (Int32, String) {
        let stdout = TextStream.memory()
        let stderr = TextStream.memory()
        let status = await runESETConnector(arguments, context: CLIContext(environment: [:], standardOutput: stdout, standardError: stderr))
        return (status, stdout.text + stderr.text)
    }

    func testDemoCheckShowsEveryStepPassing() async {
        let (status, output) = await run(["demo", "--check"])
        XCTAssertEqual(status, 0, output)
        let marks = output.split(separator: "\n").filter { $0.hasPrefix("✓ ") || $0.hasPrefix("✗ ") || $0.hasPrefix("– ") }
        XCTAssertEqual(marks.count, 6, output)
        XCTAssertTrue(marks.allSatisfy { $0.hasPrefix("✓ ") }, output)
        XCTAssertTrue(output.contains("check passed: ready for 'eset-connector collect'."), output)
        XCTAssertFalse(output.contains("demo-password") || output.contains("sekoia-demo-key"), "no secret is printed")
    }

    func testDemoCheckWithAScenarioShowsTheDiagnosis() async {
        let (status, output) = await run(["demo", "--check", "--scenario", "missing-permission"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("✗ device groups readable: HTTP 403"), output)
        XCTAssertTrue(output.contains("    fix: as a Superuser, edit this user"), output)
    }

    func testTheDemoPointsAtCheck() async {
        let (status, output) = await run(["demo", "--events", "0"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("'eset-connector demo --check' shows it."), output)
    }
}
