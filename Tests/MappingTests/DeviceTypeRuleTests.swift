import JSON
import XCTest

final class DeviceTypeRuleTests: XCTestCase {
    private func type(_ fields: String) throws -> (JSONValue?, JSONValue?) {
        let event = try mapDevice(#"{"uuid": "u"\#(fields)}"#)
        return (value(event, "device.type"), value(event, "device.type_id"))
    }

    func testM05_mobileWinsOverEveryDeviceType() throws {
        let result = try type(#", "isMobile": true, "deviceType": "DEVICE_TYPE_SERVER""#)
        XCTAssertEqual(result.0, "Mobile")
        XCTAssertEqual(result.1, 5)
    }

    func testM05_isMobileCountsOnlyAsJSONTrue() throws {
        for mobile in [#""true""#, "1", "false", "null"] {
            let result = try type(#", "isMobile": \#(mobile), "deviceType": "DEVICE_TYPE_DESKTOP""#)
            XCTAssertEqual(result.0, "Desktop", mobile)
            XCTAssertEqual(result.1, 2, mobile)
        }
    }

    func testM05_serverWhenUpperCasedTypeContainsSERVER() throws {
        for deviceType in ["DEVICE_TYPE_SERVER", "server", "Mail-Server-Box"] {
            let result = try type(#", "deviceType": "\#(deviceType)""#)
            XCTAssertEqual(result.0, "Server", deviceType)
            XCTAssertEqual(result.1, 1, deviceType)
        }
    }

    func testM05_virtualWhenUpperCasedTypeContainsVIRTUAL() throws {
        for deviceType in ["DEVICE_TYPE_VIRTUAL_MACHINE", "virtual"] {
            let result = try type(#", "deviceType": "\#(deviceType)""#)
            XCTAssertEqual(result.0, "Virtual", deviceType)
            XCTAssertEqual(result.1, 6, deviceType)
        }
    }

    func testM05_serverIsCheckedBeforeVirtual() throws {
        let result = try type(#", "deviceType": "VIRTUAL_SERVER""#)
        XCTAssertEqual(result.0, "Server")
    }

    func testM05_everythingElseIsDesktop() throws {
        let others = [
            "DEVICE_TYPE_DESKTOP", "DEVICE_TYPE_NOTEBOOK", "DEVICE_TYPE_SMARTPHONE", "DEVICE_TYPE_TABLET", "DEVICE_TYPE_IOT",
            "DEVICE_TYPE_ROUTER", "DEVICE_TYPE_UNSPECIFIED", "something new",
        ]
        for deviceType in others {
            let result = try type(#", "deviceType": "\#(deviceType)""#)
            XCTAssertEqual(result.0, "Desktop", deviceType)
            XCTAssertEqual(result.1, 2, deviceType)
        }
        for absent in ["", #", "deviceType": null"#, #", "deviceType": """#, #", "deviceType": 7"#] {
            XCTAssertEqual(try type(absent).0, "Desktop", absent)
        }
    }
}
