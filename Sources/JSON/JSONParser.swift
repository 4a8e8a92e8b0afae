/// A JSON syntax error, located by byte offset, line and column (both 1-based) so that a user
/// can open the file at the right place.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem from the start of the input.
    package var offset: Int
    package var line: Int
    package var column: Int
    /// What was wrong, e.g. "expected ',' or ']' after array element".
    package var reason: String

    package var description: String { "line \(line), column \(column): \(reason)" }
}

/// A strict RFC 8259 parser, written for this toolkit because Foundation's decoders neither
/// report positions precisely nor keep integer values exact, and are the bottleneck of mapping.
package enum JSONParser {
    /// Deep enough for any real ESET document, shallow enough that hostile input cannot exhaust
    /// the stack.
    package static let maximumDepth = 512

    /// Parses one complete JSON text (surrounding whitespace allowed, nothing else after it).
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try parse(buffer)
        }
    }

    /// Parses one complete JSON text from a string.
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses one complete JSON text from raw memory.
    package static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = Reader(buffer)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.position < buffer.count {
            throw reader.error("unexpected content after the JSON value")
        }
        return value
    }

    /// The byte ranges of the elements of a top-level JSON array, after checking that the whole
    /// input is valid JSON. Lets the mock serve fixture objects verbatim, byte for byte.
    package static func arrayElementRanges(_ bytes: [UInt8]) throws(JSONParseError) -> [Range<Int>] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> [Range<Int>] in
            try arrayElementRanges(buffer)
        }
    }

    /// `arrayElementRanges(_:)` over memory the caller owns (a memory-mapped fixture file).
    package static func arrayElementRanges(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> [Range<Int>] {
        do {
            var reader = Reader(buffer)
            reader.skipWhitespace()
            guard reader.position < buffer.count else { throw reader.error("empty input: expected a JSON array") }
            guard buffer[reader.position] == UInt8(ascii: "[") else {
                throw reader.error("expected a JSON array ('[')")
            }
            reader.position += 1
            var ranges: [Range<Int>] = []
            reader.skipWhitespace()
            if reader.peek() == UInt8(ascii: "]") {
                reader.position += 1
            } else {
                while true {
                    reader.skipWhitespace()
                    let start = reader.position
                    try reader.skipValue(depth: 1)
                    ranges.append(start..<reader.position)
                    reader.skipWhitespace()
                    guard let byte = reader.peek() else { throw reader.error("unterminated array: expected ',' or ']'") }
                    reader.position += 1
                    if byte == UInt8(ascii: "]") { break }
                    if byte != UInt8(ascii: ",") {
                        reader.position -= 1
                        throw reader.error("expected ',' or ']' after array element")
                    }
                }
            }
            reader.skipWhitespace()
            if reader.position < buffer.count { throw reader.error("unexpected content after the JSON value") }
            return ranges
        }
    }

    /// Checks that `bytes` are one valid JSON text without building it.
    package static func validate(_ bytes: [UInt8]) throws(JSONParseError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            var reader = Reader(buffer)
            reader.skipWhitespace()
            try reader.skipValue(depth: 0)
            reader.skipWhitespace()
            if reader.position < buffer.count { throw reader.error("unexpected content after the JSON value") }
        }
    }

    /// Line and column (1-based, columns counted in bytes) of a byte offset.
    package static func location(of offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        let end = min(offset, buffer.count)
        while index < end {
            if buffer[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return (line, offset - lineStart + 1)
    }
}

struct Reader {
    let buffer: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        let at = offset ?? position
        let (line, column) = JSONParser.location(of: at, in: buffer)
        return JSONParseError(offset: at, line: line, column: column, reason: reason)
    }

    @inline(__always) func peek() -> UInt8? {
        position < buffer.count ? buffer[position] : nil
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input: expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character \(describe(byte)): expected a value")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw error(peek() == nil ? "unterminated object: expected a member name" : "expected a member name in double quotes")
            }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard let next = peek() else { throw error("unterminated object: expected ',' or '}'") }
            position += 1
            if next == UInt8(ascii: "}") { return JSONObject(members) }
            if next != UInt8(ascii: ",") {
                position -= 1
                throw error("expected ',' or '}' after object member")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let next = peek() else { throw error("unterminated array: expected ',' or ']'") }
            position += 1
            if next == UInt8(ascii: "]") { return elements }
            if next != UInt8(ascii: ",") {
                position -= 1
                throw error("expected ',' or ']' after array element")
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = position
        guard position + count <= buffer.count else { throw error("invalid literal: expected '\(literal)'") }
        let matches = literal.withUTF8Buffer { expected in
            var index = 0
            while index < count {
                if buffer[start + index] != expected[index] { return false }
                index += 1
            }
            return true
        }
        guard matches else { throw error("invalid literal: expected '\(literal)'") }
        position += count
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        try scanNumber()
        var isInteger = true
        var index = start
        while index < position {
            let byte = buffer[index]
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                isInteger = false
                break
            }
            index += 1
        }
        let digitCount = position - start - (buffer[start] == UInt8(ascii: "-") ? 1 : 0)
        if isInteger, digitCount <= 19 {
            var negative = false
            var cursor = start
            if buffer[cursor] == UInt8(ascii: "-") {
                negative = true
                cursor += 1
            }
            var magnitude: UInt64 = 0
            while cursor < position {
                magnitude = magnitude &* 10 &+ UInt64(buffer[cursor] &- 0x30)
                cursor += 1
            }
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw error("number out of range", at: start)
        }
        return .double(double)
    }

    /// Advances over one RFC 8259 number, checking its grammar.
    mutating func scanNumber() throws(JSONParseError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("invalid number: expected a digit") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) { throw error("invalid number: leading zero") }
        } else {
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let byte = peek(), isDigit(byte) else { throw error("invalid number: expected a digit after '.'") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("invalid number: expected a digit in the exponent") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Whether a number (already scanned) could be out of `Double`'s range: only one with an
    /// exponent or with hundreds of digits can, so most numbers need no conversion to be checked.
    @inline(__always) func mayBeOutOfRange(_ range: Range<Int>) -> Bool {
        if range.count > 300 { return true }
        for index in range where buffer[index] | 0x20 == UInt8(ascii: "e") { return true }
        return false
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let quote = position
        position += 1
        let start = position
        // Fast path: no escapes, the common case for ESET data.
        while position < buffer.count {
            position = firstSpecialStringByte(in: buffer, from: position)
            guard position < buffer.count else { break }
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("unescaped control character in string") }
            position += 1
        }
        guard position < buffer.count else { throw error("unterminated string", at: quote) }
        var bytes = Array(UnsafeBufferPointer(rebasing: buffer[start..<position]))
        while position < buffer.count {
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
            if byte != UInt8(ascii: "\\") {
                bytes.append(byte)
                position += 1
                continue
            }
            position += 1
            guard let escape = peek() else { break }
            position += 1
            switch escape {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate; a lone one
                    // becomes U+FFFD rather than failing the whole document.
                    if position + 6 <= buffer.count, buffer[position] == UInt8(ascii: "\\"),
                        buffer[position + 1] == UInt8(ascii: "u")
                    {
                        let save = position
                        position += 2
                        let low = try parseHex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &bytes)
            default:
                position -= 2
                throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        throw error("unterminated string", at: quote)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= buffer.count else { throw error("invalid \\u escape: expected 4 hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("invalid \\u escape: expected 4 hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Advances over one value without building it, checking it as `parseValue` would (numbers
    /// out of `Double`'s range included).
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard let byte = peek() else { throw error("unexpected end of input: expected a value") }
        switch byte {
        case UInt8(ascii: "{"):
            if depth + 1 > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else {
                    throw error(peek() == nil ? "unterminated object: expected a member name" : "expected a member name in double quotes")
                }
                try skipString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
                position += 1
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw error("unterminated object: expected ',' or '}'") }
                position += 1
                if next == UInt8(ascii: "}") { return }
                if next != UInt8(ascii: ",") {
                    position -= 1
                    throw error("expected ',' or '}' after object member")
                }
            }
        case UInt8(ascii: "["):
            if depth + 1 > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw error("unterminated array: expected ',' or ']'") }
                position += 1
                if next == UInt8(ascii: "]") { return }
                if next != UInt8(ascii: ",") {
                    position -= 1
                    throw error("expected ',' or ']' after array element")
                }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            try scanNumber()
            // `parse` refuses numbers a Double cannot hold (1e400); validating must refuse the same
            // texts. Only a literal with an exponent or hundreds of digits can be out of range.
            if mayBeOutOfRange(start..<position) {
                position = start
                _ = try parseNumber()
            }
        default: throw error("unexpected character \(describe(byte)): expected a value")
        }
    }

    mutating func skipString() throws(JSONParseError) {
        let quote = position
        position += 1
        while position < buffer.count {
            position = firstSpecialStringByte(in: buffer, from: position)
            guard position < buffer.count else { break }
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
            if byte == UInt8(ascii: "\\") {
                position += 1
                guard let escape = peek() else { break }
                switch escape {
                case UInt8(ascii: "u"):
                    position += 1
                    _ = try parseHex4()
                    continue
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                default:
                    position -= 1
                    throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(escape)))'")
                }
            }
            position += 1
        }
        throw error("unterminated string", at: quote)
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}

@inline(__always) func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | (scalar >> 6)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | (scalar >> 12)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (scalar >> 18)))
        bytes.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}


/// The offset of the first byte at or after `start` that ends a run of plain string content:
/// a quote, a backslash or a control character (below 0x20); `buffer.count` when there is none.
///
/// Eight bytes at a time: string content is most of a device page, and a byte-by-byte loop was
/// the largest single cost of decoding one.
@inlinable @inline(__always)
func firstSpecialStringByte(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    firstSpecialStringByte(in: buffer, from: start, orNonASCII: false)
}

/// `firstSpecialStringByte(in:from:)`, also stopping at bytes of 0x80 and above when
/// `orNonASCII` is true (member names: a plain ASCII name can be compared bytewise).
@inlinable @inline(__always)
func firstSpecialStringByte(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, orNonASCII: Bool) -> Int {
    guard let base = buffer.baseAddress else { return buffer.count }
    let end = buffer.count
    var index = start
    #if _endian(little)
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    while index + 8 <= end {
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        // Classic "has a zero byte" / "has a byte below n" tests: the lowest flagged byte is
        // always a true match (borrows only spoil the bytes above it).
        var found = ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | (word &- ones &* 0x20) & ~word) & highBits
        if orNonASCII { found |= word & highBits }
        if found != 0 { return index + found.trailingZeroBitCount / 8 }
        index += 8
    }
    #endif
    while index < end {
        let byte = base[index]
        if byte == 0x22 || byte == 0x5C || byte < 0x20 || (orNonASCII && byte >= 0x80) { return index }
        index += 1
    }
    return end
}
