import ESET
import Foundation
import JSON
import Mapping
import OCSF
import XCTest

/// What the validator says about the mapper's own events: `ocsf-strict` must be valid OCSF 1.5.0,
/// `sekoia` must show exactly the known problems of the published table.
final class MappedProfileTests: XCTestCase {
    let validator = OCSFValidator()
    let groups = GroupDirectory([ESETDeviceGroup(uuid: "group-uuid-1", displayName: "Finance Department")])
    /// A fixed clock for devices without `lastSyncTime` (M13's fallback): 2025-05-21T10:00:00Z.
    let clock: @Sendable () -> Int64 = { 1_747_821_600_000_000 }

    /// Devices chosen to walk every branch of the strict rules (S01–S09) that leads to a mapped
    /// caption, plus odd shapes: no OS, empty OS, no adapters, several profiles, IPv6, fractions.
    let variedDevices: [String] = [
        // The seed device (Windows desktop, a wired adapter, a public address, a group).
        #"{"uuid":"550e8400-e29b-41d4-a716-446655440000","displayName":"DESKTOP-ABC123","description":"Finance workstation","deviceType":"DEVICE_TYPE_DESKTOP","enrollmentStatus":"DEVICE_ENROLLMENT_STATUS_ENROLLED","isMobile":false,"lastSyncTime":"2025-05-21T10:00:00Z","managementDomain":"eu.automation.eset.systems","primaryLocalIpAddress":"192.168.1.42","publicIpAddress":"203.0.113.10","parentGroupUuid":"group-uuid-1","operatingSystem":{"displayName":"Windows 10 Enterprise","editionId":4,"familyId":1},"hardwareProfiles":[{"manufacturer":"Dell Inc.","model":"Latitude 5520","networkAdapters":[{"caption":"Intel(R) Ethernet Connection","macAddress":"AA:BB:CC:DD:EE:FF"}]}]}"#,
        // A MacBook: Apple family, notebook, Wi-Fi, enrolled, IPv6, nanosecond fraction.
        #"{"uuid":"mac-1","displayName":"MBP-ANNA","deviceType":"DEVICE_TYPE_NOTEBOOK","enrollmentStatus":"DEVICE_ENROLLMENT_STATUS_FINISHED","lastSyncTime":"2025-05-21T12:34:56.123456789+02:00","primaryLocalIpAddress":"fe80::1c2b:3d4e:5f60:7a8b","publicIpAddress":"2001:db8::1","operatingSystem":{"displayName":"macOS 14.5","familyId":3,"editionId":1},"hardwareProfiles":[{"manufacturer":"Apple Inc.","model":"MacBookPro18,3","networkAdapters":[{"caption":"Wi-Fi","macAddress":"a4-83-e7-12-34-56"},{"caption":"Thunderbolt Bridge","macAddress":"36:12:34:56:78:90"}]}]}"#,
        // An iPhone: Apple family on a mobile device, no hardware profile, pending enrollment.
        #"{"uuid":"iphone-1","displayName":"Anna's iPhone","deviceType":"DEVICE_TYPE_SMARTPHONE","isMobile":true,"enrollmentStatus":"DEVICE_ENROLLMENT_STATUS_PENDING","lastSyncTime":"2025-05-20 08:00:00.5Z","operatingSystem":{"version":{"name":"iOS 17.4"},"familyId":"3","editionId":3}}"#,
        // A Linux server with two hardware profiles and a public address equal to the local one.
        #"{"uuid":"srv-1","originalDisplayName":"srv-db-01","deviceType":"DEVICE_TYPE_SERVER","enrollmentStatus":"DEVICE_ENROLLMENT_STATUS_FAILED","lastSyncTime":"2025-05-21T10:00:00Z","primaryLocalIpAddress":"10.0.0.5","publicIpAddress":"10.0.0.5","operatingSystem":{"displayName":"Ubuntu 22.04","familyId":2},"hardwareProfiles":[{"manufacturer":"HPE","model":"ProLiant DL380","networkAdapters":[{"caption":"eno1","macAddress":"00:11:22:33:44:55"},{"caption":"eno2"}]},{"networkAdapters":[{"caption":"WLAN adapter","macAddress":"00:11:22:33:44:66"}]}]}"#,
        // An Android tablet.
        #"{"uuid":"tab-1","displayName":"TAB-7","deviceType":"DEVICE_TYPE_TABLET","lastSyncTime":"2025-05-21T10:00:00Z","operatingSystem":{"displayName":"Android 14","familyId":4}}"#,
        // Windows Mobile.
        #"{"uuid":"wm-1","displayName":"WM-1","deviceType":"DEVICE_TYPE_SMARTPHONE","isMobile":true,"operatingSystem":{"familyId":5}}"#,
        // A smart TV with an empty operating system and no time at all (the clock is used).
        #"{"uuid":"tv-1","displayName":"Lobby TV","deviceType":"DEVICE_TYPE_SMART_TV","operatingSystem":{}}"#,
        // A router without an operating system, an unspecified OS family, a virtual machine with
        // an unparsable time, and a device with nothing but its uuid.
        #"{"uuid":"rt-1","displayName":"edge-router","deviceType":"DEVICE_TYPE_ROUTER","primaryLocalIpAddress":"192.168.1.1"}"#,
        #"{"uuid":"vm-1","displayName":"VM-1","deviceType":"DEVICE_TYPE_VIRTUAL_MACHINE","lastSyncTime":"yesterday","operatingSystem":{"displayName":"Windows Server 2022","familyId":0}}"#,
        #"{"uuid":"bare-1"}"#,
    ]

    /// Devices the strict profile maps to 99 "Other" (a printer; Symbian and FreeBSD families).
    let otherDevices: [String] = [
        #"{"uuid":"prn-1","displayName":"PRN-2F","deviceType":"DEVICE_TYPE_PRINTER","primaryLocalIpAddress":"192.168.1.50"}"#,
        #"{"uuid":"sym-1","displayName":"Nokia","deviceType":"DEVICE_TYPE_SMARTPHONE","isMobile":true,"operatingSystem":{"displayName":"Symbian","familyId":6}}"#,
        #"{"uuid":"bsd-1","displayName":"bsd","deviceType":"DEVICE_TYPE_SERVER","operatingSystem":{"displayName":"FreeBSD 14","familyId":7}}"#,
    ]

    func events(_ devices: [String], profile: MappingProfile) throws -> [(uid: String, event: JSONValue)] {
        let mapper = DeviceMapper(profile: profile, groups: groups, clock: clock)
        return try devices.map { text in
            let device = try ESETDevice.decode(parsed(text)).get()
            return (device.uuid, mapper.map(device).event.jsonValue())
        }
    }

    func testStrictEventsValidateWithNoErrorsAndOnlyRecommendedWarnings() throws {
        let mapped = try events(variedDevices, profile: .ocsfStrict)
        XCTAssertEqual(mapped.count, variedDevices.count)
        for (uid, event) in mapped {
            XCTAssertEqual(validator.validate(event).significant, [], "device \(uid)")
        }
    }

    /// For Other (99) the strict profile writes the source's own word (Printer, Symbian, …), never
    /// the bare caption "Other" that the OCSF server warns about.
    func testStrictOtherTypesCarryTheSourceWordAndValidateClean() throws {
        let mapped = try events(otherDevices, profile: .ocsfStrict)
        XCTAssertEqual(mapped.count, otherDevices.count)
        for (uid, event) in mapped {
            XCTAssertEqual(validator.validate(event).significant, [], "device \(uid)")
            XCTAssertNotEqual(event["device"]?["type"], "Other", "device \(uid)")
            XCTAssertNotEqual(event["device"]?["os"]?["type"], "Other", "device \(uid)")
        }
    }

    func testSekoiaEventsShowExactlyTheKnownProblems() throws {
        let known: Set<String> = [
            "timestamp_seconds_not_milliseconds@time", "timestamp_seconds_not_milliseconds@device.last_seen_time",
            "attribute_required_missing@severity_id", "attribute_enum_sibling_incorrect@device.os.type",
            // M07 leaves os.name out when ESET has no OS name, but OCSF requires it (fixed by S09).
            "attribute_required_missing@device.os.name",
        ]
        for (uid, event) in try events(variedDevices + otherDevices, profile: .sekoia) {
            let findings = validator.validate(event).significant
            XCTAssertTrue(findings.allSatisfy { $0.severity == .error }, "device \(uid): \(findings)")
            let unexpected = Set(findings.codesAndPaths).subtracting(known)
            XCTAssertEqual(unexpected, [], "device \(uid)")
            XCTAssertTrue(findings.codesAndPaths.contains("attribute_required_missing@severity_id"), "device \(uid)")
            XCTAssertTrue(findings.codesAndPaths.contains("timestamp_seconds_not_milliseconds@time"), "device \(uid)")
        }
    }
}

/// The whole default tenant the mock serves (MockData/) and the edge-case tenant
/// (MockData/edge-cases/), through both profiles.
final class DefaultFleetValidationTests: XCTestCase {
    private func fleetEvents(_ profile: MappingProfile) throws -> [JSONValue] {
        var events: [JSONValue] = []
        for directory in ["../../MockData", "../../MockData/edge-cases"] {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(directory).standardized
            let devices = try JSONParser.parse(Array(try Data(contentsOf: root.appendingPathComponent("devices.json"))))
            let groups = try DeviceGroupPage.decode(
                try JSONParser.parse(Array(try Data(contentsOf: root.appendingPathComponent("device_groups.json")))), page: nil)
            let page = try DevicePage.decode(devices, page: nil)
            XCTAssertEqual(page.rejections, [], directory)
            let mapper = DeviceMapper(profile: profile, groups: GroupDirectory(groups.groups))
            events += page.devices.map { mapper.map($0).event.jsonValue() }
        }
        return events
    }

    func testEveryDefaultFleetEventValidatesCleanUnderOCSFStrict() throws {
        let events = try fleetEvents(.ocsfStrict)
        XCTAssertGreaterThanOrEqual(events.count, 200)
        let validator = OCSFValidator()
        for event in events {
            XCTAssertEqual(validator.validate(event).significant, [], event["device"]?["uid"]?.stringValue ?? "?")
        }
    }

    func testDefaultFleetUnderSekoiaShowsOnlyTheKnownDeviations() throws {
        let known: Set<String> = [
            "timestamp_seconds_not_milliseconds", "attribute_required_missing", "attribute_enum_sibling_incorrect",
        ]
        let validator = OCSFValidator()
        for event in try fleetEvents(.sekoia) {
            let codes = Set(validator.validate(event).significant.map(\.code.rawValue))
            XCTAssertTrue(codes.isSubset(of: known), "\(event["device"]?["uid"]?.stringValue ?? "?"): \(codes)")
        }
    }
}
