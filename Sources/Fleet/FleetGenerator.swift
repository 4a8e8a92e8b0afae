import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic synthetic ESET fleet: device objects in the shape `GET /v1/devices` returns,
/// and a device-group tree in the shape of `GET /v1/device_groups`.
///
/// The same seed always gives byte-identical output (no system randomness, no Foundation
/// encoders), and device `i` depends only on the seed, `i` and the groups, so a fleet can be
/// streamed in chunks of any size. Devices average about 2 KB in the compact layout (1.6 KB with
/// `edgeCases`, which lists no processors or drives), like the published sample.
///
/// The distribution looks like a business tenant (about three quarters Windows desktops,
/// notebooks and servers), and the first devices of every fleet also walk through every
/// variant the mapping must handle: all `familyId` values 0–7, `familyId` as a digit string or
/// absent, every `deviceType`, `isMobile` true/false/absent, every enrollment status, the
/// timestamp spellings RFC 3339 allows, IPv4/IPv6/absent addresses, zero to several adapters,
/// adapters without MAC, zero/one/two hardware profiles, absent and empty strings, and parent
/// groups that do not exist. A fleet of `FleetGenerator.fullCoverageDeviceCount` devices or more
/// contains them all.
package struct FleetGenerator: Sendable {
    package let seed: UInt64
    package let layout: FleetLayout
    /// Whether devices also carry the off-contract values real clients must tolerate (int64
    /// fields as digit strings, dotted version ids, `malformedData: null`, `lastSyncTime` with
    /// a space or a lower-case `z`). Off by default: every device is then valid against ESET's
    /// OpenAPI description, as real ESET answers are, and hardware profiles also list
    /// `processors` and `hardDrives` (the edge-case mode keeps the bytes it always had).
    package let edgeCases: Bool

    /// - Parameters:
    ///   - seed: every value derives from it; different seeds give different fleets.
    ///   - layout: `.compact` (one item per line, the default) or `.pretty` (indented).
    ///   - edgeCases: add the off-contract variants (see `edgeCases`). The random draws are
    ///     the same either way, so a device differs between the two modes only in those values.
    package init(seed: UInt64 = 1, layout: FleetLayout = .compact, edgeCases: Bool = false) {
        self.seed = seed
        self.layout = layout
        self.edgeCases = edgeCases
    }

    /// The `parentGroupUuid` of devices deliberately placed in a group that does not exist
    /// (a group deleted after the device list was cached): M15 must then omit `device.groups`.
    package static let orphanGroupUuid = "0badc0de-5eed-4a11-8000-00000000dead"

    /// Every device's `lastSyncTime` falls in the 90 days before this instant
    /// (2025-05-21T10:00:00Z, the published sample's sync time), so fixtures do not age.
    package static let referenceEpochSeconds = 1_747_821_600

    /// From this many devices on, a fleet contains every variant listed in the type's
    /// documentation (the on-purpose walk through device kinds and quirks is complete).
    package static let fullCoverageDeviceCount = max(
        Catalogue.kinds.count * showcasePeriod, DevicePlan.quirkScheduleLength * showcasePeriod)

    /// One device in `showcasePeriod` walks through device kinds, another through quirks.
    static let showcasePeriod = 8

    // MARK: Devices

    /// Streams `count` devices as one JSON array to `sink`, in chunks of roughly `chunkSize`
    /// bytes (a chunk ends after a whole device, so it may exceed `chunkSize` by one device).
    /// Memory stays bounded by the chunk size whatever `count` is. The buffer passed to `sink`
    /// is only valid during the call.
    ///
    /// - Parameters:
    ///   - groups: the groups devices are placed in (`parentGroupUuid`); any group but the
    ///     first (the root) when there are several. Empty: devices get no known group.
    package func writeDevices(
        count: Int, groups: [GeneratedGroup], chunkSize: Int = 64 * 1024,
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        precondition(count >= 0, "device count must not be negative")
        precondition(chunkSize > 0, "chunk size must be positive")
        let context = FleetContext(seed: seed, groups: groups)
        var writer = FixtureWriter(layout: layout, reservingCapacity: chunkSize + 8 * 1024)
        writer.raw("[\n")
        for index in 0..<count {
            if index > 0 { writer.raw(",\n") }
            writeDevice(index: index, context: context, to: &writer)
            if writer.count >= chunkSize {
                try writer.bytes.withUnsafeBytes(sink)
                writer.removeAll()
            }
        }
        writer.raw(count == 0 ? "]\n" : "\n]\n")
        try writer.bytes.withUnsafeBytes(sink)
    }

    /// `count` devices placed in `groups()` (12 groups), as one JSON array. For small fleets:
    /// the whole array is built in memory.
    package func devicesJSON(count: Int) -> [UInt8] {
        devicesJSON(count: count, groups: groups())
    }

    /// `count` devices placed in `groups`, as one JSON array built in memory.
    package func devicesJSON(count: Int, groups: [GeneratedGroup]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count * 2000 + 8)
        writeDevices(count: count, groups: groups) { result.append(contentsOf: $0) }
        return result
    }

    /// The device at position `index` of the fleet, alone (the same bytes as that element of
    /// `writeDevices`' array): lets a server produce any page of a huge fleet on demand.
    package func deviceJSON(index: Int, groups: [GeneratedGroup]) -> [UInt8] {
        precondition(index >= 0, "device index must not be negative")
        var writer = FixtureWriter(layout: layout, reservingCapacity: 4096)
        writeDevice(index: index, context: FleetContext(seed: seed, groups: groups), to: &writer)
        return writer.bytes
    }

    /// Writes `devices.json` (`devices` devices) and `device_groups.json` (`groups(count:)`)
    /// into `directory`, creating it if needed: the layout `eset-mock serve --data DIR` reads.
    /// Each file is streamed to a temporary name and renamed into place, so a reader never
    /// sees half a file.
    package func writeFleet(devices: Int, groupCount: Int = 12, to directory: URL) throws {
        let groups = self.groups(count: groupCount)
        try FleetFiles.createDirectory(directory)
        try FleetFiles.write(to: directory.appendingPathComponent("device_groups.json")) { sink in
            try groupsJSON(groups).withUnsafeBytes(sink)
        }
        try FleetFiles.write(to: directory.appendingPathComponent("devices.json")) { sink in
            try writeDevices(count: devices, groups: groups, to: sink)
        }
    }

    // MARK: Planning

    /// The plan of device `index`: random draws, then the on-purpose variant walk for the
    /// first devices (one slot per period walks the device kinds with canonical encodings so
    /// every familyId and deviceType appears as such; another walks the quirk schedule).
    func plan(index: Int, random: inout SplitMix64) -> DevicePlan {
        var plan = DevicePlan.random(&random)
        let cycle = index / Self.showcasePeriod
        switch index % Self.showcasePeriod {
        case 1 where cycle < Catalogue.kinds.count:
            plan.kindIndex = cycle
            plan.familyIdEncoding = .integer
            plan.deviceTypePresent = true
            plan.isMobilePresent = true
            plan.osShape = .full
        case 5 where cycle < DevicePlan.quirkScheduleLength:
            plan.applyQuirks(step: cycle)
        default:
            break
        }
        return plan
    }

    // MARK: Writing one device

    func writeDevice(index: Int, context: FleetContext, to writer: inout FixtureWriter) {
        var random = SplitMix64(seed: seed, stream: 1, index: UInt64(index))
        let plan = plan(index: index, random: &random)
        let kind = Catalogue.kinds[plan.kindIndex]
        let uuid = Formats.uniqueUUID(index: index, salt: context.uuidSalt, random: random.next())
        let hostname = Self.hostname(kind: kind, random: &random)

        writer.startItem()
        writer.beginObject()
        writer.field("uuid", uuid)
        switch plan.nameShape {
        case .hostname:
            writer.field("displayName", hostname)
            writer.field("originalDisplayName", hostname)
        case .renamed:
            writer.field("displayName", "\(kind.label) – \(random.element(of: Catalogue.people))")
            writer.field("originalDisplayName", hostname)
        case .displayOnly:
            writer.field("displayName", hostname)
        case .originalOnly:
            writer.field("originalDisplayName", hostname)
        case .neither:
            break
        }
        switch plan.descriptionShape {
        case .text: writer.field("description", random.element(of: Catalogue.descriptions))
        case .empty: writer.field("description", "")
        case .absent: break
        }
        if plan.deviceTypePresent { writer.field("deviceType", kind.deviceType) }
        switch plan.enrollment {
        case .finished: writer.field("enrollmentStatus", Catalogue.enrollmentStatuses[0])
        case .pending: writer.field("enrollmentStatus", Catalogue.enrollmentStatuses[1])
        case .failed: writer.field("enrollmentStatus", Catalogue.enrollmentStatuses[2])
        case .unspecified: writer.field("enrollmentStatus", Catalogue.enrollmentStatuses[3])
        case .absent: break
        }
        let functionality = random.weighted(Catalogue.functionalityStatusWeights)
        writer.field("functionalityStatus", Catalogue.functionalityStatuses[functionality])
        let problems = functionality == 0 ? 0 : random.within(1...5)
        writer.key("functionalityProblemCount")
        // int64 fields may arrive as strings of digits (proto3 JSON).
        if random.percent(10) && edgeCases { writer.intAsString(problems) } else { writer.int(problems) }
        writer.field("isMaster", random.percent(99))
        if plan.isMobilePresent { writer.field("isMobile", kind.isMobile) }
        writer.field("isMuted", random.percent(4))
        writeLastSyncTime(plan.timestampForm, random: &random, to: &writer)
        if random.percent(99) { writer.field("managementDomain", context.managementDomain) }
        writeAddresses(plan.ipShape, random: &random, to: &writer)
        switch plan.parent {
        case .known: writer.optionalField("parentGroupUuid", context.groupUuid(for: kind, random: &random))
        case .orphan: writer.field("parentGroupUuid", Self.orphanGroupUuid)
        case .absent: break
        }
        writeTags(kind: kind, random: &random, to: &writer)
        writeOperatingSystem(kind: kind, plan: plan, random: &random, to: &writer)
        // Processors and drives draw from their own stream, so the rest of the device is the
        // same in both modes.
        var extras = SplitMix64(seed: seed, stream: 4, index: UInt64(index))
        writeHardwareProfiles(kind: kind, plan: plan, random: &random, extras: &extras, to: &writer)
        let deployed = writeDeployedComponents(kind: kind, random: &random, to: &writer)
        if deployed {
            writeActiveProducts(context: context, random: &random, to: &writer)
        }
        if deployed && random.percent(50) {
            writer.key("cloningConfiguration")
            writer.beginObject()
            writer.key("cloneNamingPatterns")
            writer.beginArray()
            writer.string(kind.clonePattern + "*")
            writer.endArray()
            let securityGroup = random.element(of: context.securityGroups)
            writer.field("securityGroupUuid", securityGroup.uuid)
            writer.field("securityGroupDisplayName", securityGroup.name)
            writer.endObject()
        }
        writer.endObject()
    }

    private static let alphanumerics: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    static func hostname(kind: DeviceKind, random: inout SplitMix64) -> String {
        var name = ""
        for part in random.element(of: kind.hostnames) {
            switch part {
            case .text(let text):
                name += text
            case .randomAlphanumeric(let length):
                for _ in 0..<length { name.append(random.element(of: alphanumerics)) }
            case .number(let width, let max):
                let digits = String(random.within(1...max))
                name += String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
            case .person:
                name += random.element(of: Catalogue.people)
            case .role:
                name += random.element(of: Catalogue.roles)
            }
        }
        return name
    }

    private func writeLastSyncTime(_ form: DevicePlan.TimestampForm, random: inout SplitMix64, to writer: inout FixtureWriter) {
        let seconds = Self.referenceEpochSeconds - random.below(90 * 86_400)
        let nanoseconds = random.below(1_000_000_000)
        var style = Formats.TimestampStyle()
        switch form {
        case .absent: return
        case .wholeSecondsZ: break
        case .millisecondsZ: style.fractionDigits = 3
        case .microsecondsZ: style.fractionDigits = 6
        case .nanosecondsZ: style.fractionDigits = 9
        case .oddFractionZ: style.fractionDigits = random.element(of: [1, 2, 4, 5, 7, 8])
        case .lowerZ:
            style.zone = .lowerZ
            style.fractionDigits = random.within(0...9)
        case .positiveOffset:
            style.zone = .offset(minutes: random.element(of: [60, 120, 330, 540, 345]))
            style.fractionDigits = random.element(of: [0, 3, 6])
        case .negativeOffset:
            style.zone = .offset(minutes: random.element(of: [-300, -210, -480, -60]))
            style.fractionDigits = random.element(of: [0, 3, 6])
        case .spaceSeparator:
            style.spaceSeparator = true
            style.zone = random.percent(50) ? .upperZ : .offset(minutes: 120)
            style.fractionDigits = random.element(of: [0, 3, 9])
        }
        if !edgeCases {
            // RFC 3339's date-time as OpenAPI tooling checks it: `T` and an upper-case `Z`.
            style.spaceSeparator = false
            if case .lowerZ = style.zone { style.zone = .upperZ }
        }
        writer.field("lastSyncTime", Formats.rfc3339(epochSeconds: seconds, nanoseconds: nanoseconds, style: style))
    }

    private func writeAddresses(_ shape: DevicePlan.IPShape, random: inout SplitMix64, to writer: inout FixtureWriter) {
        switch shape {
        case .privateV4WithPublic:
            writer.field("primaryLocalIpAddress", Self.privateIPv4(&random))
            writer.field("publicIpAddress", Self.publicIPv4(&random))
        case .publicEqualsPrimary:
            let address = Self.publicIPv4(&random)
            writer.field("primaryLocalIpAddress", address)
            writer.field("publicIpAddress", address)
        case .privateV4NoPublic:
            writer.field("primaryLocalIpAddress", Self.privateIPv4(&random))
        case .ipv6Primary:
            writer.field("primaryLocalIpAddress", Self.ipv6(&random))
            writer.field("publicIpAddress", Self.publicIPv4(&random))
        case .noPrimary:
            writer.field("publicIpAddress", Self.publicIPv4(&random))
        case .noAddresses:
            break
        case .emptyPrimary:
            writer.field("primaryLocalIpAddress", "")
            writer.field("publicIpAddress", Self.publicIPv4(&random))
        }
    }

    static func privateIPv4(_ random: inout SplitMix64) -> String {
        let host = random.within(2...254)
        let subnet = random.below(256)
        switch random.below(20) {
        case 0..<10: return "10.\(random.below(256)).\(subnet).\(host)"
        case 10..<17: return "192.168.\(subnet).\(host)"
        default: return "172.\(random.within(16...31)).\(subnet).\(host)"
        }
    }

    /// Public addresses come from the documentation ranges (RFC 5737): realistic in shape,
    /// never someone's real address.
    static func publicIPv4(_ random: inout SplitMix64) -> String {
        let network = random.element(of: ["203.0.113.", "198.51.100.", "192.0.2."])
        return network + String(random.within(1...254))
    }

    /// Documentation prefix (RFC 3849), compressed the way agents print it.
    static func ipv6(_ random: inout SplitMix64) -> String {
        let groups = (0..<3).map { _ in String(random.within(1...0xFFFF), radix: 16) }
        return "2001:db8:\(groups[0]):\(groups[1])::\(groups[2])"
    }

    private func writeTags(kind: DeviceKind, random: inout SplitMix64, to writer: inout FixtureWriter) {
        writer.key("tags")
        writer.beginArray()
        var used: [String] = []
        for _ in 0..<random.within(0...3) {
            let tag = random.element(of: Catalogue.tags)
            if !used.contains(tag) {
                used.append(tag)
                writer.string(tag)
            }
        }
        if kind.familyId == 1 && random.percent(30) { writer.string("windows") }
        writer.endArray()
    }

    private func writeOperatingSystem(kind: DeviceKind, plan: DevicePlan, random: inout SplitMix64, to writer: inout FixtureWriter) {
        let release = random.element(of: kind.releases)
        guard plan.osShape != .absent else { return }
        writer.key("operatingSystem")
        writer.beginObject()
        writer.field("bitness", kind.bitness)
        if plan.osShape == .full { writer.optionalField("displayName", release.displayName) }
        writer.field("editionId", release.editionId)
        switch plan.familyIdEncoding {
        case .integer: writer.field("familyId", kind.familyId)
        case .digitString:
            if edgeCases {
                writer.key("familyId")
                writer.intAsString(kind.familyId)
            } else {
                writer.field("familyId", kind.familyId)
            }
        case .absent: break
        }
        writer.key("version")
        writer.beginObject()
        writer.field("id", edgeCases ? release.versionId : Formats.versionID(release.major, release.minor, release.patch, 0))
        writer.field("major", release.major)
        writer.field("minor", release.minor)
        writer.field("name", release.versionName)
        writer.field("patch", release.patch)
        writer.endObject()
        writer.endObject()
    }

    private func writeHardwareProfiles(kind: DeviceKind, plan: DevicePlan, random: inout SplitMix64, extras: inout SplitMix64,
                                       to writer: inout FixtureWriter) {
        let hardware = random.element(of: kind.hardware)
        let malformedData = random.percent(30)
        switch plan.profileShape {
        case .absent:
            return
        case .empty:
            writer.key("hardwareProfiles")
            writer.beginArray()
            writer.endArray()
        case .one, .two:
            writer.key("hardwareProfiles")
            writer.beginArray()
            writeHardwareProfile(kind: kind, hardware: hardware, adapters: plan.adapterShape, malformedData: malformedData, random: &random,
                                 extras: &extras, to: &writer)
            if plan.profileShape == .two {
                // A second profile appears when the agent saw the hardware change (a docking
                // station, a replaced board): its adapters count too.
                let replacement = random.element(of: kind.hardware)
                writeHardwareProfile(kind: kind, hardware: replacement, adapters: .one, malformedData: malformedData, random: &random,
                                     extras: &extras, to: &writer)
            }
            writer.endArray()
        }
    }

    private func writeHardwareProfile(
        kind: DeviceKind, hardware: HardwareModel, adapters: DevicePlan.AdapterShape, malformedData: Bool,
        random: inout SplitMix64, extras: inout SplitMix64, to writer: inout FixtureWriter
    ) {
        writer.beginObject()
        writer.key("bios")
        writer.beginObject()
        writer.field("manufacturer", hardware.biosVendor)
        var serial = ""
        for _ in 0..<(hardware.manufacturer == "Dell Inc." ? 7 : 10) { serial.append(random.element(of: Self.alphanumerics)) }
        writer.field("serialNumber", serial)
        writer.field("uuid", Formats.uuid(high: random.next(), low: random.next()).uppercased())
        writer.endObject()
        writer.field("manufacturer", hardware.manufacturer)
        writer.field("model", hardware.model)
        writeAdapters(kind: kind, shape: adapters, malformedData: malformedData, random: &random, to: &writer)
        if !edgeCases {
            // The edge-case fleet keeps its bytes; the spec-valid one also lists what ESET's
            // schema describes for hardware (every CPU architecture and drive type appears).
            HardwareExtras.writeProcessors(kind: kind, random: &extras, to: &writer)
            HardwareExtras.writeHardDrives(kind: kind, random: &extras, to: &writer)
        }
        writer.endObject()
    }

    private func writeAdapters(
        kind: DeviceKind, shape: DevicePlan.AdapterShape, malformedData: Bool,
        random: inout SplitMix64, to writer: inout FixtureWriter
    ) {
        var adapters: [(caption: String, hasMac: Bool)] = []
        switch shape {
        case .absent:
            return
        case .none:
            break
        case .one:
            adapters = [(kind.adapters[0], true)]
        case .several:
            let count = random.within(2...4)
            for position in 0..<count {
                let round = position / kind.adapters.count
                let caption = kind.adapters[position % kind.adapters.count]
                adapters.append((round == 0 ? caption : "\(caption) #\(round + 1)", true))
            }
        case .withoutMac:
            // A virtual or disconnected adapter that reports no MAC, listed before a real one.
            adapters = [(kind.adapters[kind.adapters.count - 1], false), (kind.adapters[0], true)]
        }
        writer.key("networkAdapters")
        writer.beginArray()
        for adapter in adapters {
            writer.beginObject()
            writer.field("caption", adapter.caption)
            if adapter.hasMac {
                writer.field("macAddress", Formats.mac(random.next() & 0xFCFF_FFFF_FFFF, lowercase: kind.lowercaseMac))
            } else if random.percent(50) {
                writer.field("macAddress", "")
            }
            if malformedData && edgeCases {
                writer.key("malformedData")
                writer.null()
            } else if malformedData && !adapter.hasMac {
                // The API's own form: a field mask naming the attributes that could not be read.
                writer.field("malformedData", "macAddress")
            }
            writer.endObject()
        }
        writer.endArray()
    }

    /// Writes `deployedComponents` and tells whether the device runs any ESET component.
    private func writeDeployedComponents(kind: DeviceKind, random: inout SplitMix64, to writer: inout FixtureWriter) -> Bool {
        writer.key("deployedComponents")
        writer.beginArray()
        var any = false
        for component in kind.components {
            // Not every endpoint runs the optional connector.
            if component.name == "ei" && !random.percent(15) { continue }
            any = true
            let version = random.element(of: component.versions)
            writer.beginObject()
            writer.field("displayName", component.displayName)
            writer.key("version")
            writer.beginObject()
            writer.field("id", edgeCases ? "\(version.0).\(version.1).\(version.2).\(version.3)"
                : Formats.versionID(version.0, version.1, version.2, version.3))
            writer.field("major", version.0)
            writer.field("minor", version.1)
            writer.field("name", "\(component.displayName) \(version.0).\(version.1)")
            writer.field("patch", version.2)
            writer.endObject()
            writer.field("id", component.id)
            writer.field("name", component.name)
            writer.endObject()
        }
        writer.endArray()
        return any
    }

    private func writeActiveProducts(context: FleetContext, random: inout SplitMix64, to writer: inout FixtureWriter) {
        let subscription = random.element(of: context.subscriptions)
        // Activated before the reference time, valid for one to three years.
        let activationYear = random.within(2022...2024)
        let month = random.within(1...12)
        let day = random.within(1...28)
        writer.key("activeProducts")
        writer.beginArray()
        writer.beginObject()
        writeDate("activateDate", year: activationYear, month: month, day: day, to: &writer)
        writer.field("subscriptionUuid", subscription.uuid)
        writer.field("unitPoolUuid", subscription.unitPool)
        writeDate("validityDate", year: activationYear + random.within(1...3), month: month, day: day, to: &writer)
        writer.field("id", subscription.product.id)
        writer.field("name", subscription.product.name)
        writer.endObject()
        writer.endArray()
    }

    private func writeDate(_ name: StaticString, year: Int, month: Int, day: Int, to writer: inout FixtureWriter) {
        writer.key(name)
        writer.beginObject()
        writer.field("year", year)
        writer.field("month", month)
        writer.field("day", day)
        writer.endObject()
    }
}

/// Values shared by every device of one fleet, derived once per stream.
struct FleetContext {
    /// Where devices are placed: every group but the root when there are several.
    let groupUuids: [String]
    let managementDomain: String
    let subscriptions: [(uuid: String, unitPool: String, product: (id: Int, name: String))]
    let securityGroups: [(uuid: String, name: String)]
    let uuidSalt: UInt64

    /// The groups in `groups` at the positions of `FleetGenerator.groups()`' "Lost & found",
    /// "Windows computers", "Linux computers", "Mac computers", "Mobile devices" and "Servers";
    /// `nil` past the end of a shorter list.
    let homeGroupUuids: [String?]

    init(seed: UInt64, groups: [GeneratedGroup]) {
        var random = SplitMix64(seed: seed, stream: 3, index: 0)
        groupUuids = groups.count > 1 ? groups.dropFirst().map(\.uuid) : groups.map(\.uuid)
        homeGroupUuids = (1...6).map { $0 < groups.count ? groups[$0].uuid : nil }
        managementDomain = random.element(of: Catalogue.managementDomains)
        subscriptions = (0..<3).map { _ in
            (Formats.uuid(high: random.next(), low: random.next()), Formats.uuid(high: random.next(), low: random.next()),
             random.element(of: Catalogue.products))
        }
        securityGroups = Catalogue.securityGroupNames.map { (Formats.uuid(high: random.next(), low: random.next()), $0) }
        uuidSalt = random.next()
    }

    /// Most devices sit in the group for their platform, like an administrator would sort
    /// them; the rest are spread over every group.
    func groupUuid(for kind: DeviceKind, random: inout SplitMix64) -> String? {
        let sorted = random.percent(60)
        let anyGroup = groupUuids.isEmpty ? nil : random.element(of: groupUuids)
        guard sorted else { return anyGroup }
        let home: Int
        if kind.deviceType == "DEVICE_TYPE_SERVER" {
            home = 5
        } else if kind.isMobile {
            home = 4
        } else {
            switch kind.familyId {
            case 1: home = 1
            case 2: home = 2
            case 3: home = 3
            default: home = 0
            }
        }
        return homeGroupUuids[home] ?? anyGroup
    }
}

/// Errors writing fleet files; each names the file.
package struct FleetFileError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String

    package var description: String { "cannot write \(path): \(reason)" }
}

enum FleetFiles {
    static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FleetFileError(path: directory.path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
    }

    /// Streams `body`'s output to a temporary file next to `url`, then renames it into place.
    static func write(to url: URL, body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let finalPath = url.path
        let partialPath = finalPath + ".partial"
        guard let file = fopen(partialPath, "wb") else {
            throw FleetFileError(path: partialPath, reason: String(cString: strerror(errno)))
        }
        var closed = false
        defer {
            if !closed {
                fclose(file)
                unlink(partialPath)
            }
        }
        try body { buffer in
            guard buffer.count > 0 else { return }
            if fwrite(buffer.baseAddress, 1, buffer.count, file) != buffer.count {
                throw FleetFileError(path: partialPath, reason: String(cString: strerror(errno)))
            }
        }
        closed = true
        if fclose(file) != 0 {
            unlink(partialPath)
            throw FleetFileError(path: partialPath, reason: String(cString: strerror(errno)))
        }
        if rename(partialPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(partialPath)
            throw FleetFileError(path: finalPath, reason: reason)
        }
    }
}
