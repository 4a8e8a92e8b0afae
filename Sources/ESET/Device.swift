import JSON

/// One device from `GET /v1/devices`, reduced to the fields the mapping reads.
///
/// Decoding never fails on a field: odd values count as absent (G1–G3). Only a device without a
/// usable `uuid` cannot be represented (G4); see `DeviceRejection`.
package struct ESETDevice: Sendable, Equatable {
    /// Never empty: a device without one is rejected before it becomes an `ESETDevice`.
    package var uuid: String
    package var displayName: String?
    package var originalDisplayName: String?
    package var description: String?
    package var deviceType: String?
    package var enrollmentStatus: String?
    /// `true` only when the API sent JSON `true`; `"true"` or `1` do not count.
    package var isMobile: Bool
    package var lastSyncTime: String?
    package var managementDomain: String?
    package var parentGroupUUID: String?
    package var primaryLocalIPAddress: String?
    package var publicIPAddress: String?
    /// nil when `operatingSystem` is absent or not an object; present (maybe empty) otherwise.
    package var operatingSystem: ESETOperatingSystem?
    /// Every entry of `hardwareProfiles` in order; an entry that is not an object is kept as nil
    /// so that "the first hardware profile" still means index 0.
    package var hardwareProfiles: [ESETHardwareProfile?]

    package init(
        uuid: String, displayName: String? = nil, originalDisplayName: String? = nil, description: String? = nil,
        deviceType: String? = nil, enrollmentStatus: String? = nil, isMobile: Bool = false, lastSyncTime: String? = nil,
        managementDomain: String? = nil, parentGroupUUID: String? = nil, primaryLocalIPAddress: String? = nil,
        publicIPAddress: String? = nil, operatingSystem: ESETOperatingSystem? = nil,
        hardwareProfiles: [ESETHardwareProfile?] = []
    ) {
        self.uuid = uuid
        self.displayName = displayName
        self.originalDisplayName = originalDisplayName
        self.description = description
        self.deviceType = deviceType
        self.enrollmentStatus = enrollmentStatus
        self.isMobile = isMobile
        self.lastSyncTime = lastSyncTime
        self.managementDomain = managementDomain
        self.parentGroupUUID = parentGroupUUID
        self.primaryLocalIPAddress = primaryLocalIPAddress
        self.publicIPAddress = publicIPAddress
        self.operatingSystem = operatingSystem
        self.hardwareProfiles = hardwareProfiles
    }

    /// Decodes one raw device, or says why it cannot be mapped.
    package static func decode(_ json: JSONValue) -> Result<ESETDevice, DeviceRejection.Reason> {
        guard case .object(let object) = json else { return .failure(.notAnObject(json.typeName)) }
        guard let uuid = object["uuid"].presentString else {
            switch object["uuid"] {
            case nil: return .failure(.missingUUID)
            case .null?: return .failure(.nullUUID)
            case .string?: return .failure(.emptyUUID)
            case let other?: return .failure(.uuidWrongType(other.typeName))
            }
        }
        if uuid.unicodeScalars.contains(replacementCharacter) { return .failure(.uuidNotUTF8) }
        var profiles: [ESETHardwareProfile?] = []
        if case .array(let entries)? = object["hardwareProfiles"] {
            profiles.reserveCapacity(entries.count)
            for entry in entries { profiles.append(entry.objectValue.map(ESETHardwareProfile.init(object:))) }
        }
        return .success(
            ESETDevice(
                uuid: uuid,
                displayName: object["displayName"].presentString,
                originalDisplayName: object["originalDisplayName"].presentString,
                description: object["description"].presentString,
                deviceType: object["deviceType"].presentString,
                enrollmentStatus: object["enrollmentStatus"].presentString,
                isMobile: object["isMobile"] == .bool(true),
                lastSyncTime: object["lastSyncTime"].presentString,
                managementDomain: object["managementDomain"].presentString,
                parentGroupUUID: object["parentGroupUuid"].presentString,
                primaryLocalIPAddress: object["primaryLocalIpAddress"].presentString,
                publicIPAddress: object["publicIpAddress"].presentString,
                operatingSystem: object["operatingSystem"]?.objectValue.map(ESETOperatingSystem.init(object:)),
                hardwareProfiles: profiles
            ))
    }
}

/// `Device.operatingSystem`.
package struct ESETOperatingSystem: Sendable, Equatable {
    package var displayName: String?
    /// `version.name`.
    package var versionName: String?
    /// 0 unspecified, 1 Windows, 2 Linux, 3 Apple, 4 Android, 5 Windows mobile, 6 Symbian, 7 UNIX.
    package var familyID: Int64?
    /// 0 unspecified, 1 server, 2 client, 3 mobile, 4 core.
    package var editionID: Int64?

    package init(displayName: String? = nil, versionName: String? = nil, familyID: Int64? = nil, editionID: Int64? = nil) {
        self.displayName = displayName
        self.versionName = versionName
        self.familyID = familyID
        self.editionID = editionID
    }

    init(object: JSONObject) {
        displayName = object["displayName"].presentString
        versionName = object["version"]?["name"].presentString
        familyID = eset64(object["familyId"])
        editionID = eset64(object["editionId"])
    }
}

/// One entry of `Device.hardwareProfiles`.
package struct ESETHardwareProfile: Sendable, Equatable {
    package var manufacturer: String?
    package var model: String?
    /// Adapters in order; entries that are not objects are dropped (they carry nothing to map).
    package var networkAdapters: [ESETNetworkAdapter]

    package init(manufacturer: String? = nil, model: String? = nil, networkAdapters: [ESETNetworkAdapter] = []) {
        self.manufacturer = manufacturer
        self.model = model
        self.networkAdapters = networkAdapters
    }

    init(object: JSONObject) {
        manufacturer = object["manufacturer"].presentString
        model = object["model"].presentString
        if case .array(let adapters)? = object["networkAdapters"] {
            networkAdapters = adapters.compactMap { $0.objectValue.map(ESETNetworkAdapter.init(object:)) }
        } else {
            networkAdapters = []
        }
    }
}

/// One entry of `HardwareProfile.networkAdapters`.
package struct ESETNetworkAdapter: Sendable, Equatable {
    package var caption: String?
    package var macAddress: String?

    package init(caption: String? = nil, macAddress: String? = nil) {
        self.caption = caption
        self.macAddress = macAddress
    }

    init(object: JSONObject) {
        caption = object["caption"].presentString
        macAddress = object["macAddress"].presentString
    }
}

/// One group from `GET /v1/device_groups`.
package struct ESETDeviceGroup: Sendable, Equatable {
    package var uuid: String
    package var displayName: String?
    package var parentGroupUUID: String?

    package init(uuid: String, displayName: String? = nil, parentGroupUUID: String? = nil) {
        self.uuid = uuid
        self.displayName = displayName
        self.parentGroupUUID = parentGroupUUID
    }

    /// A group without a usable uuid cannot be referenced by any device, so it is nil.
    package init?(json: JSONValue) {
        guard case .object(let object) = json, let uuid = object["uuid"].presentString else { return nil }
        self.init(
            uuid: uuid, displayName: object["displayName"].presentString,
            parentGroupUUID: object["parentGroupUuid"].presentString)
    }
}

/// A raw device that could not be mapped (G4), with where it was found, so that it can be
/// counted and reported rather than dropped.
package struct DeviceRejection: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Reason: Error, Sendable, Equatable, CustomStringConvertible {
        case notAnObject(String)
        case missingUUID
        case nullUUID
        case emptyUUID
        case uuidWrongType(String)
        /// The uuid's bytes are not valid UTF-8 (or spell U+FFFD, which is what invalid bytes
        /// decode to): an identifier is never altered, so the device cannot be mapped.
        case uuidNotUTF8

        package var description: String {
            switch self {
            case .notAnObject(let type): return "device is a JSON \(type), not an object"
            case .missingUUID: return "device has no 'uuid'"
            case .nullUUID: return "device 'uuid' is null"
            case .emptyUUID: return "device 'uuid' is an empty string"
            case .uuidWrongType(let type): return "device 'uuid' is a JSON \(type), not a string"
            case .uuidNotUTF8: return "device 'uuid' is not valid UTF-8 (it holds bytes that would decode as U+FFFD); rejected rather than altered"
            }
        }
    }

    /// The page number (1-based) the device came from, when it came from the API.
    package var page: Int?
    /// Position of the device in its page's (or file's) `devices` array, 0-based.
    package var index: Int
    package var reason: Reason
    /// The device exactly as received, so that `--rejects` can keep it.
    package var raw: JSONValue

    package init(page: Int?, index: Int, reason: Reason, raw: JSONValue) {
        self.page = page
        self.index = index
        self.reason = reason
        self.raw = raw
    }

    package var description: String {
        (page.map { "page \($0), " } ?? "") + "device index \(index): \(reason)"
    }
}

/// U+FFFD, what the JSON decoder puts in place of bytes that are not UTF-8.
let replacementCharacter: Unicode.Scalar = "\u{FFFD}"

/// Whether `text` holds U+FFFD: an ASCII text cannot, which a scan eight bytes at a time tells
/// far faster than walking the scalars of every uuid.
@inline(__always)
func containsReplacementCharacter(_ text: String) -> Bool {
    let isASCII = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(base[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
    if isASCII == true { return false }
    return text.unicodeScalars.contains(replacementCharacter)
}
