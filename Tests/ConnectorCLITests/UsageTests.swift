import XCTest

/// Mistakes on the command line: status 64 and a message naming the flag; no network used.
final class UsageTests: XCTestCase {
    let base = ["collect", "--region", "eu", "--username", "api@example.com", "--eset-url", "http://127.0.0.1:9"]
    let environment = ["ESET_PASSWORD": "secret-password-x"]

    func assertUsage(_ arguments: [String], environment: [String: String]? = nil, mentions expected: [String], file: StaticString = #filePath, line: UInt = #line) async {
        let run = await runConnector(arguments, environment: environment ?? self.environment)
        XCTAssertEqual(run.status, 64, run.stderr, file: file, line: line)
        for text in expected {
            XCTAssertTrue(run.stderr.contains(text), "'\(text)' in: \(run.stderr)", file: file, line: line)
        }
        XCTAssertTrue(run.stderr.contains("--help"), "points at the help", file: file, line: line)
        XCTAssertTrue(run.stdout.isEmpty, file: file, line: line)
        XCTAssertFalse(run.stderr.contains("secret-password-x"), file: file, line: line)
    }

    func testUnknownRegionListsTheValidOnes() async {
        await assertUsage(["collect", "--region", "mars", "--username", "u"], mentions: ["'--region'", "invalid value 'mars'", "eu, de, us, ca, jpn"])
    }

    func testRequiredOptions() async {
        await assertUsage(["collect", "--username", "u"], mentions: ["'--region'"])
        await assertUsage(["collect", "--region", "eu"], mentions: ["'--username'"])
    }

    func testThePasswordIsNeverTakenFromArgv() async {
        await assertUsage(base + ["--password", "secret-password-x"], mentions: ["'--password' is refused", "ESET_PASSWORD", "--password-file"])
        await assertUsage(base + ["--sekoia-api-key", "k"], mentions: ["'--sekoia-api-key' is refused", "SEKOIA_API_KEY"])
        await assertUsage(base, environment: [:], mentions: ["ESET_PASSWORD", "--password-file"])
        await assertUsage(base + ["--password-file", "/nonexistent/password"], mentions: ["'--password-file'", "no such file"])
    }

    func testSekoiaOptionsGoTogether() async {
        await assertUsage(base + ["--sekoia-url", "http://127.0.0.1:9/sekoia"], mentions: ["'--sekoia-url' needs '--connector-uuid'"])
        await assertUsage(base + ["--connector-uuid", "abc"], mentions: ["'--connector-uuid' needs '--sekoia-url'"])
        await assertUsage(base + ["--batch-size", "10"], mentions: ["'--batch-size' needs '--sekoia-url'"])
        await assertUsage(base + ["--sekoia-url", "http://127.0.0.1:9/sekoia", "--connector-uuid", "abc"],
                          mentions: ["SEKOIA_API_KEY", "--sekoia-api-key-file"])
        await assertUsage(base + ["--sekoia-url", "ftp://x", "--connector-uuid", "abc"], environment: environment.merging(["SEKOIA_API_KEY": "k"]) { $1 },
                          mentions: ["'--sekoia-url'", "http:// or https://"])
    }

    func testNumbersAreChecked() async {
        await assertUsage(base + ["--page-size", "0"], mentions: ["'--page-size'", "between 1 and 1000"])
        await assertUsage(base + ["--page-size", "5000"], mentions: ["'--page-size'"])
        await assertUsage(base + ["--rate-limit", "fast"], mentions: ["'--rate-limit'"])
        await assertUsage(base + ["--rate-limit", "0"], mentions: ["'--rate-limit'"])
        await assertUsage(base + ["--timeout", "-1"], mentions: ["'--timeout'"])
        await assertUsage(base + ["--max-retries", "many"], mentions: ["'--max-retries'"])
        await assertUsage(base + ["--interval", "soon"], mentions: ["'--interval'"])
        await assertUsage(base + ["--cycles", "2"], mentions: ["'--cycles' needs '--interval'"])
    }

    func testOtherValuesAreChecked() async {
        await assertUsage(base + ["--profile", "strict"], mentions: ["'--profile'", "sekoia, ocsf-strict"])
        await assertUsage(["collect", "--region", "eu", "--username", "u", "--eset-url", "localhost:8080"], mentions: ["'--eset-url'"])
        await assertUsage(base + ["-o", "/nonexistent-dir/out.ndjson"], mentions: ["'--output'", "does not exist"])
        await assertUsage(base + ["-o", "x.ndjson", "--rejects", "x.ndjson"], mentions: ["'--output' and '--rejects'"])
        await assertUsage(base + ["--sekoia-url"], mentions: ["'--sekoia-url' needs a value"])
        await assertUsage(base + ["--ful"], mentions: ["unknown option '--ful'", "did you mean '--full'"])
    }

    func testHelpListsEveryFlag() async {
        let run = await runConnector(["collect", "--help"])
        XCTAssertEqual(run.status, 0)
        for flag in [
            "--region", "--username", "--password-file", "--eset-url", "--page-size", "--rate-limit", "--output", "--sekoia-url",
            "--connector-uuid", "--sekoia-api-key-file", "--batch-size", "--state-dir", "--full", "--interval", "--cycles",
            "--allow-missing-groups", "--rejects", "--profile", "--timeout", "--max-retries", "--max-retry-time", "--retry-delay",
            "--task-timeout", "--verbose",
        ] {
            XCTAssertTrue(run.stdout.contains(flag), flag)
        }
        XCTAssertTrue(run.stdout.contains("ESET_PASSWORD") && run.stdout.contains("SEKOIA_API_KEY"))
    }

    func testAnUnreachableServerIsAFailureNotAUsageError() async {
        // Port 9 (discard) is closed on the test machine: connection refused, retried, then failure.
        let run = await runConnector(base + ["--max-retries", "1", "--retry-delay", "0.01", "--rate-limit", "off"], environment: environment)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("POST /oauth/token (password grant): connection failed"), run.stderr)
        XCTAssertTrue(run.stderr.contains("gave up after 2 attempts"), run.stderr)
    }
}
