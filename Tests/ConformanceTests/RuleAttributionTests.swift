import Conformance
import Foundation
import JSON
import XCTest

/// The repository's Conformance/ directory.
let conformanceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Conformance").standardized

final class RuleAttributionTests: XCTestCase {
    private func catalog() throws -> RuleCatalog { try RuleCatalog.load(conformanceRoot.appendingPathComponent("rules.json")) }

    func testRuleListHasEveryRuleOfTheSpec() throws {
        let ids = try catalog().rules.map(\.id)
        let expected = (1...19).map { String(format: "M%02d", $0) } + (1...5).map { "G\($0)" } + (1...10).map { String(format: "S%02d", $0) }
        XCTAssertEqual(Set(ids), Set(expected))
        XCTAssertEqual(ids.count, expected.count)
    }

    func testEveryRuleHasACaseAndEveryCaseNamesKnownRules() throws {
        let cases = try CaseLoader.loadCases(under: conformanceRoot.appendingPathComponent("cases"))
        XCTAssertEqual(CaseLoader.coverageProblems(cases: cases, catalog: try catalog()), [])
    }

    func testCoverageCheckCatchesAnUncoveredRuleAndAnUnknownRule() throws {
        let cases = try CaseLoader.loadCases(under: conformanceRoot.appendingPathComponent("cases"))
        var withoutM10 = cases.filter { !$0.rules.contains("M10") }
        withoutM10[0].rules.append("M99")
        let problems = CaseLoader.coverageProblems(cases: withoutM10, catalog: try catalog())
        XCTAssertEqual(problems, ["case \(withoutM10[0].name) names unknown rule M99", "rule M10 has no case"])
    }

    func testEveryBranchOfM05M06AndM09HasItsOwnCase() throws {
        let names = try CaseLoader.loadCases(under: conformanceRoot.appendingPathComponent("cases")).map(\.name)
        let branches = [
            "M05-mobile", "M05-is-mobile-only-json-true", "M05-server", "M05-virtual", "M05-desktop-fallback",
            "M06-family-1-windows", "M06-family-2-macos", "M06-family-3-linux", "M06-family-4-android", "M06-family-5-ios",
            "M06-family-absent", "M06-family-other", "M06-os-omitted", "M06-os-empty-object",
            "M09-step1-primary-only", "M09-step2-enrich-primary", "M09-step2-all-profiles", "M09-step2-no-primary",
            "M09-step3-public-differs", "M09-step3-public-equal", "M09-step3-public-only", "M09-empty-omitted",
        ]
        for branch in branches {
            XCTAssertTrue(names.contains("mapping/\(branch)"), branch)
        }
    }

    func testOwnershipFollowsTheNearestOwnedAncestorAndStrictOverrides() throws {
        let rules = try catalog()
        XCTAssertEqual(rules.owners(of: "device.hostname", profile: "sekoia"), ["M02"])
        XCTAssertEqual(rules.owners(of: "device.network_interfaces[].hostname", profile: "sekoia"), ["M02"])
        XCTAssertEqual(rules.owners(of: "device.network_interfaces[].mac", profile: "sekoia"), ["M09"])
        XCTAssertEqual(rules.owners(of: "device.os.type", profile: "sekoia"), ["M06"])
        XCTAssertEqual(rules.owners(of: "device.os.type", profile: "ocsf-strict"), ["S03"])
        XCTAssertEqual(rules.owners(of: "device.os.type_id", profile: "ocsf-strict"), ["S04"])
        XCTAssertEqual(rules.owners(of: "time", profile: "sekoia"), ["M13"])
        XCTAssertEqual(rules.owners(of: "time", profile: "ocsf-strict"), ["S01"])
        XCTAssertEqual(rules.owners(of: "device.uid", profile: "ocsf-strict"), ["M01"])
        XCTAssertEqual(rules.owners(of: "metadata.product.vendor_name", profile: "sekoia"), ["M17"], "an extra attribute under metadata is M17's")
        XCTAssertEqual(rules.owners(of: "unheard_of", profile: "sekoia"), [])
    }

    /// Corrupting one attribute of one event fails exactly the rules that own it, no others.
    func testCorruptingOneAttributeFailsExactlyItsOwners() throws {
        let rules = try catalog()
        let testCase = try CaseLoader.load(conformanceRoot.appendingPathComponent("cases/mapping/seed-sample"))
        let expected = try testCase.expectedEvents()
        let corruptions: [(path: [String], value: JSONValue?, owners: [String])] = [
            (["device", "hostname"], "wrong", ["M02"]),
            (["device", "os", "type"], "Windows", ["M06"]),
            (["device", "os", "name"], nil, ["M07"]),
            (["device", "type_id"], 3, ["M05"]),
            (["device", "is_managed"], false, ["M16"]),
            (["time"], 1, ["M13"]),
            (["device", "last_seen_time"], 1747821600.5, ["M12"]),
            (["metadata", "version"], "1.4.0", ["M17"]),
            (["type_uid"], 500101, ["M19"]),
            (["device", "groups"], nil, ["M15"]),
            (["device", "desc"], .null, ["M04", "G2"]),
        ]
        for corruption in corruptions {
            var events = expected
            events[0] = set(events[0], corruption.path, corruption.value)
            let output = MappingRunOutput(events: events, exitStatus: 0, rejectedIndices: [], runWindowSeconds: 0...1)
            let result = MappingEvaluation.evaluate(testCase, expected: expected, output: output, catalog: rules, seconds: 0)
            XCTAssertEqual(result.failedRules.sorted(), corruption.owners.sorted(), corruption.path.joined(separator: "."))
        }
        let untouched = MappingEvaluation.evaluate(
            testCase, expected: expected,
            output: MappingRunOutput(events: expected, exitStatus: 0, rejectedIndices: [], runWindowSeconds: 0...1), catalog: rules, seconds: 0)
        XCTAssertTrue(untouched.passed)
    }

    func testNowPlaceholderMatchesOnlyTimesInsideTheRun() {
        let comparator = EventComparator(now: 100...200)
        XCTAssertEqual(comparator.compare(expected: ["time": "$now"], actual: ["time": 150.5]), [])
        XCTAssertEqual(comparator.compare(expected: ["time": "$now"], actual: ["time": 99]).map(\.path), ["time"])
        XCTAssertEqual(comparator.compare(expected: ["time": "$now"], actual: ["time": "150"]).map(\.path), ["time"])
    }

    func testComparisonIsNumericAndReportsMissingAndExtraAttributes() {
        let comparator = EventComparator(now: 0...0)
        XCTAssertEqual(comparator.compare(expected: ["a": 1, "b": [1, 2]], actual: ["b": [1.0, 2.0], "a": 1.0]), [])
        let mismatches = comparator.compare(expected: ["a": 1, "n": [["x": 1]]], actual: ["n": [["x": 2]], "extra": true])
        XCTAssertEqual(mismatches.map(\.path), ["a", "n[0].x", "extra"])
        XCTAssertEqual(mismatches.map(\.attribute), ["a", "n[].x", "extra"])
    }

    private func set(_ value: JSONValue, _ path: [String], _ newValue: JSONValue?) -> JSONValue {
        guard let first = path.first, case .object(var object) = value else { return value }
        if path.count == 1 {
            object[first] = newValue
        } else if let child = object[first] {
            object[first] = set(child, Array(path.dropFirst()), newValue)
        }
        return .object(object)
    }
}
