import Foundation

extension ConformanceReport {
    /// The Markdown scorecard (`eset-conformance --scorecard FILE`): a verdict paragraph, the
    /// count per outcome class, every case's outcome, the rules, and why each unacceptable case failed.
    package func scorecardMarkdown(connector: String) -> String {
        let applicable = results.filter { !$0.notApplicable }
        let acceptable = applicable.filter(\.passed)
        let unacceptable = applicable.filter { !$0.passed }
        var lines: [String] = []
        lines.append("# Conformance scorecard: \(connector)")
        lines.append("")
        lines.append(
            "Client contract \(ClientDeclaration.contractVersion) (`Conformance/CLIENTS.md`). \(results.count) cases: "
                + "\(acceptable.count) acceptable, \(unacceptable.count) not acceptable, \(notApplicableCount) not applicable.")
        lines.append("")
        lines.append("## Verdict")
        lines.append("")
        lines.append(verdict(connector: connector, applicable: applicable, unacceptable: unacceptable))
        lines.append("")
        lines.append("## Outcomes")
        lines.append("")
        lines.append("| outcome | cases | of which acceptable |")
        lines.append("|---|---:|---:|")
        for (outcome, count) in outcomeCounts {
            let good = applicable.filter { $0.outcome == outcome && $0.passed }.count
            lines.append("| \(outcome.rawValue) | \(count) | \(good) |")
        }
        if notApplicableCount > 0 { lines.append("| not applicable | \(notApplicableCount) | — |") }
        lines.append("")
        lines.append("## Cases")
        lines.append("")
        lines.append("| case | suite | outcome | verdict | accepted outcomes (why) | what the mock saw | seconds |")
        lines.append("|---|---|---|---|---|---|---:|")
        for result in results {
            let verdict = result.notApplicable ? "n/a" : result.passed ? "acceptable" : "**not acceptable**"
            let accepted = result.acceptable.reasons.sorted { $0.key < $1.key }
                .map { "\($0.key.rawValue)\($0.value.isEmpty ? "" : ": " + $0.value)" }.joined(separator: "; ")
            lines.append(
                "| \(cell(result.name)) | \(result.kind.rawValue) | \(cell(outcomeLabel(result))) | \(verdict) | \(cell(accepted)) | \(cell(result.traffic)) | "
                    + String(format: "%.2f", result.seconds) + " |")
        }
        let rows = ruleRows
        if !rows.isEmpty {
            lines.append("")
            lines.append("## Rules")
            lines.append("")
            lines.append("| rule | statement | cases | result | failing cases |")
            lines.append("|---|---|---:|---|---|")
            for row in rows {
                lines.append(
                    "| \(row.id) | \(cell(row.statement)) | \(row.cases) | \(row.passed ? "pass" : "**FAIL**") | "
                        + cell(row.failingCases.prefix(8).joined(separator: ", ") + (row.failingCases.count > 8 ? ", …" : "")) + " |")
            }
        }
        if !unacceptable.isEmpty {
            lines.append("")
            lines.append("## Why the unacceptable cases failed")
            for result in unacceptable {
                lines.append("")
                lines.append("### \(result.name)")
                lines.append("")
                for problem in result.problems.prefix(12) { lines.append("- " + cell(String(problem.prefix(400)))) }
                if result.problems.count > 12 { lines.append("- … and \(result.problems.count - 12) more") }
            }
        }
        for problem in suiteProblems { lines.append("\nSuite problem: \(problem)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func verdict(connector: String, applicable: [CaseResult], unacceptable: [CaseResult]) -> String {
        var sentences: [String] = []
        let total = applicable.count
        if unacceptable.isEmpty {
            sentences.append("\(connector) reached an acceptable outcome in every one of the \(total) applicable cases.")
        } else {
            sentences.append("\(connector) reached an acceptable outcome in \(total - unacceptable.count) of \(total) applicable cases.")
            var grouped: [Outcome: [String]] = [:]
            for result in unacceptable { grouped[result.outcome ?? .crash, default: []].append(result.name) }
            for outcome in Outcome.allCases {
                guard let names = grouped[outcome] else { continue }
                let examples = names.prefix(4).joined(separator: ", ") + (names.count > 4 ? " and \(names.count - 4) more" : "")
                sentences.append("\(Self.meaning(outcome)) in \(names.count) case(s) (\(examples)).")
            }
        }
        let worst = Set(applicable.compactMap(\.outcome)).intersection(Outcome.neverAcceptable)
        if worst.isEmpty {
            sentences.append("It never lost data silently, never hung and never sent a credential off its origin.")
        }
        let failedRules = failedRuleIDs
        let mappingRules = ruleRows.count
        if mappingRules > 0 {
            sentences.append(failedRules.isEmpty
                ? "All \(mappingRules) mapping rules it was judged on pass."
                : "\(mappingRules - failedRules.count) of \(mappingRules) mapping rules pass; failing: \(failedRules.joined(separator: ", ")).")
        }
        let notApplicable = results.filter(\.notApplicable)
        if !notApplicable.isEmpty {
            let capabilities = Set(notApplicable.flatMap(\.missingCapabilities)).sorted()
            sentences.append("\(notApplicable.count) case(s) were not applicable: it does not declare \(capabilities.joined(separator: ", ")).")
        }
        return sentences.joined(separator: " ")
    }

    private static func meaning(_ outcome: Outcome) -> String {
        switch outcome {
        case .secretOffOrigin: return "It let a credential off its origin"
        case .hang: return "It hung until the timeout"
        case .crash: return "It crashed"
        case .silentLoss: return "It reported success while devices were missing (silent loss)"
        case .duplicates: return "It delivered devices more than once"
        case .wrongMapping: return "It mapped events differently from the golden files"
        case .cleanFailure: return "It failed cleanly where the case expects it to recover"
        case .complete: return "It delivered everything and exited 0 where the case expects a reported failure"
        }
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
