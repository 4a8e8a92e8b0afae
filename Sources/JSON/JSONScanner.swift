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
/// `withUnsafeBufferPointer`. Its per-token methods are inlinable so that a decoder in another
/// module walks members without a call per token.
package struct JSONScanner {
    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline var cursor = 0
    @usableFromInline var nesting = 0
    /// For `enterObject`/`nextKey` walks: whether a `,` or `}` is due before the next name.
    @usableFromInline var separatorDue = false

    package init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// A scanner over a window of a larger document whose reader is already `depth` containers
    /// deep (a streaming reader decoding the elements of an array it opened itself), so that the
    /// nesting limit counts as it would over the whole document.
    package init(_ buffer: UnsafeBufferPointer<UInt8>, depth: Int) {
        self.buffer = buffer
        self.nesting = depth
    }

    /// How many containers are open around the current position.
    @inlinable package var depth: Int { nesting }

    /// Byte offset of the next unread byte. Setting it lets a caller re-read a value it skipped
    /// (set it only to an offset the scanner reported, at the same depth).
    @inlinable package var position: Int {
        get { cursor }
        set { cursor = newValue }
    }

    @inlinable @inline(__always) mutating func skipWhitespace() {
        while cursor < buffer.count {
            let byte = buffer[cursor]
            // Every token byte is above the space: one comparison for the usual, compact case.
            if byte > 0x20 { return }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: cursor += 1
            default: return
            }
        }
    }

    /// The first byte of the next value or token, after whitespace; nil at the end of input.
    @inlinable @inline(__always) package mutating func peek() -> UInt8? {
        skipWhitespace()
        return cursor < buffer.count ? buffer[cursor] : nil
    }

    /// Consumes the `{` of an object; true when a member follows (read it with `readKey`), false
    /// for `{}`, which is then consumed entirely.
    @inlinable @inline(__always) package mutating func beginObject() throws(JSONParseError) -> Bool {
        try open(UInt8(ascii: "{"), closing: UInt8(ascii: "}"))
    }

    /// Consumes the `[` of an array; true when an element follows, false for `[]` (consumed).
    @inlinable @inline(__always) package mutating func beginArray() throws(JSONParseError) -> Bool {
        try open(UInt8(ascii: "["), closing: UInt8(ascii: "]"))
    }

    @inlinable @inline(__always)
    mutating func open(_ opening: UInt8, closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == opening else {
            throw scanError(opening == UInt8(ascii: "{") ? "expected an object" : "expected an array", at: cursor)
        }
        guard nesting < JSONParser.maximumDepth else { throw scanError("nesting deeper than 512 levels", at: cursor) }
        cursor += 1
        skipWhitespace()
        if cursor < buffer.count, buffer[cursor] == closing {
            cursor += 1
            return false
        }
        nesting += 1
        return true
    }

    /// Reads a member name and the `:` after it; the member's value comes next.
    @inlinable @inline(__always) package mutating func readKey() throws(JSONParseError) -> JSONScannedKey {
        skipWhitespace()
        let quote = cursor
        guard quote < buffer.count, buffer[quote] == UInt8(ascii: "\"") else {
            throw scanError("expected a member name in double quotes", at: quote)
        }
        // Fast path: printable ASCII without escapes, which every key of a real document is.
        let end = firstSpecialStringByte(in: buffer, from: quote + 1, orNonASCII: true)
        let isPlain = end < buffer.count && buffer[end] == UInt8(ascii: "\"")
        let closing = isPlain ? end : try endOfString(at: quote)
        cursor = closing + 1
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: ":") else {
            throw scanError("expected ':' after member name", at: cursor)
        }
        cursor += 1
        return JSONScannedKey(buffer: buffer, quoteOffset: quote, end: closing, isPlain: isPlain)
    }

    /// After a member's value: consumes `,` and returns true when another member follows, or
    /// consumes `}` and returns false.
    @inlinable @inline(__always) package mutating func nextMember() throws(JSONParseError) -> Bool {
        try next(closing: UInt8(ascii: "}"))
    }

    /// After an element: consumes `,` and returns true when another element follows, or
    /// consumes `]` and returns false.
    @inlinable @inline(__always) package mutating func nextElement() throws(JSONParseError) -> Bool {
        try next(closing: UInt8(ascii: "]"))
    }

    @inlinable @inline(__always)
    mutating func next(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard cursor < buffer.count else { throw scanError("unterminated container", at: cursor) }
        let byte = buffer[cursor]
        if byte == UInt8(ascii: ",") {
            cursor += 1
            return true
        }
        guard byte == closing else { throw scanError("expected ',' or the end of the container", at: cursor) }
        cursor += 1
        nesting -= 1
        return false
    }

    /// Skips one value, checking it as `JSONParser.parse` would (numbers out of range included).
    @inlinable @inline(__always) package mutating func skipValue() throws(JSONParseError) {
        skipWhitespace()
        cursor = try skipValue(at: cursor, depth: nesting)
    }

    /// Builds one value, exactly as `JSONParser.parse` builds it.
    package mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        var reader = Reader(buffer)
        reader.position = cursor
        defer { cursor = reader.position }
        return try reader.parseValue(depth: nesting)
    }

    /// Reads a string value (the next byte must be `"`), decoded as `JSONParser.parse` decodes it.
    @inlinable @inline(__always) package mutating func parseString() throws(JSONParseError) -> String {
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: "\"") else { throw scanError("expected a string", at: cursor) }
        let end = firstSpecialStringByte(in: buffer, from: cursor + 1, orNonASCII: false)
        if end < buffer.count, buffer[end] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[(cursor + 1)..<end]), as: UTF8.self)
            cursor = end + 1
            return text
        }
        return try parseEscapedString()
    }

    /// Checks that only whitespace follows the top-level value.
    package mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        if cursor < buffer.count { throw scanError("unexpected content after the JSON value", at: cursor) }
    }

    // MARK: Walking objects by known names

    /// Consumes the `{` of an object whose members are then read with `nextKey(in:)`.
    package mutating func enterObject() throws(JSONParseError) {
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: "{") else { throw scanError("expected an object", at: cursor) }
        guard nesting < JSONParser.maximumDepth else { throw scanError("nesting deeper than 512 levels", at: cursor) }
        cursor += 1
        nesting += 1
        separatorDue = false
    }

    /// Reads the next member name of the object entered with `enterObject()` (after the
    /// previous member's value, which the caller read or skipped) and its `:`: the position of
    /// the name in `keys`, `-1` for a name not in `keys` (whose value the caller must still read
    /// or skip), or nil once the object's `}` is consumed.
    ///
    /// Names match by `String` equality, as `JSONObject` lookups do, escapes included.
    package mutating func nextKey(in keys: JSONKeySet) throws(JSONParseError) -> Int? {
        try readNextKey(in: keys)
    }

    /// `nextKey(in:)`'s body, inlined into `nextKnownKey(in:)` too: a call per member name
    /// costs about as much as matching it.
    @inline(__always) mutating func readNextKey(in keys: JSONKeySet) throws(JSONParseError) -> Int? {
        skipWhitespace()
        guard cursor < buffer.count else { throw scanError("unterminated object", at: cursor) }
        if buffer[cursor] == UInt8(ascii: "}") {
            cursor += 1
            nesting -= 1
            separatorDue = true  // the object was a value of its container
            return nil
        }
        if separatorDue {
            guard buffer[cursor] == UInt8(ascii: ",") else { throw scanError("expected ',' or '}' after object member", at: cursor) }
            cursor += 1
            skipWhitespace()
        }
        let quote = cursor
        guard quote < buffer.count, buffer[quote] == UInt8(ascii: "\"") else {
            throw scanError("expected a member name in double quotes", at: quote)
        }
        let end = firstSpecialStringByte(in: buffer, from: quote + 1, orNonASCII: true)
        let index: Int
        if end < buffer.count, buffer[end] == UInt8(ascii: "\"") {
            let count = end - quote - 1
            if quote + 9 <= buffer.count, let base = buffer.baseAddress {
                // The page goes on past short names, so their head is one load and a mask.
                let word = UnsafeRawPointer(base + quote + 1).loadUnaligned(as: UInt64.self)
                let head = count >= 8 ? word : word & ((1 &<< UInt64(count &* 8)) &- 1)
                index = keys.index(of: base + quote + 1, count: count, head: head)
            } else {
                index = keys.index(of: UnsafeBufferPointer(rebasing: buffer[(quote + 1)..<end]))
            }
            cursor = end + 1
        } else {
            let closing = try endOfString(at: quote)
            let name = JSONScannedKey(buffer: buffer, quoteOffset: quote, end: closing, isPlain: false).name
            index = keys.index(ofName: name)
            cursor = closing + 1
        }
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: ":") else {
            throw scanError("expected ':' after member name", at: cursor)
        }
        cursor += 1
        separatorDue = true
        return index
    }

    /// `nextKey(in:)` for decoders that skip every member not in `keys`: such members are
    /// skipped here (their values checked as `skipValue()` checks them), so the result is the
    /// position of the next known name, or nil once the object's `}` is consumed.
    package mutating func nextKnownKey(in keys: JSONKeySet) throws(JSONParseError) -> Int? {
        while let index = try readNextKey(in: keys) {
            if index >= 0 { return index }
            skipWhitespace()
            cursor = try skipValue(at: cursor, depth: nesting)
        }
        return nil
    }

    /// The next value if it is a string (decoded as `JSONParser.parse` decodes it); any other
    /// value is skipped (and checked) and gives nil.
    package mutating func stringOrSkip() throws(JSONParseError) -> String? {
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: "\"") else {
            cursor = try skipValue(at: cursor, depth: nesting)
            return nil
        }
        let end = firstSpecialStringByte(in: buffer, from: cursor + 1, orNonASCII: false)
        if end < buffer.count, buffer[end] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[(cursor + 1)..<end]), as: UTF8.self)
            cursor = end + 1
            return text
        }
        return try parseEscapedString()
    }

    // MARK: Out of line

    @usableFromInline func scanError(_ reason: String, at offset: Int) -> JSONParseError {
        Reader(buffer).error(reason, at: offset)
    }

    /// The offset of the closing quote of the string at `quote`, checking its escapes.
    @usableFromInline func endOfString(at quote: Int) throws(JSONParseError) -> Int {
        var reader = Reader(buffer)
        reader.position = quote
        try reader.skipString()
        return reader.position - 1
    }

    @usableFromInline mutating func parseEscapedString() throws(JSONParseError) -> String {
        var reader = Reader(buffer)
        reader.position = cursor
        defer { cursor = reader.position }
        return try reader.parseString()
    }

    @usableFromInline func skipValue(at start: Int, depth: Int) throws(JSONParseError) -> Int {
        guard let base = buffer.baseAddress else { throw scanError("unexpected end of input: expected a value", at: start) }
        do {
            return try FastSkip.value(base, buffer.count, start, depth: depth)
        } catch {
            throw scanError("invalid JSON value", at: error.offset)
        }
    }
}

/// A member name as `JSONScanner.readKey` found it.
package struct JSONScannedKey {
    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline let quoteOffset: Int
    @usableFromInline let end: Int
    /// True when the name is printable ASCII without escapes: then `bytes` is the name itself.
    package let isPlain: Bool

    @inlinable init(buffer: UnsafeBufferPointer<UInt8>, quoteOffset: Int, end: Int, isPlain: Bool) {
        self.buffer = buffer
        self.quoteOffset = quoteOffset
        self.end = end
        self.isPlain = isPlain
    }

    /// The bytes between the quotes, as written (escapes not decoded).
    @inlinable package var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[(quoteOffset + 1)..<end])
    }

    /// How many bytes are between the quotes.
    @inlinable package var byteCount: Int { end - quoteOffset - 1 }

    /// The decoded name, as `JSONParser.parse` would give it as an object key.
    package var name: String {
        if isPlain { return String(decoding: bytes, as: UTF8.self) }
        var reader = Reader(buffer)
        reader.position = quoteOffset
        // The scanner already checked this string, so decoding it cannot fail.
        return (try? reader.parseString()) ?? ""
    }

    /// Whether the name equals `expected` by `String` equality (what `JSONObject` lookups use).
    @inlinable @inline(__always) package func matches(_ expected: StaticString) -> Bool {
        // Only ASCII compares bytewise: `String` equality is canonical equivalence, under which
        // e.g. "\u{212A}" (Kelvin sign) equals "K".
        guard isPlain, expected.isASCII else { return name == expected.description }
        let count = expected.utf8CodeUnitCount
        guard end - quoteOffset - 1 == count else { return false }
        let pointer = expected.utf8Start
        let start = quoteOffset + 1
        var index = 0
        while index < count {
            if buffer[start + index] != pointer[index] { return false }
            index += 1
        }
        return true
    }
}

/// The member names a decoder looks for at one level of a document, for `JSONScanner.nextKey(in:)`.
///
/// A small open-addressing table keyed by a name's length and first eight bytes, so that a
/// name (known or not) is looked up with one or two comparisons. Immutable after `init`.
package final class JSONKeySet: @unchecked Sendable {
    private let names: [String]
    private let mask: Int
    /// Slot → entry index, or -1 when empty.
    private let slots: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    /// The first (up to) eight bytes of each name, little-endian, zero-padded.
    private let heads: UnsafeMutablePointer<UInt64>
    /// Every name's bytes, one after another, and where each starts.
    private let text: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>

    /// - Parameter names: printable ASCII names without quotes or backslashes.
    package init(_ names: [String]) {
        for name in names {
            precondition(name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }, "key '\(name)' must be plain ASCII")
        }
        self.names = names
        var slotCount = 8
        while slotCount < names.count * 4 { slotCount *= 2 }
        mask = slotCount - 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        lengths = .allocate(capacity: max(1, names.count))
        heads = .allocate(capacity: max(1, names.count))
        starts = .allocate(capacity: max(1, names.count))
        let totalBytes = names.reduce(0) { $0 + $1.utf8.count }
        text = .allocate(capacity: max(1, totalBytes))
        var offset = 0
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            lengths[index] = bytes.count
            starts[index] = offset
            for byte in bytes {
                text[offset] = byte
                offset += 1
            }
            let head = bytes.withUnsafeBufferPointer { Self.head(of: $0) }
            heads[index] = head
            var slot = Self.hash(count: bytes.count, head: head) & mask
            while slots[slot] >= 0 {
                // A repeated name keeps its first position, like `firstIndex(of:)`.
                if names[slots[slot]] == name { break }
                slot = (slot + 1) & mask
            }
            if slots[slot] < 0 { slots[slot] = index }
        }
    }

    deinit {
        slots.deallocate()
        lengths.deallocate()
        heads.deallocate()
        starts.deallocate()
        text.deallocate()
    }

    @inline(__always) private static func head(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        if bytes.count >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
        var word: UInt64 = 0
        var index = bytes.count - 1
        while index >= 0 {
            word = word << 8 | UInt64(base[index])
            index -= 1
        }
        return word
    }

    @inline(__always) private static func hash(count: Int, head: UInt64) -> Int {
        let mixed = (head ^ UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15) &* 0xFF51_AFD7_ED55_8CCD
        return Int(truncatingIfNeeded: mixed >> 40)
    }

    /// The position of the plain ASCII name `bytes`, or -1.
    @usableFromInline @inline(__always) func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let count = bytes.count
        let head = Self.head(of: bytes)
        var slot = Self.hash(count: count, head: head) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return -1 }
            if lengths[entry] == count, heads[entry] == head {
                if count <= 8 { return entry }
                let expected = text + starts[entry]
                var offset = 8
                while offset < count, bytes[offset] == expected[offset] { offset += 1 }
                if offset == count { return entry }
            }
            slot = (slot + 1) & mask
        }
    }

    /// `index(of:)` for the `count` bytes at `start` whose head (first eight bytes, zero-padded)
    /// the caller already loaded; longer names compare eight bytes at a time.
    @usableFromInline @inline(__always) func index(of start: UnsafePointer<UInt8>, count: Int, head: UInt64) -> Int {
        var slot = Self.hash(count: count, head: head) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { return -1 }
            if lengths[entry] == count, heads[entry] == head {
                if count <= 8 { return entry }
                let expected = UnsafeRawPointer(text + starts[entry])
                let actual = UnsafeRawPointer(start)
                var offset = 8
                while offset + 8 < count,
                    actual.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == expected.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                {
                    offset += 8
                }
                // The last eight bytes, overlapping what was compared (count > 8 here).
                if offset + 8 >= count,
                    actual.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                        == expected.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                {
                    return entry
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The position of a name that had escapes or non-ASCII bytes, by `String` equality.
    @usableFromInline func index(ofName name: String) -> Int {
        names.firstIndex(of: name) ?? -1
    }
}
