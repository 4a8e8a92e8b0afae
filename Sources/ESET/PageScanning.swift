import JSON

/// Why the bytes of a page could not be decoded at all (one bad device never causes this).
package enum DevicePageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON; the error locates the problem.
    case malformedJSON(JSONParseError)
    /// The body is JSON but not a page.
    case notAPage(PageDecodingError)

    package var description: String {
        switch self {
        case .malformedJSON(let error): return "malformed JSON at \(error)"
        case .notAPage(let error): return error.description
        }
    }
}

extension DevicePage {
    /// Decodes a page straight from its JSON bytes: the same page (and the same errors) as
    /// `decode(JSONParser.parse(bytes), page:)`, without building the document.
    ///
    /// The device fields the mapping reads are decoded in place and every other member is only
    /// checked and skipped, which makes this several times faster on real pages. Anything
    /// unusual (a body that is not an object or array, a syntax error) takes the general path,
    /// so diagnostics are exactly those of `JSONParser`.
    package static func decode(bytes: [UInt8], page: Int?) throws(DevicePageError) -> DevicePage {
        let outcome = bytes.withUnsafeBufferPointer { buffer in scan(buffer, page: page) }
        switch outcome {
        case .page(let decoded): return decoded
        case .notAPage(let error): throw .notAPage(error)
        case .needsGeneralPath:
            let json: JSONValue
            do {
                json = try JSONParser.parse(bytes)
            } catch {
                throw .malformedJSON(error)
            }
            do {
                return try decode(json, page: page)
            } catch {
                throw .notAPage(error)
            }
        }
    }

    enum ScanOutcome {
        case page(DevicePage)
        case notAPage(PageDecodingError)
        case needsGeneralPath
    }

    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, page: Int?) -> ScanOutcome {
        var scanner = JSONScanner(buffer)
        do {
            switch scanner.peek() {
            case UInt8(ascii: "["):
                let decoded = try scanDevices(&scanner, page: page)
                try scanner.finish()
                return .page(decoded)
            case UInt8(ascii: "{"):
                return try scanPageObject(&scanner, page: page)
            default:
                return .needsGeneralPath
            }
        } catch {
            return .needsGeneralPath
        }
    }

    private enum DevicesMember {
        case absent
        case list(DevicePage)
        case wrongType(String)
    }

    private static let pageKeys = JSONKeySet(["devices", "nextPageToken"])

    private static func scanPageObject(_ scanner: inout JSONScanner, page: Int?) throws(JSONParseError) -> ScanOutcome {
        // Later occurrences of a member replace earlier ones, as `JSONObject` lookups do.
        var devices = DevicesMember.absent
        var next: String?
        try scanner.enterObject()
        while let key = try scanner.nextKey(in: pageKeys) {
            switch key {
            case 0:
                if scanner.peek() == UInt8(ascii: "[") {
                    devices = .list(try scanDevices(&scanner, page: page))
                } else {
                    let value = try scanner.parseValue()
                    devices = value == .null ? .absent : .wrongType(value.typeName)
                }
            case 1:
                next = try scanPresentString(&scanner)
            default:
                try scanner.skipValue()
            }
        }
        try scanner.finish()
        switch devices {
        case .absent:
            return .page(DevicePage(devices: [], positions: [], rejections: [], nextPageToken: next))
        case .list(var decoded):
            decoded.nextPageToken = next
            return .page(decoded)
        case .wrongType(let type):
            return .notAPage(PageDecodingError(page: page, reason: "'devices' is a JSON \(type), not an array"))
        }
    }

    /// The `devices` array (the scanner is at its `[`).
    private static func scanDevices(_ scanner: inout JSONScanner, page: Int?) throws(JSONParseError) -> DevicePage {
        var devices: [ESETDevice] = []
        var positions: [Int] = []
        var rejections: [DeviceRejection] = []
        let cache = JSONStringCache()
        if try scanner.beginArray() {
            var index = 0
            repeat {
                let start = scanner.position
                if scanner.peek() == UInt8(ascii: "{") {
                    var rejection: DeviceRejection.Reason?
                    // Appended by `scan` itself: returning the device through an optional
                    // copied it (every string retained, then released).
                    if try ESETDevice.scan(&scanner, cache: cache, rejection: &rejection, into: &devices) {
                        positions.append(index)
                    } else if let reason = rejection {
                        // Rare: read the device again in full, for the rejects file.
                        scanner.position = start
                        rejections.append(DeviceRejection(page: page, index: index, reason: reason, raw: try scanner.parseValue()))
                    }
                } else {
                    let raw = try scanner.parseValue()
                    rejections.append(DeviceRejection(page: page, index: index, reason: .notAnObject(raw.typeName), raw: raw))
                }
                index += 1
            } while try scanner.nextElement()
        }
        return DevicePage(devices: devices, positions: positions, rejections: rejections, nextPageToken: nil)
    }
}

/// A non-empty string, or nil for any other value (G1/G3), which is skipped.
@inline(__always)
func scanPresentString(_ scanner: inout JSONScanner) throws(JSONParseError) -> String? {
    guard let text = try scanner.stringOrSkip(), !text.isEmpty else { return nil }
    return text
}

/// `scanPresentString`, sharing the storage of values that repeat across a page's devices.
@inline(__always)
func scanPresentString(_ scanner: inout JSONScanner, sharingWith cache: JSONStringCache) throws(JSONParseError) -> String? {
    guard let text = try scanner.stringOrSkip(sharingWith: cache), !text.isEmpty else { return nil }
    return text
}

extension ESETDevice {
    /// The members `decode(_:)` reads, in the order of `keys`.
    enum Field: Int, CaseIterable {
        case uuid, displayName, originalDisplayName, description, deviceType, enrollmentStatus, isMobile
        case lastSyncTime, managementDomain, parentGroupUUID, primaryLocalIPAddress, publicIPAddress
        case operatingSystem, hardwareProfiles

        var name: String {
            switch self {
            case .uuid: return "uuid"
            case .displayName: return "displayName"
            case .originalDisplayName: return "originalDisplayName"
            case .description: return "description"
            case .deviceType: return "deviceType"
            case .enrollmentStatus: return "enrollmentStatus"
            case .isMobile: return "isMobile"
            case .lastSyncTime: return "lastSyncTime"
            case .managementDomain: return "managementDomain"
            case .parentGroupUUID: return "parentGroupUuid"
            case .primaryLocalIPAddress: return "primaryLocalIpAddress"
            case .publicIPAddress: return "publicIpAddress"
            case .operatingSystem: return "operatingSystem"
            case .hardwareProfiles: return "hardwareProfiles"
            }
        }

        static let keys = JSONKeySet(allCases.map(\.name))
    }

    /// What the last `uuid` member held, for G4's rejection reasons.
    private enum UUIDMember {
        case missing, null, string(String), other(String)
    }

    /// Decodes one device object in place (the scanner is at its `{`), with the results of
    /// `decode(_:)`: every member is read in order, so a repeated member ends with its last value.
    /// Appends the device to `devices` and returns true, or returns false with `rejection` set
    /// when the device has no usable uuid (G4).
    static func scan(
        _ scanner: inout JSONScanner, cache: JSONStringCache, rejection: inout DeviceRejection.Reason?,
        into devices: inout [ESETDevice]
    ) throws(JSONParseError) -> Bool {
        // Filled where it will stay: a device built in a local and then appended was copied
        // (every string retained, and later released).
        devices.append(ESETDevice(uuid: ""))
        let last = devices.count - 1
        if try scanMembers(&scanner, cache: cache, rejection: &rejection, device: &devices[last]) { return true }
        devices.removeLast()
        return false
    }

    private static func scanMembers(
        _ scanner: inout JSONScanner, cache: JSONStringCache, rejection: inout DeviceRejection.Reason?,
        device: inout ESETDevice
    ) throws(JSONParseError) -> Bool {
        var uuid = UUIDMember.missing
        try scanner.enterObject()
        while let key = try scanner.nextKnownKey(in: Field.keys) {
            guard let field = Field(rawValue: key) else {
                try scanner.skipValue()
                continue
            }
            switch field {
            case .uuid:
                if scanner.peek() == UInt8(ascii: "\"") {
                    uuid = .string(try scanner.parseString())
                } else {
                    let value = try scanner.parseValue()
                    uuid = value == .null ? .null : .other(value.typeName)
                }
            case .displayName: device.displayName = try scanPresentString(&scanner)
            case .originalDisplayName: device.originalDisplayName = try scanPresentString(&scanner)
            case .description: device.description = try scanPresentString(&scanner, sharingWith: cache)
            case .deviceType: device.deviceType = try scanPresentString(&scanner, sharingWith: cache)
            case .enrollmentStatus: device.enrollmentStatus = try scanPresentString(&scanner, sharingWith: cache)
            case .isMobile:
                // Only JSON `true` counts; skipValue still checks the literal's spelling.
                device.isMobile = scanner.peek() == UInt8(ascii: "t")
                try scanner.skipValue()
            case .lastSyncTime: device.lastSyncTime = try scanPresentString(&scanner)
            case .managementDomain: device.managementDomain = try scanPresentString(&scanner, sharingWith: cache)
            case .parentGroupUUID: device.parentGroupUUID = try scanPresentString(&scanner, sharingWith: cache)
            case .primaryLocalIPAddress: device.primaryLocalIPAddress = try scanPresentString(&scanner)
            case .publicIPAddress: device.publicIPAddress = try scanPresentString(&scanner)
            case .operatingSystem:
                if scanner.peek() == UInt8(ascii: "{") {
                    device.operatingSystem = try ESETOperatingSystem.scan(&scanner, cache: cache)
                } else {
                    try scanner.skipValue()
                    device.operatingSystem = nil
                }
            case .hardwareProfiles:
                device.hardwareProfiles = []
                guard scanner.peek() == UInt8(ascii: "[") else {
                    try scanner.skipValue()
                    continue
                }
                if try scanner.beginArray() {
                    repeat {
                        if scanner.peek() == UInt8(ascii: "{") {
                            device.hardwareProfiles.append(try ESETHardwareProfile.scan(&scanner, cache: cache))
                        } else {
                            try scanner.skipValue()
                            device.hardwareProfiles.append(nil)
                        }
                    } while try scanner.nextElement()
                }
            }
        }
        switch uuid {
        case .missing: rejection = .missingUUID
        case .null: rejection = .nullUUID
        case .other(let type): rejection = .uuidWrongType(type)
        case .string(let text):
            guard !text.isEmpty else {
                rejection = .emptyUUID
                return false
            }
            guard !containsReplacementCharacter(text) else {
                rejection = .uuidNotUTF8
                return false
            }
            device.uuid = text
            return true
        }
        return false
    }
}

extension ESETOperatingSystem {
    private static let keys = JSONKeySet(["displayName", "familyId", "editionId", "version"])
    private static let versionKeys = JSONKeySet(["name"])

    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner, cache: JSONStringCache) throws(JSONParseError) -> ESETOperatingSystem {
        var system = ESETOperatingSystem()
        try scanner.enterObject()
        while let key = try scanner.nextKnownKey(in: keys) {
            switch key {
            case 0: system.displayName = try scanPresentString(&scanner, sharingWith: cache)
            case 1: system.familyID = eset64(try scanner.parseValue())
            case 2: system.editionID = eset64(try scanner.parseValue())
            case 3:
                system.versionName = nil
                guard scanner.peek() == UInt8(ascii: "{") else {
                    try scanner.skipValue()
                    continue
                }
                try scanner.enterObject()
                while let versionKey = try scanner.nextKnownKey(in: versionKeys) {
                    if versionKey == 0 {
                        system.versionName = try scanPresentString(&scanner, sharingWith: cache)
                    } else {
                        try scanner.skipValue()
                    }
                }
            default:
                try scanner.skipValue()
            }
        }
        return system
    }
}

extension ESETHardwareProfile {
    private static let keys = JSONKeySet(["manufacturer", "model", "networkAdapters"])

    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner, cache: JSONStringCache) throws(JSONParseError) -> ESETHardwareProfile {
        var profile = ESETHardwareProfile()
        try scanner.enterObject()
        while let key = try scanner.nextKnownKey(in: keys) {
            switch key {
            case 0: profile.manufacturer = try scanPresentString(&scanner, sharingWith: cache)
            case 1: profile.model = try scanPresentString(&scanner, sharingWith: cache)
            case 2:
                profile.networkAdapters = []
                guard scanner.peek() == UInt8(ascii: "[") else {
                    try scanner.skipValue()
                    continue
                }
                if try scanner.beginArray() {
                    repeat {
                        if scanner.peek() == UInt8(ascii: "{") {
                            profile.networkAdapters.append(try ESETNetworkAdapter.scan(&scanner, cache: cache))
                        } else {
                            try scanner.skipValue()  // not an object: nothing to map, dropped
                        }
                    } while try scanner.nextElement()
                }
            default:
                try scanner.skipValue()
            }
        }
        return profile
    }
}

extension ESETNetworkAdapter {
    private static let keys = JSONKeySet(["caption", "macAddress"])

    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner, cache: JSONStringCache) throws(JSONParseError) -> ESETNetworkAdapter {
        var adapter = ESETNetworkAdapter()
        try scanner.enterObject()
        while let key = try scanner.nextKnownKey(in: keys) {
            switch key {
            case 0: adapter.caption = try scanPresentString(&scanner, sharingWith: cache)
            case 1: adapter.macAddress = try scanPresentString(&scanner)
            default: try scanner.skipValue()
            }
        }
        return adapter
    }
}
