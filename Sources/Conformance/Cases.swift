import Foundation
import JSON

/// One conformance case: a directory with a `case.json`.
///
/// * `mapping` cases hold `devices.json` and `device_groups.json` (served verbatim by the mock)
///   and `expected.ndjson`, the golden events in device order.
/// * `error` cases name mock scenarios and the outcome a correct connector must reach.
/// * `delivery` cases check what reaches the Sekoia.io intake over one or more cycles.
package struct ConformanceCase: Sendable {
    package enum Kind: String, Sendable { case mapping, error, delivery }

    package var name: String
    package var directory: URL
    package var kind: Kind
    package var description: String
    package var rules: [String]
    package var profile: String
    /// The pinned line of mapping.md the case proves, when it proves one.
    package var pinned: String?
    /// Indices (in devices.json) of devices the connector must reject (G4).
    package var rejectedIndices: [Int]
    /// The whole `case.json`, for the kind-specific expectations.
    package var definition: JSONValue

    /// The golden events of a mapping case, one per line of `expected.ndjson`.
    package func expectedEvents() throws -> [JSONValue] {
        let url = directory.appendingPathComponent("expected.ndjson")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw CaseError(url.path, "no such file") }
        var events: [JSONValue] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                events.append(try JSONParser.parse(String(line)))
            } catch {
                throw CaseError(url.path, "line \(number + 1), column \(error.column): \(error.reason)")
            }
        }
        return events
    }
}

/// Finds and reads cases.
package enum CaseLoader {
    /// Every case below `root` (any directory holding a `case.json`), sorted by path.
    package static func loadCases(under root: URL) throws -> [ConformanceCase] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CaseError(root.path, "no such directory")
        }
        var definitions: [URL] = []
        while let url = enumerator.nextObject() as? URL {
            if url.lastPathComponent == "case.json" { definitions.append(url) }
        }
        return try definitions.sorted { $0.path < $1.path }.map { try load($0.deletingLastPathComponent(), root: root) }
    }

    /// Reads one case directory.
    package static func load(_ directory: URL, root: URL? = nil) throws -> ConformanceCase {
        let file = directory.appendingPathComponent("case.json")
        let json = try readJSONFile(file)
        guard case .object = json else { throw CaseError(file.path, "expected a JSON object") }
        let kindName = json["kind"]?.stringValue ?? "mapping"
        guard let kind = ConformanceCase.Kind(rawValue: kindName) else {
            throw CaseError(file.path, "unknown \"kind\" \(kindName.debugDescription); expected mapping, error or delivery")
        }
        // A "rules" member of another type is an error, not "no rules": it is a typo to report.
        let rules = json["rules"].map { $0.arrayValue?.map(\.stringValue) ?? [nil] } ?? []
        guard rules.allSatisfy({ $0 != nil }), kind != .mapping || !rules.isEmpty else {
            throw CaseError(file.path, kind == .mapping ? "\"rules\" must be a non-empty array of rule ids" : "\"rules\" must hold rule ids")
        }
        let profile = json["profile"]?.stringValue ?? "sekoia"
        guard ["sekoia", "ocsf-strict"].contains(profile) else {
            throw CaseError(file.path, "unknown \"profile\" \(profile.debugDescription); expected sekoia or ocsf-strict")
        }
        var rejected: [Int] = []
        if let entries = json["rejectedIndices"]?.arrayValue {
            for entry in entries {
                guard case .int(let index) = entry, index >= 0 else {
                    throw CaseError(file.path, "\"rejectedIndices\" must hold non-negative integers")
                }
                rejected.append(Int(index))
            }
        }
        var name = directory.lastPathComponent
        if let root {
            let prefix = root.standardizedFileURL.path + "/"
            let full = directory.standardizedFileURL.path
            if full.hasPrefix(prefix) { name = String(full.dropFirst(prefix.count)) }
        }
        return ConformanceCase(
            name: name, directory: directory, kind: kind, description: json["description"]?.stringValue ?? "",
            rules: rules.compactMap { $0 }, profile: profile, pinned: json["pinned"]?.stringValue,
            rejectedIndices: rejected, definition: json)
    }

    /// Coverage problems: rules without a case, and cases naming rules the catalog lacks.
    package static func coverageProblems(cases: [ConformanceCase], catalog: RuleCatalog) -> [String] {
        var problems: [String] = []
        let known = Set(catalog.rules.map(\.id))
        for testCase in cases {
            for rule in testCase.rules where !known.contains(rule) {
                problems.append("case \(testCase.name) names unknown rule \(rule)")
            }
        }
        let covered = Set(cases.flatMap(\.rules))
        for rule in catalog.rules where !covered.contains(rule.id) {
            problems.append("rule \(rule.id) has no case")
        }
        return problems
    }
}
