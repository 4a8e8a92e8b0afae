extension CommandSpec {
    /// Help for this command as invoked through `commandPath`: the program name, then the
    /// subcommands leading here, ending with this command's own name. An empty path means `[name]`.
    ///
    /// Sections: overview (abstract, discussion), usage line, arguments, options (always including
    /// `-h, --help`), subcommands. Descriptions are aligned in one column across sections.
    package func helpText(commandPath: [String]) -> String {
        let invocation = (commandPath.isEmpty ? [name] : commandPath).joined(separator: " ")
        var usage = "USAGE: \(invocation) [<options>]"
        for positional in positionals { usage += " " + usageWord(positional) }
        if !subcommands.isEmpty { usage += runsWithoutSubcommand ? " [<subcommand>]" : " <subcommand>" }

        let argumentRows = positionals.map { (usageWord($0, bracketOptional: false), $0.help) }
        let optionRows = options.map { (optionLabel($0), optionHelp($0)) } + [("-h, --help", "Show help information.")]
        let subcommandRows = subcommands.map { ($0.name, $0.abstract) }
        let widest = (argumentRows + optionRows + subcommandRows).map(\.0.count).max() ?? 0
        let column = 2 + min(widest, 28) + 2

        var blocks: [String] = []
        if !abstract.isEmpty { blocks.append("OVERVIEW: \(abstract)") }
        if let discussion, !discussion.isEmpty { blocks.append(discussion) }
        blocks.append(usage)
        if !argumentRows.isEmpty { blocks.append(section("ARGUMENTS:", argumentRows, column: column)) }
        blocks.append(section("OPTIONS:", optionRows, column: column))
        if !subcommandRows.isEmpty {
            blocks.append(section("SUBCOMMANDS:", subcommandRows, column: column)
                          + "\n\n  See '\(invocation) help <subcommand>' for detailed help.")
        }
        return blocks.joined(separator: "\n\n")
    }
}

private func usageWord(_ positional: PositionalSpec, bracketOptional: Bool = true) -> String {
    let word = "<\(positional.name)>" + (positional.isRepeatable ? " ..." : "")
    return bracketOptional && positional.isOptional ? "[\(word)]" : word
}

private func optionLabel(_ option: OptionSpec) -> String {
    let names = (option.short.map { "-\($0), " } ?? "") + "--\(option.name)"
    return option.valueName.map { "\(names) \($0)" } ?? names
}

private func optionHelp(_ option: OptionSpec) -> String {
    var help = option.help
    if option.isRepeatable { help += " (repeatable)" }
    if let defaultDescription = option.defaultDescription { help += " (default: \(defaultDescription))" }
    return help
}

/// A titled list of label/description rows; a label too wide for the column gets its own line.
private func section(_ title: String, _ rows: [(String, String)], column: Int) -> String {
    let indent = String(repeating: " ", count: column)
    var lines = [title]
    for (label, help) in rows {
        let helpLines = help.split(separator: "\n", omittingEmptySubsequences: false)
        var first = "  " + label
        if first.count + 2 > column {
            lines.append(first)
            first = indent
        } else {
            first += String(repeating: " ", count: column - first.count)
        }
        lines.append(first + (helpLines.first ?? ""))
        lines += helpLines.dropFirst().map { indent + $0 }
    }
    return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n")
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        String(self[..<(lastIndex { $0 != " " }.map(index(after:)) ?? startIndex)])
    }
}
