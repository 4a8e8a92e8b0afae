import JSON

/// Why the bytes of a page could not be decoded at all (one bad device never causes this).
public enum DevicePageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON; the error locates the problem.
    case malformedJSON(JSONParseError)
    /// The body is JSON but not a page.
    case notAPage(PageDecodingError)

    public var description: String {
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
    public static func decode(bytes: [UInt8], page: Int?) throws(DevicePageError) -> DevicePage {
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

    private static func scanPageObject(_ scanner: inout JSONScanner, page: Int?) throws(JSONParseError) -> ScanOutcome {
        // Later occurrences of a member replace earlier ones, as `JSONObject` lookups do.
        var devices = DevicesMember.absent
        var next: String?
        if try scanner.beginObject() {
            repeat {
                let key = try scanner.readKey()
                if key.matches("devices") {
                    if scanner.peek() == UInt8(ascii: "[") {
                        devices = .list(try scanDevices(&scanner, page: page))
                    } else {
                        let value = try scanner.parseValue()
                        devices = value == .null ? .absent : .wrongType(value.typeName)
                    }
                } else if key.matches("nextPageToken") {
                    next = try scanPresentString(&scanner)
                } else {
                    try scanner.skipValue()
                }
            } while try scanner.nextMember()
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
        if try scanner.beginArray() {
            var index = 0
            repeat {
                let start = scanner.position
                if scanner.peek() == UInt8(ascii: "{") {
                    switch try ESETDevice.scan(&scanner) {
                    case .success(let device):
                        devices.append(device)
                        positions.append(index)
                    case .failure(let reason):
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
    if scanner.peek() == UInt8(ascii: "\"") {
        let text = try scanner.parseString()
        return text.isEmpty ? nil : text
    }
    try scanner.skipValue()
    return nil
}

extension ESETDevice {
    /// The members `decode(_:)` reads.
    enum Field {
        case uuid, displayName, originalDisplayName, description, deviceType, enrollmentStatus, isMobile
        case lastSyncTime, managementDomain, parentGroupUUID, primaryLocalIPAddress, publicIPAddress
        case operatingSystem, hardwareProfiles

        init?(_ key: JSONScannedKey) {
            guard key.isPlain else {
                self.init(name: key.name)
                return
            }
            // Dispatch on the length first: most keys of a device are skipped after one compare.
            switch key.bytes.count {
            case 4: if key.matches("uuid") { self = .uuid; return }
            case 8: if key.matches("isMobile") { self = .isMobile; return }
            case 10: if key.matches("deviceType") { self = .deviceType; return }
            case 11:
                if key.matches("displayName") { self = .displayName; return }
                if key.matches("description") { self = .description; return }
            case 12: if key.matches("lastSyncTime") { self = .lastSyncTime; return }
            case 15:
                if key.matches("parentGroupUuid") { self = .parentGroupUUID; return }
                if key.matches("publicIpAddress") { self = .publicIPAddress; return }
                if key.matches("operatingSystem") { self = .operatingSystem; return }
            case 16:
                if key.matches("enrollmentStatus") { self = .enrollmentStatus; return }
                if key.matches("managementDomain") { self = .managementDomain; return }
                if key.matches("hardwareProfiles") { self = .hardwareProfiles; return }
            case 19: if key.matches("originalDisplayName") { self = .originalDisplayName; return }
            case 21: if key.matches("primaryLocalIpAddress") { self = .primaryLocalIPAddress; return }
            default: break
            }
            return nil
        }

        /// The slow path for names with escapes or non-ASCII bytes: `String` equality, as the
        /// general decoder's lookups use.
        init?(name: String) {
            switch name {
            case "uuid": self = .uuid
            case "displayName": self = .displayName
            case "originalDisplayName": self = .originalDisplayName
            case "description": self = .description
            case "deviceType": self = .deviceType
            case "enrollmentStatus": self = .enrollmentStatus
            case "isMobile": self = .isMobile
            case "lastSyncTime": self = .lastSyncTime
            case "managementDomain": self = .managementDomain
            case "parentGroupUuid": self = .parentGroupUUID
            case "primaryLocalIpAddress": self = .primaryLocalIPAddress
            case "publicIpAddress": self = .publicIPAddress
            case "operatingSystem": self = .operatingSystem
            case "hardwareProfiles": self = .hardwareProfiles
            default: return nil
            }
        }
    }

    /// What the last `uuid` member held, for G4's rejection reasons.
    private enum UUIDMember {
        case missing, null, string(String), other(String)
    }

    /// Decodes one device object in place (the scanner is at its `{`), with the results of
    /// `decode(_:)`: every member is read in order, so a repeated member ends with its last value.
    static func scan(_ scanner: inout JSONScanner) throws(JSONParseError) -> Result<ESETDevice, DeviceRejection.Reason> {
        var uuid = UUIDMember.missing
        var device = ESETDevice(uuid: "")
        if try scanner.beginObject() {
            repeat {
                let key = try scanner.readKey()
                guard let field = Field(key) else {
                    try scanner.skipValue()
                    continue
                }
                switch field {
                case .uuid:
                    switch scanner.peek() {
                    case UInt8(ascii: "\""): uuid = .string(try scanner.parseString())
                    default:
                        let value = try scanner.parseValue()
                        uuid = value == .null ? .null : .other(value.typeName)
                    }
                case .displayName: device.displayName = try scanPresentString(&scanner)
                case .originalDisplayName: device.originalDisplayName = try scanPresentString(&scanner)
                case .description: device.description = try scanPresentString(&scanner)
                case .deviceType: device.deviceType = try scanPresentString(&scanner)
                case .enrollmentStatus: device.enrollmentStatus = try scanPresentString(&scanner)
                case .isMobile:
                    // Only JSON `true` counts; skipValue still checks the literal's spelling.
                    device.isMobile = scanner.peek() == UInt8(ascii: "t")
                    try scanner.skipValue()
                case .lastSyncTime: device.lastSyncTime = try scanPresentString(&scanner)
                case .managementDomain: device.managementDomain = try scanPresentString(&scanner)
                case .parentGroupUUID: device.parentGroupUUID = try scanPresentString(&scanner)
                case .primaryLocalIPAddress: device.primaryLocalIPAddress = try scanPresentString(&scanner)
                case .publicIPAddress: device.publicIPAddress = try scanPresentString(&scanner)
                case .operatingSystem:
                    if scanner.peek() == UInt8(ascii: "{") {
                        device.operatingSystem = try ESETOperatingSystem.scan(&scanner)
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
                                device.hardwareProfiles.append(try ESETHardwareProfile.scan(&scanner))
                            } else {
                                try scanner.skipValue()
                                device.hardwareProfiles.append(nil)
                            }
                        } while try scanner.nextElement()
                    }
                }
            } while try scanner.nextMember()
        }
        switch uuid {
        case .missing: return .failure(.missingUUID)
        case .null: return .failure(.nullUUID)
        case .other(let type): return .failure(.uuidWrongType(type))
        case .string(let text):
            guard !text.isEmpty else { return .failure(.emptyUUID) }
            device.uuid = text
            return .success(device)
        }
    }
}

extension ESETOperatingSystem {
    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner) throws(JSONParseError) -> ESETOperatingSystem {
        var system = ESETOperatingSystem()
        guard try scanner.beginObject() else { return system }
        repeat {
            let key = try scanner.readKey()
            if key.matches("displayName") {
                system.displayName = try scanPresentString(&scanner)
            } else if key.matches("familyId") {
                system.familyID = eset64(try scanner.parseValue())
            } else if key.matches("editionId") {
                system.editionID = eset64(try scanner.parseValue())
            } else if key.matches("version") {
                system.versionName = nil
                guard scanner.peek() == UInt8(ascii: "{") else {
                    try scanner.skipValue()
                    continue
                }
                if try scanner.beginObject() {
                    repeat {
                        if try scanner.readKey().matches("name") {
                            system.versionName = try scanPresentString(&scanner)
                        } else {
                            try scanner.skipValue()
                        }
                    } while try scanner.nextMember()
                }
            } else {
                try scanner.skipValue()
            }
        } while try scanner.nextMember()
        return system
    }
}

extension ESETHardwareProfile {
    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner) throws(JSONParseError) -> ESETHardwareProfile {
        var profile = ESETHardwareProfile()
        guard try scanner.beginObject() else { return profile }
        repeat {
            let key = try scanner.readKey()
            if key.matches("manufacturer") {
                profile.manufacturer = try scanPresentString(&scanner)
            } else if key.matches("model") {
                profile.model = try scanPresentString(&scanner)
            } else if key.matches("networkAdapters") {
                profile.networkAdapters = []
                guard scanner.peek() == UInt8(ascii: "[") else {
                    try scanner.skipValue()
                    continue
                }
                if try scanner.beginArray() {
                    repeat {
                        if scanner.peek() == UInt8(ascii: "{") {
                            profile.networkAdapters.append(try ESETNetworkAdapter.scan(&scanner))
                        } else {
                            try scanner.skipValue()  // not an object: nothing to map, dropped
                        }
                    } while try scanner.nextElement()
                }
            } else {
                try scanner.skipValue()
            }
        } while try scanner.nextMember()
        return profile
    }
}

extension ESETNetworkAdapter {
    /// `init(object:)` from bytes (the scanner is at the `{`).
    static func scan(_ scanner: inout JSONScanner) throws(JSONParseError) -> ESETNetworkAdapter {
        var adapter = ESETNetworkAdapter()
        guard try scanner.beginObject() else { return adapter }
        repeat {
            let key = try scanner.readKey()
            if key.matches("caption") {
                adapter.caption = try scanPresentString(&scanner)
            } else if key.matches("macAddress") {
                adapter.macAddress = try scanPresentString(&scanner)
            } else {
                try scanner.skipValue()
            }
        } while try scanner.nextMember()
        return adapter
    }
}
