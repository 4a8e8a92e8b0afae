import ArgumentParsing
import Foundation
import JSON
import OCSF

/// `eset-connector validate FILE|-`: checks NDJSON events against OCSF 1.5.0 Device Inventory
/// Info and reports every finding with its line, device and attribute path.
enum ValidateCommand: ConnectorSubcommand {
    static let spec = CommandSpec(
        name: "validate",
        abstract: "Validate NDJSON events against OCSF 1.5.0 Device Inventory Info (class 5001).",
        discussion: """
            Prints one line per finding: 'line N device UID SEVERITY PATH CODE: message', then a summary.
            Errors and warnings are printed, except attribute_recommended_missing warnings, which are only
            counted unless --warnings is given (OCSF recommends attributes an inventory source cannot know).
            A line that is not JSON is an error (json_invalid) naming its column; blank lines are skipped.
            Exit status: 0 no errors, 1 errors found (or the input cannot be read), 64 usage error.
            """,
        options: [
            .flag("warnings", help: "Also print attribute_recommended_missing warnings (hidden by default)."),
        ],
        positionals: [
            PositionalSpec("FILE", help: "NDJSON events, one per line ('-' for stdin)."),
        ]
    )

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        guard let path = arguments.positional("FILE") else {
            return usageFailure(UsageError("missing argument '<FILE>'"), context: context, command: "validate")
        }
        let input: LineInput
        do {
            input = try LineInput(path: path)
        } catch {
            context.error("error: \(path): \(error)")
            return .failure
        }
        defer { input.close() }

        var report = ValidationReport(showRecommendedMissing: arguments.flag("warnings"), output: context.standardOutput)
        let validator = OCSFValidator()
        do {
            try input.forEachLine { lineNumber, bytes in
                report.check(line: lineNumber, bytes: bytes, validator: validator)
            }
        } catch {
            report.flush()
            context.error("error: \(path): \(error)")
            return .failure
        }
        report.finish()
        return report.eventsWithErrors > 0 ? .failure : .success
    }
}

/// Accumulates findings and counts, and writes them out in batches.
struct ValidationReport {
    let showRecommendedMissing: Bool
    let output: TextStream
    private var pending: String = ""
    private(set) var events = 0
    private(set) var eventsWithErrors = 0
    private var errorsByCode: [String: Int] = [:]
    private var warningsByCode: [String: Int] = [:]

    init(showRecommendedMissing: Bool, output: TextStream) {
        self.showRecommendedMissing = showRecommendedMissing
        self.output = output
    }

    mutating func check(line: Int, bytes: ArraySlice<UInt8>, validator: OCSFValidator) {
        events += 1
        let event: JSONValue
        do {
            event = try JSONParser.parse(Array(bytes))
        } catch {
            eventsWithErrors += 1
            errorsByCode["json_invalid", default: 0] += 1
            // The parser counts lines within the text it was given: one line, so the column is what matters.
            emit("line \(line) device - error (event) json_invalid: column \(error.column): \(error.reason)")
            return
        }
        let findings = validator.validate(event)
        let device = deviceLabel(event)
        var hasError = false
        for finding in findings {
            switch finding.severity {
            case .error:
                hasError = true
                errorsByCode[finding.code.rawValue, default: 0] += 1
            case .warning:
                warningsByCode[finding.code.rawValue, default: 0] += 1
                if finding.code == .attributeRecommendedMissing && !showRecommendedMissing { continue }
            }
            let path = finding.path.isEmpty ? "(event)" : finding.path
            emit("line \(line) device \(device) \(finding.severity.rawValue) \(path) \(finding.code.rawValue): \(finding.message)")
        }
        if hasError { eventsWithErrors += 1 }
    }

    /// The event's `device.uid`, quoted when it could be mistaken for several words; "-" without one.
    func deviceLabel(_ event: JSONValue) -> String {
        guard let uid = event["device"]?["uid"]?.stringValue, !uid.isEmpty else { return "-" }
        return uid.contains(where: { $0.isWhitespace || $0 == "\"" }) ? uid.debugDescription : uid
    }

    mutating func emit(_ line: String) {
        pending += line
        pending += "\n"
        if pending.utf8.count >= 64 * 1024 { flush() }
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        output.write(pending)
        pending = ""
    }

    /// Writes the summary: events, events with errors, errors by code, warnings by code.
    mutating func finish() {
        emit("validated \(events) event(s): \(eventsWithErrors) with errors, \(events - eventsWithErrors) without")
        emit("errors: \(errorsByCode.values.reduce(0, +))\(breakdown(errorsByCode))")
        var warnings = "warnings: \(warningsByCode.values.reduce(0, +))\(breakdown(warningsByCode))"
        if !showRecommendedMissing, let hidden = warningsByCode[ValidationCode.attributeRecommendedMissing.rawValue] {
            warnings += "; \(hidden) attribute_recommended_missing not shown (--warnings shows them)"
        }
        emit(warnings)
        flush()
    }

    private func breakdown(_ counts: [String: Int]) -> String {
        guard !counts.isEmpty else { return "" }
        return " (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }
}

/// Reads a file (or stdin for "-") line by line in fixed-size chunks, so an input of any size
/// is validated in constant memory.
final class LineInput {
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    init(path: String) throws {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
            return
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw InputError(reason: "is a directory")
        }
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else {
            throw InputError(reason: errno == ENOENT ? "no such file" : "cannot open the file (\(String(cString: strerror(errno))))")
        }
        descriptor = opened
        ownsDescriptor = true
    }

    func close() {
        if ownsDescriptor { _ = Foundation.close(descriptor) }
    }

    /// Calls `body` with each non-blank line (1-based number, bytes without the line break).
    func forEachLine(_ body: (Int, ArraySlice<UInt8>) -> Void) throws {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var lineNumber = 0
        func deliver(_ line: ArraySlice<UInt8>) {
            lineNumber += 1
            var line = line
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            body(lineNumber, line)
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(reason: "read failed after line \(lineNumber) (\(String(cString: strerror(errno))))")
            }
            if count == 0 { break }
            buffer.append(contentsOf: chunk[..<count])
            var start = buffer.startIndex
            while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                deliver(buffer[start..<newline])
                start = newline + 1
            }
            buffer.removeSubrange(..<start)
        }
        if !buffer.isEmpty { deliver(buffer[...]) }
    }
}
