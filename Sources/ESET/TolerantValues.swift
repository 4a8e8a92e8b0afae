import JSON

/// Reading ESET values the way mapping.md's general rules demand: a missing value, `null`, `""`
/// or a value of the wrong JSON type all count as absent (G1, G3).
extension JSONValue {
    /// A non-empty string, or nil (G1/G3).
    @inlinable var presentString: String? {
        if case .string(let text) = self, !text.isEmpty { return text }
        return nil
    }
}

extension Optional where Wrapped == JSONValue {
    /// A non-empty string, or nil (G1/G3).
    @inlinable var presentString: String? {
        if case .some(.string(let text)) = self, !text.isEmpty { return text }
        return nil
    }
}

/// Reads an ESET int64 field, which may arrive as a JSON integer or as a string of decimal digits.
///
/// Integral doubles (`1.0`) count as integers because G5 makes them the same number. A digit
/// string too long for `Int64` is clamped to `Int64.max`: it is still "a value", just not one
/// the mapping knows. Anything else (signs, fractions, other types) is absent.
func eset64(_ value: JSONValue?) -> Int64? {
    switch value {
    case .int(let integer)?:
        return integer
    case .double(let double)?:
        guard double == double.rounded(.towardZero), abs(double) < 9.2e18 else { return nil }
        return Int64(double)
    case .string(let text)?:
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text) ?? Int64.max
    default:
        return nil
    }
}
