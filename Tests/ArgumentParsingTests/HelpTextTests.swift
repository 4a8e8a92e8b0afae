import ArgumentParsing
import XCTest

final class HelpTextTests: XCTestCase {
    func testRootHelpListsOptionsAndSubcommands() {
        XCTAssertEqual(connectorSpec.helpText(commandPath: ["eset-connector"]), """
            OVERVIEW: Collect ESET devices as OCSF.

            USAGE: eset-connector [<options>] <subcommand>

            OPTIONS:
              -v, --verbose  Log more.
              -h, --help     Show help information.

            SUBCOMMANDS:
              map            Map ESET device JSON to OCSF.
              collect        Collect from the API.
              validate       Validate OCSF files.

              See 'eset-connector help <subcommand>' for detailed help.
            """)
    }

    func testSubcommandHelpAlignsOptionsAndShowsDefaultsAndRepeatable() {
        XCTAssertEqual(connectorSpec.subcommands[0].helpText(commandPath: ["eset-connector", "map"]), """
            OVERVIEW: Map ESET device JSON to OCSF.

            USAGE: eset-connector map [<options>]

            OPTIONS:
              -i, --input <path>   ESET devices JSON file.
              -o, --output <path>  Where to write. (default: stdout)
              --label <text>       Extra label. (repeatable)
              --full               Include raw data.
              -h, --help           Show help information.
            """)
    }

    func testPositionalsAppearInUsageAndArguments() {
        XCTAssertEqual(connectorSpec.subcommands[2].helpText(commandPath: ["eset-connector", "validate"]), """
            OVERVIEW: Validate OCSF files.

            USAGE: eset-connector validate [<options>] <schema> [<files> ...]

            ARGUMENTS:
              <schema>     Schema file.
              <files> ...  Files to check.

            OPTIONS:
              -h, --help   Show help information.
            """)
    }

    func testDiscussionLongLabelsMultilineHelpAndOptionalSubcommand() {
        let spec = CommandSpec(
            name: "bench", abstract: "Run benchmarks.", discussion: "Numbers are wall-clock.\nLower is better.",
            options: [
                .option("a-very-long-option-name-indeed", value: "<value>", help: "Wraps below."),
                .option("n", value: "<count>", help: "First line.\nSecond line."),
                .flag("q", help: ""),
            ],
            subcommands: [CommandSpec(name: "run", abstract: "Run.")],
            runsWithoutSubcommand: true)
        XCTAssertEqual(spec.helpText(commandPath: []), """
            OVERVIEW: Run benchmarks.

            Numbers are wall-clock.
            Lower is better.

            USAGE: bench [<options>] [<subcommand>]

            OPTIONS:
              --a-very-long-option-name-indeed <value>
                                            Wraps below.
              --n <count>                   First line.
                                            Second line.
              --q
              -h, --help                    Show help information.

            SUBCOMMANDS:
              run                           Run.

              See 'bench help <subcommand>' for detailed help.
            """)
    }

    func testEmptyAbstractOmitsOverview() {
        XCTAssertEqual(CommandSpec(name: "t", abstract: "").helpText(commandPath: ["t"]), """
            USAGE: t [<options>]

            OPTIONS:
              -h, --help  Show help information.
            """)
    }
}
