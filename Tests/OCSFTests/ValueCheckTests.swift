import JSON
import OCSF
import XCTest

/// How values are judged: JSON types per OCSF type, timestamps, arrays, nulls, patterns, enums.
final class ValueCheckTests: XCTestCase {
    let validator = OCSFValidator()

    func significant(_ event: JSONValue) -> [String] {
        validator.validate(event).significant.codesAndPaths
    }

    // MARK: Timestamps

    func testTimestampsAreIntegerMilliseconds() {
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: 1_747_821_600_123)), [])
        XCTAssertEqual(significant(minimalValidEvent.setting("device.last_seen_time", to: 1_747_821_600_123)), [])
    }

    func testAFloatInMillisecondsIsTheWrongTypeEvenWhenIntegral() {
        // A number written with a fraction is a float, as the OCSF server decodes it.
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: 1_747_821_600_000.5)), ["attribute_wrong_type@time"])
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: 1_747_821_600_000.0)), ["attribute_wrong_type@time"])
    }

    func testSecondsAreAnErrorAsFloatsAndAWarningAsIntegers() {
        for seconds: JSONValue in [1_747_821_600.0, 1_747_821_600.123456, 0.5] {
            XCTAssertEqual(significant(minimalValidEvent.setting("time", to: seconds)),
                           ["timestamp_seconds_not_milliseconds@time"], "\(seconds)")
        }
        // An integer below 10^11 may be seconds, or a real instant before 1973-03-03.
        for seconds: JSONValue in [1_747_821_600, 0, 99_999_999_999] {
            let findings = validator.validate(minimalValidEvent.setting("time", to: seconds)).significant
            XCTAssertEqual(findings.map(\.code), [.timestampPossiblySeconds], "\(seconds)")
            XCTAssertEqual(findings.first?.severity, .warning)
        }
        // 10^11 ms is 1973-03-03: the first value read as milliseconds without a doubt.
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: 100_000_000_000)), [])
        let message = validator.validate(minimalValidEvent.setting("time", to: 1_747_821_600.5)).significant.first?.message
        XCTAssertEqual(message, "1747821600.5 looks like epoch seconds with a fraction; timestamp_t is integer epoch milliseconds (1747821600500)")
    }

    func testATimestampStringIsTheWrongType() {
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: "2025-05-21T10:00:00Z")), ["attribute_wrong_type@time"])
    }

    // MARK: Scalars

    func testIntegersMustBeJSONIntegers() {
        XCTAssertEqual(significant(minimalValidEvent.setting("device.type_id", to: 2.0)), ["attribute_wrong_type@device.type_id"])
        XCTAssertEqual(significant(minimalValidEvent.setting("severity_id", to: true)), ["attribute_wrong_type@severity_id"])
    }

    func testFloatsAcceptAnyNumber() {
        let located = minimalValidEvent.setting("device.location", to: ["city": "Bratislava", "lat": 48, "long": 17.1])
        XCTAssertEqual(significant(located), [])
        XCTAssertEqual(significant(located.setting("device.location.lat", to: "48.1")), ["attribute_wrong_type@device.location.lat"])
    }

    func testBooleansAndStrings() {
        XCTAssertEqual(significant(minimalValidEvent.setting("device.is_managed", to: "true")), ["attribute_wrong_type@device.is_managed"])
        XCTAssertEqual(significant(minimalValidEvent.setting("device.hostname", to: 42)), ["attribute_wrong_type@device.hostname"])
    }

    func testPatternsOfIPAndMACAddresses() {
        for address in ["192.168.1.42", "2001:db8::1", "fe80::1c2b:3d4e:5f60:7a8b", "::1"] {
            XCTAssertEqual(significant(minimalValidEvent.setting("device.ip", to: .string(address))), [], address)
        }
        XCTAssertEqual(significant(minimalValidEvent.setting("device.ip", to: "999.1.1.1")), ["attribute_value_regex_not_matched@device.ip"])
        for mac in ["AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff"] {
            XCTAssertEqual(significant(minimalValidEvent.setting("device.mac", to: .string(mac))), [], mac)
        }
        XCTAssertEqual(significant(minimalValidEvent.setting("device.mac", to: "aabbccddeeff")), ["attribute_value_regex_not_matched@device.mac"])
    }

    // MARK: Absence, arrays and objects

    func testNullCountsAsAbsent() {
        XCTAssertEqual(significant(minimalValidEvent.setting("severity_id", to: .null)), ["attribute_required_missing@severity_id"])
        XCTAssertEqual(significant(minimalValidEvent.setting("device.name", to: .null)), [])
    }

    func testArraysAndTheirElements() {
        XCTAssertEqual(significant(minimalValidEvent.setting("device.groups", to: ["name": "Finance"])), ["attribute_wrong_type@device.groups"])
        XCTAssertEqual(significant(minimalValidEvent.setting("device.imei_list", to: ["490154203237518", 1])),
                       ["attribute_wrong_type@device.imei_list[1]"])
        // Each element is an object with its own requirements and constraints.
        let groups: JSONValue = [["name": "Finance", "uid": "g-1"], ["desc": "no name, no uid"]]
        XCTAssertEqual(significant(minimalValidEvent.setting("device.groups", to: groups)), ["constraint_failed@device.groups[1]"])
    }

    func testNestedObjectsAreCheckedAtEveryDepth() {
        XCTAssertEqual(significant(minimalValidEvent.setting("device.os", to: "Windows")), ["attribute_wrong_type@device.os"])
        let interfaces: JSONValue = [["ip": "192.168.1.42", "type_id": 1, "type": "Wired"], ["type": "Wired"]]
        XCTAssertEqual(significant(minimalValidEvent.setting("device.network_interfaces", to: interfaces)), [
            "attribute_required_missing@device.network_interfaces[1].type_id",
            "constraint_failed@device.network_interfaces[1]",
        ])
        XCTAssertEqual(significant(minimalValidEvent.setting("metadata.product", to: ["vendor_name": "ESET"])),
                       ["constraint_failed@metadata.product"])
        XCTAssertEqual(significant(minimalValidEvent.setting("metadata", to: ["version": "1.5.0"])),
                       ["attribute_required_missing@metadata.product"])
    }

    func testUnmappedAcceptsAnything() {
        let unmapped: JSONValue = ["eset": ["isMuted": false, "tags": ["finance"]], "anything": 1]
        XCTAssertEqual(significant(minimalValidEvent.setting("unmapped", to: unmapped)), [])
    }

    // MARK: Profiles

    func testProfileAttributesNeedTheirProfileDeclared() {
        let cloud: JSONValue = ["provider": "AWS", "region": "eu-central-1"]
        let undeclared = validator.validate(minimalValidEvent.setting("cloud", to: cloud)).significant
        XCTAssertEqual(undeclared.codesAndPaths, ["attribute_unknown@cloud"])
        XCTAssertEqual(undeclared.first?.message,
                       #""cloud" belongs to the OCSF profile "cloud", which metadata.profiles does not declare"#)
        let declared = minimalValidEvent.setting("metadata.profiles", to: ["cloud"])
        XCTAssertEqual(significant(declared.setting("cloud", to: cloud)), [])
        // The compiled class lists cloud as required: that applies once the profile is declared.
        XCTAssertEqual(significant(declared), ["attribute_required_missing@cloud"])
    }

    func testTheDatetimeProfileAddsDateTimeTwins() {
        let withTwin = minimalValidEvent.setting("time_dt", to: "2025-05-21T10:00:00Z")
        XCTAssertEqual(significant(withTwin), ["attribute_unknown@time_dt"])
        let declared = withTwin.setting("metadata.profiles", to: ["datetime"])
        XCTAssertEqual(significant(declared), [])
        XCTAssertEqual(significant(declared.setting("time_dt", to: "yesterday")), ["attribute_value_regex_not_matched@time_dt"])
    }

    // MARK: Enums

    func testEnumArraysAndTheirCaptionArrays() {
        let event = minimalValidEvent.setting("metadata.profiles", to: ["security_control"])
        let malware: JSONValue = ["name": "EICAR", "classification_ids": [1, 99], "classifications": ["Adware", "Test file"]]
        XCTAssertEqual(significant(event.setting("malware", to: [malware])), [])
        XCTAssertEqual(significant(event.setting("malware", to: [malware.setting("classifications.0", to: "adware")])),
                       ["attribute_enum_sibling_incorrect@malware[0].classifications[0]"])
        XCTAssertEqual(significant(event.setting("malware", to: [malware.setting("classification_ids.0", to: 12)])),
                       ["attribute_enum_value_unknown@malware[0].classification_ids[0]"])
    }

    func testStringEnums() {
        let event = minimalValidEvent.setting("metadata.profiles", to: ["osint"])
        let osint: JSONValue = ["value": "203.0.113.10", "type_id": 1, "type": "IP Address", "tlp": "AMBER"]
        XCTAssertEqual(significant(event.setting("osint", to: [osint])), [])
        XCTAssertEqual(significant(event.setting("osint", to: [osint.setting("tlp", to: "PURPLE")])),
                       ["attribute_enum_value_unknown@osint[0].tlp"])
    }

    func testOtherTakesTheSourcesOwnWord() {
        let other = minimalValidEvent.setting("device.type_id", to: 99)
        XCTAssertEqual(significant(other.setting("device.type", to: "Printer")), [])
        XCTAssertEqual(significant(other.setting("device.type", to: nil)), [])
    }

    func testClassCaptionsAreSiblingsToo() {
        XCTAssertEqual(significant(minimalValidEvent.setting("category_name", to: "discovery")),
                       ["attribute_enum_sibling_incorrect@category_name"])
        XCTAssertEqual(significant(minimalValidEvent.setting("class_name", to: "Inventory")),
                       ["attribute_enum_sibling_incorrect@class_name"])
        XCTAssertEqual(significant(minimalValidEvent.setting("activity_name", to: "Log")),
                       ["attribute_enum_sibling_incorrect@activity_name"])
        XCTAssertEqual(significant(minimalValidEvent.setting("type_name", to: "Device Inventory Info: Log")),
                       ["attribute_enum_sibling_incorrect@type_name"])
    }

    // MARK: Classification

    func testAnUnknownActivityIsReportedOnceNotAlsoAsTypeUID() {
        let event = minimalValidEvent.setting("activity_id", to: 7).setting("activity_name", to: nil)
            .setting("type_uid", to: 500107).setting("type_name", to: nil)
        XCTAssertEqual(significant(event), ["attribute_enum_value_unknown@activity_id"])
    }

    func testHugeNumbersDoNotTrap() {
        let event = minimalValidEvent.setting("activity_id", to: .int(Int64.max)).setting("activity_name", to: nil)
            .setting("type_name", to: nil)
        XCTAssertEqual(significant(event), ["attribute_enum_value_unknown@activity_id", "type_uid_incorrect@type_uid"])
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: .int(Int64.min))), [])
        XCTAssertEqual(significant(minimalValidEvent.setting("time", to: 1e300)), ["attribute_wrong_type@time"])
    }

    func testAMissingClassUIDIsReportedAndTheRestStillChecked() {
        let event = minimalValidEvent.setting("class_uid", to: nil).setting("severity_id", to: nil)
        XCTAssertEqual(significant(event), ["attribute_required_missing@class_uid", "attribute_required_missing@severity_id"])
    }

    func testVersionsThatAreNotVersions() {
        let findings = validator.validate(minimalValidEvent.setting("metadata.version", to: "latest")).significant
        XCTAssertEqual(findings.codesAndPaths, ["version_incorrect@metadata.version"])
        XCTAssertEqual(findings.first?.message, #"metadata.version "latest" is not a schema version (expected "1.5.0")"#)
    }

    func testObservablesThatReferToRealAttributes() {
        let observable: JSONValue = ["name": "device.hostname", "type_id": 1, "type": "Hostname", "value": "DESKTOP-ABC123"]
        XCTAssertEqual(significant(minimalValidEvent.setting("observables", to: [observable])), [])
        // Profile attributes count only when the profile is declared.
        let cloud = observable.setting("name", to: "cloud.provider")
        XCTAssertEqual(significant(minimalValidEvent.setting("observables", to: [cloud])),
                       ["observable_name_invalid_reference@observables[0].name"])
    }
}
