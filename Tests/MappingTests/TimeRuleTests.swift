import JSON
import Mapping
import XCTest

final class TimeRuleTests: XCTestCase {
    private func lastSeen(_ text: String) throws -> JSONValue? {
        value(try mapDevice(#"{"uuid": "u", "lastSyncTime": "\#(text)"}"#), "device.last_seen_time")
    }

    func testM12_acceptedForms() throws {
        let cases: [(String, Double)] = [
            ("2025-05-21T10:00:00Z", 1_747_821_600),
            ("2025-05-21T10:00:00z", 1_747_821_600),
            ("2025-05-21 10:00:00Z", 1_747_821_600),
            ("2025-05-21T12:00:00+02:00", 1_747_821_600),
            ("2025-05-21T07:30:00-02:30", 1_747_821_600),
            ("2025-05-21T10:00:00.5Z", 1_747_821_600.5),
            ("2025-05-21T10:00:00.123456Z", 1_747_821_600.123456),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("1970-01-01T00:00:00Z", 0),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try lastSeen(text)?.doubleValue, expected, text)
        }
    }

    func testM12_fractionDigitsPastTheMicrosecondAreCutNotRounded() throws {
        XCTAssertEqual(RFC3339.microseconds("2025-05-21T10:00:00.123456999Z"), 1_747_821_600_123_456)
        XCTAssertEqual(RFC3339.microseconds("2025-05-21T10:00:00.9999999Z"), 1_747_821_600_999_999)
        XCTAssertEqual(RFC3339.microseconds("2025-05-21T10:00:00.1Z"), 1_747_821_600_100_000)
        let event = try mapDevice(#"{"uuid": "u", "lastSyncTime": "2025-05-21T10:00:00.123456789Z"}"#)
        let text = String(decoding: event["device"]!["last_seen_time"]!.serialized(), as: UTF8.self)
        XCTAssertEqual(text, "1747821600.123456", "the fraction is kept exactly to the microsecond")
    }

    func testM12_unparsableValuesAreOmittedWithAWarning() throws {
        let bad = [
            "2025-05-21", "2025-05-21T10:00:00", "2025-05-21T10:00Z", "2025-05-21t10:00:00Z", "2025-13-01T00:00:00Z",
            "2025-02-30T00:00:00Z", "2025-05-21T24:00:00Z", "2025-05-21T10:00:00.Z", "2025-05-21T10:00:00.1234567890Z",
            "2025-05-21T10:00:00+0200", "2025-05-21T10:00:00 Z", "yesterday", "1747821600", " 2025-05-21T10:00:00Z",
        ]
        for text in bad {
            let (event, warnings) = try mapDeviceWithWarnings(#"{"uuid": "u", "lastSyncTime": "\#(text)"}"#)
            XCTAssertNil(value(event, "device.last_seen_time"), text)
            XCTAssertEqual(warnings.map(\.field), ["lastSyncTime"], text)
        }
    }

    func testM12_numberInsteadOfStringIsAbsentWithoutWarning() throws {
        let (event, warnings) = try mapDeviceWithWarnings(#"{"uuid": "u", "lastSyncTime": 1747821600}"#)
        XCTAssertNil(value(event, "device.last_seen_time"))
        XCTAssertEqual(warnings, [])
    }

    func testM13_timeEqualsLastSeenTime() throws {
        let event = try mapDevice(#"{"uuid": "u", "lastSyncTime": "2025-05-21T10:00:00.25Z"}"#)
        XCTAssertEqual(value(event, "time"), value(event, "device.last_seen_time"))
    }

    func testM13_timeFallsBackToTheMappingMomentInEpochSeconds() throws {
        for device in [#"{"uuid": "u"}"#, #"{"uuid": "u", "lastSyncTime": "garbage"}"#] {
            let event = try mapDevice(device)
            XCTAssertEqual(value(event, "time")?.doubleValue, 1_893_456_000.000001, device)
        }
    }

    func testM13_systemClockIsTrueUTCNow() {
        let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let now = systemClockMicroseconds()
        let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
        XCTAssertGreaterThanOrEqual(now, before - 1000)
        XCTAssertLessThanOrEqual(now, after + 1000)
    }

    func testRFC3339FormatRoundTripsThroughTheParser() {
        let instants: [Int64] = [0, 1, 1_747_821_600_123_456, -1, -86_400_000_001, 951_782_400_000_000, 253_402_300_799_999_999]
        for instant in instants {
            XCTAssertEqual(RFC3339.microseconds(RFC3339.format(microseconds: instant)), instant, "\(instant)")
        }
        XCTAssertEqual(RFC3339.format(microseconds: 1_747_821_600_000_001), "2025-05-21T10:00:00.000001Z")
        XCTAssertEqual(RFC3339.format(microseconds: -1), "1969-12-31T23:59:59.999999Z")
    }
}
