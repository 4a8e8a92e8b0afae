import JSON
@testable import OCSF
import XCTest

/// The generated schema description reads back and holds the facts the validator relies on.
final class SchemaTests: XCTestCase {
    let schema = OCSFSchema.v1_5_0

    func testTheClassAndItsCategory() {
        XCTAssertEqual(schema.version, "1.5.0")
        XCTAssertEqual(schema.eventClass.name, "inventory_info")
        XCTAssertEqual(schema.eventClass.uid, 5001)
        XCTAssertEqual(schema.eventClass.caption, "Device Inventory Info")
        XCTAssertEqual(schema.eventClass.categoryUID, 5)
        XCTAssertEqual(schema.eventClass.categoryCaption, "Discovery")
    }

    func testTheFactsBehindTheKnownProblems() throws {
        let attributes = schema.eventClass.attributes
        XCTAssertEqual(attributes["time"]?.type, "timestamp_t")
        XCTAssertEqual(schema.types["timestamp_t"]?.base, "long_t")
        XCTAssertEqual(attributes["severity_id"]?.requirement, .required)
        let os = try XCTUnwrap(schema.objects["os"]?.attributes)
        XCTAssertEqual(os["name"]?.requirement, .required)
        XCTAssertEqual(os["type_id"]?.sibling, "type")
        XCTAssertEqual(os["type_id"]?.caption(ofEnumValue: "100"), "Windows")
        XCTAssertEqual(os["type_id"]?.caption(ofEnumValue: "300"), "macOS")
        XCTAssertEqual(os["type_id"]?.caption(ofEnumValue: "101"), "Windows Mobile")
        let device = try XCTUnwrap(schema.objects["device"])
        XCTAssertEqual(device.attributes["type_id"]?.caption(ofEnumValue: "3"), "Laptop")
        XCTAssertEqual(device.attributes["type_id"]?.caption(ofEnumValue: "12"), "Router")
        XCTAssertEqual(device.constraints.atLeastOne, ["ip", "uid", "name", "hostname", "instance_uid", "interface_uid", "interface_name"])
        XCTAssertEqual(schema.objects["network_interface"]?.attributes["type_id"]?.caption(ofEnumValue: "2"), "Wireless")
        XCTAssertEqual(schema.objects["product"]?.attributes["vendor_name"]?.requirement, .recommended)
    }

    func testProfileAttributesCarryTheirProfile() {
        let attributes = schema.eventClass.attributes
        XCTAssertEqual(attributes["cloud"]?.profile, "cloud")
        XCTAssertEqual(attributes["cloud"]?.requirement, .required)
        XCTAssertEqual(attributes["osint"]?.profile, "osint")
        XCTAssertNil(attributes["device"]?.profile)
        XCTAssertEqual(schema.objects["device"]?.attributes["last_seen_time_dt"]?.profile, "datetime")
        XCTAssertTrue(schema.profiles.isSuperset(of: ["cloud", "datetime", "host", "osint", "security_control"]))
    }

    func testTheObjectsTheConnectorWritesAreThere() {
        for name in ["device", "os", "network_interface", "group", "metadata", "product", "observable", "object"] {
            XCTAssertNotNil(schema.objects[name], name)
        }
        XCTAssertEqual(schema.objects.count, 93)
    }

    func testEveryPatternCompiles() {
        XCTAssertEqual(TypePatterns(schema.types.values).uncompiled(in: schema.types.values), [])
        XCTAssertNotNil(schema.types["ip_t"]?.regex)
    }

    func testDefectiveRecordsNameTheirLine() {
        XCTAssertThrowsError(try OCSFSchema(records: "[\"schema\",\"1.5.0\"]\n[\"bogus\"]")) { error in
            XCTAssertEqual((error as? OCSFSchemaError)?.line, 2)
        }
        XCTAssertThrowsError(try OCSFSchema(records: "[\"schema\",\"1.5.0\"]\nnot json")) { error in
            XCTAssertEqual((error as? OCSFSchemaError)?.line, 2)
        }
        let dangling = """
            ["schema","1.5.0"]
            ["class","c",1,"C",0,"Z",{}]
            ["a","x","no_such_type","optional"]
            """
        XCTAssertThrowsError(try OCSFSchema(records: dangling)) { error in
            XCTAssertTrue("\(error)".contains("c.x has unknown type no_such_type"), "\(error)")
        }
    }
}
