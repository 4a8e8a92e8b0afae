/// An OCSF 1.5.0 "Device Inventory Info" event (class 5001, category Discovery).
///
/// Optional properties that are `nil` are omitted from the JSON, never written as `null` (rule G2);
/// collections are optional too so that an empty one can be omitted the same way.
package struct DeviceInventoryInfo: Sendable, Equatable, Codable {
    package var activityID: Int
    package var activityName: String?
    package var categoryName: String?
    package var categoryUID: Int
    package var className: String?
    package var classUID: Int
    package var typeName: String?
    package var typeUID: Int
    package var severityID: Int?
    package var severity: String?
    package var time: OCSFTimestamp?
    package var metadata: Metadata
    package var device: Device

    @inlinable package init(
        activityID: Int, activityName: String?, categoryName: String?, categoryUID: Int, className: String?,
        classUID: Int, typeName: String?, typeUID: Int, severityID: Int? = nil, severity: String? = nil,
        time: OCSFTimestamp?, metadata: Metadata, device: Device
    ) {
        self.activityID = activityID
        self.activityName = activityName
        self.categoryName = categoryName
        self.categoryUID = categoryUID
        self.className = className
        self.classUID = classUID
        self.typeName = typeName
        self.typeUID = typeUID
        self.severityID = severityID
        self.severity = severity
        self.time = time
        self.metadata = metadata
        self.device = device
    }

    enum CodingKeys: String, CodingKey {
        case activityID = "activity_id", activityName = "activity_name", categoryName = "category_name"
        case categoryUID = "category_uid", className = "class_name", classUID = "class_uid"
        case typeName = "type_name", typeUID = "type_uid", severityID = "severity_id", severity
        case time, metadata, device
    }
}

/// OCSF `metadata`.
package struct Metadata: Sendable, Equatable, Codable {
    package var product: Product
    package var version: String

    @inlinable package init(product: Product, version: String) {
        self.product = product
        self.version = version
    }
}

/// OCSF `product`.
package struct Product: Sendable, Equatable, Codable {
    package var name: String?
    package var vendorName: String?
    package var version: String?

    @inlinable package init(name: String?, vendorName: String? = nil, version: String?) {
        self.name = name
        self.vendorName = vendorName
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case name, vendorName = "vendor_name", version
    }
}

/// OCSF `device`.
package struct Device: Sendable, Equatable, Codable {
    package var uid: String?
    package var hostname: String?
    package var name: String?
    package var type: String?
    package var typeID: Int
    package var desc: String?
    package var ip: String?
    package var model: String?
    package var vendorName: String?
    package var domain: String?
    package var isManaged: Bool?
    package var lastSeenTime: OCSFTimestamp?
    package var os: OperatingSystem?
    package var networkInterfaces: [NetworkInterface]?
    package var groups: [Group]?

    @inlinable package init(
        uid: String? = nil, hostname: String? = nil, name: String? = nil, type: String? = nil, typeID: Int,
        desc: String? = nil, ip: String? = nil, model: String? = nil, vendorName: String? = nil,
        domain: String? = nil, isManaged: Bool? = nil, lastSeenTime: OCSFTimestamp? = nil,
        os: OperatingSystem? = nil, networkInterfaces: [NetworkInterface]? = nil, groups: [Group]? = nil
    ) {
        self.uid = uid
        self.hostname = hostname
        self.name = name
        self.type = type
        self.typeID = typeID
        self.desc = desc
        self.ip = ip
        self.model = model
        self.vendorName = vendorName
        self.domain = domain
        self.isManaged = isManaged
        self.lastSeenTime = lastSeenTime
        self.os = os
        self.networkInterfaces = networkInterfaces
        self.groups = groups
    }

    enum CodingKeys: String, CodingKey {
        case uid, hostname, name, type, typeID = "type_id", desc, ip, model, vendorName = "vendor_name"
        case domain, isManaged = "is_managed", lastSeenTime = "last_seen_time", os
        case networkInterfaces = "network_interfaces", groups
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(hostname, forKey: .hostname)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encode(typeID, forKey: .typeID)
        try container.encodeIfPresent(desc, forKey: .desc)
        try container.encodeIfPresent(ip, forKey: .ip)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(vendorName, forKey: .vendorName)
        try container.encodeIfPresent(domain, forKey: .domain)
        try container.encodeIfPresent(isManaged, forKey: .isManaged)
        try container.encodeIfPresent(lastSeenTime, forKey: .lastSeenTime)
        try container.encodeIfPresent(os, forKey: .os)
        if let networkInterfaces, !networkInterfaces.isEmpty {
            try container.encode(networkInterfaces, forKey: .networkInterfaces)
        }
        if let groups, !groups.isEmpty { try container.encode(groups, forKey: .groups) }
    }
}

/// OCSF `os`.
package struct OperatingSystem: Sendable, Equatable, Codable {
    package var name: String?
    package var type: String?
    package var typeID: Int

    @inlinable package init(name: String? = nil, type: String?, typeID: Int) {
        self.name = name
        self.type = type
        self.typeID = typeID
    }

    enum CodingKeys: String, CodingKey {
        case name, type, typeID = "type_id"
    }
}

/// OCSF `network_interface`.
package struct NetworkInterface: Sendable, Equatable, Codable {
    package var ip: String?
    package var mac: String?
    package var name: String?
    package var hostname: String?
    package var type: String?
    package var typeID: Int

    @inlinable package init(ip: String? = nil, mac: String? = nil, name: String? = nil, hostname: String? = nil, type: String?, typeID: Int) {
        self.ip = ip
        self.mac = mac
        self.name = name
        self.hostname = hostname
        self.type = type
        self.typeID = typeID
    }

    enum CodingKeys: String, CodingKey {
        case ip, mac, name, hostname, type, typeID = "type_id"
    }
}

/// OCSF `group`.
package struct Group: Sendable, Equatable, Codable {
    package var name: String?
    package var uid: String?

    @inlinable package init(name: String?, uid: String?) {
        self.name = name
        self.uid = uid
    }
}
