import ArgumentParsing
import XCTest

final class TypedValueTests: XCTestCase {
    func testInt() throws {
        XCTAssertEqual(try expectRun(["collect", "--port", "8080"]).int("port"), 8080)
        XCTAssertEqual(try expectRun(["collect", "--offset", "-3"]).int("offset"), -3)
        XCTAssertEqual(try expectRun(["collect", "--port", "1"]).int("port", range: 1...65535), 1)
        XCTAssertEqual(try expectRun(["collect", "--port", "65535"]).int("port", range: 1...65535), 65535)
        XCTAssertNil(try expectRun(["collect"]).int("port", range: 1...65535))
    }

    func testIntErrors() {
        for text in ["x", "1.5", "", " 1", "99999999999999999999"] {
            assertUsageError("invalid value '\(text)' for '--port': expected an integer",
                             parsing: ["collect", "--port=\(text)"]) { try $0.int("port") }
        }
        assertUsageError("invalid value '0' for '--port': expected an integer between 1 and 65535",
                         parsing: ["collect", "--port", "0"]) { try $0.int("port", range: 1...65535) }
    }

    func testDouble() throws {
        XCTAssertEqual(try expectRun(["collect", "--ratio", "0.25"]).double("ratio"), 0.25)
        XCTAssertEqual(try expectRun(["collect", "--ratio", "1e-2"]).double("ratio"), 0.01)
        XCTAssertEqual(try expectRun(["collect", "--ratio", "1"]).double("ratio", range: 0...1), 1)
        XCTAssertNil(try expectRun(["collect"]).double("ratio"))
    }

    func testDoubleErrors() {
        for text in ["x", "nan", "inf", "0x10", "1e999", ""] {
            assertUsageError("invalid value '\(text)' for '--ratio': expected a number",
                             parsing: ["collect", "--ratio=\(text)"]) { try $0.double("ratio") }
        }
        assertUsageError("invalid value '1.5' for '--ratio': expected a number between 0.0 and 1.0",
                         parsing: ["collect", "--ratio", "1.5"]) { try $0.double("ratio", range: 0...1) }
    }

    func testRequired() throws {
        XCTAssertEqual(try expectRun(["map", "-i", "in.json"]).required("input"), "in.json")
        assertUsageError("missing required option '--input'", parsing: ["map"]) { try $0.required("input") }
        assertUsageError("missing required option '--input'", parsing: ["map"]) { try $0.required("--input") }
    }

    func testChoice() throws {
        let formats = ["json", "ndjson"]
        XCTAssertEqual(try expectRun(["collect", "--format", "ndjson"]).choice("format", from: formats), "ndjson")
        XCTAssertNil(try expectRun(["collect"]).choice("format", from: formats))
        assertUsageError("invalid value 'xml' for '--format': expected one of: json, ndjson",
                         parsing: ["collect", "--format", "xml"]) { try $0.choice("format", from: formats) }
    }

    func testTypedErrorsCarryTheCommandPath() throws {
        let parsed = try expectRun(["collect", "--port", "x"])
        XCTAssertThrowsError(try parsed.int("port")) { error in
            XCTAssertEqual((error as? UsageError)?.commandPath, ["eset-connector", "collect"])
        }
    }
}
