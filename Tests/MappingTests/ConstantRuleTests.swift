import JSON
import XCTest

final class ConstantRuleTests: XCTestCase {
    func testM16_alwaysManaged() throws {
        for status in ["DEVICE_ENROLLMENT_STATUS_PENDING", "DEVICE_ENROLLMENT_STATUS_FAILED", "whatever"] {
            let event = try mapDevice(#"{"uuid": "u", "enrollmentStatus": "\#(status)"}"#)
            XCTAssertEqual(value(event, "device.is_managed"), true, status)
        }
        XCTAssertEqual(value(try mapDevice(#"{"uuid": "u"}"#), "device.is_managed"), true)
    }

    func testM17_metadata() throws {
        let event = try mapDevice(#"{"uuid": "u"}"#)
        XCTAssertEqual(event["metadata"], ["product": ["name": "ESET EDR", "version": "9.1.2500.0"], "version": "1.5.0"])
    }

    func testM18_activity() throws {
        let event = try mapDevice(#"{"uuid": "u"}"#)
        XCTAssertEqual(event["activity_id"], 2)
        XCTAssertEqual(event["activity_name"], "Collect")
    }

    func testM19_classCategoryAndType() throws {
        let event = try mapDevice(#"{"uuid": "u"}"#)
        XCTAssertEqual(event["class_uid"], 5001)
        XCTAssertEqual(event["class_name"], "Device Inventory Info")
        XCTAssertEqual(event["category_uid"], 5)
        XCTAssertEqual(event["category_name"], "Discovery")
        XCTAssertEqual(event["type_uid"], 500102)
        XCTAssertEqual(event["type_name"], "Device Inventory Info: Collect")
        XCTAssertNil(event["severity_id"], "the published table writes no severity")
    }
}
