import JSON
import XCTest

final class OperatingSystemRuleTests: XCTestCase {
    private func os(_ operatingSystem: String) throws -> JSONValue? {
        value(try mapDevice(#"{"uuid": "u", "operatingSystem": \#(operatingSystem)}"#), "device.os")
    }

    func testM06_eachPublishedFamily() throws {
        let table: [(String, String, Int64)] = [
            ("1", "windows", 100), ("2", "macos", 300), ("3", "linux", 200), ("4", "android", 201), ("5", "ios", 301),
        ]
        for (family, type, typeID) in table {
            let result = try os(#"{"familyId": \#(family)}"#)
            XCTAssertEqual(result?["type"], .string(type), family)
            XCTAssertEqual(result?["type_id"], .int(typeID), family)
        }
    }

    func testM06_absentFamilyIsUnknown() throws {
        for operatingSystem in ["{}", #"{"familyId": null}"#, #"{"familyId": ""}"#, #"{"displayName": "x"}"#] {
            let result = try os(operatingSystem)
            XCTAssertEqual(result?["type"], "unknown", operatingSystem)
            XCTAssertEqual(result?["type_id"], 0, operatingSystem)
        }
    }

    func testM06_anyOtherValueIncludingZeroIsOther() throws {
        for family in ["0", "6", "7", "99", "-1", #""0""#, #""6""#, #""99999999999999999999999""#] {
            let result = try os(#"{"familyId": \#(family)}"#)
            XCTAssertEqual(result?["type"], "other", family)
            XCTAssertEqual(result?["type_id"], 99, family)
        }
    }

    func testM06_familyIdAsDigitStringCountsLikeTheInteger() throws {
        for (family, type) in [(#""1""#, "windows"), (#""3""#, "linux"), (#""05""#, "ios")] {
            XCTAssertEqual(try os(#"{"familyId": \#(family)}"#)?["type"], .string(type), family)
        }
    }

    func testM06_wrongTypeFamilyIdIsAbsentSoUnknown() throws {
        for family in [#""one""#, #""-1""#, #"" 1""#, "true", "1.5", "[1]", #"{"v": 1}"#] {
            let result = try os(#"{"familyId": \#(family)}"#)
            XCTAssertEqual(result?["type"], "unknown", family)
            XCTAssertEqual(result?["type_id"], 0, family)
        }
    }

    func testM06_osIsOmittedWhenOperatingSystemIsAbsent() throws {
        for device in [#"{"uuid": "u"}"#, #"{"uuid": "u", "operatingSystem": null}"#, #"{"uuid": "u", "operatingSystem": "Windows"}"#] {
            XCTAssertNil(value(try mapDevice(device), "device.os"), device)
        }
    }

    func testM07_nameIsDisplayNameFirst() throws {
        let result = try os(#"{"familyId": 1, "displayName": "Windows 11 Pro", "version": {"name": "Windows 11"}}"#)
        XCTAssertEqual(result?["name"], "Windows 11 Pro")
    }

    func testM07_nameFallsBackToVersionName() throws {
        let result = try os(#"{"familyId": 1, "displayName": "", "version": {"name": "Windows 11"}}"#)
        XCTAssertEqual(result?["name"], "Windows 11")
    }

    func testM07_nameIsOmittedWhenNeitherIsPresentButTypeStays() throws {
        let result = try os(#"{"familyId": 3, "version": {"major": 6}}"#)
        XCTAssertNil(result?["name"])
        XCTAssertEqual(result?["type"], "linux")
        XCTAssertEqual(result?.objectValue?.count, 2)
    }
}
