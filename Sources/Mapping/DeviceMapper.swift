import ESET
import OCSF

/// Something the mapper noticed but could map around; counted and reported, never fatal.
package struct MappingWarning: Sendable, Equatable, CustomStringConvertible {
    package var deviceUID: String
    /// The source field, e.g. `lastSyncTime`.
    package var field: String
    package var message: String

    package init(deviceUID: String, field: String, message: String) {
        self.deviceUID = deviceUID
        self.field = field
        self.message = message
    }

    package var description: String { "device \(deviceUID): \(field): \(message)" }
}

/// The event made from one device, with what the mapper had to say about it.
package struct MappedDevice: Sendable, Equatable {
    package var event: DeviceInventoryInfo
    package var warnings: [MappingWarning]
}

/// The groups a device can point at by `parentGroupUuid`, keyed by group uuid (M15).
package struct GroupDirectory: Sendable {
    package private(set) var groupsByUUID: [String: ESETDeviceGroup] = [:]

    package init(_ groups: [ESETDeviceGroup] = []) {
        for group in groups { add(group) }
    }

    /// Adds a group; a later group with the same uuid replaces the earlier one.
    package mutating func add(_ group: ESETDeviceGroup) {
        groupsByUUID[group.uuid] = group
    }

    package var count: Int { groupsByUUID.count }

    package subscript(uuid: String) -> ESETDeviceGroup? { groupsByUUID[uuid] }
}

/// Maps ESET devices to OCSF Device Inventory Info events, one rule group per file.
package struct DeviceMapper: Sendable {
    package var profile: MappingProfile
    package var groups: GroupDirectory
    /// Microseconds since the epoch; the fallback of M13 when a device has no usable time.
    package var clock: @Sendable () -> Int64

    package init(profile: MappingProfile = .sekoia, groups: GroupDirectory = GroupDirectory(), clock: @escaping @Sendable () -> Int64 = systemClockMicroseconds) {
        self.profile = profile
        self.groups = groups
        self.clock = clock
    }

    /// Maps one device. Never fails: a device reaching this point has a uuid (G4 is enforced
    /// when decoding), and every other odd value is absent by G1–G3.
    package func map(_ original: ESETDevice) -> MappedDevice {
        var warnings: [MappingWarning] = []
        guard profile == .ocsfStrict else {
            // Borrowed as it is: a copy would retain and release every string of the device.
            return map(original, warnings: warnings)
        }
        return map(withUsableAddresses(original, warnings: &warnings), warnings: warnings)
    }

    private func map(_ source: ESETDevice, warnings: [MappingWarning]) -> MappedDevice {
        var warnings = warnings
        let lastSeen = lastSeenTime(source, warnings: &warnings)
        let hostname = hostname(source)
        let (type, typeID) = deviceType(source)
        let interfaces = networkInterfaces(source, hostname: hostname)
        let device = OCSF.Device(
            uid: source.uuid,
            hostname: hostname,
            name: source.displayName,
            type: type,
            typeID: typeID,
            desc: source.description,
            ip: source.primaryLocalIPAddress,
            model: model(source),
            vendorName: vendorName(source),
            domain: source.managementDomain,
            isManaged: isManaged(source),
            lastSeenTime: lastSeen,
            os: operatingSystem(source),
            networkInterfaces: interfaces.isEmpty ? nil : interfaces,
            groups: groups(source)
        )
        // Moved, not copied: each copy of an event retains every string in it.
        let time = eventTime(lastSeen: lastSeen)
        let event = eventEnvelope(device: device, time: time)
        return MappedDevice(event: event, warnings: warnings)
    }
}

/// The real clock, in microseconds since 1970 UTC.
@Sendable package func systemClockMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
