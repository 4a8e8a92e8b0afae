import JSON
import OCSF
import XCTest

/// One minimal event per finding code: the minimal valid event with exactly one thing broken,
/// and the exact findings (recommended-missing warnings aside) it must produce.
final class FindingCodeTests: XCTestCase {
    let validator = OCSFValidator()

    /// For each code, an event that produces it and the exact significant findings expected.
    var cases: [(code: ValidationCode, event: JSONValue, expected: [String])] {
        let malware: JSONValue = [
            "name": "EICAR", "classification_ids": [1], "classifications": ["Adware"],
            "files": [["name": "a.exe", "type_id": 1, "url": ["url_string": "http://example.com:8080/a.exe", "port": 8080]]],
        ]
        let securityControl = minimalValidEvent.setting("metadata.profiles", to: ["security_control"])
        let vulnerability: JSONValue = ["cve": ["uid": "CVE-2024-0001"]]
        let osint = minimalValidEvent.setting("metadata.profiles", to: ["osint"])
        return [
            (.eventNotObject, [1, 2], ["event_not_object@"]),
            (.attributeRequiredMissing, minimalValidEvent.setting("severity_id", to: nil),
             ["attribute_required_missing@severity_id"]),
            (.attributeRecommendedMissing, minimalValidEvent, []),  // only recommended-missing (checked below)
            (.attributeWrongType, minimalValidEvent.setting("device.type_id", to: "2"),
             ["attribute_wrong_type@device.type_id"]),
            (.attributeUnknown, minimalValidEvent.setting("device.colour", to: "blue"),
             ["attribute_unknown@device.colour"]),
            (.attributeDeprecated, minimalValidEvent.setting("device.imei", to: "490154203237518"),
             ["attribute_deprecated@device.imei"]),
            (.attributeEnumValueUnknown, minimalValidEvent.setting("device.type_id", to: 16),
             ["attribute_enum_value_unknown@device.type_id"]),
            (.attributeEnumSiblingIncorrect, minimalValidEvent.setting("device.type", to: "desktop"),
             ["attribute_enum_sibling_incorrect@device.type"]),
            (.attributeEnumSiblingSuspiciousOther,
             minimalValidEvent.setting("device.type_id", to: 99).setting("device.type", to: "Other"),
             ["attribute_enum_sibling_suspicious_other@device.type"]),
            (.attributeValueExceedsMaxLength, minimalValidEvent.setting("device.subnet", to: .string(String(repeating: "1", count: 43))),
             ["attribute_value_exceeds_max_len@device.subnet"]),
            (.attributeValueExceedsRange,
             securityControl.setting("malware", to: [malware.setting("files.0.url.port", to: 70000)]),
             ["attribute_value_exceeds_range@malware[0].files[0].url.port"]),
            (.attributeValueRegexNotMatched, minimalValidEvent.setting("device.mac", to: "not a mac"),
             ["attribute_value_regex_not_matched@device.mac"]),
            (.timestampSecondsNotMilliseconds, minimalValidEvent.setting("time", to: 1_747_821_600.0),
             ["timestamp_seconds_not_milliseconds@time"]),
            (.timestampPossiblySeconds, minimalValidEvent.setting("time", to: 1_747_821_600),
             ["timestamp_possibly_seconds@time"]),
            (.constraintFailed, minimalValidEvent.setting("device.uid", to: nil), ["constraint_failed@device"]),
            (.classUIDIncorrect, minimalValidEvent.setting("class_uid", to: 5002), ["class_uid_incorrect@class_uid"]),
            (.categoryUIDIncorrect, minimalValidEvent.setting("category_uid", to: 3),
             ["category_uid_incorrect@category_uid"]),
            (.typeUIDIncorrect, minimalValidEvent.setting("type_uid", to: 500101).setting("type_name", to: nil),
             ["type_uid_incorrect@type_uid"]),
            (.versionIncorrect, minimalValidEvent.setting("metadata.version", to: "1.4.0"),
             ["version_incorrect@metadata.version"]),
            (.profileUnknown, minimalValidEvent.setting("metadata.profiles", to: ["no_such_profile"]),
             ["profile_unknown@metadata.profiles[0]"]),
            (.observableNameInvalidReference,
             minimalValidEvent.setting("observables", to: [["name": "device.colour", "type_id": 1, "type": "Hostname", "value": "x"]]),
             ["observable_name_invalid_reference@observables[0].name"]),
            // The just_one side of constraint_failed.
            (.constraintFailed,
             osint.setting("osint", to: [["value": "x", "type_id": 10, "type": "Vulnerability",
                                          "vulnerabilities": [vulnerability.setting("cwe", to: ["uid": "CWE-79"])]]]),
             ["constraint_failed@osint[0].vulnerabilities[0]"]),
        ]
    }

    func testTheMinimalEventIsValid() {
        let findings = validator.validate(minimalValidEvent)
        XCTAssertEqual(findings.significant, [], "\(findings.significant)")
        // The recommended attributes it leaves out are reported as warnings, with their paths.
        let recommended = findings.filter { $0.code == .attributeRecommendedMissing }.map(\.path)
        XCTAssertTrue(recommended.contains("device.hostname"), "\(recommended)")
        XCTAssertTrue(recommended.contains("observables"), "\(recommended)")
        XCTAssertTrue(findings.allSatisfy { $0.severity == .warning })
    }

    func testEachCodeHasAMinimalFailingEvent() {
        for (code, event, expected) in cases {
            let findings = validator.validate(event)
            XCTAssertEqual(findings.significant.codesAndPaths, expected, "\(code.rawValue): \(findings.significant)")
            XCTAssertTrue(findings.contains { $0.code == code }, "\(code.rawValue) not reported: \(findings)")
        }
    }

    func testEveryCodeIsCovered() {
        let covered = Set(cases.map(\.code))
        XCTAssertEqual(Set(ValidationCode.allCases).subtracting(covered), [])
    }

    func testSeveritiesFollowTheOCSFServerExceptForSiblings() {
        let warnings = ValidationCode.allCases.filter { $0.severity == .warning }.map(\.rawValue).sorted()
        XCTAssertEqual(warnings, [
            "attribute_deprecated", "attribute_enum_sibling_suspicious_other", "attribute_recommended_missing",
            "attribute_value_regex_not_matched", "timestamp_possibly_seconds",
        ])
        XCTAssertEqual(ValidationCode.attributeEnumSiblingIncorrect.severity, .error)
    }

    func testMessagesNameTheProblem() {
        let findings = validator.validate(minimalValidEvent.setting("device.type", to: "desktop"))
        XCTAssertEqual(findings.significant.first?.message, #""desktop" is not the caption of type_id 2; expected "Desktop""#)
        let typeUID = validator.validate(minimalValidEvent.setting("type_uid", to: 500101).setting("type_name", to: nil))
        XCTAssertEqual(
            typeUID.significant.first?.message, "type_uid 500101 must be class_uid 5001 × 100 + activity_id 2 = 500102")
        let missing = validator.validate(minimalValidEvent.setting("device.os", to: ["type_id": 100, "type": "Windows"]))
        XCTAssertEqual(missing.significant.map(\.description), [
            #"error attribute_required_missing at device.os.name: required attribute "name" of object os is missing"#
        ])
    }
}
