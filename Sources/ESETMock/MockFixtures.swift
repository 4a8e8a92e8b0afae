import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// One fixture object (a device or a group), kept as the exact bytes of the fixture file so the
/// mock can serve it verbatim, plus the few fields the mock itself needs, extracted once at load.
struct FixtureRecord: Sendable {
    /// The object's JSON text, byte for byte as in the file.
    let bytes: [UInt8]
    /// The top-level `uuid` when it is a JSON string.
    let uuid: String?
    /// The top-level `displayName` when it is a JSON string (for the `displayNames` filter).
    let displayName: String?
    /// The top-level `functionalityStatus` when it is a JSON string (for its filter).
    let functionalityStatus: String?
    /// The top-level `isMuted` when it is a JSON boolean (for its filter).
    let isMuted: Bool?
    /// The top-level `parentGroupUuid` when it is a JSON string (for a group's member devices).
    var parentGroupUuid: String? = nil
}

/// The tenant the mock serves: devices and device groups, loaded from `devices.json` and
/// `device_groups.json` (JSON arrays of raw API objects).
///
/// Loading is all or nothing: any syntax error, or an element that is not an object, throws an
/// `ESETMockError` naming the file, line and column, and nothing is kept.
public struct MockFixtures: Sendable {
    let devices: [FixtureRecord]
    let groups: [FixtureRecord]

    /// No devices and no groups.
    public static let empty = MockFixtures(devices: [], groups: [])

    init(devices: [FixtureRecord], groups: [FixtureRecord]) {
        self.devices = devices
        self.groups = groups
    }

    /// Loads `directory/devices.json` and `directory/device_groups.json`.
    /// - Throws: `ESETMockError` naming the file (and line/column for malformed JSON).
    public init(directory: URL) throws {
        let devicesPath = directory.appendingPathComponent("devices.json").path
        let groupsPath = directory.appendingPathComponent("device_groups.json").path
        let devicesBytes = try readFile(devicesPath)
        let devices = try MockFixtures.records(from: devicesBytes, source: devicesPath)
        let groupsBytes = try readFile(groupsPath)
        let groups = try MockFixtures.records(from: groupsBytes, source: groupsPath)
        self.init(devices: devices, groups: groups)
    }

    /// Builds fixtures from in-memory JSON arrays (tests, embedding). `devicesSource` and
    /// `deviceGroupsSource` label the data in error messages.
    public init(devicesJSON: [UInt8], deviceGroupsJSON: [UInt8],
                devicesSource: String = "devices.json", deviceGroupsSource: String = "device_groups.json") throws {
        let devices = try MockFixtures.records(from: devicesJSON, source: devicesSource)
        let groups = try MockFixtures.records(from: deviceGroupsJSON, source: deviceGroupsSource)
        self.init(devices: devices, groups: groups)
    }

    /// Number of devices served.
    public var deviceCount: Int { devices.count }
    /// Number of device groups served.
    public var deviceGroupCount: Int { groups.count }
    /// The devices' `uuid` values in fixture order (nil for a device without a string `uuid`).
    public var deviceUUIDs: [String?] { devices.map(\.uuid) }
    /// The verbatim JSON text of device `index` (fixture order).
    public func deviceJSON(at index: Int) -> [UInt8] { devices[index].bytes }
    /// The verbatim JSON text of group `index` (fixture order).
    public func deviceGroupJSON(at index: Int) -> [UInt8] { groups[index].bytes }

    /// Splits a JSON array into records without decoding them: the array is validated once, then
    /// each element's few interesting top-level members are found by a shallow scan.
    static func records(from bytes: [UInt8], source: String) throws -> [FixtureRecord] {
        let ranges: [Range<Int>]
        do {
            ranges = try JSONParser.arrayElementRanges(bytes)
        } catch {
            throw ESETMockError("malformed JSON: \(error.reason)", file: source, line: error.line, column: error.column)
        }
        var records: [FixtureRecord] = []
        records.reserveCapacity(ranges.count)
        try bytes.withUnsafeBufferPointer { buffer in
            for (index, range) in ranges.enumerated() {
                guard buffer[range.lowerBound] == UInt8(ascii: "{") else {
                    let (line, column) = JSONParser.location(of: range.lowerBound, in: buffer)
                    throw ESETMockError("element \(index) of the array is not a JSON object", file: source,
                                        line: line, column: column)
                }
                var uuid: String?, displayName: String?, functionalityStatus: String?, isMuted: Bool?
                var parentGroupUuid: String?
                var seen = 0
                // The five fields come early in ESET objects; stopping once all are seen skips
                // the bulky nested parts. (A key repeated later would be missed: JSON says
                // duplicate names are unpredictable anyway.)
                ShallowScanner.forEachMember(buffer, objectAt: range) { key, value in
                    switch key {
                    case "uuid": uuid = ShallowScanner.string(buffer, value); seen |= 1
                    case "displayName": displayName = ShallowScanner.string(buffer, value); seen |= 2
                    case "functionalityStatus": functionalityStatus = ShallowScanner.string(buffer, value); seen |= 4
                    case "isMuted": isMuted = ShallowScanner.bool(buffer, value); seen |= 8
                    case "parentGroupUuid": parentGroupUuid = ShallowScanner.string(buffer, value); seen |= 16
                    default: break
                    }
                    return seen != 31
                }
                records.append(FixtureRecord(bytes: Array(UnsafeBufferPointer(rebasing: buffer[range])), uuid: uuid,
                                             displayName: displayName, functionalityStatus: functionalityStatus,
                                             isMuted: isMuted, parentGroupUuid: parentGroupUuid))
            }
        }
        return records
    }
}

/// Walks the top level of an object already known to be valid JSON, handing out member names
/// and value ranges without building anything: loading a million devices must stay cheap.
enum ShallowScanner {
    /// Keys written with escapes are decoded properly before being handed out. `visit` returns
    /// whether to go on.
    static func forEachMember(_ buffer: UnsafeBufferPointer<UInt8>, objectAt range: Range<Int>,
                              _ visit: (String, Range<Int>) -> Bool) {
        var position = range.lowerBound + 1
        let end = range.upperBound
        while position < end {
            position = skipWhitespace(buffer, position, end)
            guard position < end, buffer[position] == 0x22 /* " */ else { return }
            let keyStart = position
            position = skipString(buffer, position, end)
            let key = decodeString(buffer, keyStart..<position) ?? ""
            position = skipWhitespace(buffer, position, end)
            guard position < end, buffer[position] == 0x3A /* : */ else { return }
            position = skipWhitespace(buffer, position + 1, end)
            let valueStart = position
            position = skipValue(buffer, position, end)
            guard visit(key, valueStart..<position) else { return }
            position = skipWhitespace(buffer, position, end)
            guard position < end, buffer[position] == 0x2C /* , */ else { return }
            position += 1
        }
    }

    /// The value as a Swift string when it is a JSON string.
    static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard !range.isEmpty, buffer[range.lowerBound] == 0x22 /* " */ else { return nil }
        return decodeString(buffer, range)
    }

    /// The value when it is JSON `true` or `false`.
    static func bool(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool? {
        guard !range.isEmpty else { return nil }
        switch buffer[range.lowerBound] {
        case 0x74 /* t */: return true
        case 0x66 /* f */: return false
        default: return nil
        }
    }

    /// Decodes a string literal (quotes included in `range`); escapes go through the real parser.
    static func decodeString(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count >= 2 else { return nil }
        let inner = UnsafeBufferPointer(rebasing: buffer[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if let base = inner.baseAddress, memchr(base, Int32(0x5C /* \\ */), inner.count) != nil {
            return (try? JSONParser.parse(Array(UnsafeBufferPointer(rebasing: buffer[range]))))?.stringValue
        }
        return String(decoding: inner, as: UTF8.self)
    }

    @inline(__always)
    static func skipWhitespace(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var position = start
        while position < end {
            switch buffer[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return position
            }
        }
        return position
    }

    @inline(__always)
    static func skipString(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var position = start + 1
        while position < end {
            let byte = buffer[position]
            if byte == 0x22 /* " */ { return position + 1 }
            position += byte == 0x5C /* \\ */ ? 2 : 1
        }
        return end
    }

    static func skipValue(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        guard start < end else { return end }
        switch buffer[start] {
        case 0x22 /* " */:
            return skipString(buffer, start, end)
        case 0x7B /* { */, 0x5B /* [ */:
            var depth = 0
            var position = start
            while position < end {
                let byte = buffer[position]
                switch byte {
                case 0x22 /* " */:
                    position = skipString(buffer, position, end)
                    continue
                case 0x7B /* { */, 0x5B /* [ */:
                    depth += 1
                case 0x7D /* } */, 0x5D /* ] */:
                    depth -= 1
                    if depth == 0 { return position + 1 }
                default:
                    break
                }
                position += 1
            }
            return end
        default:
            var position = start
            while position < end {
                switch buffer[position] {
                case 0x2C /* , */, 0x7D /* } */, 0x5D /* ] */, 0x20, 0x0A, 0x0D, 0x09:
                    return position
                default:
                    position += 1
                }
            }
            return end
        }
    }
}

/// Reads a whole file into memory with plain POSIX calls: a 1.5 GB fleet file must not be copied
/// twice on its way in (as `Data` then `[UInt8]` would).
func readFile(_ path: String) throws -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw ESETMockError("cannot read: \(String(cString: strerror(errno)))", file: path)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else {
        throw ESETMockError("cannot read: \(String(cString: strerror(errno)))", file: path)
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        throw ESETMockError("cannot read: is a directory", file: path)
    }
    let size = Int(info.st_size)
    var readError: Int32 = 0
    var bytes = [UInt8](unsafeUninitializedCapacity: size) { storage, initialized in
        var filled = 0
        while filled < size {
            let count = read(descriptor, storage.baseAddress! + filled, size - filled)
            if count < 0 {
                if errno == EINTR { continue }
                readError = errno
                break
            }
            if count == 0 { break }
            filled += count
        }
        initialized = filled
    }
    if readError != 0 {
        throw ESETMockError("cannot read: \(String(cString: strerror(readError)))", file: path)
    }
    // A file that grew while being read (or a pipe reporting size 0) is read to its end.
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, 65536) }
        if count < 0, errno == EINTR { continue }
        if count <= 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}
