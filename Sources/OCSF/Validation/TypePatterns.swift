import Foundation

/// The compiled patterns of the schema's string types (`ip_t`, `mac_t`, …), compiled once.
///
/// Like the OCSF server, a pattern is searched for, not matched whole: the schema's own patterns
/// anchor themselves where they mean to.
struct TypePatterns: @unchecked Sendable {
    // NSRegularExpression is immutable once built and documented as safe to share across threads.
    private let expressions: [String: NSRegularExpression]

    init(_ types: some Sequence<OCSFTypeDefinition>) {
        var expressions: [String: NSRegularExpression] = [:]
        for type in types {
            guard let pattern = type.regex else { continue }
            // A pattern ICU cannot compile is left unchecked; a test proves all of 1.5.0's compile.
            expressions[type.name] = try? NSRegularExpression(pattern: pattern)
        }
        self.expressions = expressions
    }

    /// Whether `text` matches the pattern of `typeName`; nil when the type has no usable pattern.
    func matches(_ text: String, typeName: String) -> Bool? {
        guard let expression = expressions[typeName] else { return nil }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }

    /// The types whose pattern did not compile.
    func uncompiled(in types: some Sequence<OCSFTypeDefinition>) -> [String] {
        types.filter { $0.regex != nil && expressions[$0.name] == nil }.map(\.name)
    }
}
