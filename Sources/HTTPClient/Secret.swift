/// A password, token or API key: printing it, interpolating it or dumping it shows `<redacted>`,
/// so that a secret cannot reach a log or an error message by accident.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself, for the one place that must send it.
    package let revealed: String

    package init(_ value: String) { revealed = value }

    package var isEmpty: Bool { revealed.isEmpty }
    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: []) }
}

/// Replaces every occurrence of the given secrets in `text` by `<redacted>`, in every encoding a
/// server or a library may have put them in: as is, percent-encoded (upper- or lowercase hex,
/// space as `%20` or `+`, reserved characters left or encoded), JSON-escaped, and base64 (at any
/// alignment within a longer encoded text). This is the last line of defence for text that quotes
/// a server (a server may echo what it was sent).
package func redacting(_ text: String, secrets: [String]) -> String {
    var result = text
    let forms = Set(secrets.filter { $0.count >= 3 }.flatMap(secretEncodings)).filter { $0.count >= 3 }
    // Longest first, so a secret containing another is replaced whole.
    for form in forms.sorted(by: { $0.count > $1.count }) where result.contains(form) {
        result = result.replacingOccurrences(of: form, with: "<redacted>")
    }
    return result
}

/// The spellings of `secret` worth scrubbing (see `redacting`).
func secretEncodings(_ secret: String) -> [String] {
    var forms = [secret]
    let bytes = Array(secret.utf8)
    let hexUpper = Array("0123456789ABCDEF".utf8)
    let hexLower = Array("0123456789abcdef".utf8)
    let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    // What URL query encoders commonly leave as is (RFC 3986 query characters).
    let queryAllowed = unreserved.union("!$'()*,;:@/?".utf8)
    for allowed in [unreserved, queryAllowed] {
        for hex in [hexUpper, hexLower] {
            for plusForSpace in [false, true] {
                var encoded: [UInt8] = []
                for byte in bytes {
                    if allowed.contains(byte) {
                        encoded.append(byte)
                    } else if plusForSpace && byte == UInt8(ascii: " ") {
                        encoded.append(UInt8(ascii: "+"))
                    } else {
                        encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                    }
                }
                forms.append(String(decoding: encoded, as: UTF8.self))
            }
        }
    }
    // JSON escapes: the minimal form, with `\/`, and with every non-ASCII scalar as `\uXXXX`.
    for escapeSlash in [false, true] {
        for asciiOnly in [false, true] {
            var escaped = ""
            for scalar in secret.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "/" where escapeSlash: escaped += "\\/"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                case "\t": escaped += "\\t"
                default:
                    if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                        for unit in String(scalar).utf16 {
                            let digits = String(unit, radix: 16)
                            escaped += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                        }
                    } else {
                        escaped.unicodeScalars.append(scalar)
                    }
                }
            }
            forms.append(escaped)
        }
    }
    // Base64 at each of the three alignments, keeping only the characters that depend on the
    // secret alone.
    for offset in 0..<3 {
        let encoded = Array(base64Encode(Array(repeating: 0, count: offset) + bytes).utf8)
        let leading = [0, 2, 3][offset]
        let total = offset + bytes.count
        var end = encoded.count
        while end > 0 && encoded[end - 1] == UInt8(ascii: "=") { end -= 1 }
        if total % 3 != 0 { end -= 1 }
        if end - leading >= 4 {
            let core = String(decoding: encoded[leading..<end], as: UTF8.self)
            forms.append(core)
            forms.append(core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
    }
    return forms
}

/// Standard base64 with padding.
func base64Encode(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
        let b0 = bytes[index]
        let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
        let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
        output.append(alphabet[Int(b0 >> 2)])
        output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        output.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        output.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
}

#if canImport(Foundation)
import Foundation
#endif
