/// Declares one option or flag of a command.
///
/// Options take a value (`--port 8080` or `--port=8080`); flags take none (`--full`).
/// Names are written without the leading dashes (`"port"`); a leading `--` is tolerated and dropped,
/// so `"--port"` declares the same option.
package struct OptionSpec: Sendable {
    /// The long name, without dashes.
    package let name: String
    /// The one-letter alias used as `-x`, if any.
    package let short: Character?
    /// Placeholder shown in help (`--port <port>`); `nil` for flags.
    package let valueName: String?
    package let help: String
    /// Whether the option may be given more than once; every value is kept in order.
    package let isRepeatable: Bool
    /// Shown in help as "(default: …)"; parsing never applies defaults, the command does.
    package let defaultDescription: String?

    /// Whether the option is a flag, i.e. takes no value.
    package var isFlag: Bool { valueName == nil }

    /// An option taking a value, e.g. `.option("port", value: "port", help: "Port to listen on.")`.
    package static func option(
        _ name: String, short: Character? = nil, value: String = "VALUE", help: String,
        repeatable: Bool = false, defaultDescription: String? = nil
    ) -> OptionSpec {
        OptionSpec(name: name, short: short, valueName: value, help: help,
                   isRepeatable: repeatable, defaultDescription: defaultDescription)
    }

    /// A flag: present or absent, never given a value.
    package static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, valueName: nil, help: help,
                   isRepeatable: false, defaultDescription: nil)
    }

    private init(name: String, short: Character?, valueName: String?, help: String,
                 isRepeatable: Bool, defaultDescription: String?) {
        let bare = normalizedName(name)
        // A malformed declaration is a programming error that no user input could fix.
        precondition(!bare.isEmpty && !bare.hasPrefix("-")
                     && !bare.contains(where: { $0 == "=" || $0.isWhitespace }),
                     "invalid option name '\(name)'")
        precondition(bare != "help" && short != "h", "'--help' and '-h' are reserved for help")
        if let short {
            precondition(short != "-" && short != "=" && !short.isWhitespace && !short.isNumber,
                         "invalid short alias '\(short)'")
        }
        self.name = bare
        self.short = short
        self.valueName = valueName
        self.help = help
        self.isRepeatable = isRepeatable
        self.defaultDescription = defaultDescription
    }
}

/// Declares one positional argument of a command, matched in declaration order.
package struct PositionalSpec: Sendable {
    package let name: String
    package let help: String
    /// Whether the argument may be left out; optional arguments must follow required ones.
    package let isOptional: Bool
    /// Whether the argument takes every remaining positional; only the last one may be.
    package let isRepeatable: Bool

    package init(_ name: String, help: String, optional: Bool = false, repeatable: Bool = false) {
        precondition(!name.isEmpty, "positional argument needs a name")
        self.name = name
        self.help = help
        self.isOptional = optional
        self.isRepeatable = repeatable
    }
}

/// Declares a command: its options, positional arguments and subcommands.
///
/// A command has either positional arguments or subcommands, never both, because a bare word
/// would otherwise be ambiguous. Options are recognised only after the name of the command that
/// declares them (`tool --verbose map --input f` needs `verbose` on `tool` and `input` on `map`).
package struct CommandSpec: Sendable {
    package let name: String
    /// One line, shown in help and in the parent's subcommand list.
    package let abstract: String
    /// Free text shown under the abstract in this command's own help.
    package let discussion: String?
    package let options: [OptionSpec]
    package let positionals: [PositionalSpec]
    package let subcommands: [CommandSpec]
    /// Whether the command does something when no subcommand is given; otherwise that is an error.
    package let runsWithoutSubcommand: Bool

    package init(
        name: String, abstract: String, discussion: String? = nil, options: [OptionSpec] = [],
        positionals: [PositionalSpec] = [], subcommands: [CommandSpec] = [],
        runsWithoutSubcommand: Bool = false
    ) {
        precondition(!name.isEmpty && !name.hasPrefix("-"), "invalid command name '\(name)'")
        precondition(positionals.isEmpty || subcommands.isEmpty,
                     "'\(name)' cannot have both positional arguments and subcommands")
        precondition(!subcommands.contains { $0.name == "help" }, "'help' is reserved as a subcommand")
        assertUnique(options.map(\.name), what: "option", in: name)
        assertUnique(options.compactMap(\.short).map(String.init), what: "short alias", in: name)
        assertUnique(positionals.map(\.name), what: "positional", in: name)
        assertUnique(subcommands.map(\.name), what: "subcommand", in: name)
        for (index, positional) in positionals.enumerated() {
            precondition(!positional.isRepeatable || index == positionals.count - 1,
                         "only the last positional of '\(name)' may be repeatable")
            precondition(positional.isOptional || positionals[..<index].allSatisfy { !$0.isOptional },
                         "required positional '\(positional.name)' of '\(name)' follows an optional one")
        }
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
        self.runsWithoutSubcommand = runsWithoutSubcommand
    }

    func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }
    func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }
    func subcommand(named name: String) -> CommandSpec? { subcommands.first { $0.name == name } }
}

/// A command-line mistake, worded for the person who typed it.
package struct UsageError: Error, CustomStringConvertible, Equatable, Sendable {
    package var message: String
    /// The command reached before the mistake, so callers can point at the right help.
    package var commandPath: [String]

    package init(_ message: String, commandPath: [String] = []) {
        self.message = message
        self.commandPath = commandPath
    }

    package var description: String { message }

    /// A line pointing at the relevant help, e.g. "See 'tool map --help'."; `nil` without a path.
    package var helpHint: String? {
        commandPath.isEmpty ? nil : "See '\(commandPath.joined(separator: " ")) --help'."
    }
}

/// Strips the leading `--` so both spellings name the same option.
func normalizedName(_ name: String) -> String {
    name.hasPrefix("--") ? String(name.dropFirst(2)) : name
}

private func assertUnique(_ names: [String], what: String, in command: String) {
    var seen = Set<String>()
    for name in names {
        precondition(seen.insert(name).inserted, "duplicate \(what) '\(name)' in '\(command)'")
    }
}
