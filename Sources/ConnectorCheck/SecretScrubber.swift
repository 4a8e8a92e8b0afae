import HTTPClient
import Foundation

/// Removes secrets from text that quotes a server, in every form a server could echo them:
/// as sent, percent-encoded (form and query), with `+` for spaces, base64 (Basic auth),
/// JSON-escaped, and upper- or lower-case hex escapes.
struct SecretScrubber: Sendable {
    private(set) var forms: [String] = []

    init(_ secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    mutating func add(_ secret: String) {
        guard secret.count >= 3 else { return }
        var variants: Set<String> = [secret]
        let encoded = percentEncode(secret)
        variants.insert(encoded)
        variants.insert(encoded.lowercased() == encoded ? encoded : lowercaseEscapes(encoded))
        variants.insert(encoded.replacingOccurrences(of: "%20", with: "+"))
        variants.insert(Data(secret.utf8).base64EncodedString())
        var json: [UInt8] = []
        for scalar in secret.unicodeScalars {
            switch scalar {
            case "\"": json += Array("\\\"".utf8)
            case "\\": json += Array("\\\\".utf8)
            case "/": json += Array("/".utf8)
            default: json += Array(String(scalar).utf8)
            }
        }
        variants.insert(String(decoding: json, as: UTF8.self))
        variants.insert(secret.replacingOccurrences(of: "/", with: "\\/"))
        forms.append(contentsOf: variants.filter { $0.count >= 3 && !forms.contains($0) })
    }

    func scrub(_ text: String) -> String {
        redacting(text, secrets: forms)
    }

    private func lowercaseEscapes(_ encoded: String) -> String {
        var result = ""
        var pending = 0
        for character in encoded {
            if character == "%" {
                pending = 2
                result.append(character)
            } else if pending > 0 {
                pending -= 1
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}
