import ESET
import JSON
import XCTest

final class GroupRuleTests: XCTestCase {
    let directory = [
        ESETDeviceGroup(uuid: "root", displayName: "All"),
        ESETDeviceGroup(uuid: "child", displayName: "Finance", parentGroupUUID: "root"),
        ESETDeviceGroup(uuid: "nameless", displayName: nil, parentGroupUUID: "root"),
    ]

    func testM15_directParentGroupOnly() throws {
        let event = try mapDevice(#"{"uuid": "u", "parentGroupUuid": "child"}"#, groups: directory)
        XCTAssertEqual(value(event, "device.groups"), [["name": "Finance", "uid": "child"]], "no ancestors")
    }

    func testM15_nameFallsBackToTheGroupUUID() throws {
        let event = try mapDevice(#"{"uuid": "u", "parentGroupUuid": "nameless"}"#, groups: directory)
        XCTAssertEqual(value(event, "device.groups"), [["name": "nameless", "uid": "nameless"]])
    }

    func testM15_unknownOrAbsentParentOmitsGroups() throws {
        for device in [#"{"uuid": "u", "parentGroupUuid": "nope"}"#, #"{"uuid": "u"}"#, #"{"uuid": "u", "parentGroupUuid": ""}"#] {
            XCTAssertNil(value(try mapDevice(device, groups: directory), "device.groups"), device)
        }
    }

    func testM15_groupsWithoutUUIDNeverEnterTheDirectory() {
        XCTAssertNil(ESETDeviceGroup(json: ["displayName": "x"]))
        XCTAssertNil(ESETDeviceGroup(json: ["uuid": "", "displayName": "x"]))
        XCTAssertEqual(ESETDeviceGroup(json: ["uuid": "g", "displayName": ""])?.displayName, nil)
    }
}
