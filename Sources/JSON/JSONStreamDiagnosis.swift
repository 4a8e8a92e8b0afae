/// Where the first byte of a window of a streamed document stands in the whole document.
package struct JSONStreamPosition: Sendable, Equatable {
    /// Byte offset from the start of the document.
    package var offset: Int
    /// 1-based line, as `JSONParseError` counts it.
    package var line: Int
    /// 1-based column in bytes, as `JSONParseError` counts it.
    package var column: Int

    package init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }
}

/// What `JSONParser.diagnose` concluded about a window.
package enum JSONStreamVerdict: Sendable, Equatable {
    /// The window ends before the parser could decide: read more and ask again.
    case needsMoreInput
    /// The window, after the prefix, completes the document without an error.
    case valid
    /// The error `JSONParser.parse` gives for the whole document, located in it.
    case invalid(JSONParseError)
}

extension JSONParser {
    /// Diagnoses a window of a document that a streaming reader holds only in part: the error
    /// `parse` would give for the whole document, with its offset, line and column, or whether
    /// more input is needed to know.
    ///
    /// `prefix` is a short valid start of a document that puts the parser into the state the
    /// reader was in at the window's first byte, which `locate` gives (`[` inside a top-level array before its first element, `[0,` before a later one,
    /// `[{}` after an element, `[]` after the array). Everything the reader consumed before the
    /// window was valid and does not change how the rest parses (only the nesting depth does,
    /// which the prefix reproduces), so the parser's first error in `prefix + window` is the
    /// whole document's. An error that a longer window could move (the input ending inside a
    /// string, a literal, an escape or a number, or right at the window's end) is
    /// `needsMoreInput` unless `isEndOfInput`.
    package static func diagnose(
        resumingAfter prefix: StaticString, window: UnsafeBufferPointer<UInt8>, at locate: () -> JSONStreamPosition, isEndOfInput: Bool
    ) -> JSONStreamVerdict {
        var text: [UInt8] = []
        text.reserveCapacity(prefix.utf8CodeUnitCount + window.count)
        prefix.withUTF8Buffer { text.append(contentsOf: $0) }
        text.append(contentsOf: window)
        do {
            _ = try parse(text)
            return isEndOfInput ? .valid : .needsMoreInput
        } catch {
            // Errors the end of the window can cause: running out (at the end), a literal,
            // `\u` escape or surrogate pair cut short (within 8 bytes of it), a string whose
            // closing quote lies beyond it (reported at its opening quote).
            if !isEndOfInput, error.reason == "unterminated string" || error.offset >= text.count - 8 {
                return .needsMoreInput
            }
            let relative = max(0, error.offset - prefix.utf8CodeUnitCount)
            // Locating the window costs a pass over it: only for a real error.
            let position = locate()
            var line = position.line
            var column = position.column
            var index = 0
            while index < relative {
                if window[index] == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                index += 1
            }
            return .invalid(JSONParseError(offset: position.offset + relative, line: line, column: column, reason: error.reason))
        }
    }
}

/// Follows the structure of a JSON text chunk by chunk, without checking it, to learn how often
/// its top-level object has a member of one name and whether every such member holds an array.
///
/// A streaming reader asks this before streaming the `devices` array of a page: a later member
/// of the same name would replace the array, so streaming is right only when there is exactly one.
/// On a malformed text the answer means nothing, which is harmless: the stream checks every byte
/// and stops at the first error, the whole document's.
package struct JSONTopLevelMemberSurvey {
    private let name: String
    private let nameBytes: [UInt8]
    /// Members of that name seen so far.
    package private(set) var occurrences = 0
    /// False once a member of that name holds something else than an array.
    package private(set) var everyValueIsAnArray = true
    /// True once the top-level value has ended.
    package private(set) var isComplete = false

    private var depth = 0
    private var inString = false
    private var escaped = false
    private var expectingName = false
    private var collectingName = false
    private var nameTooLong = false
    private var collected: [UInt8] = []
    private var valueOfNameDue = false

    /// - Parameter name: printable ASCII.
    package init(name: String) {
        self.name = name
        nameBytes = Array(name.utf8)
    }

    package mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = chunk.count
        while index < count, !isComplete {
            if inString {
                if !collectingName, !escaped {
                    // Skip the string's plain bytes eight at a time.
                    index = firstSpecialStringByte(in: chunk, from: index)
                    if index >= count { return }
                }
                let byte = chunk[index]
                index += 1
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if collectingName {
                        collectingName = false
                        if !nameTooLong, isTheName(collected) {
                            occurrences += 1
                            valueOfNameDue = true
                        }
                    }
                    continue
                }
                if collectingName {
                    if collected.count < 64 { collected.append(byte) } else { nameTooLong = true }
                }
                continue
            }
            let byte = chunk[index]
            index += 1
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            case UInt8(ascii: "\""):
                inString = true
                if depth == 1, expectingName {
                    collectingName = true
                    nameTooLong = false
                    collected.removeAll(keepingCapacity: true)
                } else {
                    noteValue(isArray: false)
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                noteValue(isArray: byte == UInt8(ascii: "["))
                depth += 1
                if depth == 1 { expectingName = byte == UInt8(ascii: "{") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 0 { isComplete = true }
            case UInt8(ascii: ","):
                if depth == 1 { expectingName = true }
            case UInt8(ascii: ":"):
                if depth == 1 { expectingName = false }
            default:
                noteValue(isArray: false)  // a number or literal
            }
        }
    }

    private mutating func noteValue(isArray: Bool) {
        guard depth == 1, valueOfNameDue else { return }
        valueOfNameDue = false
        if !isArray { everyValueIsAnArray = false }
    }

    private func isTheName(_ bytes: [UInt8]) -> Bool {
        if bytes == nameBytes { return true }
        guard bytes.contains(UInt8(ascii: "\\")) else { return false }
        // Escaped spellings (`dev\u0069ces`) name the member too, as `JSONObject` lookups see it.
        guard case .string(let decoded)? = try? JSONParser.parse([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")]) else { return false }
        return decoded == name
    }
}
