import JSON
import Synchronization

extension DeviceInventoryInfo {
    /// Compact JSON of the event: the one encoding of events (NDJSON lines, Sekoia.io items).
    /// Absent values and empty collections are omitted, as the `Codable` encoding (kept as the
    /// tests' oracle) does.
    package func jsonBytes() -> [UInt8] {
        // Written straight into a reused scratch buffer and copied once: a general writer's
        // per-token bookkeeping was most of the cost of mapping a device.
        if let bytes = EventScratch.withBuffer({ start, capacity in encoded(into: start, capacity: capacity) }) { return bytes }
        // An event larger than the scratch (megabytes of text): a buffer of its own, grown until
        // the event fits. Escaping at most sextuples text, so a few rounds always suffice.
        var capacity = EventScratch.capacity * 8
        for _ in 0..<24 {
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            if let bytes = encoded(into: buffer, capacity: capacity) { return bytes }
            capacity *= 4
        }
        preconditionFailure("an event larger than \(capacity) bytes")
    }

    /// The event written into `capacity` bytes at `start`, or nil when it does not fit.
    private func encoded(into start: UnsafeMutablePointer<UInt8>, capacity: Int) -> [UInt8]? {
        var output = EventByteWriter(start, capacity: capacity)
        write(to: &output)
        return output.overflowed ? nil : Array(UnsafeBufferPointer(start: start, count: output.count))
    }

    /// The event as a parsed JSON value, for comparison and validation.
    package func jsonValue() -> JSONValue {
        // The bytes come from our own writer, so they always parse.
        (try? JSONParser.parse(jsonBytes())) ?? .null
    }
}

// MARK: - Direct writing

/// Appends JSON to memory the caller sized beforehand, inserting commas between members.
///
/// One flag is enough for commas: a container's first member never has one, and after a
/// container closes the enclosing one has just received a value.
struct EventByteWriter {
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
    /// Writes the event, members in OCSF's order, into `output`.
    func write(to output: inout EventByteWriter) {
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
    func write(to output: inout EventByteWriter) {
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
