/// A failure to configure or load the mock (fixture, accounts or scenario file, unknown scenario
/// name), naming the place: file, and line and column when the problem has a position.
public struct ESETMockError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, without the location prefix.
    public var message: String
    /// The file concerned (a path, or a label such as `devices.json` for in-memory fixtures).
    public var file: String?
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column in bytes, when known.
    public var column: Int?

    /// An error with an optional location.
    public init(_ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column: message` (the usual compiler-style form editors can jump to).
    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        }
        return location + message
    }
}
