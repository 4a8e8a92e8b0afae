import ArgumentParsing
import XCTest

final class FlagTests: XCTestCase {
    func testFlagIsTrueOnlyWhenGiven() throws {
        XCTAssertTrue(try expectRun(["map", "--full"]).flag("full"))
        XCTAssertFalse(try expectRun(["map"]).flag("full"))
        XCTAssertTrue(try expectRun(["map", "--full"]).flag("--full"))
    }

    func testShortFlag() throws {
        XCTAssertTrue(try expectRun(["-v", "map"]).flag("verbose"))
    }

    func testFlagDoesNotConsumeTheNextWord() throws {
        let spec = CommandSpec(name: "t", abstract: "", options: [.flag("dry-run", help: "")],
                               positionals: [PositionalSpec("file", help: "")])
        let parsed = try expectRun(["--dry-run", "f.txt"], spec)
        XCTAssertTrue(parsed.flag("dry-run"))
        XCTAssertEqual(parsed.positional("file"), "f.txt")
    }

    func testFlagGivenAValueIsAnError() {
        XCTAssertEqual(expectError(["map", "--full=yes"])?.message, "flag '--full' does not take a value")
        XCTAssertEqual(expectError(["-v=1", "map"])?.message, "flag '-v' does not take a value")
        XCTAssertEqual(expectError(["map", "--help=yes"])?.message, "flag '--help' does not take a value")
    }

    func testRepeatedFlagIsAnError() {
        XCTAssertEqual(expectError(["map", "--full", "--full"])?.message, "flag '--full' given more than once")
        XCTAssertEqual(expectError(["-v", "--verbose", "map"])?.message, "flag '--verbose' given more than once")
    }
}
