import ArgumentParsing
import XCTest

final class OptionTests: XCTestCase {
    func testSeparateAndInlineValues() throws {
        let parsed = try expectRun(["map", "--input", "in.json", "--output=out.json"])
        XCTAssertEqual(parsed.value("input"), "in.json")
        XCTAssertEqual(parsed.value("output"), "out.json")
        XCTAssertEqual(parsed.value("--output"), "out.json", "a leading -- in the lookup is tolerated")
    }

    func testShortAliasesTakeValuesBothWays() throws {
        let parsed = try expectRun(["map", "-i", "in.json", "-o=out.json"])
        XCTAssertEqual(parsed.value("input"), "in.json")
        XCTAssertEqual(parsed.value("output"), "out.json")
    }

    func testAbsentOptionIsNilAndEmpty() throws {
        let parsed = try expectRun(["map"])
        XCTAssertNil(parsed.value("input"))
        XCTAssertEqual(parsed.values("label"), [])
    }

    func testInlineValueMayContainEqualsSignsAndBeEmpty() throws {
        let parsed = try expectRun(["map", "--input=a=b", "--output="])
        XCTAssertEqual(parsed.value("input"), "a=b")
        XCTAssertEqual(parsed.value("output"), "")
    }

    func testValueMayBeADashOrANegativeNumber() throws {
        XCTAssertEqual(try expectRun(["map", "--output", "-"]).value("output"), "-")
        XCTAssertEqual(try expectRun(["collect", "--offset", "-5"]).value("offset"), "-5")
        XCTAssertEqual(try expectRun(["collect", "--offset", "-0.5"]).value("offset"), "-0.5")
    }

    func testInlineValueMayLookLikeAnOption() throws {
        XCTAssertEqual(try expectRun(["map", "--input=--full"]).value("input"), "--full")
    }

    func testRepeatableOptionKeepsEveryValueInOrder() throws {
        let parsed = try expectRun(["map", "--label", "a", "--label=b", "--label", "c"])
        XCTAssertEqual(parsed.values("label"), ["a", "b", "c"])
        XCTAssertEqual(parsed.value("label"), "c", "value() is the last given")
    }

    func testOptionsAndPositionalsMayInterleave() throws {
        let spec = CommandSpec(name: "t", abstract: "", options: [.option("mode", help: "")],
                               positionals: [PositionalSpec("a", help: ""), PositionalSpec("b", help: "")])
        let parsed = try expectRun(["x", "--mode", "fast", "y"], spec)
        XCTAssertEqual(parsed.positional("a"), "x")
        XCTAssertEqual(parsed.positional("b"), "y")
        XCTAssertEqual(parsed.value("mode"), "fast")
    }

    func testRootOptionBeforeSubcommandIsKept() throws {
        let parsed = try expectRun(["-v", "map", "--full"])
        XCTAssertTrue(parsed.flag("verbose"))
        XCTAssertTrue(parsed.flag("full"))
    }

    func testLongNameDeclaredWithDashesIsTheSameOption() throws {
        let spec = CommandSpec(name: "t", abstract: "", options: [.option("--name", help: "")])
        XCTAssertEqual(spec.options[0].name, "name")
        XCTAssertEqual(try expectRun(["--name", "x"], spec).value("name"), "x")
    }
}

final class PositionalTests: XCTestCase {
    func testPositionalsAreMatchedInOrder() throws {
        let parsed = try expectRun(["validate", "s.json", "a.json", "b.json"])
        XCTAssertEqual(parsed.positional("schema"), "s.json")
        XCTAssertEqual(parsed.positional("files"), "a.json")
        XCTAssertEqual(parsed.positionals("files"), ["a.json", "b.json"])
    }

    func testOptionalPositionalMayBeLeftOut() throws {
        let parsed = try expectRun(["validate", "s.json"])
        XCTAssertNil(parsed.positional("files"))
        XCTAssertEqual(parsed.positionals("files"), [])
    }

    func testDoubleDashEndsOptions() throws {
        let parsed = try expectRun(["validate", "--", "--help", "-h", "--", "-x"])
        XCTAssertEqual(parsed.positional("schema"), "--help")
        XCTAssertEqual(parsed.positionals("files"), ["-h", "--", "-x"])
    }

    func testDashAndNegativeNumbersArePositionals() throws {
        let parsed = try expectRun(["validate", "-", "-1"])
        XCTAssertEqual(parsed.positional("schema"), "-")
        XCTAssertEqual(parsed.positionals("files"), ["-1"])
    }
}
