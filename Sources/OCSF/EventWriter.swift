import JSON
import Synchronization

extension DeviceInventoryInfo {
    /// Compact JSON of the event, written directly (the NDJSON fast path). Absent values and empty
    /// collections are omitted, exactly as the `Codable` encoding does.
    package func jsonBytes() -> [UInt8] {
        // The same bytes as `write(to:)` (the tests compare both over whole fleets), written
        // straight into a reused scratch buffer and then copied once: the generic writer's
        // per-token bookkeeping was most of the cost of mapping a device. An event too large for
        // the scratch (megabytes of text) takes the generic writer.
        let fast = EventScratch.withBuffer { start, capacity -> [UInt8]? in
            var output = EventOutput(start, capacity: capacity)
            write(to: &output)
            return output.overflowed ? nil : Array(UnsafeBufferPointer(start: start, count: output.count))
        }
        if let fast { return fast }
        var writer = JSONWriter(reservingCapacity: 4096)
        write(to: &writer)
        return writer.bytes
    }

    /// The event as a parsed JSON value, for comparison and validation.
    package func jsonValue() -> JSONValue {
        // The bytes come from our own writer, so they always parse.
        (try? JSONParser.parse(jsonBytes())) ?? .null
    }

    /// Appends the event to `writer` as one JSON object.
    package func write(to writer: inout JSONWriter) {
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

// MARK: - Direct writing

/// Appends JSON to memory the caller sized beforehand, inserting commas between members.
///
/// One flag is enough for commas: a container's first member never has one, and after a
/// container closes the enclosing one has just received a value.
struct EventOutput {
    let start: UnsafeMutablePointer<UInt8>
    let end: UnsafeMutablePointer<UInt8>
    var cursor: UnsafeMutablePointer<UInt8>
    var needsComma = false
    /// Set once something did not fit; everything written after that is dropped.
    private(set) var overflowed = false

    init(_ start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.start = start
        end = start + capacity
        cursor = start
    }

    var count: Int { cursor - start }

    /// Whether `bytes` more fit; false (for good) once anything did not.
    @inline(__always) mutating func room(_ bytes: Int) -> Bool {
        if overflowed || end - cursor < bytes {
            overflowed = true
            return false
        }
        return true
    }

    @inline(__always) mutating func byte(_ value: UInt8) {
        guard room(1) else { return }
        cursor.pointee = value
        cursor += 1
    }

    @inline(__always) mutating func open(_ bracket: UInt8) {
        byte(bracket)
        needsComma = false
    }

    @inline(__always) mutating func close(_ bracket: UInt8) {
        byte(bracket)
        needsComma = true
    }

    /// Writes `"name":`, after a comma when a member precedes; `name` is a plain ASCII literal.
    @inline(__always) mutating func key(_ name: StaticString) {
        let count = name.utf8CodeUnitCount
        guard room(count + 4) else { return }
        if needsComma {
            cursor.pointee = UInt8(ascii: ",")
            cursor += 1
        }
        cursor.pointee = UInt8(ascii: "\"")
        cursor.advanced(by: 1).update(from: name.utf8Start, count: count)
        cursor += count + 1
        cursor[0] = UInt8(ascii: "\"")
        cursor[1] = UInt8(ascii: ":")
        cursor += 2
        needsComma = true
    }

    @inline(__always) mutating func string(_ value: String) {
        guard room(0), let written = JSONWriter.writeEscaped(value, to: cursor, capacity: end - cursor) else {
            overflowed = true
            return
        }
        cursor += written
    }

    @inline(__always) mutating func int(_ value: Int) {
        guard room(JSONWriter.maximumIntegerCount) else { return }
        cursor += JSONWriter.writeInteger(Int64(value), to: cursor)
    }

    @inline(__always) mutating func optional(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    @inline(__always) mutating func optional(_ name: StaticString, _ value: OCSFTimestamp?) {
        guard let value else { return }
        key(name)
        guard room(JSONWriter.maximumDecimalCount) else { return }
        switch value.unit {
        case .seconds: cursor += JSONWriter.writeDecimal(units: value.microseconds, scale: 6, to: cursor)
        case .milliseconds: cursor += JSONWriter.writeInteger(value.milliseconds, to: cursor)
        }
    }
}

/// One scratch buffer kept between `jsonBytes()` calls (taken and given back atomically, so
/// concurrent callers simply allocate their own): events are written without a fresh allocation.
enum EventScratch {
    static let capacity = 64 * 1024
    private static let slot = Atomic<Int>(0)

    static func withBuffer<Result>(_ body: (UnsafeMutablePointer<UInt8>, Int) -> Result) -> Result {
        let taken = slot.exchange(0, ordering: .acquiring)
        let buffer = UnsafeMutablePointer<UInt8>(bitPattern: taken) ?? .allocate(capacity: capacity)
        defer {
            if !slot.compareExchange(expected: 0, desired: Int(bitPattern: buffer), ordering: .releasing).exchanged {
                buffer.deallocate()
            }
        }
        return body(buffer, capacity)
    }
}

extension DeviceInventoryInfo {
    /// `write(to: JSONWriter)`, member for member, into `output`.
    func write(to output: inout EventOutput) {
        output.open(UInt8(ascii: "{"))
        output.key("activity_id")
        output.int(activityID)
        output.optional("activity_name", activityName)
        output.optional("category_name", categoryName)
        output.key("category_uid")
        output.int(categoryUID)
        output.optional("class_name", className)
        output.key("class_uid")
        output.int(classUID)
        output.optional("type_name", typeName)
        output.key("type_uid")
        output.int(typeUID)
        if let severityID {
            output.key("severity_id")
            output.int(severityID)
        }
        output.optional("severity", severity)
        output.optional("time", time)
        output.key("metadata")
        output.open(UInt8(ascii: "{"))
        output.key("product")
        output.open(UInt8(ascii: "{"))
        output.optional("name", metadata.product.name)
        output.optional("vendor_name", metadata.product.vendorName)
        output.optional("version", metadata.product.version)
        output.close(UInt8(ascii: "}"))
        output.key("version")
        output.string(metadata.version)
        output.close(UInt8(ascii: "}"))
        output.key("device")
        device.write(to: &output)
        output.close(UInt8(ascii: "}"))
    }
}

extension Device {
    func write(to output: inout EventOutput) {
        output.open(UInt8(ascii: "{"))
        output.optional("uid", uid)
        output.optional("hostname", hostname)
        output.optional("name", name)
        output.optional("type", type)
        output.key("type_id")
        output.int(typeID)
        output.optional("desc", desc)
        output.optional("ip", ip)
        output.optional("model", model)
        output.optional("vendor_name", vendorName)
        output.optional("domain", domain)
        if let isManaged {
            output.key("is_managed")
            if isManaged {
                output.byte(UInt8(ascii: "t")); output.byte(UInt8(ascii: "r")); output.byte(UInt8(ascii: "u")); output.byte(UInt8(ascii: "e"))
            } else {
                output.byte(UInt8(ascii: "f")); output.byte(UInt8(ascii: "a")); output.byte(UInt8(ascii: "l")); output.byte(UInt8(ascii: "s")); output.byte(UInt8(ascii: "e"))
            }
        }
        output.optional("last_seen_time", lastSeenTime)
        if let os {
            output.key("os")
            output.open(UInt8(ascii: "{"))
            output.optional("name", os.name)
            output.optional("type", os.type)
            output.key("type_id")
            output.int(os.typeID)
            output.close(UInt8(ascii: "}"))
        }
        if let networkInterfaces, !networkInterfaces.isEmpty {
            output.key("network_interfaces")
            output.open(UInt8(ascii: "["))
            for interface in networkInterfaces {
                if output.needsComma { output.byte(UInt8(ascii: ",")) }
                output.open(UInt8(ascii: "{"))
                output.optional("ip", interface.ip)
                output.optional("mac", interface.mac)
                output.optional("name", interface.name)
                output.optional("hostname", interface.hostname)
                output.optional("type", interface.type)
                output.key("type_id")
                output.int(interface.typeID)
                output.close(UInt8(ascii: "}"))
            }
            output.close(UInt8(ascii: "]"))
        }
        if let groups, !groups.isEmpty {
            output.key("groups")
            output.open(UInt8(ascii: "["))
            for group in groups {
                if output.needsComma { output.byte(UInt8(ascii: ",")) }
                output.open(UInt8(ascii: "{"))
                output.optional("name", group.name)
                output.optional("uid", group.uid)
                output.close(UInt8(ascii: "}"))
            }
            output.close(UInt8(ascii: "]"))
        }
        output.close(UInt8(ascii: "}"))
    }
}
