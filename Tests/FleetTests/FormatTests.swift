import Foundation
import XCTest
@testable import Fleet

/// The hand-written encoders the generator relies on instead of Foundation's.
final class FormatTests: XCTestCase {
    func testStringsAreEscapedSoAnyTextRoundTrips() throws {
        var controls = ""
        for scalar in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let texts = [
            "", "plain", "quote \" backslash \\ slash /", controls, "Zoë – 東京 😀", "\u{7F}\u{2028}", "end\\",
            "\"", "tab\tnew\nline\r",
        ]
        for layout in [FleetLayout.compact, .pretty] {
            var writer = FixtureWriter(layout: layout)
            writer.beginArray()
            for text in texts { writer.string(text) }
            writer.endArray()
            let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String]
            XCTAssertEqual(parsed, texts)
        }
    }

    func testWriterLayoutMatchesTheSeedSampleStyle() {
        var writer = FixtureWriter(layout: .pretty)
        writer.beginObject()
        writer.field("name", "x")
        writer.key("empty")
        writer.beginArray()
        writer.endArray()
        writer.key("list")
        writer.beginArray()
        writer.int(-12)
        writer.intAsString(340)
        writer.endArray()
        writer.key("nested")
        writer.beginObject()
        writer.field("flag", true)
        writer.key("nothing")
        writer.null()
        writer.endObject()
        writer.endObject()
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), """
        {
          "name": "x",
          "empty": [],
          "list": [
            -12,
            "340"
          ],
          "nested": {
            "flag": true,
            "nothing": null
          }
        }
        """)
        var compact = FixtureWriter(layout: .compact)
        compact.beginObject()
        compact.field("a", 0)
        compact.key("b")
        compact.beginObject()
        compact.endObject()
        compact.endObject()
        XCTAssertEqual(String(decoding: compact.bytes, as: UTF8.self), #"{"a":0,"b":{}}"#)
    }

    func testTimestampsAreSpelledAsAsked() {
        typealias Style = Formats.TimestampStyle
        let reference = 1_747_821_600  // 2025-05-21T10:00:00Z
        XCTAssertEqual(Formats.rfc3339(epochSeconds: 0, nanoseconds: 0, style: Style()), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Formats.rfc3339(epochSeconds: reference, nanoseconds: 0, style: Style()), "2025-05-21T10:00:00Z")
        XCTAssertEqual(
            Formats.rfc3339(epochSeconds: reference, nanoseconds: 123_456_789, style: Style(fractionDigits: 9)),
            "2025-05-21T10:00:00.123456789Z")
        XCTAssertEqual(
            Formats.rfc3339(epochSeconds: reference, nanoseconds: 123_456_789, style: Style(fractionDigits: 4, zone: .lowerZ)),
            "2025-05-21T10:00:00.1234z", "digits are truncated, not rounded")
        XCTAssertEqual(
            Formats.rfc3339(epochSeconds: reference, nanoseconds: 5_000_000, style: Style(spaceSeparator: true, fractionDigits: 3, zone: .offset(minutes: 120))),
            "2025-05-21 12:00:00.005+02:00")
        XCTAssertEqual(
            Formats.rfc3339(epochSeconds: reference, nanoseconds: 0, style: Style(zone: .offset(minutes: -330))),
            "2025-05-21T04:30:00-05:30")
        XCTAssertEqual(
            Formats.rfc3339(epochSeconds: reference + 14 * 3600, nanoseconds: 0, style: Style(zone: .offset(minutes: 840))),
            "2025-05-22T14:00:00+14:00", "the offset moves the local date")
        XCTAssertEqual(Formats.rfc3339(epochSeconds: 951_782_400, nanoseconds: 0, style: Style()), "2000-02-29T00:00:00Z")
        XCTAssertEqual(Formats.rfc3339(epochSeconds: -1, nanoseconds: 0, style: Style()), "1969-12-31T23:59:59Z")
    }

    func testCivilDatesAgreeWithFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        // From 1696 on: Foundation's calendar is Julian before 1582, RFC 3339 is proleptic Gregorian.
        for day in stride(from: -100_000, through: 200_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            let expected = calendar.dateComponents([.year, .month, .day], from: date)
            let actual = Formats.civilDate(daysSinceEpoch: day)
            XCTAssertEqual([actual.year, actual.month, actual.day], [expected.year, expected.month, expected.day], "day \(day)")
        }
    }

    func testIdentifiersHaveTheirUsualShapes() {
        XCTAssertEqual(Formats.uuid(high: 0, low: 0), "00000000-0000-4000-8000-000000000000")
        XCTAssertEqual(Formats.uuid(high: .max, low: .max), "ffffffff-ffff-4fff-bfff-ffffffffffff")
        XCTAssertEqual(Formats.mac(0xAABB_CCDD_EEFF, lowercase: false), "AA:BB:CC:DD:EE:FF")
        XCTAssertEqual(Formats.mac(0x0102_0304_0A0B, lowercase: true), "01:02:03:04:0a:0b")
        XCTAssertEqual(Formats.hex(0xBEEF, digits: 6), "00beef")
    }

    func testRandomDrawsStayInRange() {
        var random = SplitMix64(state: 1)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let value = random.below(7)
            XCTAssertTrue((0..<7).contains(value))
            seen.insert(value)
        }
        XCTAssertEqual(seen, Set(0..<7))
        let table = WeightTable([0, 5, 0, 5])
        for _ in 0..<500 { XCTAssertTrue([1, 3].contains(random.weighted(table))) }
        // SplitMix64's published first output for state 0, pinning the algorithm.
        var reference = SplitMix64(state: 0)
        XCTAssertEqual(reference.next(), 0xE220_A839_7B1D_CDAF)
    }
}
