import ESET
import JSON
import Mapping
import XCTest

final class StrictProfileRuleTests: XCTestCase {
    private func strict(_ json: String) throws -> JSONValue {
        try mapDevice(json, profile: .ocsfStrict)
    }

    func testS01_timesAreIntegerEpochMilliseconds() throws {
        let event = try strict(#"{"uuid": "u", "lastSyncTime": "2025-05-21T10:00:00.123456Z"}"#)
        XCTAssertEqual(event["time"], .int(1_747_821_600_123))
        XCTAssertEqual(value(event, "device.last_seen_time"), .int(1_747_821_600_123))
        XCTAssertEqual(try strict(#"{"uuid": "u"}"#)["time"], .int(1_893_456_000_000))
    }

    func testS02_severityIsInformational() throws {
        let event = try strict(#"{"uuid": "u"}"#)
        XCTAssertEqual(event["severity_id"], 1)
        XCTAssertEqual(event["severity"], "Informational")
    }

    func testS03_S04_operatingSystemFamiliesUseESETsTableAndOCSFCaptions() throws {
        let cases: [(String, String, String, Int64)] = [
            (#"{"familyId": 1}"#, "", "Windows", 100),
            (#"{"familyId": 2}"#, "", "Linux", 200),
            (#"{"familyId": 3}"#, "", "macOS", 300),
            (#"{"familyId": 3}"#, #", "isMobile": true"#, "iOS", 301),
            (#"{"familyId": "3", "editionId": 3}"#, "", "iOS", 301),
            (#"{"familyId": 4}"#, "", "Android", 201),
            (#"{"familyId": 5}"#, "", "Windows Mobile", 101),
            (#"{"familyId": 0}"#, "", "Unknown", 0),
            (#"{}"#, "", "Unknown", 0),
            (#"{"familyId": 6}"#, "", "Symbian", 99),
            (#"{"familyId": 7}"#, "", "UNIX", 99),
            (#"{"familyId": 12}"#, "", "ESET family 12", 99),
        ]
        for (system, extra, type, typeID) in cases {
            let event = try strict(#"{"uuid": "u", "operatingSystem": \#(system)\#(extra)}"#)
            XCTAssertEqual(value(event, "device.os.type"), .string(type), system + extra)
            XCTAssertEqual(value(event, "device.os.type_id"), .int(typeID), system + extra)
        }
    }

    func testS05_everyDeviceTypeHasItsOCSFType() throws {
        let table: [(String?, String, Int64)] = [
            ("DEVICE_TYPE_DESKTOP", "Desktop", 2), ("DEVICE_TYPE_SERVER", "Server", 1), ("DEVICE_TYPE_NOTEBOOK", "Laptop", 3),
            ("DEVICE_TYPE_TABLET", "Tablet", 4), ("DEVICE_TYPE_SMARTPHONE", "Mobile", 5),
            ("DEVICE_TYPE_VIRTUAL_MACHINE", "Virtual", 6), ("DEVICE_TYPE_IOT", "IOT", 7), ("DEVICE_TYPE_SMART_TV", "IOT", 7),
            ("DEVICE_TYPE_WEARABLE", "IOT", 7), ("DEVICE_TYPE_SMART_SPEAKER", "IOT", 7),
            ("DEVICE_TYPE_SECURITY_CAMERA", "IOT", 7), ("DEVICE_TYPE_ROUTER", "Router", 12),
            ("DEVICE_TYPE_PRINTER", "Printer", 99), ("DEVICE_TYPE_GAMING_CONSOLE", "Gaming Console", 99),
            ("DEVICE_TYPE_UNSPECIFIED", "Unknown", 0), (nil, "Unknown", 0), ("DEVICE_TYPE_HOLOGRAM", "DEVICE_TYPE_HOLOGRAM", 99),
        ]
        for (deviceType, type, typeID) in table {
            let field = deviceType.map { #", "deviceType": "\#($0)""# } ?? ""
            let event = try strict(#"{"uuid": "u"\#(field)}"#)
            XCTAssertEqual(value(event, "device.type"), .string(type), deviceType ?? "absent")
            XCTAssertEqual(value(event, "device.type_id"), .int(typeID), deviceType ?? "absent")
        }
        let mobile = try strict(#"{"uuid": "u", "isMobile": true}"#)
        XCTAssertEqual(value(mobile, "device.type"), "Mobile", "an unspecified mobile device is Mobile")
    }

    func testS06_interfaceTypeComesFromTheAdapterCaption() throws {
        let event = try strict(
            #"{"uuid": "u", "primaryLocalIpAddress": "10.0.0.2", "publicIpAddress": "1.1.1.1", "hardwareProfiles": [{"networkAdapters": [{"caption": "Intel(R) Wi-Fi 6 AX201", "macAddress": "AA:00:00:00:00:01"}, {"caption": "Realtek PCIe GbE", "macAddress": "AA:00:00:00:00:02"}, {"caption": "Qualcomm Wireless Network Adapter", "macAddress": "AA:00:00:00:00:03"}]}]}"#
        )
        let types = value(event, "device.network_interfaces")?.arrayValue?.map { $0["type_id"] }
        XCTAssertEqual(types, [2, 1, 2, 0])
        let bare = try strict(#"{"uuid": "u", "primaryLocalIpAddress": "10.0.0.2"}"#)
        XCTAssertEqual(value(bare, "device.network_interfaces.0.type"), "Unknown", "no adapter, nothing says wired")
    }

    func testS07_managedOnlyWhenEnrollmentFinished() throws {
        let cases: [(String, JSONValue?)] = [
            (#", "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_FINISHED""#, true),
            (#", "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_PENDING""#, false),
            (#", "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_FAILED""#, false),
            (#", "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_ENROLLED""#, false),
            ("", nil),
        ]
        for (field, expected) in cases {
            XCTAssertEqual(value(try strict(#"{"uuid": "u"\#(field)}"#), "device.is_managed"), expected, field)
        }
    }

    func testS08_productVendorIsESET() throws {
        XCTAssertEqual(value(try strict(#"{"uuid": "u"}"#), "metadata.product.vendor_name"), "ESET")
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u"}"#), "metadata.product.vendor_name"))
    }

    func testS09_osNameFallsBackToTheTypeCaption() throws {
        XCTAssertEqual(value(try strict(#"{"uuid": "u", "operatingSystem": {"familyId": 2}}"#), "device.os.name"), "Linux")
        XCTAssertEqual(
            value(try strict(#"{"uuid": "u", "operatingSystem": {"familyId": 2, "displayName": "Ubuntu"}}"#), "device.os.name"),
            "Ubuntu")
    }

    func testS10_addressesOCSFRejectsAreLeftOutWithAWarning() throws {
        let (event, warnings) = try mapDeviceWithWarnings(
            #"{"uuid": "u", "primaryLocalIpAddress": "999.1.1.1", "publicIpAddress": "fe80::1", "hardwareProfiles": [{"networkAdapters": [{"caption": "a", "macAddress": "AABBCCDDEEFF"}, {"caption": "b", "macAddress": "aa-bb-cc-dd-ee-ff"}]}]}"#,
            profile: .ocsfStrict)
        XCTAssertNil(value(event, "device.ip"))
        XCTAssertEqual(
            value(event, "device.network_interfaces"),
            [["mac": "aa-bb-cc-dd-ee-ff", "name": "b", "type": "Wired", "type_id": 1], ["ip": "fe80::1", "type": "Unknown", "type_id": 0]])
        XCTAssertEqual(warnings.map(\.field), ["primaryLocalIpAddress", "hardwareProfiles[0].networkAdapters[0].macAddress"])
        let long = String(repeating: "1:", count: 20) + "1"
        let sekoia = try mapDevice(#"{"uuid": "u", "primaryLocalIpAddress": "\#(long)"}"#)
        XCTAssertEqual(value(sekoia, "device.ip"), .string(long), "the published table copies addresses as they are")
    }

    func testProfilesAreSelectableByName() throws {
        XCTAssertEqual(try MappingProfile.named("sekoia"), .sekoia)
        XCTAssertEqual(try MappingProfile.named("ocsf-strict"), .ocsfStrict)
        XCTAssertThrowsError(try MappingProfile.named("strict")) { error in
            XCTAssertEqual("\(error)", "unknown profile 'strict'; valid profiles: sekoia, ocsf-strict")
        }
    }
}
