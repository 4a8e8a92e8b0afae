/// A value an option takes, parsed from one command-line word.
///
/// Conforming types (`MappingProfile`, `ESETRegion`, `RateLimit`, …) say once how they are
/// written; every command that takes them then parses, reports mistakes and shows its default in
/// `--help` the same way.
package protocol OptionValue: Sendable {
    /// The placeholder in help, e.g. `NAME` in `--profile NAME`.
    static var valueName: String { get }
    /// What the value may be, for help and error messages, e.g. `sekoia or ocsf-strict`.
    static var expectation: String { get }
    /// Parses one word; nil when it is not a valid value.
    init?(argument: String)
    /// How this value is written on the command line (shown as the default in help).
    var argument: String { get }
}

extension OptionValue where Self: CaseIterable & RawRepresentable, RawValue == String {
    package static var expectation: String { "one of: " + allCases.map(\.rawValue).joined(separator: ", ") }
    package init?(argument: String) { self.init(rawValue: argument) }
    package var argument: String { rawValue }
}

/// An option whose value has a type, declared once with its default: its `spec` goes into a
/// `CommandSpec`, and `ParsedArguments.value(_:)` reads it back typed, the default applied.
package struct TypedOption<Value: OptionValue>: Sendable {
    package let name: String
    package let short: Character?
    package let help: String
    /// The value when the option is not given; shown in help as "(default: …)".
    package let defaultValue: Value?
    /// Help's text for the default when it is not a value (e.g. "$ESET_MOCK_DATA"); rarely needed.
    package let defaultDescription: String?
    /// The placeholder in help; `Value.valueName` unless the option says better (`SECONDS`).
    package let valueName: String
    /// Which parsed values are allowed, and how to say so ("between 1 and 1000").
    private let bounds: (accepts: @Sendable (Value) -> Bool, text: String)?

    package init(
        _ name: String, short: Character? = nil, value valueName: String? = nil, help: String, default defaultValue: Value? = nil,
        defaultDescription: String? = nil
    ) {
        self.name = name
        self.short = short
        self.help = help
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.valueName = valueName ?? Value.valueName
        bounds = nil
    }

    /// An option whose values must lie in `range` (the default too, by construction).
    package init(
        _ name: String, short: Character? = nil, value valueName: String? = nil, help: String, default defaultValue: Value? = nil,
        in range: ClosedRange<Value>
    ) where Value: Comparable {
        precondition(defaultValue.map(range.contains) ?? true, "the default of '--\(name)' is outside its range")
        self.name = name
        self.short = short
        self.help = help
        self.defaultValue = defaultValue
        defaultDescription = nil
        self.valueName = valueName ?? Value.valueName
        bounds = ({ range.contains($0) }, "between \(range.lowerBound.argument) and \(range.upperBound.argument)")
    }

    /// The declaration for the command's `options`.
    package var spec: OptionSpec {
        .option(name, short: short, value: valueName, help: help, defaultDescription: defaultDescription ?? defaultValue?.argument)
    }

    /// Parses `text`, or explains what was expected.
    func parse(_ text: String, commandPath: [String]) throws(UsageError) -> Value {
        guard let parsed = Value(argument: text), bounds?.accepts(parsed) ?? true else {
            let expected = Value.expectation + (bounds.map { " " + $0.text } ?? "")
            throw UsageError("invalid value '\(text)' for '--\(name)': expected \(expected)", commandPath: commandPath)
        }
        return parsed
    }
}

extension ParsedArguments {
    /// The option's value: the one given (the last, if given twice), else its declared default.
    package func value<Value>(_ option: TypedOption<Value>) throws(UsageError) -> Value? {
        guard let text = value(option.name) else { return option.defaultValue }
        return try option.parse(text, commandPath: commandPath)
    }

    /// The option's value or its default; an error naming the option when it has neither.
    package func required<Value>(_ option: TypedOption<Value>) throws(UsageError) -> Value {
        guard let parsed = try value(option) else {
            throw UsageError("missing required option '--\(option.name)'", commandPath: commandPath)
        }
        return parsed
    }
}

extension Int: OptionValue {
    package static let valueName = "N"
    package static let expectation = "an integer"
    package init?(argument: String) { self.init(argument) }
    package var argument: String { String(self) }
}

extension UInt64: OptionValue {
    package static let valueName = "N"
    package static let expectation = "an unsigned 64-bit integer"
    package init?(argument: String) { self.init(argument) }
    package var argument: String { String(self) }
}

extension Double: OptionValue {
    package static let valueName = "NUMBER"
    package static let expectation = "a number"

    package init?(argument: String) {
        // Double(_:) also accepts "nan", "inf" and hex floats, none of which a user means here.
        guard argument.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }), let number = Double(argument), number.isFinite else {
            return nil
        }
        self = number
    }

    package var argument: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

extension String: OptionValue {
    package static let valueName = "VALUE"
    package static let expectation = "a value"
    package init?(argument: String) { self = argument }
    package var argument: String { self }
}

/// A limit of calls per second, or none: `--rate-limit 10`, `--rate-limit 0.5`, `--rate-limit off`.
package enum RateLimit: OptionValue, Equatable {
    case off
    case perSecond(Double)

    package static let valueName = "N|off"
    package static let expectation = "a positive number of calls per second or 'off'"

    package init?(argument: String) {
        if argument.lowercased() == "off" {
            self = .off
            return
        }
        let isPlainNumber = !argument.isEmpty && argument.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard isPlainNumber, let rate = Double(argument), rate.isFinite, rate >= 0.001, rate <= 1_000_000 else { return nil }
        self = .perSecond(rate)
    }

    package var argument: String {
        switch self {
        case .off: return "off"
        case .perSecond(let rate): return rate == rate.rounded() ? String(Int(rate)) : String(rate)
        }
    }

    /// Calls per second, nil when off.
    package var callsPerSecond: Double? {
        if case .perSecond(let rate) = self { return rate }
        return nil
    }
}

/// Options that travel together (e.g. the retry bounds): declared once as a type, put into any
/// command's spec with `options`, and read back as one value with `init(parsing:)`.
package protocol OptionGroup: Sendable {
    /// The declarations, in the order help lists them.
    static var options: [OptionSpec] { get }
    /// Reads the group from a command line whose spec included `options`.
    init(parsing arguments: ParsedArguments) throws(UsageError)
}
