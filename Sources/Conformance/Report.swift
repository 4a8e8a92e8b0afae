import Foundation

/// What one case came to.
package struct CaseResult: Sendable {
    package var name: String
    package var kind: ConformanceCase.Kind
    package var profile: String
    package var rules: [String]
    /// The rules this case proves wrong (empty when it passed).
    package var failedRules: [String]
    /// Human-readable reasons, one per problem found.
    package var problems: [String]
    package var seconds: Double
    /// Known OCSF deviations seen in this case's events (`code@path` → count), sekoia profile only.
    package var deviations: [String: Int] = [:]

    package var passed: Bool { problems.isEmpty }

    package init(name: String, kind: ConformanceCase.Kind, profile: String, rules: [String], failedRules: [String], problems: [String], seconds: Double) {
        self.name = name
        self.kind = kind
        self.profile = profile
        self.rules = rules
        self.failedRules = failedRules
        self.problems = problems
        self.seconds = seconds
    }
}

/// The outcome of a run: per rule and per case.
package struct ConformanceReport: Sendable {
    package var catalog: RuleCatalog
    package var results: [CaseResult]
    /// Problems of the suite itself (coverage, unreadable cases).
    package var suiteProblems: [String]

    package init(catalog: RuleCatalog, results: [CaseResult], suiteProblems: [String] = []) {
        self.catalog = catalog
        self.results = results
        self.suiteProblems = suiteProblems
    }

    package struct RuleRow: Sendable, Equatable {
        package var id: String
        package var statement: String
        package var cases: Int
        var failingCases: [String]
        package var passed: Bool { cases > 0 && failingCases.isEmpty }
    }

    /// One row per rule of the catalog that any case in this run names or fails, in catalog order.
    package var ruleRows: [RuleRow] {
        catalog.rules.compactMap { rule in
            let cases = results.filter { $0.rules.contains(rule.id) }.count
            let failing = results.filter { $0.failedRules.contains(rule.id) }.map(\.name)
            guard cases > 0 || !failing.isEmpty else { return nil }
            return RuleRow(id: rule.id, statement: rule.statement, cases: cases, failingCases: failing)
        }
    }

    package var failedRuleIDs: [String] { ruleRows.filter { !$0.passed }.map(\.id) }
    var passedCaseCount: Int { results.filter(\.passed).count }
    var failedCaseCount: Int { results.count - passedCaseCount }
    package var succeeded: Bool { failedCaseCount == 0 && suiteProblems.isEmpty && failedRuleIDs.isEmpty }

    /// The table printed by `eset-conformance`, closed by `N passed, N failed` (counting cases).
    package func text(verbose: Bool = false) -> String {
        var lines: [String] = []
        let rows = ruleRows
        let statementWidth = 78
        lines.append(pad("rule", 5) + "  " + pad("statement", statementWidth) + "  " + pad("cases", 5) + "  result")
        for row in rows {
            var statement = row.statement
            if statement.count > statementWidth { statement = String(statement.prefix(statementWidth - 1)) + "…" }
            lines.append(
                pad(row.id, 5) + "  " + pad(statement, statementWidth) + "  " + pad(String(row.cases), 5, right: true) + "  "
                    + (row.passed ? "pass" : "FAIL"))
        }
        let others = results.filter { $0.kind != .mapping }
        if !others.isEmpty {
            lines.append("")
            lines.append(pad("suite", 9) + "  " + pad("case", 48) + "  " + pad("seconds", 7) + "  result")
            for result in others {
                lines.append(
                    pad(result.kind.rawValue, 9) + "  " + pad(result.name, 48) + "  "
                        + pad(String(format: "%.2f", result.seconds), 7, right: true) + "  " + (result.passed ? "pass" : "FAIL"))
            }
        }
        let failures = results.filter { !$0.passed }
        if !failures.isEmpty || verbose {
            lines.append("")
            for result in failures {
                lines.append("FAIL \(result.name) [\(result.profile)] rules \(result.failedRules.joined(separator: ", "))")
                for problem in result.problems.prefix(20) { lines.append("  - \(problem)") }
                if result.problems.count > 20 { lines.append("  … and \(result.problems.count - 20) more") }
            }
        }
        let mappingResults = results.filter { $0.kind == .mapping }
        if !mappingResults.isEmpty {
            var deviations: [String: Int] = [:]
            for result in mappingResults { deviations.merge(result.deviations, uniquingKeysWith: +) }
            lines.append("")
            let strictCount = mappingResults.filter { $0.profile == "ocsf-strict" }.count
            lines.append("OCSF 1.5.0 validation of every produced event: ocsf-strict cases \(strictCount), findings beyond recommended-missing fail their case.")
            if !deviations.isEmpty {
                lines.append("Known deviations of the published table (profile sekoia; see Conformance/DEVIATIONS.md):")
                for (key, count) in deviations.sorted(by: { $0.key < $1.key }) { lines.append("  \(key)  \(count) event(s)") }
            }
        }
        for problem in suiteProblems { lines.append("suite problem: \(problem)") }
        lines.append("")
        lines.append("\(rows.filter(\.passed).count) of \(rows.count) rules passing; \(results.count) cases")
        lines.append("\(passedCaseCount) passed, \(failedCaseCount + suiteProblems.count) failed")
        return lines.joined(separator: "\n") + "\n"
    }

    /// JUnit XML: one test suite per kind, one test case per case, one per rule.
    package func junitXML() -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let totalFailures = failedCaseCount + failedRuleIDs.count + suiteProblems.count
        xml += "<testsuites name=\"eset-conformance\" tests=\"\(results.count + ruleRows.count)\" failures=\"\(totalFailures)\">\n"
        let rows = ruleRows
        xml += "  <testsuite name=\"rules\" tests=\"\(rows.count)\" failures=\"\(rows.filter { !$0.passed }.count)\">\n"
        for row in rows {
            xml += "    <testcase classname=\"rules\" name=\"\(escape(row.id))\">"
            if !row.passed {
                let message = row.cases == 0 ? "no case" : "failing cases: " + row.failingCases.joined(separator: ", ")
                xml += "<failure message=\"\(escape(message))\">\(escape(row.statement))</failure>"
            }
            xml += "</testcase>\n"
        }
        xml += "  </testsuite>\n"
        for kind in [ConformanceCase.Kind.mapping, .error, .delivery] {
            let group = results.filter { $0.kind == kind }
            guard !group.isEmpty else { continue }
            xml += "  <testsuite name=\"\(kind.rawValue)\" tests=\"\(group.count)\" failures=\"\(group.filter { !$0.passed }.count)\">\n"
            for result in group {
                xml += "    <testcase classname=\"\(kind.rawValue)\" name=\"\(escape(result.name))\" time=\"\(String(format: "%.3f", result.seconds))\">"
                if !result.passed {
                    xml += "<failure message=\"\(escape("rules " + result.failedRules.joined(separator: ", ")))\">"
                    xml += escape(result.problems.joined(separator: "\n")) + "</failure>"
                }
                xml += "</testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        if !suiteProblems.isEmpty {
            xml += "  <testsuite name=\"suite\" tests=\"\(suiteProblems.count)\" failures=\"\(suiteProblems.count)\">\n"
            for (index, problem) in suiteProblems.enumerated() {
                xml += "    <testcase classname=\"suite\" name=\"problem-\(index + 1)\"><failure message=\"\(escape(problem))\"/></testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let space = String(repeating: " ", count: width - text.count)
        return right ? space + text : text + space
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 cannot carry most control characters, even escaped.
                if scalar.value < 0x20, scalar != "\n", scalar != "\t", scalar != "\r" { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
