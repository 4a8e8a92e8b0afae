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
        copyName(name.utf8Start, count, to: cursor + 1)
        cursor += count + 1
        cursor[0] = UInt8(ascii: "\"")
        cursor[1] = UInt8(ascii: ":")
        cursor += 2
        needsComma = true
    }

    /// Copies a member name without a call for the short ones (every OCSF name): two
    /// overlapping words for 8–16 bytes, bytes below 8, `memmove` above 16.
    @inline(__always) func copyName(_ source: UnsafePointer<UInt8>, _ count: Int, to destination: UnsafeMutablePointer<UInt8>) {
        if count >= 8, count <= 16 {
            let head = UnsafeRawPointer(source).loadUnaligned(as: UInt64.self)
            let tail = UnsafeRawPointer(source + count - 8).loadUnaligned(as: UInt64.self)
            UnsafeMutableRawPointer(destination).storeBytes(of: head, as: UInt64.self)
            UnsafeMutableRawPointer(destination + count - 8).storeBytes(of: tail, as: UInt64.self)
        } else if count < 8 {
            var index = 0
            while index < count {
                destination[index] = source[index]
                index += 1
            }
        } else {
            destination.update(from: source, count: count)
        }
    }

    /// Writes `fragment`, JSON text complete in itself, and leaves a comma due after it.
    @inline(__always) mutating func raw(_ fragment: StaticString) {
        let count = fragment.utf8CodeUnitCount
        guard room(count) else { return }
        cursor.update(from: fragment.utf8Start, count: count)
        cursor += count
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
    /// The members before `severity_id` of every event the mapper makes, as written one by one.
    static let collectEnvelope: StaticString = """
        "activity_id":2,"activity_name":"Collect","category_name":"Discovery","category_uid":5,\
        "class_name":"Device Inventory Info","class_uid":5001,\
        "type_name":"Device Inventory Info: Collect","type_uid":500102
        """

    /// Writes the event, members in OCSF's order, into `output`.
    func write(to output: inout EventByteWriter) {
        // The envelope of every event the mapper makes (M17–M19) is written as one piece; any
        // other value takes the member-by-member path (the equivalence tests check both).
        if activityID == 2, categoryUID == 5, classUID == 5001, typeUID == 500102, activityName == "Collect",
            categoryName == "Discovery", className == "Device Inventory Info", typeName == "Device Inventory Info: Collect"
        {
            output.open(UInt8(ascii: "{"))
            output.raw(Self.collectEnvelope)
        } else {
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
        }
        if let severityID {
            output.key("severity_id")
            output.int(severityID)
        }
        output.optional("severity", severity)
        output.optional("time", time)
        if metadata.product.name == "ESET EDR", metadata.product.version == "9.1.2500.0", metadata.version == "1.5.0",
            metadata.product.vendorName == nil || metadata.product.vendorName == "ESET"
        {
            // Always after other members, so always after a comma.
            if metadata.product.vendorName == nil {
                output.raw(#","metadata":{"product":{"name":"ESET EDR","version":"9.1.2500.0"},"version":"1.5.0"}"#)
            } else {
                output.raw(
                    #","metadata":{"product":{"name":"ESET EDR","vendor_name":"ESET","version":"9.1.2500.0"},"version":"1.5.0"}"#)
            }
        } else {
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
        }
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
        // Optional chaining and buffer pointers read the nested values in place: `if let`,
        // `for … in` or an array subscript copied each one, retaining and releasing its strings.
        if os != nil {
            output.key("os")
            os?.write(to: &output)
        }
        if networkInterfaces?.isEmpty == false {
            output.key("network_interfaces")
            output.open(UInt8(ascii: "["))
            networkInterfaces?.withUnsafeBufferPointer { interfaces in
                for index in interfaces.indices {
                    if output.needsComma { output.byte(UInt8(ascii: ",")) }
                    interfaces[index].write(to: &output)
                }
            }
            output.close(UInt8(ascii: "]"))
        }
        if groups?.isEmpty == false {
            output.key("groups")
            output.open(UInt8(ascii: "["))
            groups?.withUnsafeBufferPointer { groups in
                for index in groups.indices {
                    if output.needsComma { output.byte(UInt8(ascii: ",")) }
                    groups[index].write(to: &output)
                }
            }
            output.close(UInt8(ascii: "]"))
        }
        output.close(UInt8(ascii: "}"))
    }
}

extension OperatingSystem {
    // Inlined: a call on an element of a buffer copied the element first.
    @inline(__always) func write(to output: inout EventByteWriter) {
        output.open(UInt8(ascii: "{"))
        output.optional("name", name)
        output.optional("type", type)
        output.key("type_id")
        output.int(typeID)
        output.close(UInt8(ascii: "}"))
    }
}

extension NetworkInterface {
    // Inlined: a call on an element of a buffer copied the element first.
    @inline(__always) func write(to output: inout EventByteWriter) {
        output.open(UInt8(ascii: "{"))
        output.optional("ip", ip)
        output.optional("mac", mac)
        output.optional("name", name)
        output.optional("hostname", hostname)
        output.optional("type", type)
        output.key("type_id")
        output.int(typeID)
        output.close(UInt8(ascii: "}"))
    }
}

extension Group {
    // Inlined: a call on an element of a buffer copied the element first.
    @inline(__always) func write(to output: inout EventByteWriter) {
        output.open(UInt8(ascii: "{"))
        output.optional("name", name)
        output.optional("uid", uid)
        output.close(UInt8(ascii: "}"))
    }
}
