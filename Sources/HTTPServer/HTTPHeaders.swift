/// An ordered list of header fields with case-insensitive lookup.
///
/// Order and repetition are kept because HTTP gives meaning to both (e.g. repeated
/// `Set-Cookie`, or a duplicated `Content-Length` that must be checked for conflicts).
public struct HTTPHeaders: Sendable, Sequence, CustomStringConvertible, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were received or added.
    public private(set) var fields: [(name: String, value: String)]

    /// Creates headers from `(name, value)` pairs, keeping their order.
    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// `["Content-Type": "application/json"]`; literal order is kept.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of `name`, compared case-insensitively; nil when absent.
    public subscript(name: String) -> String? {
        for field in fields where HTTPHeaders.sameName(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order, compared case-insensitively.
    public func values(_ name: String) -> [String] {
        fields.filter { HTTPHeaders.sameName($0.name, name) }.map(\.value)
    }

    /// Whether a field called `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPHeaders.sameName($0.name, name) }
    }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field called `name` with a single one, placed where the first one was
    /// (or at the end when there was none).
    public mutating func set(_ name: String, _ value: String) {
        if let first = fields.firstIndex(where: { HTTPHeaders.sameName($0.name, name) }) {
            fields[first] = (name: name, value: value)
            var index = fields.count - 1
            while index > first {
                if HTTPHeaders.sameName(fields[index].name, name) { fields.remove(at: index) }
                index -= 1
            }
        } else {
            fields.append((name: name, value: value))
        }
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { HTTPHeaders.sameName($0.name, name) }
    }

    /// Number of fields (repeated names counted each time).
    public var count: Int { fields.count }

    /// Whether a comma-separated list header (such as `Connection`) contains `token`,
    /// compared case-insensitively.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for value in values(name) {
            for item in value.split(separator: ",") {
                if HTTPHeaders.sameName(item.trimmingOWS(), token) { return true }
            }
        }
        return false
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    /// ASCII case-insensitive comparison: header names are ASCII tokens, so this avoids the cost
    /// and locale surprises of Unicode case folding.
    static func sameName<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        let a = a.utf8, b = b.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}

extension StringProtocol {
    /// Trims HTTP optional whitespace (space and horizontal tab) from both ends.
    func trimmingOWS() -> String {
        let scalars = Array(utf8)
        var start = 0, end = scalars.count
        while start < end, scalars[start] == 0x20 || scalars[start] == 0x09 { start += 1 }
        while end > start, scalars[end - 1] == 0x20 || scalars[end - 1] == 0x09 { end -= 1 }
        return String(decoding: scalars[start..<end], as: UTF8.self)
    }
}
