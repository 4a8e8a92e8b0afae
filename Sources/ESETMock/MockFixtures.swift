import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// The bytes fixture records point into: a memory-mapped fixture file (so a million-device fleet
/// costs page cache, not anonymous memory), or an owned buffer (in-memory fixtures, and objects
/// the mock re-encodes). Immutable once built.
final class FixtureSource: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    /// Values given by the code that built an owned record (they may differ from a scan of its
    /// bytes, e.g. a patch planting invalid UTF-8); nil for scanned sources.
    let explicit: FixtureFields?
    /// The mapped file as `fstat` of the mapped descriptor saw it (nil for owned buffers): what a
    /// fixture index must have been built from to be trusted.
    let identity: FixtureFileIdentity?
    private let owned: UnsafeMutableBufferPointer<UInt8>?
    private let mappedLength: Int

    /// Takes a copy of `bytes`.
    init(owning bytes: [UInt8], explicit: FixtureFields? = nil) {
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = storage.initialize(from: bytes)
        owned = storage
        buffer = UnsafeBufferPointer(rebasing: storage[0..<bytes.count])
        self.explicit = explicit
        identity = nil
        mappedLength = 0
    }

    /// Maps `path` read-only. Empty files become an empty owned buffer (mmap refuses length 0).
    init(mapping path: String) throws {
        let (descriptor, info) = try openFixtureFile(path)
        defer { close(descriptor) }
        explicit = nil
        let size = Int(info.st_size)
        guard (info.st_mode & S_IFMT) == S_IFREG, size > 0 else {
            // Pipes, devices and empty files: read them the ordinary way.
            let bytes = try readFile(path)
            let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = storage.initialize(from: bytes)
            owned = storage
            buffer = UnsafeBufferPointer(rebasing: storage[0..<bytes.count])
            identity = nil
            mappedLength = 0
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw ESETMockError("cannot map: \(String(cString: strerror(errno)))", file: path)
        }
        owned = nil
        identity = FixtureFileIdentity(info)
        mappedLength = size
        buffer = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
    }

    deinit {
        if let owned { owned.deallocate() }
        if mappedLength > 0, let base = buffer.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }
}

/// The fields the mock itself reads from a fixture object, as decoded values.
struct FixtureFields: Sendable {
    var uuid: String?
    var displayName: String?
    var functionalityStatus: String?
    var isMuted: Bool?
    var parentGroupUuid: String?
}

/// One fixture object (a device or a group): where its exact bytes are, so the mock can serve it
/// verbatim, plus where the few fields the mock needs sit inside it, found once at load.
///
/// Compact on purpose (about 56 bytes, no heap allocation of its own): a million of them must fit
/// in tens of megabytes. The fields are decoded when asked for.
struct FixtureRecord: Sendable {
    private let source: FixtureSource
    private let start: Int
    private let length: UInt32
    /// Offsets relative to `start` and lengths of the string values (quotes included); length 0
    /// means absent or not a string.
    private let uuidSpan: Span, displayNameSpan: Span, statusSpan: Span, parentSpan: Span
    /// 0 absent or not a boolean, 1 false, 2 true.
    private let muted: UInt8

    struct Span: Sendable {
        var offset: UInt32 = 0
        var count: UInt32 = 0
    }

    /// A record of an owned copy of `bytes`, with the field values given explicitly.
    init(bytes: [UInt8], uuid: String?, displayName: String?, functionalityStatus: String?, isMuted: Bool?,
         parentGroupUuid: String? = nil) {
        source = FixtureSource(owning: bytes, explicit: FixtureFields(
            uuid: uuid, displayName: displayName, functionalityStatus: functionalityStatus, isMuted: isMuted,
            parentGroupUuid: parentGroupUuid))
        start = 0
        length = UInt32(bytes.count)
        uuidSpan = Span(); displayNameSpan = Span(); statusSpan = Span(); parentSpan = Span()
        muted = 0
    }

    /// A record of `range` in `source`, its fields found by a shallow scan of the top level.
    init(source: FixtureSource, range: Range<Int>) {
        self.source = source
        start = range.lowerBound
        length = UInt32(range.count)
        let buffer = source.buffer
        var spans = (Span(), Span(), Span(), Span())
        var mutedValue: UInt8 = 0
        var seen = 0
        let base = range.lowerBound
        func span(_ value: Range<Int>) -> Span {
            guard !value.isEmpty, buffer[value.lowerBound] == 0x22 /* " */ else { return Span() }
            return Span(offset: UInt32(value.lowerBound - base), count: UInt32(value.count))
        }
        // The five fields come early in ESET objects; stopping once all are seen skips the bulky
        // nested parts. (A key repeated later would be missed: JSON says duplicate names are
        // unpredictable anyway.)
        ShallowScanner.forEachMemberRange(buffer, objectAt: range) { keyRange, value in
            switch FixtureKey(buffer, keyRange) {
            case .uuid: spans.0 = span(value); seen |= 1
            case .displayName: spans.1 = span(value); seen |= 2
            case .functionalityStatus: spans.2 = span(value); seen |= 4
            case .isMuted:
                switch ShallowScanner.bool(buffer, value) {
                case true?: mutedValue = 2
                case false?: mutedValue = 1
                case nil: mutedValue = 0
                }
                seen |= 8
            case .parentGroupUuid: spans.3 = span(value); seen |= 16
            case .other: break
            }
            return seen != 31
        }
        uuidSpan = spans.0; displayNameSpan = spans.1; statusSpan = spans.2; parentSpan = spans.3
        muted = mutedValue
    }

    /// A record read back from a fixture index (its bounds checked there).
    init(source: FixtureSource, start: Int, length: UInt32, uuid: Span, displayName: Span, functionalityStatus: Span,
         parentGroupUuid: Span, muted: UInt8) {
        self.source = source
        self.start = start
        self.length = length
        uuidSpan = uuid; displayNameSpan = displayName; statusSpan = functionalityStatus; parentSpan = parentGroupUuid
        self.muted = muted
    }

    /// Appends the 48 bytes `FixtureIndexFile` keeps for this record (a scanned record only).
    func appendPersisted(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(start)) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: length) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [muted, 0, 0, 0])
        for span in [uuidSpan, displayNameSpan, statusSpan, parentSpan] {
            withUnsafeBytes(of: span.offset) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: span.count) { bytes.append(contentsOf: $0) }
        }
    }

    private var range: Range<Int> { start..<(start + Int(length)) }

    private func string(_ span: Span) -> String? {
        guard span.count > 0 else { return nil }
        let lower = start + Int(span.offset)
        return ShallowScanner.decodeString(source.buffer, lower..<(lower + Int(span.count)))
    }

    /// The object's JSON text, byte for byte as in the file (a copy).
    var bytes: [UInt8] { Array(UnsafeBufferPointer(rebasing: source.buffer[range])) }
    /// The object's size in bytes.
    var byteCount: Int { Int(length) }
    /// Appends the object's JSON text to `body` without an intermediate copy.
    func append(to body: inout [UInt8]) { body.append(contentsOf: UnsafeBufferPointer(rebasing: source.buffer[range])) }

    /// Calls `body` with the UTF-8 bytes of `uuid` (nil when it has none): straight from the
    /// fixture when written without escapes, so indexing a million devices allocates nothing.
    private func withUUIDBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        if source.explicit == nil, uuidSpan.count >= 2 {
            let lower = start + Int(uuidSpan.offset) + 1
            let inner = UnsafeBufferPointer(rebasing: source.buffer[lower..<(lower + Int(uuidSpan.count) - 2)])
            if inner.isEmpty || memchr(inner.baseAddress!, 0x5C /* \\ */, inner.count) == nil { return body(inner) }
        }
        guard var text = uuid else { return nil }
        return text.withUTF8(body)
    }

    /// The hash `DeviceIndex` files this record under (nil: no string `uuid`).
    func uuidHash() -> Int? { withUUIDBytes(DeviceIndex.hash) }

    /// Whether `uuid`'s UTF-8 bytes are `bytes`.
    func uuidEquals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        withUUIDBytes { own in own.count == bytes.count && (own.isEmpty || memcmp(own.baseAddress!, bytes.baseAddress!, own.count) == 0) } ?? false
    }

    /// Whether both records have the same `uuid`.
    func uuidEquals(_ other: FixtureRecord) -> Bool {
        other.withUUIDBytes { uuidEquals($0) } ?? false
    }

    /// The top-level `uuid` when it is a JSON string.
    var uuid: String? { source.explicit.map(\.uuid) ?? string(uuidSpan) }
    /// The top-level `displayName` when it is a JSON string (for the `displayNames` filter).
    var displayName: String? { source.explicit.map(\.displayName) ?? string(displayNameSpan) }
    /// The top-level `functionalityStatus` when it is a JSON string (for its filter).
    var functionalityStatus: String? { source.explicit.map(\.functionalityStatus) ?? string(statusSpan) }
    /// The top-level `isMuted` when it is a JSON boolean (for its filter).
    var isMuted: Bool? {
        if let explicit = source.explicit { return explicit.isMuted }
        return muted == 0 ? nil : muted == 2
    }
    /// The top-level `parentGroupUuid` when it is a JSON string (for a group's member devices).
    var parentGroupUuid: String? { source.explicit.map(\.parentGroupUuid) ?? string(parentSpan) }
}

/// The top-level member names the mock reads, recognised from their bytes.
enum FixtureKey {
    case uuid, displayName, functionalityStatus, isMuted, parentGroupUuid, other

    private static let names: [([UInt8], FixtureKey)] = [
        (Array("\"uuid\"".utf8), .uuid), (Array("\"displayName\"".utf8), .displayName),
        (Array("\"functionalityStatus\"".utf8), .functionalityStatus), (Array("\"isMuted\"".utf8), .isMuted),
        (Array("\"parentGroupUuid\"".utf8), .parentGroupUuid),
    ]

    /// The key at `range` (quotes included). A name written with escapes is decoded first, so
    /// `"uu\u0069d"` is still `uuid`.
    init(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let raw = UnsafeBufferPointer(rebasing: buffer[range])
        if let base = raw.baseAddress, memchr(base, 0x5C /* \\ */, raw.count) != nil {
            let decoded = ShallowScanner.decodeString(buffer, range) ?? ""
            self = FixtureKey.names.first { String(decoding: $0.0.dropFirst().dropLast(), as: UTF8.self) == decoded }?.1 ?? .other
            return
        }
        for (name, key) in FixtureKey.names where name.count == raw.count {
            if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) {
                self = key
                return
            }
        }
        self = .other
    }
}

/// The tenant the mock serves: devices and device groups, loaded from `devices.json` and
/// `device_groups.json` (JSON arrays of raw API objects).
///
/// Loading is all or nothing: any syntax error, or an element that is not an object, throws an
/// `ESETMockError` naming the file, line and column, and nothing is kept.
public struct MockFixtures: Sendable {
    let devices: [FixtureRecord]
    let groups: [FixtureRecord]
    /// uuid → device position, built with the records or read back from the fixture index.
    let deviceIndex: DeviceIndex
    /// What happened to each fixture file's index (empty for in-memory fixtures).
    public let indexReports: [FixtureIndexReport]

    /// No devices and no groups.
    public static let empty = MockFixtures(devices: [], groups: [])

    init(devices: [FixtureRecord], groups: [FixtureRecord], deviceIndex: DeviceIndex? = nil,
         indexReports: [FixtureIndexReport] = []) {
        self.devices = devices
        self.groups = groups
        self.deviceIndex = deviceIndex ?? DeviceIndex(devices)
        self.indexReports = indexReports
    }

    /// Loads `directory/devices.json` and `directory/device_groups.json`, through their indexes
    /// (`devices.json.index`) as `index` says: a valid index spares validating and scanning the
    /// file; a missing or invalid one is rebuilt by the scan and written for the next start.
    /// An index only changes how fast the fixtures load, never what is served.
    /// - Throws: `ESETMockError` naming the file (and line/column for malformed JSON). Index
    ///   problems never throw: they are in `indexReports`.
    public init(directory: URL, index: FixtureIndexPolicy = .default) throws {
        let devicesPath = directory.appendingPathComponent("devices.json").path
        let groupsPath = directory.appendingPathComponent("device_groups.json").path
        // Mapped, not read: the records point into the file, so memory does not grow with the fleet.
        let devices = try MockFixtures.load(devicesPath, policy: index, wantsTable: true)
        let groups = try MockFixtures.load(groupsPath, policy: index, wantsTable: false)
        self.init(devices: devices.records, groups: groups.records, deviceIndex: devices.table,
                  indexReports: [devices.report, groups.report])
    }

    /// Maps `path` and finds its records: from its index when that is valid, else by validating
    /// and scanning the file (then writing the index when the policy says so).
    static func load(_ path: String, policy: FixtureIndexPolicy, wantsTable: Bool) throws
        -> (records: [FixtureRecord], table: DeviceIndex?, report: FixtureIndexReport) {
        // Taken before `fstat`: a change after this instant gets a later timestamp than the one
        // recorded, unless it falls within the same timestamp step (see `settledSeconds`).
        let scanStart = realtimeNanoseconds()
        let fixture = try FixtureSource(mapping: path)
        let indexPath = FixtureIndexFile.path(for: path)
        var report = FixtureIndexReport(fixturePath: path, indexPath: indexPath, outcome: .off)
        guard policy.reads || policy.writes else {
            let records = try records(in: fixture, source: path)
            return (records, wantsTable ? DeviceIndex(records) : nil, report)
        }
        guard let identity = fixture.identity, fixture.buffer.count >= policy.minimumFixtureBytes else {
            report.outcome = .small
            let records = try records(in: fixture, source: path)
            return (records, wantsTable ? DeviceIndex(records) : nil, report)
        }
        if policy.reads {
            switch FixtureIndexFile.load(indexPath: indexPath, fixture: fixture, identity: identity, wantsTable: wantsTable) {
            case .success(let loaded):
                report.outcome = .hit
                return (loaded.records, loaded.table, report)
            case .failure(let rejection):
                report.rejected = rejection.reason
            }
        }
        let records = try records(in: fixture, source: path)
        let table = wantsTable ? DeviceIndex(records) : nil
        guard policy.writes else {
            report.outcome = .notWritten
            report.detail = "writing indexes is off here"
            return (records, table, report)
        }
        if policy.settledSeconds >= 0,
           identity.lastChangeNanoseconds >= scanStart - Int64(policy.settledSeconds * 1e9) {
            report.outcome = .notWritten
            report.detail = "the fixture changed less than \(formatSeconds(policy.settledSeconds)) before the scan; the next start writes it"
            return (records, table, report)
        }
        do {
            try FixtureIndexFile.write(indexPath: indexPath, records: records, table: table, fixture: fixture,
                                       identity: identity, scanStartNanoseconds: scanStart)
            report.outcome = .written
        } catch {
            report.outcome = .notWritten
            report.detail = "cannot write \(indexPath): \(error)"
        }
        return (records, table, report)
    }

    /// Writes the indexes of `directory`'s fixtures now (`eset-mock generate`), waiting first (at
    /// most `policy.settledSeconds`) for files just written to settle, so that the first
    /// `serve` finds a valid index.
    public static func writeIndexes(directory: URL, policy: FixtureIndexPolicy = .default) throws -> [FixtureIndexReport] {
        var latest = Int64.min / 2
        for name in ["devices.json", "device_groups.json"] {
            var info = stat()
            if stat(directory.appendingPathComponent(name).path, &info) == 0, Int(info.st_size) >= policy.minimumFixtureBytes {
                latest = max(latest, FixtureFileIdentity(info).lastChangeNanoseconds)
            }
        }
        let settled = latest + Int64(max(0, policy.settledSeconds) * 1e9) + 1_000_000
        let wait = settled - realtimeNanoseconds()
        if policy.writes, wait > 0 {
            // Bounded by `settledSeconds` (plus a millisecond): the file was just written.
            usleep(useconds_t(min(wait, Int64(max(0, policy.settledSeconds) * 1e9) + 1_000_000) / 1000))
        }
        return try MockFixtures(directory: directory, index: policy).indexReports
    }

    /// Builds fixtures from in-memory JSON arrays (tests, embedding). `devicesSource` and
    /// `deviceGroupsSource` label the data in error messages.
    public init(devicesJSON: [UInt8], deviceGroupsJSON: [UInt8],
                devicesSource: String = "devices.json", deviceGroupsSource: String = "device_groups.json") throws {
        let devices = try MockFixtures.records(in: FixtureSource(owning: devicesJSON), source: devicesSource)
        let groups = try MockFixtures.records(in: FixtureSource(owning: deviceGroupsJSON), source: deviceGroupsSource)
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
    static func records(in fixture: FixtureSource, source: String) throws -> [FixtureRecord] {
        let buffer = fixture.buffer
        let ranges: [Range<Int>]
        do {
            ranges = try JSONParser.arrayElementRanges(buffer)
        } catch {
            throw ESETMockError("malformed JSON: \(error.reason)", file: source, line: error.line, column: error.column)
        }
        var records: [FixtureRecord] = []
        records.reserveCapacity(ranges.count)
        for (index, range) in ranges.enumerated() {
            guard buffer[range.lowerBound] == UInt8(ascii: "{") else {
                let (line, column) = JSONParser.location(of: range.lowerBound, in: buffer)
                throw ESETMockError("element \(index) of the array is not a JSON object", file: source,
                                    line: line, column: column)
            }
            guard range.count <= Int(UInt32.max) else {
                let (line, column) = JSONParser.location(of: range.lowerBound, in: buffer)
                throw ESETMockError("element \(index) of the array is larger than 4 GiB", file: source,
                                    line: line, column: column)
            }
            records.append(FixtureRecord(source: fixture, range: range))
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
        forEachMemberRange(buffer, objectAt: range) { keyRange, value in
            visit(decodeString(buffer, keyRange) ?? "", value)
        }
    }

    /// `forEachMember` handing out the key's range (quotes included) instead of a decoded
    /// `String`: loading a million devices must not build ten million key strings.
    static func forEachMemberRange(_ buffer: UnsafeBufferPointer<UInt8>, objectAt range: Range<Int>,
                                   _ visit: (Range<Int>, Range<Int>) -> Bool) {
        var position = range.lowerBound + 1
        let end = range.upperBound
        while position < end {
            position = skipWhitespace(buffer, position, end)
            guard position < end, buffer[position] == 0x22 /* " */ else { return }
            let keyStart = position
            position = skipString(buffer, position, end)
            let key = keyStart..<position
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

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}

/// Opens `path` for reading and says what it is; a directory is refused here, with the same words
/// whether the file is then mapped or read. The caller closes the descriptor.
func openFixtureFile(_ path: String) throws -> (descriptor: Int32, info: stat) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw ESETMockError("cannot read: \(String(cString: strerror(errno)))", file: path)
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else {
        let message = String(cString: strerror(errno))
        close(descriptor)
        throw ESETMockError("cannot read: \(message)", file: path)
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        close(descriptor)
        throw ESETMockError("cannot read: is a directory", file: path)
    }
    return (descriptor, info)
}

/// Reads a whole file into memory with plain POSIX calls: a 1.5 GB fleet file must not be copied
/// twice on its way in (as `Data` then `[UInt8]` would).
func readFile(_ path: String) throws -> [UInt8] {
    let (descriptor, info) = try openFixtureFile(path)
    defer { close(descriptor) }
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
