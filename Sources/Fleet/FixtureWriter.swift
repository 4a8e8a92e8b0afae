/// How generated JSON is laid out.
package enum FleetLayout: Sendable, Hashable {
    /// One device (or group) per line, no insignificant spaces inside: the smallest files, and a
    /// line per item keeps huge fleets greppable.
    case compact
    /// Two-space indentation with `"key": value`, the style of the published seed sample, so
    /// hand-written and generated fixtures read alike.
    case pretty
}

/// Writes JSON bytes straight into a buffer.
///
/// The generator emits millions of devices; going through Foundation's encoders (or even
/// `String` interpolation) per value would dominate the run time. This writer only appends
/// bytes and tracks just enough state to place commas, newlines and indentation. It does not
/// validate nesting: the generator is its only caller and the tests parse everything it writes.
struct FixtureWriter {
    private(set) var bytes: [UInt8] = []
    let pretty: Bool
    private var depth = 0
    /// True right after a container opened: the next member needs no comma.
    private var atContainerStart = true
    /// True right after a key: the value follows on the same line.
    private var afterKey = false

    init(layout: FleetLayout, reservingCapacity capacity: Int = 0) {
        self.pretty = layout == .pretty
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        depth = 0
        atContainerStart = true
        afterKey = false
    }

    /// Appends `text` as is, outside any JSON structure (framing between items).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends already-serialised JSON as is (hand-written fixtures that must stay verbatim).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Resets the structural state so the next value is written as a top-level item.
    mutating func startItem() {
        depth = 0
        atContainerStart = true
        afterKey = false
    }

    // MARK: Containers

    mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        atContainerStart = true
    }

    mutating func endObject() {
        closeContainer(UInt8(ascii: "}"))
    }

    mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        depth += 1
        atContainerStart = true
    }

    mutating func endArray() {
        closeContainer(UInt8(ascii: "]"))
    }

    private mutating func closeContainer(_ bracket: UInt8) {
        depth -= 1
        if !atContainerStart { newlineAndIndent() }
        bytes.append(bracket)
        // The container just closed is a member of its parent, so the parent is no longer empty.
        atContainerStart = false
    }

    // MARK: Keys and values

    mutating func key(_ name: StaticString) {
        separateMember()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    mutating func string(_ value: String) {
        beforeValue()
        appendQuoted(value)
    }

    mutating func int(_ value: Int) {
        beforeValue()
        appendDecimal(value)
    }

    /// An int64 the way proto3 JSON may send it: a string of digits.
    mutating func intAsString(_ value: Int) {
        beforeValue()
        bytes.append(UInt8(ascii: "\""))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        beforeValue()
        if value { raw("true") } else { raw("false") }
    }

    mutating func null() {
        beforeValue()
        raw("null")
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        int(value)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes the field only when `value` is non-nil: absent, never `null`.
    mutating func optionalField(_ name: StaticString, _ value: String?) {
        if let value { field(name, value) }
    }

    // MARK: Layout

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
        } else if depth > 0 {
            separateMember()
        }
    }

    private mutating func separateMember() {
        if atContainerStart {
            atContainerStart = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        newlineAndIndent()
    }

    private mutating func newlineAndIndent() {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<depth {
            bytes.append(UInt8(ascii: " "))
            bytes.append(UInt8(ascii: " "))
        }
    }

    // MARK: Scalars

    private mutating func appendDecimal(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            while magnitude > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(0x22)
        var text = value
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let count = utf8.count
            var pendingStart = 0
            var index = 0
            while index < count {
                let byte = base[index]
                // Control characters, quote and backslash are the only bytes JSON requires
                // escaping; everything else (UTF-8 included) is copied as is.
                if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base + pendingStart, count: index - pendingStart))
                    appendEscape(for: byte)
                    pendingStart = index + 1
                }
                index += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base + pendingStart, count: count - pendingStart))
        }
        bytes.append(0x22)
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            // Only bytes below 0x20 get here: the high digit is 0 or 1.
            let low = byte & 0x0F
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0") + (byte >> 4))
            bytes.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
        }
    }
}
