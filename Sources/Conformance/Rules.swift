import Foundation
import JSON

/// One rule of the contract (M01–M19, G1–G5, S01–S09) as `Conformance/rules.json` states it.
package struct ConformanceRule: Sendable, Equatable {
    package var id: String
    /// `sekoia` (a row of the published table), `ocsf-strict` (a fix of the strict profile) or
    /// `all` (a general rule).
    package var profile: String
    package var statement: String
    /// The OCSF attributes the rule owns, `[]` marking every element of an array.
    package var attributes: [String]
}

/// The rule list, and which rule answers for which attribute.
package struct RuleCatalog: Sendable {
    package var rules: [ConformanceRule]

    package init(rules: [ConformanceRule]) { self.rules = rules }

    /// Reads `rules.json`; problems name the file and the rule's position.
    package static func load(_ url: URL) throws -> RuleCatalog {
        let json = try readJSONFile(url)
        guard case .array(let entries)? = json["rules"] else {
            throw CaseError(url.path, "expected an object with a \"rules\" array")
        }
        var rules: [ConformanceRule] = []
        for (index, entry) in entries.enumerated() {
            guard let id = entry["id"]?.stringValue, let statement = entry["statement"]?.stringValue else {
                throw CaseError(url.path, "rule \(index): needs \"id\" and \"statement\" strings")
            }
            let attributes = entry["attributes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            rules.append(
                ConformanceRule(id: id, profile: entry["profile"]?.stringValue ?? "all", statement: statement, attributes: attributes))
        }
        let ids = rules.map(\.id)
        if let duplicate = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
            throw CaseError(url.path, "rule \(duplicate) is listed twice")
        }
        return RuleCatalog(rules: rules)
    }

    package func rule(_ id: String) -> ConformanceRule? { rules.first { $0.id == id } }

    /// The rules that answer for a mismatch at `path` (in `[]` form) under `profile`.
    ///
    /// The nearest owned ancestor answers when the attribute itself has no owner (a missing
    /// `device.os` object is M06's). Under ocsf-strict, a strict rule that owns the attribute
    /// replaces the table rows it fixes.
    package func owners(of path: String, profile: String) -> [String] {
        var candidate = path
        while true {
            let owning = rules.filter { $0.attributes.contains(candidate) }
            let strict = owning.filter { $0.profile == "ocsf-strict" }
            let table = owning.filter { $0.profile != "ocsf-strict" }
            let applicable = profile == "ocsf-strict" && !strict.isEmpty ? strict : table
            if !applicable.isEmpty { return applicable.map(\.id) }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { return [] }
            candidate = String(candidate[..<cut])
        }
    }
}

/// A problem in a conformance file, naming the file and what is wrong.
package struct CaseError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var reason: String

    package init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { "\(path): \(reason)" }
}

/// Reads and parses a JSON file; syntax errors name the file, line and column.
func readJSONFile(_ url: URL) throws -> JSONValue {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw CaseError(url.path, FileManager.default.fileExists(atPath: url.path) ? "cannot read the file" : "no such file")
    }
    do {
        return try JSONParser.parse(Array(data))
    } catch {
        throw CaseError(url.path, "\(error)")
    }
}
