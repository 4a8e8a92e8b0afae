import Foundation
import JSON
import XCTest

/// `eset-connector demo`, the README's first command: fast, friendly, and truthful.
final class DemoTests: XCTestCase {
    func testTheDemoRunsAFullCycleAndShowsIt() async throws {
        let started = Date()
        let run = await runConnector(["demo"], environment: [:])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        let out = run.stdout
        XCTAssertTrue(out.contains("/eu.business-account.iam.eset.systems/oauth/token"), out)
        XCTAssertTrue(out.contains("/eu.device-management.eset.systems/v1/devices"), out)
        XCTAssertTrue(out.contains("/sekoia/api/v2/asset-management/asset-connector/"), out)
        XCTAssertTrue(out.contains("summary: succeeded"), out)
        XCTAssertTrue(out.contains("batch 1: 100 events accepted, task "), out)
        // The summary's counts agree with what the mock received.
        let mapped = out.split(separator: "\n").first { $0.hasPrefix("  mapped: ") }.flatMap { Int($0.dropFirst(10)) }
        XCTAssertNotNil(mapped)
        XCTAssertTrue(out.contains("Sekoia.io received \(mapped ?? -1) events"), out)
        // Two pretty events, each a valid OCSF 5001 event.
        let jsonStart = try XCTUnwrap(out.range(of: "\n{\n"))
        let jsonEnd = try XCTUnwrap(out.range(of: "\n}\n", range: jsonStart.upperBound..<out.endIndex))
        let event = try JSONParser.parse(String(out[jsonStart.lowerBound..<jsonEnd.upperBound]))
        XCTAssertEqual(event["class_uid"], 5001)
        XCTAssertEqual(event["metadata"]?["product"]?["name"], "ESET EDR")
        XCTAssertFalse(out.contains("demo-password"), "even the mock's password is not printed")
    }

    func testTheDemoShowsAFailureScenarioHonestly() async throws {
        let run = await runConnector(["demo", "--scenario", "missing-permission", "--region", "ca", "--events", "0"], environment: [:])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("/ca.device-management.eset.systems/v1/devices"), run.stdout)
        XCTAssertTrue(run.stdout.contains("ESET denied access (HTTP 403"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Sekoia.io received 0 events"), run.stdout)
    }

    func testTheDemoRecoversFromServerErrors() async throws {
        let run = await runConnector(["demo", "--scenario", "server-errors", "--profile", "ocsf-strict", "--events", "1"], environment: [:])
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertTrue(run.stdout.contains("retries (ESET): server error (5xx) 4"), run.stdout)
        XCTAssertTrue(run.stdout.contains("profile ocsf-strict"), run.stdout)
    }

    func testUnknownScenarioListsTheAvailableOnes() async throws {
        let run = await runConnector(["demo", "--scenario", "nope"], environment: [:])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("'--scenario'") && run.stderr.contains("sekoia-429") && run.stderr.contains("token-expiry"), run.stderr)
    }

    func testPrettyPrintingKeepsNumbersAndStringsExact() {
        let pretty = prettyJSONForTest(#"{"a":[1,2.50,{}],"b":"x,{\"y\":[]}","c":[],"d":{"e":-0.0000012}}"#)
        XCTAssertEqual(pretty, """
            {
              "a": [
                1,
                2.50,
                {}
              ],
              "b": "x,{\\"y\\":[]}",
              "c": [],
              "d": {
                "e": -0.0000012
              }
            }
            """)
    }
}

@testable import ConnectorDemo

func prettyJSONForTest(_ text: String) -> String { prettyJSON(Array(text.utf8)) }
