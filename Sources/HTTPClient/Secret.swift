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

/// Replaces every occurrence of the given secrets in `text` by `<redacted>`: the last line of
/// defence for text that quotes a server (a server may echo what it was sent).
package func redacting(_ text: String, secrets: [String]) -> String {
    var result = text
    // Longest first, so a secret containing another is replaced whole.
    for secret in secrets.filter({ $0.count >= 3 }).sorted(by: { $0.count > $1.count }) where result.contains(secret) {
        result = result.replacingOccurrences(of: secret, with: "<redacted>")
    }
    return result
}

#if canImport(Foundation)
import Foundation
#endif
