import ESET
import Foundation
import Fleet
import JSON
@testable import Mapping
@testable import OCSF
import XCTest

/// The speed-ups of mapping and encoding must not change the events: `jsonBytes()` writes
/// directly into memory and must say what the `Codable` encoding (the oracle) says; the ASCII
/// fast paths of the type rules must answer as the `String` code they shortcut.
final class FastPathEquivalenceTests: XCTestCase {
    func testEventBytesSayWhatTheOracleSaysOverTheDefaultFleetAndEveryCase() throws {
        var pages = [try Self.repositoryFile("MockData/devices.json"), try Self.repositoryFile("MockData/edge-cases/devices.json")]
        let cases = Self.repositoryRoot.appendingPathComponent("Conformance/cases/mapping")
        for name in try FileManager.default.contentsOfDirectory(atPath: cases.path).sorted() {
            if let data = FileManager.default.contents(atPath: cases.appendingPathComponent("\(name)/devices.json").path) {
                pages.append(Array(data))
            }
        }
        var events = 0
        for page in pages {
            let decoded = try DevicePage.decode(JSONParser.parse(page), page: nil)
            for profile in MappingProfile.allCases {
                let groups = GroupDirectory([
                    ESETDeviceGroup(uuid: "group-uuid-1", displayName: "Grp \"1\"\n"),
                    ESETDeviceGroup(uuid: "root-group-uuid"),
                ])
                let mapper = DeviceMapper(profile: profile, groups: groups, clock: { fixedClockMicroseconds })
                for device in decoded.devices {
                    let event = mapper.map(device).event
                    try Self.assertEncodedAsTheOracle(event, "device \(device.uuid), \(profile)")
                    events += 1
                }
            }
        }
        XCTAssertGreaterThan(events, 600)
    }

    func testEventBytesSayWhatTheOracleSaysForHostileValues() throws {
        var random = TestRandom(seed: 3)
        for _ in 0..<2000 {
            let event = Self.randomEvent(&random)
            try Self.assertEncodedAsTheOracle(event)
        }
    }

    /// The mapper's envelope and metadata are written as one piece; the member-by-member path
    /// must give the same bytes. A value of the same length forces that path, and putting the
    /// original value back into its bytes must give the fast path's bytes exactly.
    func testTheEnvelopeWrittenInOnePieceIsByteForByteTheMemberByMemberOne() throws {
        let device = ESETDevice(uuid: "u-1", displayName: "host", primaryLocalIPAddress: "10.0.0.1")
        for profile in MappingProfile.allCases {
            let event = DeviceMapper(profile: profile, clock: { fixedClockMicroseconds }).map(device).event
            let fast = event.jsonBytes()
            let swaps: [(String, String, (inout DeviceInventoryInfo) -> Void)] = [
                ("\"Collect\"", "\"Collecu\"", { $0.activityName = "Collecu" }),
                ("\"Discovery\"", "\"Discoverz\"", { $0.categoryName = "Discoverz" }),
                ("\"Device Inventory Info\"", "\"Device Inventory Infp\"", { $0.className = "Device Inventory Infp" }),
                ("\"Device Inventory Info: Collect\"", "\"Device Inventory Info: Collecu\"", { $0.typeName = "Device Inventory Info: Collecu" }),
                ("\"ESET EDR\"", "\"ESET EDS\"", { $0.metadata.product.name = "ESET EDS" }),
                ("\"9.1.2500.0\"", "\"9.1.2500.1\"", { $0.metadata.product.version = "9.1.2500.1" }),
                ("\"1.5.0\"", "\"1.5.1\"", { $0.metadata.version = "1.5.1" }),
                (":500102,", ":500103,", { $0.typeUID = 500103 }),
                (":5001,", ":5002,", { $0.classUID = 5002 }),
            ]
            for (original, replacement, change) in swaps {
                var slow = event
                change(&slow)
                let text = String(decoding: slow.jsonBytes(), as: UTF8.self)
                XCTAssertEqual(text.components(separatedBy: replacement).count, 2, "\(replacement) once in \(text)")
                XCTAssertEqual(text.replacingOccurrences(of: replacement, with: original), String(decoding: fast, as: UTF8.self), "\(profile) \(replacement)")
            }
            // A vendor other than none or "ESET", and no envelope at all, take the slow path too.
            var other = event
            other.metadata.product.vendorName = "ESEU"
            try Self.assertEncodedAsTheOracle(other)
            other.activityName = nil
            other.typeName = nil
            try Self.assertEncodedAsTheOracle(other)
        }
    }

    func testEventsLargerThanTheScratchBufferGrowTheirOwnBuffer() throws {
        var random = TestRandom(seed: 4)
        for text in [String(repeating: "a", count: 70_000), String(repeating: "\u{1}", count: 12_000), String(repeating: "é\"", count: 30_000)] {
            var event = Self.randomEvent(&random)
            event.device.desc = text
            event.device.networkInterfaces = [NetworkInterface(name: text, type: "Wired", typeID: 1)]
            try Self.assertEncodedAsTheOracle(event)
            XCTAssertGreaterThan(event.jsonBytes().count, 64 * 1024, "larger than the scratch buffer")
            XCTAssertEqual(try JSONParser.parse(event.jsonBytes())["device"]?["desc"], .string(text))
        }
    }

    func testPublishedDeviceTypeMatchesTheStringRule() {
        let mapper = DeviceMapper(profile: .sekoia)
        for text in Self.typeWords() {
            for isMobile in [false, true] {
                let device = ESETDevice(uuid: "u", deviceType: text, isMobile: isMobile)
                let expected: (String, Int) = {
                    if isMobile { return ("Mobile", 5) }
                    let type = text.uppercased()
                    if type.contains("SERVER") { return ("Server", 1) }
                    if type.contains("VIRTUAL") { return ("Virtual", 6) }
                    return ("Desktop", 2)
                }()
                let actual = mapper.publishedDeviceType(device)
                XCTAssertTrue(actual == expected, "\(text.debugDescription): \(actual) != \(expected)")
            }
        }
    }

    func testStrictDeviceTypeMatchesTheStringRule() {
        let mapper = DeviceMapper(profile: .ocsfStrict)
        for text in Self.typeWords() {
            for isMobile in [false, true] {
                let device = ESETDevice(uuid: "u", deviceType: text, isMobile: isMobile)
                let expected: (String, Int) = {
                    var type = text.uppercased()
                    if type.hasPrefix("DEVICE_TYPE_") { type.removeFirst("DEVICE_TYPE_".count) }
                    switch type {
                    case "DESKTOP": return ("Desktop", 2)
                    case "SERVER": return ("Server", 1)
                    case "NOTEBOOK": return ("Laptop", 3)
                    case "TABLET": return ("Tablet", 4)
                    case "SMARTPHONE": return ("Mobile", 5)
                    case "VIRTUAL_MACHINE": return ("Virtual", 6)
                    case "IOT", "SMART_TV", "WEARABLE", "SMART_SPEAKER", "SECURITY_CAMERA": return ("IOT", 7)
                    case "ROUTER": return ("Router", 12)
                    case "PRINTER": return ("Printer", 99)
                    case "GAMING_CONSOLE": return ("Gaming Console", 99)
                    case "", "UNSPECIFIED": return isMobile ? ("Mobile", 5) : ("Unknown", 0)
                    default: return (text, 99)
                    }
                }()
                let actual = mapper.strictDeviceType(device)
                XCTAssertTrue(actual == expected, "\(text.debugDescription): \(actual) != \(expected)")
            }
        }
    }

    func testStrictInterfaceTypeMatchesTheStringRule() {
        let mapper = DeviceMapper(profile: .ocsfStrict)
        var captions = [
            "Intel(R) Wi-Fi 6E AX211 160MHz", "Realtek PCIe GbE Family Controller", "WLAN adapter", "wlan0", "WIFI",
            "Broadcom 802.11ac Network Adapter", "Bluetooth Device (Personal Area Network)", "BLUETOOTH", "eth0",
            "Wireless", "WIRELESS-AC 9560", "wi-f", "802.1", "", "Wİreless", "wı-fı", "Wi\u{301}-Fi", "ＷＩＦＩ",
            "Killer™ Wi-Fi", "Wi‐Fi (hyphen U+2010)", "K\u{212A}wifi",
        ]
        var random = TestRandom(seed: 5)
        let alphabet = Array("wirelsfWIRELSF-.812bluethoBLUETOOTHan \r\n")
        for _ in 0..<3000 {
            captions.append(String((0..<random.below(14)).map { _ in alphabet[random.below(alphabet.count)] }))
        }
        for caption in captions {
            let words = caption.lowercased()
            let wireless = ["wireless", "wi-fi", "wifi", "wlan", "802.11", "bluetooth"].contains { words.contains($0) }
            let expected = wireless ? ("Wireless", 2) : ("Wired", 1)
            let actual = mapper.strictInterfaceType(caption: caption)
            XCTAssertTrue(actual == expected, "\(caption.debugDescription): \(actual) != \(expected)")
        }
        XCTAssertTrue(mapper.strictInterfaceType(caption: nil) == ("Wired", 1))
    }

    // MARK: Support

    /// ESET's device types in several spellings, near misses, non-ASCII look-alikes (whose case
    /// mapping differs from ASCII's) and random strings over the letters that matter.
    static func typeWords() -> [String] {
        let names = [
            "DESKTOP", "SERVER", "NOTEBOOK", "TABLET", "SMARTPHONE", "VIRTUAL_MACHINE", "IOT", "SMART_TV", "WEARABLE",
            "SMART_SPEAKER", "SECURITY_CAMERA", "ROUTER", "PRINTER", "GAMING_CONSOLE", "UNSPECIFIED", "", "OTHER",
        ]
        var words: [String] = []
        for name in names {
            words += [name, "DEVICE_TYPE_" + name, ("device_type_" + name).lowercased(), "Device_Type_" + name.capitalized]
        }
        words += [
            "DEVICE_TYPE_", "DEVICE_TYPE", "DEVICE_TYPE_DEVICE_TYPE_SERVER", "xSERVERx", "virtualbox", "SERVE", "VIRTUA",
            "ſerver", "DEVICE_TYPE_ſERVER", "SERVER\u{301}", "ＳＥＲＶＥＲ", "straße", "ﬁle server", "Vırtual", "\u{212A}",
            "DEVICE_TYPE_SERVER\r\n", "\r\nSERVER", "ıot", "DEVICE_TYPE_İOT", "SMART\u{2011}TV",
        ]
        var random = TestRandom(seed: 9)
        let alphabet = Array("SERVIRTUALDEVIC_TYPserviraldc_typ \r\n")
        for _ in 0..<3000 {
            words.append(String((0..<random.below(16)).map { _ in alphabet[random.below(alphabet.count)] }))
        }
        return words
    }

    /// `jsonBytes()` is compact JSON saying exactly what `JSONEncoder` says of the same event.
    static func assertEncodedAsTheOracle(_ event: DeviceInventoryInfo, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = event.jsonBytes()
        let written = try JSONParser.parse(bytes)
        let oracle = try JSONParser.parse(Array(JSONEncoder().encode(event)))
        XCTAssertTrue(written.semanticallyEquals(oracle), "\(message)\n\(String(decoding: bytes, as: UTF8.self))\n\(oracle.jsonText)", file: file, line: line)
        XCTAssertFalse(bytes.contains(UInt8(ascii: "\n")), "one line", file: file, line: line)
    }

    static func randomEvent(_ random: inout TestRandom) -> DeviceInventoryInfo {
        func text() -> String? {
            let pieces = [
                "", "a", "host-01", "\"", "\\", "\n", "\r\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", "</script>",
                "\u{2028}", String(repeating: "x", count: 50), String(repeating: "\"", count: 45), "ÿ\u{8}\u{C}",
            ]
            guard random.below(5) != 0 else { return nil }
            return (0..<random.below(5)).map { _ in pieces[random.below(pieces.count)] }.joined()
        }
        func number() -> Int { [0, 1, -1, 99, Int(Int32.max), Int(Int64.max), Int(Int64.min)][random.below(7)] }
        func time() -> OCSFTimestamp? {
            guard random.below(4) != 0 else { return nil }
            let micros = [0, 1, -1, 1_747_821_600_123_456, -1_500_000, 999, Int64.max / 2, -(Int64.max / 2)][random.below(8)]
            return OCSFTimestamp(microseconds: micros, unit: random.below(2) == 0 ? .seconds : .milliseconds)
        }
        var interfaces: [NetworkInterface]? = nil
        if random.below(4) != 0 {
            interfaces = (0..<random.below(5)).map { _ in
                NetworkInterface(ip: text(), mac: text(), name: text(), hostname: text(), type: text(), typeID: number())
            }
        }
        var groups: [OCSF.Group]? = nil
        if random.below(3) != 0 { groups = (0..<random.below(4)).map { _ in OCSF.Group(name: text(), uid: text()) } }
        let device = OCSF.Device(
            uid: text(), hostname: text(), name: text(), type: text(), typeID: number(), desc: text(), ip: text(),
            model: text(), vendorName: text(), domain: text(), isManaged: [nil, true, false][random.below(3)],
            lastSeenTime: time(), os: random.below(3) == 0 ? nil : OCSF.OperatingSystem(name: text(), type: text(), typeID: number()),
            networkInterfaces: interfaces, groups: groups)
        return DeviceInventoryInfo(
            activityID: number(), activityName: text(), categoryName: text(), categoryUID: number(), className: text(),
            classUID: number(), typeName: text(), typeUID: number(), severityID: random.below(2) == 0 ? nil : number(),
            severity: text(), time: time(),
            metadata: Metadata(product: Product(name: text(), vendorName: text(), version: text()), version: text() ?? ""),
            device: device)
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func repositoryFile(_ relativePath: String) throws -> [UInt8] {
        let url = repositoryRoot.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return Array(data)
    }
}

/// The fleet generator's SplitMix64, so that failures reproduce from their seed.
typealias TestRandom = SplitMix64
