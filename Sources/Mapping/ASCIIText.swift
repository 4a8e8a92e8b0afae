/// Byte-level stand-ins for `uppercased()`/`lowercased()` followed by `contains`/`==`, used by
/// the rules when a value is pure ASCII (ESET's enum names, adapter captions), where they give the
/// same answers without allocating. Non-ASCII values keep the `String` code path, whose Unicode
/// case mapping and comparison these do not reproduce.
enum ASCIIText {
    /// Runs `body` over the UTF-8 of `text` when it is all ASCII; nil otherwise.
    @inline(__always)
    static func withASCII<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        var text = text
        return text.withUTF8 { utf8 in
            for byte in utf8 where byte >= 0x80 { return nil }
            return body(utf8)
        }
    }

    @inline(__always) static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte
    }

    /// Whether `text`, case-folded by `fold`, contains `needle` (given already folded).
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: StaticString, fold: (UInt8) -> UInt8) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count <= text.count else { return false }
        let pattern = needle.utf8Start
        var start = 0
        while start + count <= text.count {
            var index = 0
            while index < count, fold(text[start + index]) == pattern[index] { index += 1 }
            if index == count { return true }
            start += 1
        }
        return false
    }

    /// Whether `text[range]`, upper-cased, equals `expected`.
    static func equalsUppercased(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ expected: StaticString) -> Bool {
        let count = expected.utf8CodeUnitCount
        guard text.count - start == count else { return false }
        let pattern = expected.utf8Start
        for index in 0..<count where upper(text[start + index]) != pattern[index] { return false }
        return true
    }

    /// Whether `text`, upper-cased, starts with `prefix`.
    static func hasUppercasedPrefix(_ text: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard text.count >= count else { return false }
        let pattern = prefix.utf8Start
        for index in 0..<count where upper(text[index]) != pattern[index] { return false }
        return true
    }
}
