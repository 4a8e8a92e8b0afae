import JSON
import XCTest

final class NetworkRuleTests: XCTestCase {
    private func interfaces(_ fields: String) throws -> JSONValue? {
        value(try mapDevice(#"{"uuid": "u", "displayName": "host"\#(fields)}"#), "device.network_interfaces")
    }

    func testM08_ipCopiesPrimaryLocalAddressIPv4AndIPv6() throws {
        for ip in ["10.0.0.5", "fe80::1ff:fe23:4567:890a"] {
            XCTAssertEqual(value(try mapDevice(#"{"uuid": "u", "primaryLocalIpAddress": "\#(ip)"}"#), "device.ip"), .string(ip))
        }
        XCTAssertNil(value(try mapDevice(#"{"uuid": "u", "primaryLocalIpAddress": ""}"#), "device.ip"))
    }

    func testM09_step1_primaryAddressGivesAWiredInterfaceWithTheHostname() throws {
        let result = try interfaces(#", "primaryLocalIpAddress": "10.0.0.5""#)
        XCTAssertEqual(result, [["ip": "10.0.0.5", "hostname": "host", "type": "Wired", "type_id": 1]])
    }

    func testM09_step1_hostnameIsTheM02ValueEvenWhenItFallsBack() throws {
        let event = try mapDevice(#"{"uuid": "u-9", "primaryLocalIpAddress": "10.0.0.5"}"#)
        XCTAssertEqual(value(event, "device.network_interfaces.0.hostname"), "u-9")
    }

    func testM09_step2_firstAdapterWithMACEnrichesInterfaceOne() throws {
        let result = try interfaces(
            #", "primaryLocalIpAddress": "10.0.0.5", "hardwareProfiles": [{"networkAdapters": [{"caption": "no mac"}, {"caption": "eth0", "macAddress": "AA"}, {"caption": "eth1", "macAddress": "BB"}]}]"#
        )
        XCTAssertEqual(
            result,
            [
                ["ip": "10.0.0.5", "mac": "AA", "name": "eth0", "hostname": "host", "type": "Wired", "type_id": 1],
                ["mac": "BB", "name": "eth1", "type": "Wired", "type_id": 1],
            ])
    }

    func testM09_step2_walksAllHardwareProfilesInOrder() throws {
        let result = try interfaces(
            #", "hardwareProfiles": [{"networkAdapters": [{"caption": "a", "macAddress": "AA"}]}, "junk", {"networkAdapters": [{"macAddress": "BB"}, {"caption": "c", "macAddress": ""}]}]"#
        )
        XCTAssertEqual(
            result,
            [["mac": "AA", "name": "a", "type": "Wired", "type_id": 1], ["mac": "BB", "type": "Wired", "type_id": 1]],
            "without a primary address the first adapter is an interface of its own; empty MACs are skipped")
    }

    func testM09_step3_publicAddressIsAppendedWhenItDiffers() throws {
        let result = try interfaces(#", "primaryLocalIpAddress": "10.0.0.5", "publicIpAddress": "203.0.113.9""#)
        XCTAssertEqual(result?.arrayValue?.last, ["ip": "203.0.113.9", "type": "Unknown", "type_id": 0])
        XCTAssertEqual(result?.arrayValue?.count, 2)
    }

    func testM09_step3_publicAddressEqualToPrimaryIsNotRepeated() throws {
        let result = try interfaces(#", "primaryLocalIpAddress": "10.0.0.5", "publicIpAddress": "10.0.0.5""#)
        XCTAssertEqual(result?.arrayValue?.count, 1)
    }

    func testM09_step3_publicAddressAloneIsTheOnlyInterface() throws {
        let result = try interfaces(#", "publicIpAddress": "203.0.113.9", "primaryLocalIpAddress": null"#)
        XCTAssertEqual(result, [["ip": "203.0.113.9", "type": "Unknown", "type_id": 0]])
    }

    func testM09_adapterAfterAMACLessPrimaryOrderIsPrimaryAdaptersPublic() throws {
        let result = try interfaces(
            #", "publicIpAddress": "203.0.113.9", "primaryLocalIpAddress": "10.0.0.5", "hardwareProfiles": [{"networkAdapters": [{"caption": "a", "macAddress": "AA"}, {"caption": "b", "macAddress": "BB"}]}]"#
        )
        let order = result?.arrayValue?.map { $0["ip"]?.stringValue ?? $0["mac"]?.stringValue ?? "?" }
        XCTAssertEqual(order, ["10.0.0.5", "BB", "203.0.113.9"])
    }

    func testM09_onlyInterfaceOneCarriesHostname() throws {
        let result = try interfaces(
            #", "primaryLocalIpAddress": "10.0.0.5", "publicIpAddress": "1.2.3.4", "hardwareProfiles": [{"networkAdapters": [{"macAddress": "AA"}, {"macAddress": "BB"}]}]"#
        )
        let hostnames = result?.arrayValue?.map { $0["hostname"] != nil }
        XCTAssertEqual(hostnames, [true, false, false])
    }

    func testM09_emptyListIsOmitted() throws {
        XCTAssertNil(try interfaces(#", "hardwareProfiles": [{"networkAdapters": [{"caption": "no mac"}]}]"#))
        XCTAssertNil(try interfaces(""))
    }
}
