#if canImport(Glibc)
import Glibc  // rounding functions live in libm
#endif

/// Builds compact JSON text into a byte buffer.
///
/// The caller drives the structure (objects, arrays, keys); the writer inserts the commas.
/// It is the fast path for NDJSON output, where Foundation's encoder would dominate the run.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// One entry per open container: whether it already has an element (so a comma is due).
    private var needsComma: [Bool] = []
    private var afterKey = false

    public init(reservingCapacity capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer but keeps its storage, so one writer can serve a whole run.
    public mutating func reset() {
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

    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member name; the next value written belongs to it.
    public mutating func key(_ name: String) {
        beforeValue()
        Self.appendEscaped(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        beforeValue()
        Self.appendEscaped(value, to: &bytes)
    }

    public mutating func int(_ value: Int64) {
        beforeValue()
        Self.appendInteger(value, to: &bytes)
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    public mutating func null() {
        beforeValue()
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// Writes a finite double in its shortest round-trip form; a non-finite one (which JSON cannot
    /// express) becomes `null` rather than invalid output.
    public mutating func double(_ value: Double) {
        beforeValue()
        Self.appendDouble(value, to: &bytes)
    }

    /// Writes `units / 10^scale` exactly as a decimal, e.g. microseconds as seconds: (1747821600123456, 6)
    /// → `1747821600.123456`; a whole value keeps one `.0` to stay visibly fractional.
    public mutating func decimal(units: Int64, scale: Int) {
        beforeValue()
        Self.appendDecimal(units: units, scale: scale, to: &bytes)
    }

    /// Writes bytes that the caller guarantees to be one valid JSON value.
    public mutating func raw(_ json: some Collection<UInt8>) {
        beforeValue()
        bytes.append(contentsOf: json)
    }

    /// Writes any parsed value.
    public mutating func value(_ value: JSONValue) {
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
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C {
                    index += 1
                    continue
                }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                switch byte {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0x0F)])
                }
                index += 1
                runStart = index
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value == Int64.min {
            bytes.append(contentsOf: Array(String(value).utf8))
            return
        }
        var magnitude = value < 0 ? UInt64(-value) : UInt64(value)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Scratch space without a heap allocation: 24 bytes, as Int64 magnitudes run to 19 digits.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let written = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            let end = scratch.count
            var count = 0
            repeat {
                scratch[end - 1 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(end - count)..<end]))
            return count
        }
        _ = written
    }

    public static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
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

    public static func appendDecimal(units: Int64, scale: Int, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let negative = units < 0
        let magnitude = units.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = magnitude % UInt64(divisor)
        if negative { bytes.append(UInt8(ascii: "-")) }
        appendInteger(Int64(whole), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        if fraction == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits = scale
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var text: [UInt8] = Array(repeating: UInt8(ascii: "0"), count: digits)
        var index = digits - 1
        while fraction > 0 {
            text[index] = UInt8(fraction % 10) + 0x30
            fraction /= 10
            index -= 1
        }
        bytes.append(contentsOf: text)
    }
}

extension JSONValue {
    /// Compact JSON text of this value.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.value(self)
        return writer.bytes
    }

    /// Compact JSON text of this value, as a string.
    public var jsonText: String { String(decoding: serialized(), as: UTF8.self) }
}
