import ArgumentParsing
import XCTest

final class SuggestTests: XCTestCase {
    func testCloseMatches() {
        XCTAssertEqual(suggest("fooo", among: ["bar", "foo"]), "foo")
        XCTAssertEqual(suggest("prot", among: ["port", "path"]), "port", "an adjacent swap counts once")
        XCTAssertEqual(suggest("colect", among: ["map", "collect"]), "collect")
        XCTAssertEqual(suggest("configuraton", among: ["configuration"]), "configuration")
    }

    func testPrefersTheClosestThenTheFirst() {
        XCTAssertEqual(suggest("mapp", among: ["mop", "map"]), "map")
        XCTAssertEqual(suggest("cat", among: ["bat", "hat"]), "bat")
    }

    func testAllowanceGrowsWithLength() {
        XCTAssertNil(suggest("abc", among: ["xyc"]), "two edits are too many for three letters")
        XCTAssertEqual(suggest("abcd", among: ["xycd"]), "xycd")
        XCTAssertNil(suggest("abcdefg", among: ["xyzdefg"]))
        XCTAssertEqual(suggest("abcdefgh", among: ["xyzdefgh"]), "xyzdefgh")
    }

    func testNoSuggestionForTinyOrEmptyInput() {
        XCTAssertNil(suggest("x", among: ["y"]))
        XCTAssertNil(suggest("", among: ["a"]))
        XCTAssertNil(suggest("abc", among: []))
        XCTAssertEqual(suggest("x", among: ["x"]), "x")
    }
}
