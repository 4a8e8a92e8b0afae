/// A forward-only reader that walks a JSON text member by member and builds only the values a
/// caller asks for, skipping the rest without allocating.
///
/// It is the fast path for decoding large documents of which only a few fields matter (an ESET
/// device page keeps about a third of its bytes). Everything it reads or skips is checked
/// exactly as `JSONParser.parse` checks it (syntax, nesting depth, number range), so a scan that
/// reaches `finish()` without throwing has seen a text `JSONParser.parse` accepts. Its error
/// messages are not meant for users: on an error, re-parse with `JSONParser.parse` to get the
/// located diagnostic.
///
/// The scanner reads `buffer` in place: use it only while that memory is valid, e.g. inside
/// `withUnsafeBufferPointer`.
public struct JSONScanner {
    private var reader: Reader
    /// How many containers are open around the current position.
    public private(set) var depth = 0

    public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        reader = Reader(buffer)
    }

    /// Byte offset of the next unread byte. Setting it lets a caller re-read a value it skipped
    /// (set it only to an offset the scanner reported, at the same depth).
    public var position: Int {
        get { reader.position }
        set { reader.position = newValue }
    }

    /// The first byte of the next value or token, after whitespace; nil at the end of input.
    public mutating func peek() -> UInt8? {
        reader.skipWhitespace()
        return reader.peek()
    }

    /// Consumes the `{` of an object; true when a member follows (read it with `readKey`), false
    /// for `{}`, which is then consumed entirely.
    public mutating func beginObject() throws(JSONParseError) -> Bool {
        try open(UInt8(ascii: "{"), closing: UInt8(ascii: "}"), what: "an object")
    }

    /// Consumes the `[` of an array; true when an element follows, false for `[]` (consumed).
    public mutating func beginArray() throws(JSONParseError) -> Bool {
        try open(UInt8(ascii: "["), closing: UInt8(ascii: "]"), what: "an array")
    }

    private mutating func open(_ opening: UInt8, closing: UInt8, what: String) throws(JSONParseError) -> Bool {
        reader.skipWhitespace()
        guard reader.peek() == opening else { throw reader.error("expected \(what)") }
        if depth + 1 > JSONParser.maximumDepth { throw reader.error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        reader.position += 1
        depth += 1
        reader.skipWhitespace()
        if reader.peek() == closing {
            reader.position += 1
            depth -= 1
            return false
        }
        return true
    }

    /// Reads a member name and the `:` after it; the member's value comes next.
    public mutating func readKey() throws(JSONParseError) -> JSONScannedKey {
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "\"") else {
            throw reader.error(reader.peek() == nil ? "unterminated object: expected a member name" : "expected a member name in double quotes")
        }
        let buffer = reader.buffer
        let quote = reader.position
        var index = quote + 1
        var isPlain = true
        // Fast path: printable ASCII without escapes, which every key of a real document is.
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 {
                isPlain = false
                break
            }
            index += 1
        }
        let end: Int
        if isPlain, index < buffer.count {
            end = index
            reader.position = index + 1
        } else {
            isPlain = false
            reader.position = quote
            try reader.skipString()
            end = reader.position - 1
        }
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: ":") else { throw reader.error("expected ':' after member name") }
        reader.position += 1
        return JSONScannedKey(buffer: buffer, quoteOffset: quote, bytes: UnsafeBufferPointer(rebasing: buffer[(quote + 1)..<end]), isPlain: isPlain)
    }

    /// After a member's value: consumes `,` and returns true when another member follows, or
    /// consumes `}` and returns false.
    public mutating func nextMember() throws(JSONParseError) -> Bool {
        try next(closing: UInt8(ascii: "}"), what: "object member")
    }

    /// After an element: consumes `,` and returns true when another element follows, or
    /// consumes `]` and returns false.
    public mutating func nextElement() throws(JSONParseError) -> Bool {
        try next(closing: UInt8(ascii: "]"), what: "array element")
    }

    private mutating func next(closing: UInt8, what: String) throws(JSONParseError) -> Bool {
        reader.skipWhitespace()
        guard let byte = reader.peek() else { throw reader.error("unterminated container: expected ',' or '\(Character(Unicode.Scalar(closing)))'") }
        reader.position += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == closing {
            depth -= 1
            return false
        }
        reader.position -= 1
        throw reader.error("expected ',' or '\(Character(Unicode.Scalar(closing)))' after \(what)")
    }

    /// Skips one value, checking it as `JSONParser.parse` would (numbers out of range included).
    public mutating func skipValue() throws(JSONParseError) {
        reader.skipWhitespace()
        try reader.skipValue(depth: depth, checkingNumbers: true)
    }

    /// Builds one value, exactly as `JSONParser.parse` builds it.
    public mutating func parseValue() throws(JSONParseError) -> JSONValue {
        reader.skipWhitespace()
        return try reader.parseValue(depth: depth)
    }

    /// Reads a string value (the next byte must be `"`), decoded as `JSONParser.parse` decodes it.
    public mutating func parseString() throws(JSONParseError) -> String {
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "\"") else { throw reader.error("expected a string") }
        return try reader.parseString()
    }

    /// Checks that only whitespace follows the top-level value.
    public mutating func finish() throws(JSONParseError) {
        reader.skipWhitespace()
        if reader.position < reader.buffer.count { throw reader.error("unexpected content after the JSON value") }
    }
}

/// A member name as `JSONScanner.readKey` found it.
public struct JSONScannedKey {
    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline let quoteOffset: Int
    /// The bytes between the quotes, as written (escapes not decoded).
    public let bytes: UnsafeBufferPointer<UInt8>
    /// True when the name is printable ASCII without escapes: then `bytes` is the name itself.
    public let isPlain: Bool

    @usableFromInline init(buffer: UnsafeBufferPointer<UInt8>, quoteOffset: Int, bytes: UnsafeBufferPointer<UInt8>, isPlain: Bool) {
        self.buffer = buffer
        self.quoteOffset = quoteOffset
        self.bytes = bytes
        self.isPlain = isPlain
    }

    /// The decoded name, as `JSONParser.parse` would give it as an object key.
    public var name: String {
        if isPlain { return String(decoding: bytes, as: UTF8.self) }
        var reader = Reader(buffer)
        reader.position = quoteOffset
        // The scanner already checked this string, so decoding it cannot fail.
        return (try? reader.parseString()) ?? ""
    }

    /// Whether the name equals `expected` by `String` equality (what `JSONObject` lookups use).
    @inlinable public func matches(_ expected: StaticString) -> Bool {
        // Only ASCII compares bytewise: `String` equality is canonical equivalence, under which
        // e.g. "\u{212A}" (Kelvin sign) equals "K".
        guard isPlain, expected.isASCII else { return name == expected.description }
        let count = expected.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let pointer = expected.utf8Start
        var index = 0
        while index < count {
            if bytes[index] != pointer[index] { return false }
            index += 1
        }
        return true
    }
}
