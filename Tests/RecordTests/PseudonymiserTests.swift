@testable import MockCLI
import XCTest

final class PseudonymiserTests: XCTestCase {
    let salt = Array("a salt of at least sixteen bytes".utf8)
    lazy var pseudonymiser = Pseudonymiser(salt: salt)

    func shape(_ text: String) -> String {
        String(text.map { $0.isNumber && $0.isASCII ? "9" : $0.isLetter ? ($0.isUppercase ? "A" : "a") : $0 })
    }

    func testNamesKeepTheirShapeAndSharedPartsStayShared() {
        let first = pseudonymiser.name("DESKTOP-ABC123.corp.example.com")
        let second = pseudonymiser.name("LAPTOP-7.corp.example.com")
        XCTAssertEqual(shape(first), shape("DESKTOP-ABC123.corp.example.com"))
        XCTAssertNotEqual(first, "DESKTOP-ABC123.corp.example.com")
        XCTAssertEqual(first.split(separator: ".").dropFirst(), second.split(separator: ".").dropFirst(), "the shared domain maps to one pseudonym")
        XCTAssertEqual(pseudonymiser.name("MacBook-Pro-de-Chloé").count, "MacBook-Pro-de-Chloé".count)
        XCTAssertEqual(pseudonymiser.name(""), "")
        XCTAssertEqual(pseudonymiser.name("  -- "), "  -- ", "separators alone identify nothing")
    }

    func testTheSameSaltGivesTheSamePseudonymsAndAnotherSaltOthers() {
        let again = Pseudonymiser(salt: salt)
        let other = Pseudonymiser(salt: Array("another salt, also sixteen bytes".utf8))
        for value in ["PC-0042", "550e8400-e29b-41d4-a716-446655440000", "10.1.2.3", "AA:BB:CC:DD:EE:FF", "group-uuid-1"] {
            XCTAssertEqual(pseudonymiser.any(value), again.any(value), value)
            XCTAssertNotEqual(pseudonymiser.any(value), other.any(value), value)
        }
        XCTAssertEqual(pseudonymiser.saltFingerprint, again.saltFingerprint)
        XCTAssertNotEqual(pseudonymiser.saltFingerprint, other.saltFingerprint)
    }

    func testUUIDsBecomeVersion4UUIDsInTheSameCase() {
        let lower = pseudonymiser.identifier("550e8400-e29b-41d4-a716-446655440000")
        XCTAssertNotNil(lower.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression), lower)
        let upper = pseudonymiser.identifier("550E8400-E29B-41D4-A716-446655440000")
        XCTAssertEqual(upper, upper.uppercased())
        XCTAssertEqual(upper.lowercased(), lower, "a uuid is one value whatever its case")
        XCTAssertEqual(pseudonymiser.identifier("00000000-0000-0000-0000-000000000000"), "00000000-0000-0000-0000-000000000000")
    }

    func testReferencesThatAreNotUUIDsStayDistinct() {
        let names = (0..<500).map { "g-\($0)" } + (0..<10).map { String($0) }
        let mapped = names.map { pseudonymiser.identifier($0) }
        XCTAssertEqual(Set(mapped).count, names.count, "two references never merge")
        XCTAssertEqual(names.map { pseudonymiser.identifier($0) }, mapped, "and each keeps its pseudonym")
        XCTAssertEqual(shape(mapped[42]), shape("g-42"))
    }

    func testIPv4KindsAreKeptAndDistinctAddressesStayDistinct() throws {
        func kind(_ text: String) -> String {
            let value = Pseudonymiser.parseIPv4(text)!
            switch value >> 24 {
            case 10: return "10/8"
            case 127: return "loopback"
            case 192 where value >> 16 & 0xFF == 168: return "192.168/16"
            case 172 where (16...31).contains(value >> 16 & 0xFF): return "172.16/12"
            case 169 where value >> 16 & 0xFF == 254: return "link-local"
            case 203 where value >> 8 & 0xFFFF == 0x0071: return "doc3"
            default: return "public"
            }
        }
        for address in ["10.0.0.1", "192.168.1.42", "172.20.3.4", "169.254.9.9", "203.0.113.10", "8.8.8.8", "81.2.69.160"] {
            let mapped = try XCTUnwrap(pseudonymiser.ipAddress(address))
            XCTAssertEqual(kind(mapped), kind(address), "\(address) → \(mapped)")
            XCTAssertNotEqual(mapped, address)
        }
        XCTAssertEqual(pseudonymiser.ipAddress("127.0.0.1"), "127.0.0.1")
        XCTAssertEqual(pseudonymiser.ipAddress("0.0.0.0"), "0.0.0.0")
        XCTAssertEqual(pseudonymiser.ipAddress("10.0.0.1/24")?.hasSuffix("/24"), true)
        XCTAssertNil(pseudonymiser.ipAddress("10.0.0.256"))
        XCTAssertNil(pseudonymiser.ipAddress("10.0.0"))
        // A whole /24 is permuted: 256 addresses, 256 pseudonyms.
        let block = (0..<256).map { pseudonymiser.ipAddress("203.0.113.\($0)")! }
        XCTAssertEqual(Set(block).count, 256)
        XCTAssertTrue(block.allSatisfy { $0.hasPrefix("203.0.113.") })
        let publics = (0..<300).map { pseudonymiser.ipAddress("81.2.\($0 / 256).\($0 % 256)")! }
        XCTAssertEqual(Set(publics).count, 300)
        XCTAssertTrue(publics.allSatisfy { kind($0) == "public" && !$0.hasPrefix("0.") && !$0.hasPrefix("224.") }, "\(publics)")
    }

    func testIPv6KindsAreKept() throws {
        XCTAssertEqual(pseudonymiser.ipAddress("::1"), "::1")
        let linkLocal = try XCTUnwrap(pseudonymiser.ipAddress("fe80::1c2b:3cff:fe4d:5e6f%en0"))
        XCTAssertTrue(linkLocal.hasPrefix("fe80::") && linkLocal.hasSuffix("%en0"), linkLocal)
        XCTAssertNotEqual(linkLocal, "fe80::1c2b:3cff:fe4d:5e6f%en0")
        let unique = try XCTUnwrap(pseudonymiser.ipAddress("fd12:3456:789a::1"))
        XCTAssertTrue(unique.hasPrefix("fd"), unique)
        let global = try XCTUnwrap(pseudonymiser.ipAddress("2a01:e0a:1f3:4560::42"))
        XCTAssertTrue(global.hasPrefix("2") || global.hasPrefix("3"), global)
        XCTAssertFalse(global.hasPrefix("2001:db8:"))
        let upper = try XCTUnwrap(pseudonymiser.ipAddress("2A01:E0A::42"))
        XCTAssertEqual(upper, upper.uppercased())
        let mapped = try XCTUnwrap(pseudonymiser.ipAddress("::ffff:192.168.1.1"))
        XCTAssertTrue(mapped.hasPrefix("::ffff:192.168."), mapped)
    }

    func testMACsKeepVendorSeparatorsAndCase() throws {
        let colon = try XCTUnwrap(pseudonymiser.macAddress("3C:22:FB:12:34:56"))
        XCTAssertTrue(colon.hasPrefix("3C:22:FB:"), colon)
        XCTAssertNotEqual(colon, "3C:22:FB:12:34:56")
        let dash = try XCTUnwrap(pseudonymiser.macAddress("3c-22-fb-12-34-56"))
        XCTAssertEqual(dash.replacingOccurrences(of: "-", with: ":").uppercased(), colon, "one address, one pseudonym, whatever the notation")
        XCTAssertEqual(pseudonymiser.macAddress("3c22.fb12.3456")?.count, 14)
        XCTAssertEqual(pseudonymiser.macAddress("00:00:00:00:00:00"), "00:00:00:00:00:00")
        // Randomised (locally administered) addresses have no vendor: all of it changes but the flag bits.
        let random = try XCTUnwrap(pseudonymiser.macAddress("DA:A1:19:00:11:22"))
        XCTAssertFalse(random.hasPrefix("DA:A1:19"), random)
        XCTAssertEqual(UInt8(random.prefix(2), radix: 16)! & 0x03, 0xDA & 0x03)
        let scrubbed = try XCTUnwrap(Pseudonymiser(salt: salt, keepsMACVendor: false).macAddress("3C:22:FB:12:34:56"))
        XCTAssertFalse(scrubbed.hasPrefix("3C:22:FB"), scrubbed)
        XCTAssertEqual(UInt8(scrubbed.prefix(2), radix: 16)! & 0x02, 0x02, "marked locally administered")
        XCTAssertNil(pseudonymiser.macAddress("not a mac at all"))
        let oneVendor = (0..<1000).map { pseudonymiser.macAddress(String(format: "00:1B:21:00:%02X:%02X", $0 / 256, $0 % 256))! }
        XCTAssertEqual(Set(oneVendor).count, 1000)
    }

    func testEmailsAreReplacedInsideOtherwiseKeptText() {
        let text = "Contact jane.doe@corp.example.com or it@corp.example.com today"
        let scrubbed = pseudonymiser.emails(in: text)
        XCTAssertFalse(scrubbed.contains("jane") || scrubbed.contains("corp.example"), scrubbed)
        XCTAssertTrue(scrubbed.hasPrefix("Contact ") && scrubbed.hasSuffix(" today") && scrubbed.contains(".com "), scrubbed)
        XCTAssertEqual(pseudonymiser.emails(in: "no address @ all"), "no address @ all")
    }

    func testNumbersKeepSignDigitCountAndKind() {
        for literal in ["3232235777", "-42", "0", "0.5", "12.75", "1e5"] {
            let replaced = String(decoding: pseudonymiser.number(Array(literal.utf8)), as: UTF8.self)
            XCTAssertEqual(replaced.count, literal.count, literal)
            XCTAssertEqual(shape(replaced), shape(literal), literal)
            XCTAssertEqual(replaced.hasPrefix("0"), literal.hasPrefix("0"), "JSON forbids other leading zeros")
        }
    }
}

final class AddressPlanTests: XCTestCase {
    func testNoPseudonymIsAnAddressTheTenantUsesWhileTheBlockHasRoom() {
        let pseudonymiser = Pseudonymiser(salt: Array("a salt of at least sixteen bytes".utf8))
        let used = (0..<100).map { "192.0.2.\($0 * 2)" }
        for address in used { pseudonymiser.observe(address) }
        pseudonymiser.planAvoidingObservedAddresses()
        let mapped = used.map { pseudonymiser.ipAddress($0)! }
        XCTAssertEqual(Set(mapped).count, used.count)
        XCTAssertTrue(Set(mapped).isDisjoint(with: used), "\(Set(mapped).intersection(used))")
        XCTAssertTrue(mapped.allSatisfy { $0.hasPrefix("192.0.2.") })
        XCTAssertEqual(pseudonymiser.unavoidableCollisions, 0)
    }

    func testAFullBlockStillMapsDistinctAddressesToDistinctOthers() {
        let pseudonymiser = Pseudonymiser(salt: Array("a salt of at least sixteen bytes".utf8))
        let block = (0..<256).map { "203.0.113.\($0)" }
        for address in block { pseudonymiser.observe(address) }
        pseudonymiser.planAvoidingObservedAddresses()
        let mapped = block.map { pseudonymiser.ipAddress($0)! }
        XCTAssertEqual(Set(mapped).count, 256, "distinct stays distinct")
        XCTAssertTrue(zip(block, mapped).allSatisfy { $0 != $1 }, "no address is its own pseudonym")
        XCTAssertEqual(pseudonymiser.unavoidableCollisions, 256, "every one of them is another device's address, and says so")
    }

    func testMACsUnderOneVendorAvoidTheTenantsOwn() {
        let pseudonymiser = Pseudonymiser(salt: Array("a salt of at least sixteen bytes".utf8))
        let macs = (0..<300).map { String(format: "00:1B:21:00:%02X:%02X", $0 / 256, $0 % 256) }
        for mac in macs { pseudonymiser.observe(mac) }
        pseudonymiser.planAvoidingObservedAddresses()
        let mapped = macs.map { pseudonymiser.macAddress($0)! }
        XCTAssertEqual(Set(mapped).count, 300)
        XCTAssertTrue(Set(mapped).isDisjoint(with: macs))
    }
}
