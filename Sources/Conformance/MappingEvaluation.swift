import JSON
import OCSF

/// What the connector produced for one mapping case.
package struct MappingRunOutput: Sendable {
    package var events: [JSONValue]
    package var exitStatus: Int32
    /// Indices (in the case's devices.json) the connector reported as rejected.
    package var rejectedIndices: [Int]
    /// The instants a `"$now"` may take, as epoch seconds (the run's start and end).
    package var runWindowSeconds: ClosedRange<Double>

    package init(events: [JSONValue], exitStatus: Int32, rejectedIndices: [Int], runWindowSeconds: ClosedRange<Double>) {
        self.events = events
        self.exitStatus = exitStatus
        self.rejectedIndices = rejectedIndices
        self.runWindowSeconds = runWindowSeconds
    }
}

/// Judges a mapping case: every attribute of every event, attributed to the rules that own it.
package enum MappingEvaluation {
    package static func evaluate(
        _ testCase: ConformanceCase, expected: [JSONValue], output: MappingRunOutput, catalog: RuleCatalog, seconds: Double
    ) -> CaseResult {
        var problems: [String] = []
        var failed: [String] = []
        func fail(_ rules: [String], _ problem: String) {
            problems.append(problem)
            for rule in rules where !failed.contains(rule) { failed.append(rule) }
        }
        // A run's "now" in the profile's unit; a little slack either side for clock granularity.
        let window = output.runWindowSeconds
        let now: ClosedRange<Double> =
            testCase.profile == "ocsf-strict"
            ? ((window.lowerBound - 1) * 1000)...((window.upperBound + 1) * 1000)
            : (window.lowerBound - 1)...(window.upperBound + 1)
        let comparator = EventComparator(now: now)

        let expectedStatus: Int32 = testCase.rejectedIndices.isEmpty ? 0 : 2
        if output.exitStatus != expectedStatus {
            fail(testCase.rejectedIndices.isEmpty ? testCase.rules : ["G4"], "exit status \(output.exitStatus), expected \(expectedStatus)")
        }
        if output.rejectedIndices.sorted() != testCase.rejectedIndices.sorted() {
            fail(["G4"], "rejected device indices \(output.rejectedIndices.sorted()), expected \(testCase.rejectedIndices.sorted())")
        }
        if output.events.count != expected.count {
            fail(testCase.rules, "\(output.events.count) events, expected \(expected.count)")
        }
        for (index, pair) in zip(expected, output.events).enumerated() {
            for mismatch in comparator.compare(expected: pair.0, actual: pair.1) {
                var owners = catalog.owners(of: mismatch.attribute, profile: testCase.profile)
                if owners.isEmpty { owners = testCase.rules }
                if mismatch.actual == .null || mismatch.actual.map(isEmptyContainer) == true, !owners.contains("G2") {
                    owners.append("G2")
                }
                fail(owners, "event \(index + 1) (device \(pair.1["device"]?["uid"]?.stringValue ?? "?")): \(mismatch)")
            }
        }
        // Every produced event is validated against OCSF 1.5.0: ocsf-strict must be clean, sekoia
        // may show the known deviations of the published table and nothing else.
        var deviations: [String: Int] = [:]
        for (index, event) in output.events.enumerated() {
            for finding in validator.validate(event) where finding.code != .attributeRecommendedMissing {
                let key = "\(finding.code.rawValue)@\(finding.path)"
                if testCase.profile == "sekoia", knownSekoiaDeviations.contains(key) {
                    deviations[key, default: 0] += 1
                    continue
                }
                var owners = catalog.owners(of: arrayForm(finding.path), profile: testCase.profile)
                if owners.isEmpty { owners = testCase.rules }
                fail(owners, "event \(index + 1): OCSF 1.5.0 \(finding.severity.rawValue) \(finding.code.rawValue) at \(finding.path): \(finding.message)")
            }
        }
        var result = CaseResult(
            name: testCase.name, kind: .mapping, profile: testCase.profile, rules: testCase.rules, failedRules: failed,
            problems: problems, seconds: seconds)
        result.deviations = deviations
        return result
    }

    static let validator = OCSFValidator()

    /// The findings the published table is known to produce (mapping.md "Known problems", and
    /// M07 leaving out `os.name`, which OCSF requires): see Conformance/DEVIATIONS.md.
    package static let knownSekoiaDeviations: Set<String> = [
        "timestamp_seconds_not_milliseconds@time", "timestamp_seconds_not_milliseconds@device.last_seen_time",
        "attribute_required_missing@severity_id", "attribute_enum_sibling_incorrect@device.os.type",
        "attribute_required_missing@device.os.name",
    ]

    /// `device.network_interfaces[1].mac` → `device.network_interfaces[].mac`.
    static func arrayForm(_ path: String) -> String {
        var out = ""
        var skipping = false
        for character in path {
            if character == "[" {
                skipping = true
                out.append("[]")
            } else if character == "]" {
                skipping = false
            } else if !skipping {
                out.append(character)
            }
        }
        return out
    }

    private static func isEmptyContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let elements): return elements.isEmpty
        case .object(let object): return object.members.isEmpty
        default: return false
        }
    }
}
