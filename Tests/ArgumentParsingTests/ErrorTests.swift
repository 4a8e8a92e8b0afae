import ArgumentParsing
import XCTest

/// Every mistake the parser reports, with its exact wording.
final class ErrorTests: XCTestCase {
    func testUnknownOptionSuggestsTheClosestOne() {
        XCTAssertEqual(expectError(["map", "--fulll"])?.message, "unknown option '--fulll' (did you mean '--full'?)")
        XCTAssertEqual(expectError(["map", "--ouptut=x"])?.message,
                       "unknown option '--ouptut' (did you mean '--output'?)", "the value is never echoed")
        XCTAssertEqual(expectError(["collect", "-port", "1"])?.message,
                       "unknown option '-port' (did you mean '--port'?)")
        XCTAssertEqual(expectError(["map", "--hepl"])?.message, "unknown option '--hepl' (did you mean '--help'?)")
    }

    func testUnknownOptionWithoutCloseMatch() {
        XCTAssertEqual(expectError(["map", "--zzzzzz"])?.message, "unknown option '--zzzzzz'")
        XCTAssertEqual(expectError(["map", "-x"])?.message, "unknown option '-x'")
        XCTAssertEqual(expectError(["map", "-io"])?.message, "unknown option '-io'", "short options do not combine")
    }

    func testMissingValue() {
        XCTAssertEqual(expectError(["map", "--input"])?.message, "option '--input' needs a value")
        XCTAssertEqual(expectError(["map", "-i"])?.message, "option '-i' needs a value")
        XCTAssertEqual(expectError(["map", "--input", "--full"])?.message, "option '--input' needs a value")
        XCTAssertEqual(expectError(["map", "--input", "--"])?.message, "option '--input' needs a value")
    }

    func testRepeatedOption() {
        XCTAssertEqual(expectError(["map", "--input", "a", "--input", "b"])?.message,
                       "option '--input' given more than once")
        XCTAssertEqual(expectError(["map", "-i", "a", "--input=b"])?.message, "option '--input' given more than once")
    }

    func testMissingPositional() {
        XCTAssertEqual(expectError(["validate"])?.message, "missing argument '<schema>'")
        let spec = CommandSpec(name: "t", abstract: "",
                               positionals: [PositionalSpec("files", help: "", repeatable: true)])
        XCTAssertEqual(expectError([], spec)?.message, "missing argument '<files>'")
    }

    func testExtraPositional() {
        XCTAssertEqual(expectError(["remote", "add", "u1", "u2"], nestedSpec)?.message, "unexpected argument 'u2'")
        let bare = CommandSpec(name: "t", abstract: "")
        XCTAssertEqual(expectError(["stray"], bare)?.message, "unexpected argument 'stray'")
    }

    func testErrorCarriesTheCommandPathReached() {
        let error = expectError(["map", "--nope"])
        XCTAssertEqual(error?.commandPath, ["eset-connector", "map"])
        XCTAssertEqual(error?.helpHint, "See 'eset-connector map --help'.")
        XCTAssertEqual(error?.description, error?.message)
        XCTAssertNil(UsageError("x").helpHint)
    }
}
