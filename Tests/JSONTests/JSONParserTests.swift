import JSON
import XCTest

final class JSONParserTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2, 3.5, 1e3, true, false, null, "x"], "b": {}} "#)
        XCTAssertEqual(value["a"], [1, -2, 3.5, 1000.0, true, false, nil, "x"])
        XCTAssertEqual(value["b"], .object(JSONObject()))
    }

    func testIntegersStayExactAndLargeOnesBecomeDoubles() throws {
        XCTAssertEqual(try JSONParser.parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try JSONParser.parse("-9223372036854775808"), .int(Int64.min))
        XCTAssertEqual(try JSONParser.parse("9223372036854775808"), .double(9223372036854775808.0))
        XCTAssertEqual(try JSONParser.parse("-0"), .int(0))
    }

    func testDecodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/\n\t\u00e9\ud83d\ude00""#)
        XCTAssertEqual(value, .string("a\"b\\c/\n\té😀"))
        XCTAssertEqual(try JSONParser.parse(#""\ud83d""#), .string("\u{FFFD}"), "a lone surrogate is replaced, not fatal")
    }

    func testDuplicateKeysResolveToTheLastOccurrence() throws {
        let value = try JSONParser.parse(#"{"k": 1, "k": 2}"#)
        XCTAssertEqual(value["k"], 2)
        XCTAssertEqual(value.objectValue?.count, 2)
    }

    func testErrorsNameLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':' after member name"),
            ("[1, 2", 1, 6, "unterminated array: expected ',' or ']'"),
            ("[01]", 1, 3, "invalid number: leading zero"),
            ("{\"a\": tru}", 1, 7, "invalid literal: expected 'true'"),
            ("\"abc", 1, 1, "unterminated string"),
            ("[1] x", 1, 5, "unexpected content after the JSON value"),
            ("", 1, 1, "unexpected end of input: expected a value"),
            ("[\"a\tb\"]", 1, 4, "unescaped control character in string"),
            ("[\"\\q\"]", 1, 3, "invalid escape sequence '\\q'"),
            ("{1: 2}", 1, 2, "expected a member name in double quotes"),
            ("[1 2]", 1, 4, "expected ',' or ']' after array element"),
            ("[-]", 1, 3, "invalid number: expected a digit"),
            ("[1.]", 1, 4, "invalid number: expected a digit after '.'"),
            ("[1e]", 1, 4, "invalid number: expected a digit in the exponent"),
            ("[1e999]", 1, 2, "number out of range"),
        ]
        for (text, line, column, reason) in cases {
            do {
                _ = try JSONParser.parse(text)
                XCTFail("expected an error for \(text.debugDescription)")
            } catch {
                XCTAssertEqual(error.reason, reason, text.debugDescription)
                XCTAssertEqual(error.line, line, text.debugDescription)
                XCTAssertEqual(error.column, column, text.debugDescription)
                if reason != "number out of range" {  // validate checks syntax only
                    XCTAssertThrowsError(try JSONParser.validate(Array(text.utf8)), "validate agrees on \(text.debugDescription)")
                }
            }
        }
    }

    func testNestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
            XCTAssertEqual((error as? JSONParseError)?.reason, "nesting deeper than 512 levels")
        }
        XCTAssertThrowsError(try JSONParser.validate(Array(deep.utf8)))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertNoThrow(try JSONParser.parse(fine))
    }

    func testArrayElementRangesAreVerbatimSlices() throws {
        let text = #" [ {"a": 1.50, "b": "x"} ,"s",  2e0 ,[ ] ] "#
        let bytes = Array(text.utf8)
        let ranges = try JSONParser.arrayElementRanges(bytes)
        let slices = ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
        XCTAssertEqual(slices, [#"{"a": 1.50, "b": "x"}"#, #""s""#, "2e0", "[ ]"])
        XCTAssertEqual(try JSONParser.arrayElementRanges(Array("[]".utf8)), [])
        XCTAssertThrowsError(try JSONParser.arrayElementRanges(Array("{}".utf8)))
        XCTAssertThrowsError(try JSONParser.arrayElementRanges(Array("[1,]".utf8)))
    }

    func testSemanticEqualityComparesNumbersNumericallyAndIgnoresKeyOrder() throws {
        let a = try JSONParser.parse(#"{"t": 1747821600, "o": {"x": 1, "y": [1.0]}}"#)
        let b = try JSONParser.parse(#"{"o": {"y": [1], "x": 1.0}, "t": 1747821600.0}"#)
        XCTAssertTrue(a.semanticallyEquals(b))
        XCTAssertFalse(a.semanticallyEquals(try JSONParser.parse(#"{"t": 1747821600.5, "o": {"x": 1, "y": [1]}}"#)))
        XCTAssertFalse(a.semanticallyEquals(try JSONParser.parse(#"{"t": "1747821600", "o": {"x": 1, "y": [1]}}"#)))
        XCTAssertNotEqual(a, b, "structural equality keeps order and number kinds")
    }
}
