import JSON
import XCTest

final class IdentityRuleTests: XCTestCase {
    func testM01_deviceUIDCopiesUUID() throws {
        let event = try mapDevice(#"{"uuid": "u-1"}"#)
        XCTAssertEqual(value(event, "device.uid"), "u-1")
    }

    func testM02_hostnamePrefersDisplayName() throws {
        let event = try mapDevice(#"{"uuid": "u", "displayName": "shown", "originalDisplayName": "orig"}"#)
        XCTAssertEqual(value(event, "device.hostname"), "shown")
    }

    func testM02_hostnameFallsBackToOriginalDisplayNameWhenDisplayNameIsAbsentEmptyNullOrWrongType() throws {
        for displayName in ["", #""displayName": "","#, #""displayName": null,"#, #""displayName": 42,"#] {
            let event = try mapDevice(#"{"uuid": "u", \#(displayName) "originalDisplayName": "orig"}"#)
            XCTAssertEqual(value(event, "device.hostname"), "orig", displayName)
        }
    }

    func testM02_hostnameFallsBackToUUIDAndIsNeverAbsent() throws {
        let event = try mapDevice(#"{"uuid": "u-7", "displayName": "", "originalDisplayName": null}"#)
        XCTAssertEqual(value(event, "device.hostname"), "u-7")
    }

    func testM03_nameCopiesDisplayNameOnly() throws {
        XCTAssertEqual(value(try mapDevice(#"{"uuid": "u", "displayName": "d"}"#), "device.name"), "d")
        let fallback = try mapDevice(#"{"uuid": "u", "originalDisplayName": "orig"}"#)
        XCTAssertNil(value(fallback, "device.name"), "name has no fallback, unlike hostname")
    }

    func testM04_descCopiesDescription() throws {
        XCTAssertEqual(value(try mapDevice(#"{"uuid": "u", "description": "Finance"}"#), "device.desc"), "Finance")
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u", "description": ""}"#), "device.desc"))
    }
}
