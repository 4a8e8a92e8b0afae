#if canImport(Glibc)
import Glibc  // rounding functions live in libm
#endif

/// Builds compact JSON text into a byte buffer.
///
/// The caller drives the structure (objects, arrays, keys); the writer inserts the commas.
/// It is the fast path for NDJSON output, where Foundation's encoder would dominate the run.
package struct JSONWriter: Sendable {
    package private(set) var bytes: [UInt8]
    /// One entry per open container: whether it already has an element (so a comma is due).
    private var needsComma: [Bool] = []
    private var afterKey = false

    package init(reservingCapacity capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer but keeps its storage, so one writer can serve a whole run.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma.removeAll(keepingCapacity: true)
        afterKey = false
    }

    @inline(__always) private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
        }
    }

    package mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    package mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    package mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member name; the next value written belongs to it.
    package mutating func key(_ name: String) {
        beforeValue()
        Self.appendEscaped(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    package mutating func string(_ value: String) {
        beforeValue()
        Self.appendEscaped(value, to: &bytes)
    }

    package mutating func int(_ value: Int64) {
        beforeValue()
        Self.appendInteger(value, to: &bytes)
    }

    package mutating func int(_ value: Int) { int(Int64(value)) }

    package mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    package mutating func null() {
        beforeValue()
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// Writes a finite double in its shortest round-trip form; a non-finite one (which JSON cannot
    /// express) becomes `null` rather than invalid output.
    package mutating func double(_ value: Double) {
        beforeValue()
        Self.appendDouble(value, to: &bytes)
    }

    /// Writes `units / 10^scale` exactly as a decimal, e.g. microseconds as seconds: (1747821600123456, 6)
    /// → `1747821600.123456`; a whole value keeps one `.0` to stay visibly fractional.
    package mutating func decimal(units: Int64, scale: Int) {
        beforeValue()
        Self.appendDecimal(units: units, scale: scale, to: &bytes)
    }

    /// Writes bytes that the caller guarantees to be one valid JSON value.
    package mutating func raw(_ json: some Collection<UInt8>) {
        beforeValue()
        bytes.append(contentsOf: json)
    }

    /// Writes any parsed value.
    package mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .int(let integer): int(integer)
        case .double(let double): self.double(double)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    package static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let bound = utf8.count * 6 + 2
            if bound <= 256 {
                // Short strings (nearly all of them) go through a stack buffer: one append.
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { scratch in
                    let count = writeEscaped(utf8: utf8, to: scratch.baseAddress!)
                    bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: count))
                }
            } else {
                // Long strings are escaped into an uninitialised buffer and copied once: no
                // per-byte generic fill, which debug builds run a thousand times slower.
                let escaped = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                    initialized = writeEscaped(utf8: utf8, to: buffer.baseAddress!)
                }
                bytes.append(contentsOf: escaped)
            }
        }
    }

    /// The most bytes `writeEscaped` can write for `text`: every byte as `\u00XX`, plus the quotes.
    @inlinable package static func maximumEscapedCount(of text: String) -> Int { text.utf8.count * 6 + 2 }

    /// Writes `text` as a JSON string literal at `destination` (the bytes `appendEscaped` appends)
    /// and returns how many bytes it wrote. `destination` must have room for
    /// `maximumEscapedCount(of: text)` bytes.
    package static func writeEscaped(_ text: String, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        // Native strings (all of ours) lend their bytes without a copy of the string.
        if let count = text.utf8.withContiguousStorageIfAvailable({ writeEscaped(utf8: $0, to: destination) }) {
            return count
        }
        var text = text
        return text.withUTF8 { writeEscaped(utf8: $0, to: destination) }
    }

    /// `writeEscaped(_:to:)` into `capacity` bytes at most: nil, with nothing guaranteed about
    /// the bytes at `destination`, when `text` might not fit.
    package static func writeEscaped(_ text: String, to destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int? {
        // One visit to the string's bytes for both the size check and the writing.
        if let written = text.utf8.withContiguousStorageIfAvailable({ utf8 -> Int? in
            utf8.count * 6 + 2 <= capacity ? writeEscaped(utf8: utf8, to: destination) : nil
        }) {
            return written
        }
        guard maximumEscapedCount(of: text) <= capacity else { return nil }
        return writeEscaped(text, to: destination)
    }

    static func writeEscaped(utf8: UnsafeBufferPointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var out = destination
        out.pointee = UInt8(ascii: "\"")
        out += 1
        var runStart = 0
        // Short strings (most names and values): checked and copied eight bytes at a time
        // without a copy call (the last word overlapping the one before it); the first word
        // holding a byte to escape hands over to the general loop below at that word.
        if utf8.count <= 64, let base = utf8.baseAddress {
            let count = utf8.count
            if count >= 8 {
                while runStart + 8 <= count {
                    let word = UnsafeRawPointer(base + runStart).loadUnaligned(as: UInt64.self)
                    if wordNeedsEscaping(word) { break }
                    UnsafeMutableRawPointer(out + runStart).storeBytes(of: word, as: UInt64.self)
                    runStart += 8
                }
                if runStart + 8 > count, runStart < count {
                    let word = UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self)
                    if !wordNeedsEscaping(word) {
                        UnsafeMutableRawPointer(out + count - 8).storeBytes(of: word, as: UInt64.self)
                        runStart = count
                    }
                }
            } else {
                while runStart < count {
                    let byte = base[runStart]
                    if byte < 0x20 || byte == 0x22 || byte == 0x5C { break }
                    out[runStart] = byte
                    runStart += 1
                }
            }
            out += runStart
            if runStart == count {
                out.pointee = UInt8(ascii: "\"")
                return out - destination + 1
            }
        }
        while true {
            // Runs without anything to escape are copied whole.
            let special = firstSpecialStringByte(in: utf8, from: runStart)
            if special > runStart {
                out.update(from: utf8.baseAddress! + runStart, count: special - runStart)
                out += special - runStart
            }
            if special >= utf8.count { break }
            let byte = utf8[special]
            out[0] = 0x5C
            switch byte {
            case 0x22: out[1] = 0x22; out += 2
            case 0x5C: out[1] = 0x5C; out += 2
            case 0x0A: out[1] = UInt8(ascii: "n"); out += 2
            case 0x0D: out[1] = UInt8(ascii: "r"); out += 2
            case 0x09: out[1] = UInt8(ascii: "t"); out += 2
            case 0x08: out[1] = UInt8(ascii: "b"); out += 2
            case 0x0C: out[1] = UInt8(ascii: "f"); out += 2
            default:
                out[1] = UInt8(ascii: "u")
                out[2] = 0x30
                out[3] = 0x30
                out[4] = hexDigit(byte >> 4)
                out[5] = hexDigit(byte & 0x0F)
                out += 6
            }
            runStart = special + 1
        }
        out.pointee = UInt8(ascii: "\"")
        out += 1
        return out - destination
    }

    /// Whether any of the eight bytes (little-endian) is a quote, a backslash or a control byte.
    @inline(__always) static func wordNeedsEscaping(_ word: UInt64) -> Bool {
        #if _endian(little)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        return ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | (word &- ones &* 0x20) & ~word)
            & 0x8080_8080_8080_8080 != 0
        #else
        return true
        #endif
    }

    @inline(__always) private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    /// The most bytes `writeInteger` writes: a sign and 19 digits.
    package static let maximumIntegerCount = 20

    /// Writes `value` in decimal at `destination` (room for `maximumIntegerCount` bytes needed)
    /// and returns how many bytes it wrote.
    package static func writeInteger(_ value: Int64, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var out = destination
        if value < 0 {
            out.pointee = UInt8(ascii: "-")
            out += 1
        }
        return out - destination + writeUnsigned(value.magnitude, to: out)
    }

    @inline(__always) static func writeUnsigned(_ value: UInt64, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var digitCount = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digitCount += 1
        }
        var remaining = value
        var index = digitCount - 1
        while index >= 0 {
            destination[index] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
            remaining /= 10
            index -= 1
        }
        return digitCount
    }

    /// The most bytes `writeDecimal` writes: a sign, 19 digits, the point and 18 fraction digits.
    package static let maximumDecimalCount = 39

    /// Writes `units / 10^scale` as `decimal(units:scale:)` does, at `destination` (room for
    /// `maximumDecimalCount` bytes needed); returns how many bytes it wrote.
    package static func writeDecimal(units: Int64, scale: Int, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        precondition((0...18).contains(scale), "decimal scale must be 0...18")
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = units.magnitude
        var fraction = magnitude % divisor
        var out = destination
        if units < 0 {
            out.pointee = UInt8(ascii: "-")
            out += 1
        }
        out += writeUnsigned(magnitude / divisor, to: out)
        out.pointee = UInt8(ascii: ".")
        out += 1
        if fraction == 0 {
            out.pointee = UInt8(ascii: "0")
            return out - destination + 1
        }
        var digits = scale
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var index = digits - 1
        while index >= 0 {
            out[index] = UInt8(truncatingIfNeeded: fraction % 10) + 0x30
            fraction /= 10
            index -= 1
        }
        return out - destination + digits
    }

    static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        // A stack buffer wide enough for any Int64 (the former 16-byte one trapped from 10^16 on).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumIntegerCount) { scratch in
            let count = writeInteger(value, to: scratch.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: count))
        }
    }

    static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: nullBytes)
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int64(value), to: &bytes)
            bytes.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "0")])
            return
        }
        bytes.append(contentsOf: Array(value.description.utf8))
    }

    package static func appendDecimal(units: Int64, scale: Int, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumDecimalCount) { scratch in
            let count = writeDecimal(units: units, scale: scale, to: scratch.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: count))
        }
    }
}

extension JSONValue {
    /// Compact JSON text of this value.
    package func serialized() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.value(self)
        return writer.bytes
    }

    /// Compact JSON text of this value, as a string.
    package var jsonText: String { String(decoding: serialized(), as: UTF8.self) }
}
