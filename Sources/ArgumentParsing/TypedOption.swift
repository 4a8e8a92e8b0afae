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

    package init(_ name: String, short: Character? = nil, help: String, default defaultValue: Value? = nil, defaultDescription: String? = nil) {
        self.name = name
        self.short = short
        self.help = help
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
    }

    /// The declaration for the command's `options`.
    package var spec: OptionSpec {
        .option(name, short: short, value: Value.valueName, help: help, defaultDescription: defaultDescription ?? defaultValue?.argument)
    }
}

extension ParsedArguments {
    /// The option's value: the one given (the last, if given twice), else its declared default.
    package func value<Value>(_ option: TypedOption<Value>) throws(UsageError) -> Value? {
        guard let text = value(option.name) else { return option.defaultValue }
        guard let parsed = Value(argument: text) else {
            throw UsageError("invalid value '\(text)' for '--\(option.name)': expected \(Value.expectation)", commandPath: commandPath)
        }
        return parsed
    }

    /// The option's value or its default; an error naming the option when it has neither.
    package func required<Value>(_ option: TypedOption<Value>) throws(UsageError) -> Value {
        guard let parsed = try value(option) else {
            throw UsageError("missing required option '--\(option.name)'", commandPath: commandPath)
        }
        return parsed
    }
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
