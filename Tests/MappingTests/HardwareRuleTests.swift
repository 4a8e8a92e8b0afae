import JSON
import XCTest

final class HardwareRuleTests: XCTestCase {
    func testM10_domainCopiesManagementDomain() throws {
        let event = try mapDevice(#"{"uuid": "u", "managementDomain": "eu.automation.eset.systems"}"#)
        XCTAssertEqual(value(event, "device.domain"), "eu.automation.eset.systems")
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u", "managementDomain": 3}"#), "device.domain"))
    }

    func testM11_vendorNameComesFromTheFirstHardwareProfileOnly() throws {
        let event = try mapDevice(#"{"uuid": "u", "hardwareProfiles": [{"manufacturer": "Dell Inc."}, {"manufacturer": "HP"}]}"#)
        XCTAssertEqual(value(event, "device.vendor_name"), "Dell Inc.")
        let second = try mapDevice(#"{"uuid": "u", "hardwareProfiles": [{"model": "X"}, {"manufacturer": "HP"}]}"#)
        XCTAssertNil(value(second, "device.vendor_name"), "the second profile is never consulted")
        let junk = try mapDevice(#"{"uuid": "u", "hardwareProfiles": [null, {"manufacturer": "HP"}]}"#)
        XCTAssertNil(value(junk, "device.vendor_name"))
    }

    func testM14_modelComesFromTheFirstHardwareProfileOnly() throws {
        let event = try mapDevice(#"{"uuid": "u", "hardwareProfiles": [{"model": "Latitude 5520"}, {"model": "Other"}]}"#)
        XCTAssertEqual(value(event, "device.model"), "Latitude 5520")
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u", "hardwareProfiles": []}"#), "device.model"))
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u", "hardwareProfiles": {"model": "x"}}"#), "device.model"))
    }
}
