import ArgumentParsing
import XCTest

final class SubcommandTests: XCTestCase {
    func testSubcommandSelectsCommandPath() throws {
        XCTAssertEqual(try expectRun(["map"]).commandPath, ["eset-connector", "map"])
        XCTAssertEqual(try expectRun(["collect"]).commandPath, ["eset-connector", "collect"])
    }

    func testNestedSubcommands() throws {
        let parsed = try expectRun(["remote", "add", "--force", "https://x"], nestedSpec)
        XCTAssertEqual(parsed.commandPath, ["tool", "remote", "add"])
        XCTAssertTrue(parsed.flag("force"))
        XCTAssertEqual(parsed.positional("url"), "https://x")
    }

    func testCommandWithOwnBehaviourRunsWithoutSubcommand() throws {
        XCTAssertEqual(try expectRun([], nestedSpec).commandPath, ["tool"])
    }

    func testSubcommandOptionIsUnknownBeforeTheSubcommand() {
        XCTAssertEqual(expectError(["--full", "map"])?.message, "unknown option '--full'")
    }

    func testSubcommandDoesNotSeeOptionsOfAnotherSubcommand() {
        XCTAssertEqual(expectError(["collect", "--input", "x"])?.message, "unknown option '--input'")
    }

    func testMissingSubcommandListsValidOnes() {
        let error = expectError([])
        XCTAssertEqual(error?.message,
                       "missing subcommand for 'eset-connector'; valid subcommands: map, collect, validate")
        XCTAssertEqual(error?.commandPath, ["eset-connector"])
        XCTAssertEqual(expectError(["remote"], nestedSpec)?.message,
                       "missing subcommand for 'tool remote'; valid subcommands: add, list")
    }

    func testUnknownSubcommandSuggestsAndListsValidOnes() {
        XCTAssertEqual(expectError(["mpa"])?.message,
                       "unknown subcommand 'mpa' for 'eset-connector' (did you mean 'map'?); "
                       + "valid subcommands: map, collect, validate")
        XCTAssertEqual(expectError(["zzzzzz"])?.message,
                       "unknown subcommand 'zzzzzz' for 'eset-connector'; valid subcommands: map, collect, validate")
        XCTAssertEqual(expectError(["remote", "lst"], nestedSpec)?.message,
                       "unknown subcommand 'lst' for 'tool remote' (did you mean 'list'?); valid subcommands: add, list")
    }

    func testHelpSubcommandShowsHelpOfTheNamedCommand() throws {
        XCTAssertEqual(try expectHelp(["help"]), connectorSpec.helpText(commandPath: ["eset-connector"]))
        XCTAssertEqual(try expectHelp(["help", "map"]),
                       connectorSpec.subcommands[0].helpText(commandPath: ["eset-connector", "map"]))
        let add = nestedSpec.subcommands[0].subcommands[0]
        XCTAssertEqual(try expectHelp(["help", "remote", "add"], nestedSpec),
                       add.helpText(commandPath: ["tool", "remote", "add"]))
        XCTAssertEqual(try expectHelp(["remote", "help", "add"], nestedSpec),
                       add.helpText(commandPath: ["tool", "remote", "add"]))
    }

    func testHelpSubcommandRejectsUnknownNames() {
        XCTAssertEqual(expectError(["help", "mapp"])?.message,
                       "unknown subcommand 'mapp' for 'eset-connector' (did you mean 'map'?); "
                       + "valid subcommands: map, collect, validate")
        XCTAssertEqual(expectError(["help", "map", "extra"])?.message, "unexpected argument 'extra'")
    }

    func testHelpFlagAnywhereShowsHelpOfTheDeepestCommand() throws {
        let mapHelp = connectorSpec.subcommands[0].helpText(commandPath: ["eset-connector", "map"])
        XCTAssertEqual(try expectHelp(["--help"]), connectorSpec.helpText(commandPath: ["eset-connector"]))
        XCTAssertEqual(try expectHelp(["map", "--help"]), mapHelp)
        XCTAssertEqual(try expectHelp(["map", "-h"]), mapHelp)
        XCTAssertEqual(try expectHelp(["map", "--input", "map.json", "--bogus", "-h"]), mapHelp,
                       "help wins over mistakes elsewhere on the line")
        XCTAssertEqual(try expectHelp(["-v", "map", "-i", "collect", "-h"]), mapHelp,
                       "an option's value is not read as a subcommand")
    }

    func testHelpAfterDoubleDashIsAPositional() throws {
        XCTAssertEqual(try expectRun(["validate", "s", "--", "--help"]).positionals("files"), ["--help"])
    }
}
