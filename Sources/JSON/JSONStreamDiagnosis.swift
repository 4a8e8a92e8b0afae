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
