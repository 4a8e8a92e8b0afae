import Foundation

/// The two data sets `eset-mock` ships (a test fails if the committed files drift;
/// `MockData/README.md` tells how to regenerate them):
///
/// - the default tenant, `MockData/devices.json` and `MockData/device_groups.json`
///   (`devicesJSON()`, `groupsJSON()`): every device valid against ESET's OpenAPI description.
///   Devices: `seedTwinDeviceJSON` (the seed sample made spec-valid), then
///   `specValidGeneratedDeviceCount` devices from `FleetGenerator(seed: seed, layout: .pretty)`.
/// - the edge-case tenant, `MockData/edge-cases/` (`edgeCaseDevicesJSON()`, `groupsJSON()`), for
///   tolerance tests. Devices: the published seed sample verbatim (byte for byte, as in the
///   spec's `seed-sample/device.json`); `edgeDevices`, hand-written devices for the cases the
///   mapping contract pins down; `generatedDeviceCount` devices from the generator with
///   `edgeCases: true`.
///
/// Groups: `FleetGenerator.groups(count: 15)` with the root's uuid set to `rootGroupUuid` (the
/// seed group's parent) and the nameless group's uuid set to `namelessGroupUuid`, followed by
/// the published seed group, verbatim.
package enum DefaultFleet {
    /// The seed of the generated part.
    package static let seed: UInt64 = 20_250_521

    /// How many generated devices follow the seed and edge devices; enough for every variant
    /// the generator knows (`FleetGenerator.fullCoverageDeviceCount`).
    package static let generatedDeviceCount = 240

    /// How many generated devices follow the seed twin in the default tenant: the same 260
    /// devices in all as the edge-case tenant.
    package static let specValidGeneratedDeviceCount = 259

    /// The account the mock accepts in every region. Intentionally public: these are demo
    /// credentials for a local mock, not a secret.
    package static let demoUsername = "demo@example.com"
    /// See `demoUsername`.
    package static let demoPassword = "demo-password"

    /// The root group's uuid, fixed by the published seed group's `parentGroupUuid`.
    package static let rootGroupUuid = "root-group-uuid"
    /// The published seed group's uuid.
    package static let seedGroupUuid = "group-uuid-1"
    /// The uuid of the group without `displayName` (M15 must fall back to the uuid as name).
    package static let namelessGroupUuid = "5ca1ab1e-0000-4000-8000-00000000000b"
    /// The uuid of the published seed device.
    package static let seedDeviceUuid = "550e8400-e29b-41d4-a716-446655440000"

    /// The published seed device, verbatim (the mapping must turn it into the published
    /// expected event).
    package static let seedDeviceJSON = #"""
        {
          "uuid": "550e8400-e29b-41d4-a716-446655440000",
          "displayName": "DESKTOP-ABC123",
          "description": "Finance workstation",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_ENROLLED",
          "functionalityStatus": "DEVICE_FUNCTIONALITY_STATUS_OK",
          "isMaster": true,
          "isMobile": false,
          "isMuted": false,
          "lastSyncTime": "2025-05-21T10:00:00Z",
          "managementDomain": "eu.automation.eset.systems",
          "primaryLocalIpAddress": "192.168.1.42",
          "publicIpAddress": "203.0.113.10",
          "parentGroupUuid": "group-uuid-1",
          "tags": [
            "finance",
            "windows"
          ],
          "operatingSystem": {
            "bitness": 64,
            "displayName": "Windows 10 Enterprise",
            "editionId": 4,
            "familyId": 1,
            "version": {
              "id": "10.0.19041",
              "major": 10,
              "minor": 0,
              "name": "Windows 10",
              "patch": 19041
            }
          },
          "hardwareProfiles": [
            {
              "manufacturer": "Dell Inc.",
              "model": "Latitude 5520",
              "networkAdapters": [
                {
                  "caption": "Intel(R) Ethernet Connection",
                  "macAddress": "AA:BB:CC:DD:EE:FF",
                  "malformedData": null
                }
              ]
            }
          ],
          "deployedComponents": [
            {
              "displayName": "ESET Endpoint Security",
              "version": {
                "id": "10.0.2045.0",
                "major": 10,
                "minor": 0,
                "name": "ESET Endpoint Security 10.0",
                "patch": 2045
              },
              "id": 1,
              "name": "eea"
            }
          ],
          "activeProducts": [
            {
              "activateDate": {
                "year": 2025,
                "month": 1,
                "day": 15
              },
              "subscriptionUuid": "sub-uuid-123",
              "unitPoolUuid": "pool-uuid-456",
              "validityDate": {
                "year": 2026,
                "month": 1,
                "day": 15
              },
              "id": 10,
              "name": "ESET PROTECT Entry"
            }
          ],
          "cloningConfiguration": {
            "cloneNamingPatterns": [
              "DESKTOP-*"
            ],
            "securityGroupUuid": "sec-group-uuid-1",
            "securityGroupDisplayName": "Default Security Group"
          }
        }
        """#

    /// The seed sample made valid against ESET's OpenAPI description, changing only what the
    /// mapping does not read: `enrollmentStatus` `..._ENROLLED` (not in the enum) becomes
    /// `..._FINISHED`, the dotted `version.id` values become numeric ids (`v1Version.id` is a
    /// uint64), and `malformedData: null` (a string field) is left out. It maps to the published
    /// expected event exactly like the sample.
    package static let seedTwinDeviceJSON: String = {
        var text = seedDeviceJSON
        func replace(_ old: String, _ new: String) {
            precondition(text.contains(old), "the seed sample no longer contains \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        replace(#""DEVICE_ENROLLMENT_STATUS_ENROLLED""#, #""DEVICE_ENROLLMENT_STATUS_FINISHED""#)
        replace(#""id": "10.0.19041""#, #""id": "\#(Formats.versionID(10, 0, 19041, 0))""#)
        replace(#""id": "10.0.2045.0""#, #""id": "\#(Formats.versionID(10, 0, 2045, 0))""#)
        replace(",\n          \"malformedData\": null", "")
        return text
    }()

    /// The published seed group, verbatim.
    package static let seedGroupJSON = #"""
        {
          "uuid": "group-uuid-1",
          "displayName": "Finance Department",
          "isSecurityGroup": false,
          "linkedEntityType": "DEVICE_GROUP_ENTITY_TYPE_UNSPECIFIED",
          "parentGroupUuid": "root-group-uuid"
        }
        """#

    /// The device groups, in the order of `groupsJSON()`.
    package static let groups: [GeneratedGroup] = {
        var groups = FleetGenerator(seed: seed).groups(count: 15)
        let generatedRoot = groups[0].uuid
        let generatedNameless = groups[11].uuid
        for index in groups.indices {
            if groups[index].uuid == generatedRoot { groups[index].uuid = rootGroupUuid }
            if groups[index].uuid == generatedNameless { groups[index].uuid = namelessGroupUuid }
            if groups[index].parentGroupUuid == generatedRoot { groups[index].parentGroupUuid = rootGroupUuid }
            if groups[index].parentGroupUuid == generatedNameless { groups[index].parentGroupUuid = namelessGroupUuid }
        }
        groups.append(GeneratedGroup(uuid: seedGroupUuid, displayName: "Finance Department", parentGroupUuid: rootGroupUuid))
        return groups
    }()

    /// The uuid of the default group named `name` (edge devices are placed by name).
    static func groupUuid(named name: String) -> String {
        guard let group = groups.first(where: { $0.displayName == name }) else {
            preconditionFailure("the default fleet has no group named \(name)")
        }
        return group.uuid
    }

    /// A hand-written device and why it is in the fleet.
    package struct EdgeDevice: Sendable {
        package let uuid: String
        /// What the device exercises and what the mapping must do with it.
        package let purpose: String
        /// The device object, pretty-printed like the seed sample.
        package let json: String
    }

    /// The default tenant's `devices.json`: a JSON array of the seed twin and the spec-valid
    /// generated devices.
    package static func devicesJSON() -> [UInt8] {
        let generator = FleetGenerator(seed: seed, layout: .pretty)
        let context = FleetContext(seed: seed, groups: groups)
        var writer = FixtureWriter(layout: .pretty, reservingCapacity: 1 << 20)
        writer.raw("[\n")
        writer.raw(seedTwinDeviceJSON)
        for index in 0..<specValidGeneratedDeviceCount {
            writer.raw(",\n")
            generator.writeDevice(index: index, context: context, to: &writer)
        }
        writer.raw("\n]\n")
        return writer.bytes
    }

    /// The edge-case tenant's `devices.json`: a JSON array of the seed device, the edge
    /// devices and the generated devices with their off-contract variants.
    package static func edgeCaseDevicesJSON() -> [UInt8] {
        let generator = FleetGenerator(seed: seed, layout: .pretty, edgeCases: true)
        let context = FleetContext(seed: seed, groups: groups)
        var writer = FixtureWriter(layout: .pretty, reservingCapacity: 1 << 20)
        writer.raw("[\n")
        writer.raw(seedDeviceJSON)
        for edge in edgeDevices {
            writer.raw(",\n")
            writer.raw(edge.json)
        }
        for index in 0..<generatedDeviceCount {
            writer.raw(",\n")
            generator.writeDevice(index: index, context: context, to: &writer)
        }
        writer.raw("\n]\n")
        return writer.bytes
    }

    /// The whole `device_groups.json`: a JSON array of `groups`, the seed group verbatim.
    package static func groupsJSON() -> [UInt8] {
        var writer = FixtureWriter(layout: .pretty, reservingCapacity: 8192)
        writer.raw("[\n")
        for (index, group) in groups.enumerated() {
            if index > 0 { writer.raw(",\n") }
            if group.uuid == seedGroupUuid {
                writer.raw(seedGroupJSON)
            } else {
                FleetGenerator.writeGroup(group, to: &writer)
            }
        }
        writer.raw("\n]\n")
        return writer.bytes
    }

    /// Writes the default tenant's `devices.json` and `device_groups.json` into `directory`
    /// (creating it).
    package static func write(to directory: URL) throws {
        try write(devicesJSON(), to: directory)
    }

    /// Writes the edge-case tenant's two files into `directory` (creating it).
    package static func writeEdgeCases(to directory: URL) throws {
        try write(edgeCaseDevicesJSON(), to: directory)
    }

    private static func write(_ devices: [UInt8], to directory: URL) throws {
        try FleetFiles.createDirectory(directory)
        try FleetFiles.write(to: directory.appendingPathComponent("device_groups.json")) { sink in
            try groupsJSON().withUnsafeBytes(sink)
        }
        try FleetFiles.write(to: directory.appendingPathComponent("devices.json")) { sink in
            try devices.withUnsafeBytes(sink)
        }
    }
}

extension FleetGenerator {
    /// The default tenant's files, as committed in `MockData/` (see `DefaultFleet`).
    package static func defaultFleet() -> (devices: [UInt8], groups: [UInt8]) {
        (DefaultFleet.devicesJSON(), DefaultFleet.groupsJSON())
    }

    /// The edge-case tenant's files, as committed in `MockData/edge-cases/`.
    package static func edgeCaseFleet() -> (devices: [UInt8], groups: [UInt8]) {
        (DefaultFleet.edgeCaseDevicesJSON(), DefaultFleet.groupsJSON())
    }
}
