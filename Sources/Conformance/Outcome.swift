import Foundation
import JSON

/// The outcome class of one case (or one cycle of a delivery case), from the worst finding down.
package enum Outcome: String, Sendable, CaseIterable, Comparable {
    /// A credential reached a place it was not configured for: a foreign origin, the intake's
    /// items, or the client's own output.
    case secretOffOrigin = "secret off-origin"
    /// The run outlived the case's timeout.
    case hang
    /// The process ended on a signal (or could not be started).
    case crash
    /// Exit 0 while devices are missing, or while the case makes a complete delivery impossible.
    case silentLoss = "silent loss"
    /// A device reached the intake more than once in one run.
    case duplicates
    /// Events differ from the golden files (with the rule ids), or devices not served were sent.
    case wrongMapping = "wrong mapping"
    /// A non-zero exit: what was delivered is reported as partial.
    case cleanFailure = "clean failure"
    /// Every device delivered exactly once, exit 0.
    case complete

    /// Never acceptable, whatever a case says.
    package static let neverAcceptable: Set<Outcome> = [.silentLoss, .secretOffOrigin, .hang]

    /// Worst first.
    var severity: Int { Outcome.allCases.firstIndex(of: self)! }
    package static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.severity < rhs.severity }
}

/// What one run showed, the input of the classification.
struct RunFindings {
    var termination: ConnectorExit.Termination
    /// The case makes a complete delivery impossible (it expects a non-zero exit).
    var expectsFailure: Bool
    /// The devices a complete delivery holds.
    var target: Set<String>
    /// Device uids as received, in order (repeats kept).
    var received: [String]
    /// Rules whose attributes came out wrong (mapping cases).
    var wrongRules: [String] = []
    /// Where a secret was seen off its origin.
    var leaks: [String] = []

    var duplicated: [String] {
        var seen = Set<String>()
        return received.filter { !seen.insert($0).inserted }
    }
    var missing: Set<String> { target.subtracting(received) }
    var unexpected: Set<String> { Set(received).subtracting(target) }

    /// Every class that applies, worst first.
    func classes() -> [Outcome] {
        var classes: Set<Outcome> = []
        if !leaks.isEmpty { classes.insert(.secretOffOrigin) }
        switch termination {
        case .timedOut: classes.insert(.hang)
        case .signalled, .notStarted: classes.insert(.crash)
        case .exited(0):
            if !missing.isEmpty || expectsFailure { classes.insert(.silentLoss) }
        case .exited: classes.insert(.cleanFailure)
        }
        if !duplicated.isEmpty { classes.insert(.duplicates) }
        if !wrongRules.isEmpty || !unexpected.isEmpty { classes.insert(.wrongMapping) }
        if classes.isEmpty { classes.insert(.complete) }
        return classes.sorted()
    }

    /// Human-readable reasons for every class but `complete`.
    func explanations() -> [String] {
        var lines: [String] = leaks.map { "secret off-origin: \($0)" }
        switch termination {
        case .timedOut: lines.append("hang: still running at the case's timeout, stopped by the runner")
        case .signalled(let signal): lines.append("crash: ended by signal \(signal)")
        case .notStarted(let reason): lines.append("crash: \(reason)")
        case .exited(0):
            if !missing.isEmpty {
                lines.append("silent loss: exit 0 with \(missing.count) device(s) never delivered, e.g. \(missing.sorted().prefix(3).joined(separator: ", "))")
            } else if expectsFailure {
                lines.append("silent loss: exit 0 although this case makes a complete delivery impossible")
            }
        case .exited: break
        }
        let duplicated = Set(self.duplicated)
        if !duplicated.isEmpty {
            lines.append("duplicates: \(duplicated.count) device(s) delivered more than once, e.g. \(duplicated.sorted().prefix(3).joined(separator: ", "))")
        }
        if !unexpected.isEmpty {
            lines.append("wrong mapping: \(unexpected.count) device(s) delivered that the API did not serve, e.g. \(unexpected.sorted().prefix(3).joined(separator: ", "))")
        }
        if !wrongRules.isEmpty { lines.append("wrong mapping: rules \(wrongRules.joined(separator: ", "))") }
        return lines
    }
}

/// The classes a case accepts, each with its one-line reason.
package struct AcceptableOutcomes: Sendable, Equatable {
    package var reasons: [Outcome: String]

    package init(_ reasons: [Outcome: String]) { self.reasons = reasons }

    package func accepts(_ outcome: Outcome) -> Bool { reasons[outcome] != nil }

    /// `"acceptable": {"complete": "why", "clean failure": "why"}` in a case or cycle, or the
    /// default its expectations imply: success expected → `complete`, failure expected → `clean failure`.
    static func read(_ value: JSONValue?, expect: JSONValue?, description: String, file: String) throws -> AcceptableOutcomes {
        if let value {
            guard let object = value.objectValue, !object.keys.isEmpty else {
                throw CaseError(file, "\"acceptable\" must be a non-empty object: outcome class → one-line reason")
            }
            var reasons: [Outcome: String] = [:]
            for key in object.keys {
                guard let outcome = Outcome(rawValue: key) else {
                    throw CaseError(file, "unknown outcome class \(key.debugDescription) in \"acceptable\"; known: \(Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard !Outcome.neverAcceptable.contains(outcome) else {
                    throw CaseError(file, "\"\(key)\" is never acceptable")
                }
                guard let reason = object[key]?.stringValue, !reason.isEmpty else {
                    throw CaseError(file, "the reason for \"\(key)\" must be a non-empty string")
                }
                reasons[outcome] = reason
            }
            return AcceptableOutcomes(reasons)
        }
        return AcceptableOutcomes(expectsFailure(expect) ? [.cleanFailure: description] : [.complete: description])
    }

    /// `expect.exitStatus` is a non-zero number or `"failure"` (any status but 0 and 2 for our
    /// connector; any non-zero status under the client contract).
    static func expectsFailure(_ expect: JSONValue?) -> Bool {
        switch expect?["exitStatus"] {
        case .string("failure")?: return true
        case .int(let status)?: return status != 0
        case .double(let status)?: return status != 0
        default: return false
        }
    }
}
