import Foundation
import JSON

/// Mutates ESET device objects the way a broken or hostile API could: types swapped, members
/// deleted, junk in time fields, deep nesting, huge strings, unusual Unicode.
struct DeviceMutator {
    var random: SeededRandom

    /// Members that the mapping reads, so mutations hit them more often than chance would.
    static let mappedPaths: [[String]] = [
        ["uuid"], ["displayName"], ["originalDisplayName"], ["description"], ["deviceType"], ["enrollmentStatus"],
        ["isMobile"], ["lastSyncTime"], ["managementDomain"], ["parentGroupUuid"], ["primaryLocalIpAddress"],
        ["publicIpAddress"], ["operatingSystem"], ["operatingSystem", "displayName"], ["operatingSystem", "familyId"],
        ["operatingSystem", "editionId"], ["operatingSystem", "version"], ["operatingSystem", "version", "name"],
        ["hardwareProfiles"],
    ]

    static let timeStrings: [String] = [
        "", " ", "now", "2025-05-21", "2025-05-21T10:00:00", "2025-05-21T10:00:00ZZ", "2025-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2024-02-29T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59.999999999-23:59", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z",
        "1970-01-01T00:00:00.0000001Z", "2025-05-21T24:00:00Z", "2025-05-21T23:60:00Z", "2025-05-21T23:59:60Z",
        "2025-05-21T10:00:00+24:00", "2025-05-21T10:00:00+05", "2025-05-21t10:00:00z", "2025-05-21 10:00:00z",
        "2025-05-21T10:00:00.Z", "2025-05-21T10:00:00.1234567890Z", "１９７０-01-01T00:00:00Z", "2025-05-21T10:00:00\u{0}Z",
        "-2025-05-21T10:00:00Z", "+2025-05-21T10:00:00Z", "20250521T100000Z", "1747821600", "1e309",
        String(repeating: "9", count: 400), "2025-05-21T10:00:00Z" + String(repeating: " ", count: 10),
    ]

    static let oddStrings: [String] = [
        "", " ", "\u{0}", "\u{7F}", "é", "日本語の端末", "💥🔥", "\u{FEFF}BOM", "\u{202E}RTL", "a\u{301}", "\\", "\"quoted\"",
        "line\nbreak", "tab\there", "null", "true", "0", "-1", "NaN", "{}", "[]", "</script>", "'; DROP TABLE devices;--",
        "%s%n%x", "DEVICE_TYPE_DESKTOP\u{0}", "AA:BB:CC:DD:EE:FF:00", "999.999.999.999", "::ffff:1.2.3.4", "fe80::1%eth0",
    ]

    init(seed: UInt64, index: Int) { random = SeededRandom.forCase(seed: seed, index: index) }

    /// Applies 1–4 mutations to `device`; returns their names.
    mutating func mutate(_ device: inout JSONValue) -> [String] {
        var names: [String] = []
        for _ in 0..<random.within(1...4) {
            names.append(mutateOnce(&device))
        }
        return names
    }

    mutating func mutateOnce(_ device: inout JSONValue) -> String {
        switch random.below(100) {
        case 0..<3:
            device = randomScalarOrContainer(depth: 0)
            return "replace-device"
        case 3..<8:
            // uuid damage gives counted rejections (G4) or odd but valid uuids.
            let choice = random.below(6)
            let replacement: JSONValue? = [nil, .null, .string(""), .int(7), .array([]), .string(random.element(Self.oddStrings) + "x")][choice]
            setMember(&device, path: ["uuid"], to: replacement)
            return "uuid"
        case 8..<25:
            setMember(&device, path: ["lastSyncTime"], to: .string(timeString()))
            return "time-string"
        case 25..<45:
            let path = random.element(Self.mappedPaths)
            setMember(&device, path: path, to: swapType(member(device, path: path)))
            return "type-swap"
        case 45..<55:
            let path = random.element(Self.mappedPaths)
            setMember(&device, path: path, to: nil)
            return "delete"
        case 55..<63:
            let path = random.element(Self.mappedPaths + [["hardwareProfiles"]])
            setMember(&device, path: path, to: deepNesting(levels: random.within(10...400)))
            return "deep-nesting"
        case 63..<70:
            let path = random.element(Self.mappedPaths)
            setMember(&device, path: path, to: .string(String(repeating: random.element(["a", "é", "日", "💥"]), count: random.within(10_000...200_000))))
            return "huge-string"
        case 70..<82:
            let path = random.element(Self.mappedPaths)
            setMember(&device, path: path, to: .string(unicodeString()))
            return "unicode"
        case 82..<92:
            mutateHardware(&device)
            return "hardware"
        default:
            mutateAnywhere(&device, depth: 0)
            return "anywhere"
        }
    }

    // MARK: Values

    mutating func timeString() -> String {
        if random.chance(70) { return random.element(Self.timeStrings) }
        // A well-formed shape with random digits: the parser's range checks get exercised.
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(random.below(10))) }) }
        let fraction = random.chance(50) ? "." + digits(random.within(1...9)) : ""
        let zone = random.chance(50) ? "Z" : (random.chance(50) ? "+" : "-") + digits(2) + ":" + digits(2)
        return "\(digits(4))-\(digits(2))-\(digits(2))T\(digits(2)):\(digits(2)):\(digits(2))\(fraction)\(zone)"
    }

    mutating func unicodeString() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.within(0...40) {
            let ranges: [ClosedRange<UInt32>] = [0x0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
            let range = random.element(ranges)
            if let scalar = Unicode.Scalar(range.lowerBound + UInt32(random.below(Int(range.upperBound - range.lowerBound + 1)))) {
                scalars.append(scalar)
            }
        }
        return random.chance(30) ? random.element(Self.oddStrings) + String(scalars) : String(scalars)
    }

    mutating func swapType(_ value: JSONValue?) -> JSONValue {
        let options: [JSONValue] = [
            .null, .bool(random.chance(50)), .int(Int64(bitPattern: random.next())), .double(Double(random.within(-1000...1000)) / 7),
            .double(random.chance(50) ? 1e308 : -0.0), .int(Int64.max), .int(Int64.min),
            .string(random.element(Self.oddStrings)), .array([value ?? .null]), .object(JSONObject([("value", value ?? .null)])),
            .array([]), .object(JSONObject()),
        ]
        var replacement = random.element(options)
        var attempts = 0
        while replacement == value && attempts < 8 { replacement = random.element(options); attempts += 1 }
        return replacement
    }

    mutating func randomScalarOrContainer(depth: Int) -> JSONValue {
        switch random.below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .int(Int64(bitPattern: random.next()))
        case 3: return .double(Double(random.within(-100_000...100_000)) / 3)
        case 4: return .string(unicodeString())
        case 5: return .array((0..<random.below(4)).map { _ in randomScalarOrContainer(depth: depth + 1) })
        default:
            return .object(JSONObject((0..<random.below(4)).map { _ in (key: unicodeString(), value: randomScalarOrContainer(depth: depth + 1)) }))
        }
    }

    mutating func deepNesting(levels: Int) -> JSONValue {
        var value: JSONValue = random.chance(50) ? .string("bottom") : .null
        for level in 0..<levels {
            value = level % 2 == 0 ? .array([value]) : .object(JSONObject([("deeper", value)]))
        }
        return value
    }

    mutating func mutateHardware(_ device: inout JSONValue) {
        var profiles = member(device, path: ["hardwareProfiles"])?.arrayValue ?? [.object(JSONObject())]
        if profiles.isEmpty { profiles = [.object(JSONObject())] }
        let index = random.below(profiles.count)
        var profile = profiles[index]
        switch random.below(6) {
        case 0: profile = swapType(profile)
        case 1: setMember(&profile, path: ["networkAdapters"], to: swapType(member(profile, path: ["networkAdapters"])))
        case 2:
            var adapters = member(profile, path: ["networkAdapters"])?.arrayValue ?? []
            for _ in 0..<random.within(1...40) {
                adapters.append(.object(JSONObject([
                    ("caption", random.chance(80) ? .string(unicodeString()) : swapType(nil)),
                    ("macAddress", random.chance(80) ? .string(random.element(["AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabbccddeeff", "zz:zz", unicodeString()])) : swapType(nil)),
                ])))
            }
            setMember(&profile, path: ["networkAdapters"], to: .array(adapters))
        case 3: setMember(&profile, path: ["manufacturer"], to: random.chance(50) ? .string(unicodeString()) : swapType(nil))
        case 4: setMember(&profile, path: ["model"], to: random.chance(50) ? .string(unicodeString()) : swapType(nil))
        default: profiles.append(contentsOf: (0..<random.within(1...20)).map { _ in randomScalarOrContainer(depth: 1) })
        }
        if index < profiles.count { profiles[index] = profile }
        setMember(&device, path: ["hardwareProfiles"], to: .array(profiles))
    }

    /// Walks to a random node of the device and changes it (type swap, delete, odd key).
    mutating func mutateAnywhere(_ value: inout JSONValue, depth: Int) {
        switch value {
        case .object(var object) where !object.members.isEmpty && depth < 6 && random.chance(75):
            let index = random.below(object.members.count)
            if random.chance(20) {
                object.members.remove(at: index)
            } else if random.chance(10) {
                object.members.append((key: object.members[index].key, value: randomScalarOrContainer(depth: 2)))
            } else {
                mutateAnywhere(&object.members[index].value, depth: depth + 1)
            }
            value = .object(object)
        case .array(var elements) where !elements.isEmpty && depth < 6 && random.chance(75):
            let index = random.below(elements.count)
            mutateAnywhere(&elements[index], depth: depth + 1)
            value = .array(elements)
        default:
            value = swapType(value)
        }
    }

    // MARK: Paths

    func member(_ value: JSONValue, path: [String]) -> JSONValue? {
        var current: JSONValue? = value
        for key in path { current = current?.objectValue?[key] }
        return current
    }

    /// Sets (or with nil removes) the member at `path`, creating objects on the way when needed.
    func setMember(_ value: inout JSONValue, path: [String], to newValue: JSONValue?) {
        guard let key = path.first else {
            if let newValue { value = newValue }
            return
        }
        guard case .object(var object) = value else { return }
        if path.count == 1 {
            object[key] = newValue
        } else {
            var child = object[key] ?? .object(JSONObject())
            if child.objectValue == nil { child = .object(JSONObject()) }
            setMember(&child, path: Array(path.dropFirst()), to: newValue)
            object[key] = child
        }
        value = .object(object)
    }
}

/// Whether `value` holds a JSON null anywhere.
func containsNull(_ value: JSONValue) -> Bool {
    switch value {
    case .null: return true
    case .array(let elements): return elements.contains(where: containsNull)
    case .object(let object): return object.members.contains { containsNull($0.value) }
    default: return false
    }
}

/// Nesting depth of `value` (a scalar is 0).
func nestingDepth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): return 1 + (elements.map(nestingDepth).max() ?? 0)
    case .object(let object): return 1 + (object.members.map { nestingDepth($0.value) }.max() ?? 0)
    default: return 0
    }
}
