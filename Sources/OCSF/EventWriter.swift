import JSON

extension DeviceInventoryInfo {
    /// Compact JSON of the event, written directly (the NDJSON fast path). Absent values and empty
    /// collections are omitted, exactly as the `Codable` encoding does.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1024)
        write(to: &writer)
        return writer.bytes
    }

    /// The event as a parsed JSON value, for comparison and validation.
    public func jsonValue() -> JSONValue {
        // The bytes come from our own writer, so they always parse.
        (try? JSONParser.parse(jsonBytes())) ?? .null
    }

    /// Appends the event to `writer` as one JSON object.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("activity_id")
        writer.int(activityID)
        writer.optional("activity_name", activityName)
        writer.optional("category_name", categoryName)
        writer.key("category_uid")
        writer.int(categoryUID)
        writer.optional("class_name", className)
        writer.key("class_uid")
        writer.int(classUID)
        writer.optional("type_name", typeName)
        writer.key("type_uid")
        writer.int(typeUID)
        if let severityID {
            writer.key("severity_id")
            writer.int(severityID)
        }
        writer.optional("severity", severity)
        writer.optional("time", time)
        writer.key("metadata")
        writer.beginObject()
        writer.key("product")
        writer.beginObject()
        writer.optional("name", metadata.product.name)
        writer.optional("vendor_name", metadata.product.vendorName)
        writer.optional("version", metadata.product.version)
        writer.endObject()
        writer.key("version")
        writer.string(metadata.version)
        writer.endObject()
        writer.key("device")
        device.write(to: &writer)
        writer.endObject()
    }
}

extension Device {
    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.optional("uid", uid)
        writer.optional("hostname", hostname)
        writer.optional("name", name)
        writer.optional("type", type)
        writer.key("type_id")
        writer.int(typeID)
        writer.optional("desc", desc)
        writer.optional("ip", ip)
        writer.optional("model", model)
        writer.optional("vendor_name", vendorName)
        writer.optional("domain", domain)
        if let isManaged {
            writer.key("is_managed")
            writer.bool(isManaged)
        }
        writer.optional("last_seen_time", lastSeenTime)
        if let os {
            writer.key("os")
            writer.beginObject()
            writer.optional("name", os.name)
            writer.optional("type", os.type)
            writer.key("type_id")
            writer.int(os.typeID)
            writer.endObject()
        }
        if let networkInterfaces, !networkInterfaces.isEmpty {
            writer.key("network_interfaces")
            writer.beginArray()
            for interface in networkInterfaces {
                writer.beginObject()
                writer.optional("ip", interface.ip)
                writer.optional("mac", interface.mac)
                writer.optional("name", interface.name)
                writer.optional("hostname", interface.hostname)
                writer.optional("type", interface.type)
                writer.key("type_id")
                writer.int(interface.typeID)
                writer.endObject()
            }
            writer.endArray()
        }
        if let groups, !groups.isEmpty {
            writer.key("groups")
            writer.beginArray()
            for group in groups {
                writer.beginObject()
                writer.optional("name", group.name)
                writer.optional("uid", group.uid)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }
}

extension JSONWriter {
    @inline(__always) mutating func optional(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    @inline(__always) mutating func optional(_ name: String, _ value: OCSFTimestamp?) {
        guard let value else { return }
        key(name)
        switch value.unit {
        case .seconds: decimal(units: value.microseconds, scale: 6)
        case .milliseconds: int(value.milliseconds)
        }
    }
}
