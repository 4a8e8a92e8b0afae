import ESET
import Foundation
import JSON
import Mapping
import OCSF
import XCTest

final class GeneralRuleTests: XCTestCase {
    func testG1_missingNullAndEmptyStringAreAllAbsent() throws {
        let variants = [
            #"{"uuid": "u"}"#,
            #"{"uuid": "u", "description": null, "managementDomain": null, "primaryLocalIpAddress": null}"#,
            #"{"uuid": "u", "description": "", "managementDomain": "", "primaryLocalIpAddress": ""}"#,
        ]
        let events = try variants.map { try mapDevice($0) }
        for event in events {
            XCTAssertNil(value(event, "device.desc"))
            XCTAssertNil(value(event, "device.domain"))
            XCTAssertNil(value(event, "device.ip"))
        }
        XCTAssertEqual(events[0], events[1])
        XCTAssertEqual(events[1], events[2])
    }

    func testG2_absentValuesAndEmptyCollectionsAreOmittedNeverNull() throws {
        let sparse = try mapDevice(#"{"uuid": "u", "operatingSystem": {}, "hardwareProfiles": [{"networkAdapters": []}], "tags": []}"#)
        assertNoNulls(sparse)
        XCTAssertEqual(
            Set(sparse["device"]?.objectValue?.keys ?? []), ["uid", "hostname", "type", "type_id", "is_managed", "os"])
        let text = String(decoding: sparse.serialized(), as: UTF8.self)
        XCTAssertFalse(text.contains("null"))
    }

    func testG2_codableEncodingAlsoOmitsAbsentValuesAndAgreesWithTheFastWriter() throws {
        let raw = try JSONParser.parse(try fixtureText("device.json"))
        guard case .success(let device) = ESETDevice.decode(raw) else { return XCTFail("seed device rejected") }
        let sparse = ESETDevice(uuid: "u", operatingSystem: ESETOperatingSystem())
        for source in [device, sparse] {
            let event = DeviceMapper(clock: { fixedClockMicroseconds }).map(source).event
            let viaCodable = try JSONParser.parse(Array(try JSONEncoder().encode(event)))
            XCTAssertTrue(viaCodable.semanticallyEquals(try JSONParser.parse(event.jsonBytes())), viaCodable.jsonText)
            assertNoNulls(viaCodable)
            let decoded = try JSONDecoder().decode(DeviceInventoryInfo.self, from: try JSONEncoder().encode(event))
            XCTAssertEqual(decoded, event)
        }
    }

    func testG3_unknownFieldsAreIgnored() throws {
        let plain = try mapDevice(#"{"uuid": "u", "displayName": "d"}"#)
        let extra = try mapDevice(#"{"uuid": "u", "displayName": "d", "brandNewField": {"x": [1, 2]}, "tags": ["a"]}"#)
        XCTAssertEqual(plain, extra)
    }

    func testG3_wrongJSONTypesAreAbsent() throws {
        let event = try mapDevice(
            #"{"uuid": "u", "displayName": 5, "description": ["x"], "deviceType": {"a": 1}, "isMobile": "true", "managementDomain": false, "primaryLocalIpAddress": 10, "hardwareProfiles": "none", "operatingSystem": {"displayName": 7, "familyId": true, "version": "10"}}"#
        )
        XCTAssertEqual(value(event, "device.hostname"), "u")
        XCTAssertNil(value(event, "device.name"))
        XCTAssertNil(value(event, "device.desc"))
        XCTAssertEqual(value(event, "device.type"), "Desktop")
        XCTAssertNil(value(event, "device.domain"))
        XCTAssertNil(value(event, "device.ip"))
        XCTAssertEqual(value(event, "device.os"), ["type": "unknown", "type_id": 0])
    }

    func testG3_familyIdAcceptsIntegerOrDigitString() throws {
        for family in ["4", #""4""#, "4.0"] {
            let event = try mapDevice(#"{"uuid": "u", "operatingSystem": {"familyId": \#(family)}}"#)
            XCTAssertEqual(value(event, "device.os.type"), "android", family)
        }
    }

    func testG4_devicesWithoutAUsableUUIDAreRejectedWithTheirIndexAndReason() throws {
        let page = try JSONParser.parse(
            #"{"devices": [{"uuid": "a"}, {"displayName": "no uuid"}, {"uuid": null}, {"uuid": ""}, {"uuid": 12}, "junk", {"uuid": "b"}], "nextPageToken": ""}"#
        )
        let decoded = try DevicePage.decode(page, page: 3)
        XCTAssertEqual(decoded.devices.map(\.uuid), ["a", "b"])
        XCTAssertEqual(decoded.positions, [0, 6])
        XCTAssertEqual(decoded.rejections.map(\.index), [1, 2, 3, 4, 5])
        XCTAssertEqual(
            decoded.rejections.map(\.reason),
            [.missingUUID, .nullUUID, .emptyUUID, .uuidWrongType("number"), .notAnObject("string")])
        XCTAssertEqual(decoded.rejections[0].description, "page 3, device index 1: device has no 'uuid'")
        XCTAssertEqual(decoded.rejections[4].raw, "junk", "the raw device is kept for --rejects")
        XCTAssertNil(decoded.nextPageToken)
    }

    func testG4_pageShapeErrorsNameThePage() {
        XCTAssertThrowsError(try DevicePage.decode(["devices": ["uuid": "x"]], page: 2)) { error in
            XCTAssertEqual("\(error)", "page 2: 'devices' is a JSON object, not an array")
        }
        XCTAssertThrowsError(try DevicePage.decode("text", page: 1))
    }

    func testG5_numbersCompareNumerically() throws {
        let event = try mapDevice(#"{"uuid": "u", "lastSyncTime": "2025-05-21T10:00:00Z"}"#)
        let expected = try JSONParser.parse(#"{"time": 1747821600}"#)
        XCTAssertTrue(event["time"]!.semanticallyEquals(expected["time"]!))
        XCTAssertEqual(event["time"], .double(1_747_821_600), "written as 1747821600.0 like the published sample")
    }
}
