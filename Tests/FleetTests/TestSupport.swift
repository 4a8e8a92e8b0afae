import Foundation
import XCTest

/// Helpers shared by the Fleet tests. JSON is checked with Foundation's parser on purpose: it is
/// independent of the generator's writer (and of the project's own JSON module).
enum TestJSON {
    enum Kind: Equatable { case null, bool, number, string, array, object }

    /// The JSON type of a value produced by `JSONSerialization` (booleans are NSNumbers whose
    /// ObjC type is `c`).
    static func kind(_ value: Any?) -> Kind? {
        guard let value else { return nil }
        switch value {
        case is NSNull: return .null
        case is String: return .string
        case let number as NSNumber: return String(cString: number.objCType) == "c" ? .bool : .number
        case is [Any]: return .array
        case is [String: Any]: return .object
        default: return nil
        }
    }

    static func isTrue(_ value: Any?) -> Bool {
        kind(value) == .bool && (value as? Bool) == true
    }

    static func isFalse(_ value: Any?) -> Bool {
        kind(value) == .bool && (value as? Bool) == false
    }

    /// Parses `bytes` as a JSON array of objects, failing the test with the parser's message.
    static func objects(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            XCTFail("not valid JSON: \(error)", file: file, line: line)
            throw error
        }
        guard let array = parsed as? [Any] else {
            XCTFail("top level is not an array", file: file, line: line)
            return []
        }
        return try array.enumerated().map { index, element in
            guard let object = element as? [String: Any] else {
                XCTFail("element \(index) is not an object", file: file, line: line)
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }
}

/// The package's root directory, found from this file's location.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // FleetTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// What one device looks like on the wire, classified for coverage and statistics.
struct DeviceShape {
    enum FamilyId: Hashable { case integer(Int), digitString, otherString, absent, noOperatingSystem }
    enum Primary: Hashable { case ipv4, ipv6, empty, absent }
    enum Public: Hashable { case differentFromPrimary, equalToPrimary, absent }
    enum Profiles: Hashable { case absent, empty, one, two }
    enum IsMobile: Hashable { case `true`, `false`, absent, otherType }

    let familyId: FamilyId
    let deviceType: String?
    let isMobile: IsMobile
    let primary: Primary
    let publicAddress: Public
    let profiles: Profiles
    /// `nil` when no profile has a `networkAdapters` key.
    let adapterCount: Int?
    let hasAdapterWithoutMac: Bool
    let lastSyncTime: String?

    init(_ device: [String: Any]) {
        if let os = device["operatingSystem"] as? [String: Any] {
            switch TestJSON.kind(os["familyId"]) {
            case .number: familyId = .integer((os["familyId"] as? NSNumber)?.intValue ?? -1)
            case .string:
                let text = os["familyId"] as? String ?? ""
                familyId = !text.isEmpty && text.allSatisfy(\.isASCIIDigit) ? .digitString : .otherString
            default: familyId = .absent
            }
        } else {
            familyId = .noOperatingSystem
        }
        deviceType = device["deviceType"] as? String
        switch TestJSON.kind(device["isMobile"]) {
        case .bool: isMobile = TestJSON.isTrue(device["isMobile"]) ? .true : .false
        case nil: isMobile = .absent
        default: isMobile = .otherType
        }
        let primaryText = device["primaryLocalIpAddress"] as? String
        switch primaryText {
        case nil: primary = .absent
        case ""?: primary = .empty
        case let text? where text.contains(":"): primary = .ipv6
        default: primary = .ipv4
        }
        switch device["publicIpAddress"] as? String {
        case nil, ""?: publicAddress = .absent
        case let text? where text == primaryText: publicAddress = .equalToPrimary
        default: publicAddress = .differentFromPrimary
        }
        let profileList = device["hardwareProfiles"] as? [[String: Any]]
        switch profileList?.count {
        case nil: profiles = .absent
        case 0?: profiles = .empty
        case 1?: profiles = .one
        default: profiles = .two
        }
        let adapterLists = (profileList ?? []).compactMap { $0["networkAdapters"] as? [[String: Any]] }
        adapterCount = adapterLists.isEmpty ? nil : adapterLists.reduce(0) { $0 + $1.count }
        hasAdapterWithoutMac = adapterLists.joined().contains { ($0["macAddress"] as? String ?? "").isEmpty }
        lastSyncTime = device["lastSyncTime"] as? String
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The parts of an RFC 3339 timestamp as M12 accepts them.
struct TimestampParts {
    let separator: Character
    let fractionDigits: Int
    /// "Z", "z", "+" or "-".
    let zone: Character
    /// Unix epoch seconds, whole part.
    let epochSeconds: Int

    private static let pattern = try! NSRegularExpression(
        pattern: #"^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|z|([+-])(\d{2}):(\d{2}))$"#)

    init?(_ text: String) {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = Self.pattern.firstMatch(in: text, range: range) else { return nil }
        func group(_ index: Int) -> String? {
            let groupRange = match.range(at: index)
            guard groupRange.location != NSNotFound, let swiftRange = Range(groupRange, in: text) else { return nil }
            return String(text[swiftRange])
        }
        separator = Character(group(4)!)
        fractionDigits = max(0, (group(8)?.count ?? 1) - 1)
        let zoneText = group(9)!
        zone = zoneText.first!
        var offsetSeconds = 0
        if let sign = group(10), let hours = Int(group(11)!), let minutes = Int(group(12)!) {
            offsetSeconds = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let components = DateComponents(
            year: Int(group(1)!), month: Int(group(2)!), day: Int(group(3)!),
            hour: Int(group(5)!), minute: Int(group(6)!), second: Int(group(7)!))
        guard let date = calendar.date(from: components) else { return nil }
        epochSeconds = Int(date.timeIntervalSince1970) - offsetSeconds
    }
}

let allDeviceTypes: Set<String> = [
    "DEVICE_TYPE_UNSPECIFIED", "DEVICE_TYPE_SMARTPHONE", "DEVICE_TYPE_NOTEBOOK", "DEVICE_TYPE_IOT",
    "DEVICE_TYPE_TABLET", "DEVICE_TYPE_DESKTOP", "DEVICE_TYPE_SMART_TV", "DEVICE_TYPE_WEARABLE",
    "DEVICE_TYPE_GAMING_CONSOLE", "DEVICE_TYPE_ROUTER", "DEVICE_TYPE_PRINTER", "DEVICE_TYPE_SECURITY_CAMERA",
    "DEVICE_TYPE_VIRTUAL_MACHINE", "DEVICE_TYPE_SERVER", "DEVICE_TYPE_SMART_SPEAKER",
]

/// Asserts that `shapes` contain every variant the mapping must handle (the list in
/// `FleetGenerator`'s documentation); other variants may appear too. `context` names the fleet
/// in failure messages.
func assertCoversEveryVariant(_ shapes: [DeviceShape], _ context: String, file: StaticString = #filePath, line: UInt = #line) {
    let families = Set(shapes.map(\.familyId))
    for family in 0...7 {
        XCTAssertTrue(families.contains(.integer(family)), "familyId \(family) (\(context))", file: file, line: line)
    }
    XCTAssertTrue(families.contains(.digitString), "familyId as a digit string (\(context))", file: file, line: line)
    XCTAssertTrue(families.contains(.absent), "operatingSystem without familyId (\(context))", file: file, line: line)
    XCTAssertTrue(families.contains(.noOperatingSystem), "no operatingSystem (\(context))", file: file, line: line)

    let types = Set(shapes.compactMap(\.deviceType))
    XCTAssertTrue(types.isSuperset(of: allDeviceTypes), context, file: file, line: line)
    XCTAssertTrue(shapes.contains { $0.deviceType == nil }, "deviceType absent (\(context))", file: file, line: line)

    let mobility = Set(shapes.map(\.isMobile))
    XCTAssertTrue(mobility.isSuperset(of: [.true, .false, .absent]), context, file: file, line: line)

    let primaries = Set(shapes.map(\.primary))
    XCTAssertTrue(primaries.isSuperset(of: [.ipv4, .ipv6, .empty, .absent]), context, file: file, line: line)
    let publics = Set(shapes.map(\.publicAddress))
    XCTAssertTrue(publics.isSuperset(of: [.differentFromPrimary, .equalToPrimary, .absent]), context, file: file, line: line)
    XCTAssertTrue(shapes.contains { $0.primary == .absent && $0.publicAddress == .absent }, "no address at all (\(context))", file: file, line: line)

    let profiles = Set(shapes.map(\.profiles))
    XCTAssertTrue(profiles.isSuperset(of: [.absent, .empty, .one, .two]), context, file: file, line: line)
    let adapterCounts = Set(shapes.compactMap(\.adapterCount))
    XCTAssertTrue(adapterCounts.contains(0), "a profile with no adapter (\(context))", file: file, line: line)
    XCTAssertTrue(adapterCounts.contains(1), "one adapter (\(context))", file: file, line: line)
    XCTAssertTrue(adapterCounts.contains { $0 >= 3 }, "several adapters (\(context))", file: file, line: line)
    XCTAssertTrue(shapes.contains { $0.profiles != .absent && $0.profiles != .empty && $0.adapterCount == nil },
                  "a profile without networkAdapters (\(context))", file: file, line: line)
    XCTAssertTrue(shapes.contains(where: \.hasAdapterWithoutMac), "an adapter without MAC (\(context))", file: file, line: line)

    let timestamps = shapes.compactMap(\.lastSyncTime).compactMap(TimestampParts.init)
    XCTAssertEqual(timestamps.count, shapes.compactMap(\.lastSyncTime).count, "every timestamp parses (\(context))", file: file, line: line)
    XCTAssertTrue(shapes.contains { $0.lastSyncTime == nil }, "lastSyncTime absent (\(context))", file: file, line: line)
    XCTAssertTrue(Set(timestamps.map(\.zone)).isSuperset(of: ["Z", "z", "+", "-"]), context, file: file, line: line)
    XCTAssertTrue(Set(timestamps.map(\.separator)).isSuperset(of: ["T", " "]), context, file: file, line: line)
    XCTAssertTrue(Set(timestamps.map(\.fractionDigits)).isSuperset(of: [0, 1, 3, 6, 9]), context, file: file, line: line)
}
