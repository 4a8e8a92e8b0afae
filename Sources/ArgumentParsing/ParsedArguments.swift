/// The values a command line gave, looked up by the names the specs declared.
///
/// Names may be written with or without the leading `--`. Asking for a name the command path did
/// not declare, or asking `flag` about an option (or `value` about a flag), is a programming error
/// and traps, so a typo in a command's code fails its first test rather than silently reading nil.
package struct ParsedArguments: Sendable {
    /// The program name followed by the selected subcommands, e.g. `["eset-connector", "map"]`.
    package var commandPath: [String]
    private let optionValues: [String: [String]]
    private let flags: Set<String>
    private let positionalValues: [String: [String]]
    /// Every option name declared along the command path, mapped to whether it is a flag.
    private let declaredOptions: [String: Bool]
    private let declaredPositionals: Set<String>

    init(commandPath: [String], optionValues: [String: [String]], flags: Set<String>,
         positionalValues: [String: [String]], declaredOptions: [String: Bool],
         declaredPositionals: Set<String>) {
        self.commandPath = commandPath
        self.optionValues = optionValues
        self.flags = flags
        self.positionalValues = positionalValues
        self.declaredOptions = declaredOptions
        self.declaredPositionals = declaredPositionals
    }

    /// The last value given for an option, or `nil` if it was not given.
    package func value(_ name: String) -> String? { values(name).last }

    /// Every value given for an option, in command-line order.
    package func values(_ name: String) -> [String] {
        optionValues[checkedName(name, isFlag: false)] ?? []
    }

    /// Whether a flag was given.
    package func flag(_ name: String) -> Bool { flags.contains(checkedName(name, isFlag: true)) }

    /// The (first) word given for a positional argument, or `nil` if it was left out.
    package func positional(_ name: String) -> String? { positionals(name).first }

    /// Every word given for a positional argument; several only for a repeatable one.
    package func positionals(_ name: String) -> [String] {
        precondition(declaredPositionals.contains(name),
                     "'\(name)' is not a positional of '\(commandPath.joined(separator: " "))'")
        return positionalValues[name] ?? []
    }

    /// The option's value as an integer, checked against `range`; `nil` if not given.
    package func int(_ name: String, range: ClosedRange<Int>? = nil) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range?.contains(number) ?? true else {
            throw invalid(text, for: name, expected: "an integer" + describe(range))
        }
        return number
    }

    /// The option's value as a finite number, checked against `range`; `nil` if not given.
    package func double(_ name: String, range: ClosedRange<Double>? = nil) throws(UsageError) -> Double? {
        guard let text = value(name) else { return nil }
        // Double(_:) also accepts "nan", "inf" and hex floats, none of which a user means here.
        let isPlainNumber = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        guard isPlainNumber, let number = Double(text), number.isFinite, range?.contains(number) ?? true else {
            throw invalid(text, for: name, expected: "a number" + describe(range))
        }
        return number
    }

    /// The option's value, or an error naming the option if it was not given.
    package func required(_ name: String) throws(UsageError) -> String {
        guard let text = value(name) else {
            throw UsageError("missing required option '--\(normalizedName(name))'", commandPath: commandPath)
        }
        return text
    }

    /// The option's value if it is one of `allowed`; `nil` if not given.
    package func choice(_ name: String, from allowed: [String]) throws(UsageError) -> String? {
        guard let text = value(name) else { return nil }
        guard allowed.contains(text) else {
            throw invalid(text, for: name, expected: "one of: " + allowed.joined(separator: ", "))
        }
        return text
    }

    private func checkedName(_ name: String, isFlag: Bool) -> String {
        let bare = normalizedName(name)
        let command = commandPath.joined(separator: " ")
        guard let declaredAsFlag = declaredOptions[bare] else {
            preconditionFailure("'--\(bare)' is not declared by '\(command)'")
        }
        precondition(declaredAsFlag == isFlag,
                     "'--\(bare)' of '\(command)' is \(declaredAsFlag ? "a flag" : "an option taking a value")")
        return bare
    }

    private func invalid(_ text: String, for name: String, expected: String) -> UsageError {
        UsageError("invalid value '\(text)' for '--\(normalizedName(name))': expected \(expected)",
                   commandPath: commandPath)
    }

    private func describe<Bound>(_ range: ClosedRange<Bound>?) -> String {
        range.map { " between \($0.lowerBound) and \($0.upperBound)" } ?? ""
    }
}
