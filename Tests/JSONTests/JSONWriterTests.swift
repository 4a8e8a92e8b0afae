import JSON
import XCTest

final class JSONWriterTests: XCTestCase {
    func testWritesCompactJSONWithCommasInTheRightPlaces() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.int(1)
        writer.key("b")
        writer.beginArray()
        writer.string("x")
        writer.bool(true)
        writer.null()
        writer.beginObject()
        writer.endObject()
        writer.endArray()
        writer.key("c")
        writer.double(2.5)
        writer.endObject()
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), #"{"a":1,"b":["x",true,null,{}],"c":2.5}"#)
    }

    func testEscapesStringsSoTheyParseBack() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t nul\u{0} bell\u{7} é 😀 </script>"
        var writer = JSONWriter()
        writer.string(nasty)
        XCTAssertEqual(try JSONParser.parse(writer.bytes), .string(nasty))
        XCTAssertTrue(String(decoding: writer.bytes, as: UTF8.self).contains("\\u0000"))
    }

    func testDecimalsAreExact() {
        func decimal(_ units: Int64, _ scale: Int) -> String {
            var writer = JSONWriter()
            writer.decimal(units: units, scale: scale)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        XCTAssertEqual(decimal(1_747_821_600_000_000, 6), "1747821600.0")
        XCTAssertEqual(decimal(1_747_821_600_123_456, 6), "1747821600.123456")
        XCTAssertEqual(decimal(1_747_821_600_500_000, 6), "1747821600.5")
        XCTAssertEqual(decimal(1_747_821_600_000_001, 6), "1747821600.000001")
        XCTAssertEqual(decimal(-500_000, 6), "-0.5")
        XCTAssertEqual(decimal(-1_000_000, 6), "-1.0")
    }

    func testDoublesAndIntegers() {
        func text(_ body: (inout JSONWriter) -> Void) -> String {
            var writer = JSONWriter()
            body(&writer)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        XCTAssertEqual(text { $0.double(1747821600) }, "1747821600.0")
        XCTAssertEqual(text { $0.double(0.1) }, "0.1")
        XCTAssertEqual(text { $0.double(.nan) }, "null")
        XCTAssertEqual(text { $0.int(Int64.min) }, "-9223372036854775808")
        XCTAssertEqual(text { $0.int(0) }, "0")
        XCTAssertEqual(text { $0.int(-42) }, "-42")
    }

    func testRoundTripsParsedDocuments() throws {
        let text = #"{"devices":[{"uuid":"u","n":[1,2.5,-3e-7],"o":{"k":null,"b":false}}],"nextPageToken":""}"#
        let value = try JSONParser.parse(text)
        XCTAssertEqual(try JSONParser.parse(value.serialized()), value)
    }
}
