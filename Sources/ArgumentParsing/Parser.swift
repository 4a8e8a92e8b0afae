/// What a command line asks for: running a command, or showing help.
package enum ParseOutcome: Sendable {
    /// Run the command at `commandPath` with these arguments.
    case run(ParsedArguments)
    /// Print this help text and exit successfully.
    case help(String)
}

/// Parses `arguments` (without `argv[0]`) against `spec`, whose name is the program name.
///
/// Rules: `--name VALUE`, `--name=VALUE`, `-n VALUE` and `-n=VALUE` give an option its value; the
/// value is the next word unless that word looks like an option (a negative number or `-` does not).
/// `--` ends options. `--help` or `-h` anywhere before `--`, or a `help [subcommand…]` word where a
/// subcommand is expected, yields the help of the command they concern instead of running anything.
package func parse(_ arguments: [String], spec: CommandSpec) throws(UsageError) -> ParseOutcome {
    if let helpIndex = arguments.firstIndex(where: { $0 == "--help" || $0 == "-h" }),
       !arguments[..<helpIndex].contains("--") {
        let chain = commandChain(named: arguments[..<helpIndex], from: spec)
        return .help(chain.last!.helpText(commandPath: chain.map(\.name)))
    }
    var parser = Parser(root: spec)
    return try parser.parse(arguments)
}

/// A word is read as an option unless it is `-` (stdin/stdout by convention) or a negative number.
func looksLikeOption(_ word: String) -> Bool {
    guard word.hasPrefix("-"), word.count > 1 else { return false }
    let second = word[word.index(after: word.startIndex)]
    return !(second.isASCII && second.isNumber)
}

/// The commands that the subcommand words in `words` select, skipping options and their values,
/// so `--help` can answer for the deepest command named even if the rest of the line is wrong.
private func commandChain(named words: ArraySlice<String>, from root: CommandSpec) -> [CommandSpec] {
    var chain = [root]
    var index = words.startIndex
    while index < words.endIndex {
        let word = words[index]
        index += 1
        if looksLikeOption(word) {
            let takesNextWord = !word.contains("=") && lookUp(word, in: chain.last!).map { !$0.isFlag } == true
            if takesNextWord, index < words.endIndex, !looksLikeOption(words[index]) { index += 1 }
        } else if let subcommand = chain.last!.subcommand(named: word) {
            chain.append(subcommand)
        }
    }
    return chain
}

/// The option an option word (without any `=value`) refers to in `command`, if declared.
private func lookUp(_ word: String, in command: CommandSpec) -> OptionSpec? {
    let name = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
    if name.hasPrefix("--") { return command.option(named: String(name.dropFirst(2))) }
    return name.count == 2 ? command.option(short: name.last!) : nil
}

private struct Parser {
    var chain: [CommandSpec]
    var optionValues: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionalWords: [String] = []

    init(root: CommandSpec) { chain = [root] }

    var command: CommandSpec { chain.last! }
    var path: [String] { chain.map(\.name) }

    func error(_ message: String) -> UsageError { UsageError(message, commandPath: path) }

    mutating func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
        var optionsEnded = false
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if !optionsEnded && word == "--" {
                optionsEnded = true
            } else if !optionsEnded && looksLikeOption(word) {
                let next = index < arguments.count ? arguments[index] : nil
                if try readOption(word, next: next) { index += 1 }
            } else if !command.subcommands.isEmpty {
                if word == "help" { return .help(try helpForSubcommand(named: arguments[index...])) }
                chain.append(try subcommand(named: word, of: command))
            } else {
                positionalWords.append(word)
            }
        }
        if !command.subcommands.isEmpty && !command.runsWithoutSubcommand {
            throw error("missing subcommand for '\(path.joined(separator: " "))'; "
                        + "valid subcommands: \(command.subcommands.map(\.name).joined(separator: ", "))")
        }
        return .run(try finish())
    }

    /// Records one option word; returns whether it consumed `next` as its value.
    mutating func readOption(_ word: String, next: String?) throws(UsageError) -> Bool {
        let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let written = String(parts[0])
        let inlineValue = parts.count == 2 ? String(parts[1]) : nil
        guard let option = lookUp(written, in: command) else {
            if written == "--help" || written == "-h" { throw error("flag '\(written)' does not take a value") }
            let bareName = String(written.drop { $0 == "-" })
            let known = command.options.map(\.name) + ["help"]
            let hint = suggest(bareName, among: known).map { " (did you mean '--\($0)'?)" } ?? ""
            throw error("unknown option '\(written)'\(hint)")
        }
        if option.isFlag {
            if inlineValue != nil { throw error("flag '\(written)' does not take a value") }
            guard flags.insert(option.name).inserted else {
                throw error("flag '--\(option.name)' given more than once")
            }
            return false
        }
        if !option.isRepeatable && optionValues[option.name] != nil {
            throw error("option '--\(option.name)' given more than once")
        }
        if let inlineValue {
            optionValues[option.name, default: []].append(inlineValue)
            return false
        }
        guard let next, !looksLikeOption(next) else { throw error("option '\(written)' needs a value") }
        optionValues[option.name, default: []].append(next)
        return true
    }

    func subcommand(named word: String, of parent: CommandSpec) throws(UsageError) -> CommandSpec {
        if let found = parent.subcommand(named: word) { return found }
        let names = parent.subcommands.map(\.name)
        let hint = suggest(word, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw error("unknown subcommand '\(word)' for '\(path.joined(separator: " "))'\(hint); "
                    + "valid subcommands: \(names.joined(separator: ", "))")
    }

    /// Help for `help a b`: the words after `help` name a subcommand path; options are ignored.
    mutating func helpForSubcommand(named words: ArraySlice<String>) throws(UsageError) -> String {
        for word in words where !looksLikeOption(word) {
            if command.subcommands.isEmpty { throw error("unexpected argument '\(word)'") }
            chain.append(try subcommand(named: word, of: command))
        }
        return command.helpText(commandPath: path)
    }

    func finish() throws(UsageError) -> ParsedArguments {
        var remaining = positionalWords[...]
        var positionalValues: [String: [String]] = [:]
        for positional in command.positionals {
            if positional.isRepeatable {
                positionalValues[positional.name] = Array(remaining)
                remaining = []
            } else if let word = remaining.popFirst() {
                positionalValues[positional.name] = [word]
            }
            if !positional.isOptional && positionalValues[positional.name, default: []].isEmpty {
                throw error("missing argument '<\(positional.name)>'")
            }
        }
        if let extra = remaining.first { throw error("unexpected argument '\(extra)'") }
        var declared: [String: Bool] = [:]
        for option in chain.flatMap(\.options) { declared[option.name] = option.isFlag }
        return ParsedArguments(
            commandPath: path, optionValues: optionValues, flags: flags, positionalValues: positionalValues,
            declaredOptions: declared, declaredPositionals: Set(command.positionals.map(\.name)))
    }
}
