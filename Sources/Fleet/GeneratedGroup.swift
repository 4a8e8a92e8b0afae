/// One ESET device group (`GET /v1/device_groups` item) of a synthetic fleet.
package struct GeneratedGroup: Sendable, Hashable {
    package var uuid: String
    /// `nil` writes a group without `displayName` (the API marks every field optional, and the
    /// mapping must then fall back to the group's uuid).
    package var displayName: String?
    /// `nil` for the root group.
    package var parentGroupUuid: String?
    package var isSecurityGroup: Bool
    /// One of `DEVICE_GROUP_ENTITY_TYPE_UNSPECIFIED`, `_COMPANY`, `_MSP`, `_SITE`, `_HOUSEHOLD`.
    package var linkedEntityType: String
    /// `nil` writes no `etag`.
    package var etag: String?

    package init(
        uuid: String, displayName: String?, parentGroupUuid: String?, isSecurityGroup: Bool = false,
        linkedEntityType: String = "DEVICE_GROUP_ENTITY_TYPE_UNSPECIFIED", etag: String? = nil
    ) {
        self.uuid = uuid
        self.displayName = displayName
        self.parentGroupUuid = parentGroupUuid
        self.isSecurityGroup = isSecurityGroup
        self.linkedEntityType = linkedEntityType
        self.etag = etag
    }
}

extension FleetGenerator {
    /// The shape of the group tree: (name, index of the parent, entity type, security group).
    /// Index 11 deliberately has no name.
    private static let groupBlueprints: [(name: String?, parent: Int?, entity: String, security: Bool)] = [
        ("All", nil, "UNSPECIFIED", false),
        ("Lost & found", 0, "UNSPECIFIED", false),
        ("Windows computers", 0, "UNSPECIFIED", false),
        ("Linux computers", 0, "UNSPECIFIED", false),
        ("Mac computers", 0, "UNSPECIFIED", false),
        ("Mobile devices", 0, "UNSPECIFIED", false),
        ("Servers", 0, "UNSPECIFIED", false),
        ("Acme Corp", 0, "COMPANY", false),
        ("Paris office", 7, "SITE", false),
        ("Berlin office", 7, "SITE", false),
        ("Outdated modules", 2, "UNSPECIFIED", true),
        (nil, 3, "SITE", false),
        ("Household \"Dupont\"", 0, "HOUSEHOLD", false),
        ("MSP clients", 0, "MSP", false),
        ("Client: Zürich Präzision GmbH", 13, "COMPANY", false),
    ]

    /// A group tree: the root "All", top-level groups (OS families, servers, lost & found, a
    /// company, an MSP…) and grandchildren (sites, a security group, one group without a name).
    /// Beyond the named blueprints, extra "Site NNN" groups hang under the company groups.
    /// The first element is always the root.
    ///
    /// - Parameter count: how many groups, at least 1.
    package func groups(count: Int = 12) -> [GeneratedGroup] {
        precondition(count >= 1, "a group tree has at least its root")
        var random = SplitMix64(seed: seed, stream: 2, index: 0)
        var uuids: [String] = []
        uuids.reserveCapacity(count)
        var result: [GeneratedGroup] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let uuid = Formats.uniqueUUID(index: index, salt: seed &* 0x2545_F491_4F6C_DD1D, random: random.next())
            uuids.append(uuid)
            let name: String?
            let parent: Int?
            let entity: String
            let security: Bool
            if index < Self.groupBlueprints.count {
                let blueprint = Self.groupBlueprints[index]
                (name, parent, entity, security) = (blueprint.name, blueprint.parent, blueprint.entity, blueprint.security)
            } else {
                // Extra sites spread over the company group and the MSP's client company.
                name = "Site \(index)"
                parent = index % 2 == 0 ? 7 : 14
                entity = "SITE"
                security = false
            }
            result.append(GeneratedGroup(
                uuid: uuid, displayName: name, parentGroupUuid: parent.map { uuids[$0] }, isSecurityGroup: security,
                linkedEntityType: "DEVICE_GROUP_ENTITY_TYPE_" + entity,
                etag: random.percent(80) ? Formats.hex(random.next(), digits: 16) : nil))
        }
        return result
    }

    /// `groups` as a JSON array of ESET group objects, in the generator's layout.
    package func groupsJSON(_ groups: [GeneratedGroup]) -> [UInt8] {
        var writer = FixtureWriter(layout: layout, reservingCapacity: groups.count * 256 + 8)
        writer.raw("[\n")
        for (index, group) in groups.enumerated() {
            if index > 0 { writer.raw(",\n") }
            Self.writeGroup(group, to: &writer)
        }
        writer.raw(groups.isEmpty ? "]\n" : "\n]\n")
        return writer.bytes
    }

    static func writeGroup(_ group: GeneratedGroup, to writer: inout FixtureWriter) {
        writer.startItem()
        writer.beginObject()
        writer.field("uuid", group.uuid)
        writer.optionalField("displayName", group.displayName)
        writer.field("isSecurityGroup", group.isSecurityGroup)
        writer.field("linkedEntityType", group.linkedEntityType)
        writer.optionalField("parentGroupUuid", group.parentGroupUuid)
        writer.optionalField("etag", group.etag)
        writer.endObject()
    }
}
