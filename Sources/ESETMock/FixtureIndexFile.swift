import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `MockFixtures(directory:index:)` uses the index kept beside each fixture file
/// (`devices.json.index`): where each object starts and ends, where the five fields the mock reads
/// sit inside it, and (for devices) the uuid table, so that a later start maps them instead of
/// validating and scanning the whole file again.
///
/// An index is trusted only for the exact file it was built from: its header records the fixture's
/// size, modification and change times (nanoseconds), inode and device, a checksum of sampled
/// bytes of the fixture, and checksums of itself; any mismatch, a truncated or corrupt index, or
/// one of another format version is ignored and rebuilt. Writing is atomic (temporary file, then
/// rename), and a failure to write only costs speed.
public struct FixtureIndexPolicy: Sendable, Equatable {
    /// Use a valid index found beside the fixture.
    public var reads: Bool
    /// Write (or replace) the index after scanning a fixture that had no valid one.
    public var writes: Bool
    /// Fixtures smaller than this are scanned at each start and get no index: they load in
    /// milliseconds anyway, and a small data directory stays free of cache files.
    public var minimumFixtureBytes: Int
    /// An index is written only for a fixture last changed (`mtime`, `ctime`) at least this long
    /// before the scan began. File timestamps advance in coarse steps (a kernel tick), so a file
    /// changed again within the same step would keep its timestamps and look unchanged; leaving a
    /// margin means any later change shows. Tests lower it; negative disables the check.
    public var settledSeconds: Double

    /// Reads and writes indexes of fixtures of 4 MiB or more (about 2,000 devices).
    public static let `default` = FixtureIndexPolicy(reads: true, writes: true, minimumFixtureBytes: 4 << 20, settledSeconds: 1)
    /// Never reads nor writes an index: every start validates and scans the fixtures.
    public static let off = FixtureIndexPolicy(reads: false, writes: false, minimumFixtureBytes: 4 << 20, settledSeconds: 1)

    /// A policy; see the properties.
    public init(reads: Bool, writes: Bool, minimumFixtureBytes: Int, settledSeconds: Double) {
        self.reads = reads
        self.writes = writes
        self.minimumFixtureBytes = minimumFixtureBytes
        self.settledSeconds = settledSeconds
    }
}

/// What happened to one fixture file's index at load.
public struct FixtureIndexReport: Sendable, Equatable {
    /// How the fixture was loaded.
    public enum Outcome: String, Sendable {
        /// Loaded from a valid index: no validation, no scan.
        case hit
        /// Scanned, and an index written for the next start.
        case written
        /// Scanned; no index written (see `detail`: read-only directory, write error, a file
        /// changed too recently).
        case notWritten = "not-written"
        /// Scanned; the policy reads and writes no index.
        case off
        /// Scanned; smaller than `FixtureIndexPolicy.minimumFixtureBytes` (or not a regular
        /// file), so no index is used.
        case small
    }

    /// The fixture file.
    public var fixturePath: String
    /// Where its index is (or would be) kept.
    public var indexPath: String
    /// How it was loaded.
    public var outcome: Outcome
    /// Why an index present beside the fixture was not used (stale, truncated, corrupt…).
    public var rejected: String?
    /// Why no index was written, for `notWritten`.
    public var detail: String?

    /// `devices.json hit`, `devices.json written (stale index replaced: …)`, …
    public var summary: String {
        var text = URL(fileURLWithPath: fixturePath).lastPathComponent + " " + outcome.rawValue
        var notes: [String] = []
        if let rejected { notes.append("index ignored: \(rejected)") }
        if let detail { notes.append(detail) }
        if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
        return text
    }
}

/// The identity of a fixture file as `fstat` of the opened descriptor gives it.
struct FixtureFileIdentity: Equatable, Sendable {
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64
    var changedSeconds: Int64
    var changedNanoseconds: Int64
    var inode: UInt64
    var device: UInt64

    init(size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64, changedSeconds: Int64, changedNanoseconds: Int64,
         inode: UInt64, device: UInt64) {
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedSeconds = changedSeconds
        self.changedNanoseconds = changedNanoseconds
        self.inode = inode
        self.device = device
    }

    init(_ info: stat) {
        size = Int64(info.st_size)
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        changedSeconds = Int64(info.st_ctim.tv_sec)
        changedNanoseconds = Int64(info.st_ctim.tv_nsec)
        inode = UInt64(info.st_ino)
        device = UInt64(info.st_dev)
    }

    /// The later of the modification and change times, in nanoseconds since the epoch.
    var lastChangeNanoseconds: Int64 {
        max(modifiedSeconds &* 1_000_000_000 &+ modifiedNanoseconds, changedSeconds &* 1_000_000_000 &+ changedNanoseconds)
    }
}

/// The on-disk index of one fixture file. Layout (native byte order, checked by a marker):
///
/// - header, 144 bytes: magic `ESETMIDX`, format version, byte-order marker, record size, the
///   fixture's identity (size, mtime s/ns, ctime s/ns, inode, device), when the scan began, a
///   checksum of sampled fixture bytes, record count, uuid-table slot count, uuid entries, the
///   body's checksum, and the header's own checksum;
/// - records, 48 bytes each: start (8), length (4), isMuted (1), 3 zero bytes, then offset and
///   length (4 + 4) of the `uuid`, `displayName`, `functionalityStatus` and `parentGroupUuid`
///   string values, relative to the start;
/// - the uuid table: one 32-bit position (or -1) per slot (`DeviceIndex`).
///
/// Bump `version` whenever the records' meaning changes (what the scanner finds, the hash of
/// `DeviceIndex`): an index of another version is ignored.
enum FixtureIndexFile {
    static let magic: [UInt8] = Array("ESETMIDX".utf8)
    static let version: UInt32 = 1
    static let byteOrderMarker: UInt32 = 0x0102_0304
    static let headerSize = 144
    static let recordSize = 48
    /// The body is checksummed in chunks of this size, so that it can be written as it is made.
    static let chunkSize = 1 << 20

    /// `fixture` + `.index`.
    static func path(for fixturePath: String) -> String { fixturePath + ".index" }

    // Header field offsets.
    private enum At {
        static let version = 8, byteOrder = 12, recordSize = 16, reserved = 20
        static let size = 24, modifiedSeconds = 32, modifiedNanoseconds = 40, changedSeconds = 48, changedNanoseconds = 56
        static let inode = 64, device = 72, scanSeconds = 80, scanNanoseconds = 88, sample = 96
        static let recordCount = 104, slotCount = 112, entryCount = 120, bodyChecksum = 128, headerChecksum = 136
    }

    struct Loaded {
        var records: [FixtureRecord]
        var table: DeviceIndex?
    }

    /// The records (and table) of `fixture` from the index at `indexPath`, or why it is not usable
    /// (nil reason: there is no index file). Never trusts a byte it has not checked: the header
    /// against `identity`, every record's bounds against the fixture, the checksums.
    static func load(indexPath: String, fixture: FixtureSource, identity: FixtureFileIdentity,
                     wantsTable: Bool) -> Result<Loaded, IndexRejection> {
        // Non-blocking: a FIFO in the index's place must not stall the start (it is refused below).
        let descriptor = open(indexPath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .failure(IndexRejection(errno == ENOENT ? nil : "cannot open: \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(IndexRejection("not a regular file"))
        }
        let fileSize = Int(info.st_size)
        guard fileSize >= headerSize else { return .failure(IndexRejection("truncated (\(fileSize) bytes)")) }
        // Populated at once: every page is read below, and one call beats a fault per page.
        guard let address = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0), address != MAP_FAILED else {
            return .failure(IndexRejection("cannot map: \(String(cString: strerror(errno)))"))
        }
        let mapping = MappedFile(mapping: address, length: fileSize)
        let file = mapping.bytes
        func u32(_ offset: Int) -> UInt32 { file.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        func u64(_ offset: Int) -> UInt64 { file.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        func i64(_ offset: Int) -> Int64 { file.loadUnaligned(fromByteOffset: offset, as: Int64.self) }

        guard file.prefix(8).elementsEqual(magic) else { return .failure(IndexRejection("not an eset-mock fixture index")) }
        guard u32(At.byteOrder) == byteOrderMarker else { return .failure(IndexRejection("written on a machine of another byte order")) }
        guard u32(At.version) == version, u32(At.recordSize) == UInt32(recordSize) else {
            return .failure(IndexRejection("format version \(u32(At.version)), this eset-mock reads \(version)"))
        }
        guard u64(At.headerChecksum) == IndexChecksum.hash(UnsafeRawBufferPointer(rebasing: file[0..<At.headerChecksum])) else {
            return .failure(IndexRejection("corrupt header"))
        }
        let recorded = FixtureFileIdentity(
            size: i64(At.size), modifiedSeconds: i64(At.modifiedSeconds), modifiedNanoseconds: i64(At.modifiedNanoseconds),
            changedSeconds: i64(At.changedSeconds), changedNanoseconds: i64(At.changedNanoseconds),
            inode: u64(At.inode), device: u64(At.device))
        guard recorded == identity else {
            if recorded.inode != identity.inode || recorded.device != identity.device {
                return .failure(IndexRejection("built for another file (the fixture was replaced)"))
            }
            return .failure(IndexRejection("stale: the fixture changed since it was indexed"))
        }
        let scanStart = i64(At.scanSeconds) &* 1_000_000_000 &+ i64(At.scanNanoseconds)
        guard recorded.lastChangeNanoseconds < scanStart else {
            return .failure(IndexRejection("built while the fixture was changing"))
        }
        let buffer = fixture.buffer
        guard u64(At.sample) == sampleChecksum(buffer) else {
            return .failure(IndexRejection("stale: the fixture's bytes differ from those indexed"))
        }
        let recordCount = u64(At.recordCount), slotCount = u64(At.slotCount), entryCount = u64(At.entryCount)
        guard recordCount <= UInt64(Int32.max), slotCount <= UInt64(Int32.max),
              UInt64(fileSize) == UInt64(headerSize) + recordCount * UInt64(recordSize) + slotCount * 4 else {
            return .failure(IndexRejection("truncated or oversized (\(fileSize) bytes)"))
        }
        let body = UnsafeRawBufferPointer(rebasing: file[headerSize...])
        guard u64(At.bodyChecksum) == bodyChecksum(body) else { return .failure(IndexRejection("corrupt records")) }

        // The checksums make corruption unlikely to pass; bounds are still checked, so that even
        // a forged index can only ever point inside the fixture.
        let count = Int(recordCount)
        let fixtureSize = buffer.count
        var records: [FixtureRecord] = []
        records.reserveCapacity(count)
        var previousEnd = 0
        for position in 0..<count {
            let base = position * recordSize
            let start = Int(truncatingIfNeeded: body.loadUnaligned(fromByteOffset: base, as: UInt64.self))
            let length = body.loadUnaligned(fromByteOffset: base + 8, as: UInt32.self)
            let muted = body[base + 12]
            guard start >= previousEnd, length >= 2, start <= fixtureSize - Int(length), muted <= 2,
                  body[base + 13] == 0, body[base + 14] == 0, body[base + 15] == 0 else {
                return .failure(IndexRejection("record \(position) is out of bounds"))
            }
            func span(_ field: Int) -> FixtureRecord.Span? {
                let offset = body.loadUnaligned(fromByteOffset: base + 16 + field * 8, as: UInt32.self)
                let spanCount = body.loadUnaligned(fromByteOffset: base + 20 + field * 8, as: UInt32.self)
                guard spanCount == 0 ? offset == 0 : (spanCount >= 2 && UInt64(offset) + UInt64(spanCount) <= UInt64(length)) else {
                    return nil
                }
                return FixtureRecord.Span(offset: offset, count: spanCount)
            }
            guard let uuid = span(0), let displayName = span(1), let status = span(2), let parent = span(3) else {
                return .failure(IndexRejection("record \(position) is out of bounds"))
            }
            previousEnd = start + Int(length)
            records.append(FixtureRecord(source: fixture, start: start, length: length, uuid: uuid, displayName: displayName,
                                         functionalityStatus: status, parentGroupUuid: parent, muted: muted))
        }
        var table: DeviceIndex?
        if wantsTable {
            let slots = Int(slotCount)
            guard slots == 0 ? count == 0 || entryCount == 0 : (slots >= 16 && slots & (slots - 1) == 0) else {
                return .failure(IndexRejection("uuid table of \(slots) slots"))
            }
            // Used where it is: the table stays in the mapped file (page cache), not copied.
            let mapped = MappedSlots(file: mapping, offset: headerSize + count * recordSize, count: slots)
            var used = 0
            var inBounds = true
            for value in mapped.slots {
                if value >= 0 { used += 1 }
                inBounds = inBounds && value >= -1 && value < Int32(truncatingIfNeeded: count)
            }
            guard inBounds, used == Int(entryCount), used * 2 <= max(slots, 1) else {
                return .failure(IndexRejection("uuid table out of bounds"))
            }
            table = DeviceIndex(mapped: mapped, count: used)
        }
        return .success(Loaded(records: records, table: table))
    }

    /// Writes the index of `records` (of the fixture `fixture` whose identity is `identity`, as
    /// scanned from `scanStartNanoseconds`) to a temporary file beside `indexPath`, then renames
    /// it into place. Throws a description of what failed; nothing is left behind on failure.
    static func write(indexPath: String, records: [FixtureRecord], table: DeviceIndex?, fixture: FixtureSource,
                      identity: FixtureFileIdentity, scanStartNanoseconds: Int64) throws {
        let directory = (indexPath as NSString).deletingLastPathComponent
        let name = (indexPath as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw IndexWriteError(String(cString: strerror(errno))) }
        var renamed = false
        defer {
            close(descriptor)
            if !renamed { unlink(temporary) }
        }
        func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
            var done = 0
            while done < bytes.count {
                let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw IndexWriteError(String(cString: strerror(errno)))
                }
                done += count
            }
        }
        // The body, in checksummed chunks: never the whole index in memory at once.
        var checksum = ChunkedChecksum()
        var pending: [UInt8] = []
        pending.reserveCapacity(chunkSize + recordSize)
        var written = headerSize
        func flush(final: Bool) throws {
            while pending.count >= chunkSize || (final && !pending.isEmpty) {
                let take = min(chunkSize, pending.count)
                try pending.withUnsafeBytes { all in
                    let chunk = UnsafeRawBufferPointer(rebasing: all[0..<take])
                    checksum.add(chunk)
                    try writeAll(chunk, at: written)
                }
                written += take
                pending.removeFirst(take)
            }
        }
        for record in records {
            record.appendPersisted(to: &pending)
            if pending.count >= chunkSize { try flush(final: false) }
        }
        let slots = table?.slots ?? []
        for slot in slots {
            withUnsafeBytes(of: slot) { pending.append(contentsOf: $0) }
            if pending.count >= chunkSize { try flush(final: false) }
        }
        try flush(final: true)

        var header = [UInt8](repeating: 0, count: headerSize)
        header.withUnsafeMutableBytes { raw in
            raw.copyBytes(from: magic)
            raw.storeBytes(of: version, toByteOffset: At.version, as: UInt32.self)
            raw.storeBytes(of: byteOrderMarker, toByteOffset: At.byteOrder, as: UInt32.self)
            raw.storeBytes(of: UInt32(recordSize), toByteOffset: At.recordSize, as: UInt32.self)
            raw.storeBytes(of: UInt32(0), toByteOffset: At.reserved, as: UInt32.self)
            raw.storeBytes(of: identity.size, toByteOffset: At.size, as: Int64.self)
            raw.storeBytes(of: identity.modifiedSeconds, toByteOffset: At.modifiedSeconds, as: Int64.self)
            raw.storeBytes(of: identity.modifiedNanoseconds, toByteOffset: At.modifiedNanoseconds, as: Int64.self)
            raw.storeBytes(of: identity.changedSeconds, toByteOffset: At.changedSeconds, as: Int64.self)
            raw.storeBytes(of: identity.changedNanoseconds, toByteOffset: At.changedNanoseconds, as: Int64.self)
            raw.storeBytes(of: identity.inode, toByteOffset: At.inode, as: UInt64.self)
            raw.storeBytes(of: identity.device, toByteOffset: At.device, as: UInt64.self)
            raw.storeBytes(of: scanStartNanoseconds / 1_000_000_000, toByteOffset: At.scanSeconds, as: Int64.self)
            raw.storeBytes(of: scanStartNanoseconds % 1_000_000_000, toByteOffset: At.scanNanoseconds, as: Int64.self)
            raw.storeBytes(of: sampleChecksum(fixture.buffer), toByteOffset: At.sample, as: UInt64.self)
            raw.storeBytes(of: UInt64(records.count), toByteOffset: At.recordCount, as: UInt64.self)
            raw.storeBytes(of: UInt64(slots.count), toByteOffset: At.slotCount, as: UInt64.self)
            raw.storeBytes(of: UInt64(table?.count ?? 0), toByteOffset: At.entryCount, as: UInt64.self)
            raw.storeBytes(of: checksum.value, toByteOffset: At.bodyChecksum, as: UInt64.self)
            let headerSum = IndexChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[0..<At.headerChecksum]))
            raw.storeBytes(of: headerSum, toByteOffset: At.headerChecksum, as: UInt64.self)
        }
        try header.withUnsafeBytes { try writeAll($0, at: 0) }
        guard rename(temporary, indexPath) == 0 else { throw IndexWriteError(String(cString: strerror(errno))) }
        renamed = true
    }

    /// The checksum of the body as `write` computes it, chunk by chunk.
    static func bodyChecksum(_ body: UnsafeRawBufferPointer) -> UInt64 {
        var checksum = ChunkedChecksum()
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunkSize, body.count)
            checksum.add(UnsafeRawBufferPointer(rebasing: body[offset..<end]))
            offset = end
        }
        return checksum.value
    }

    /// A checksum of the fixture's first and last 4 KiB and of 64 windows of 64 bytes spread
    /// evenly in between: a few pages read, and a second guard (after the timestamps) against a
    /// fixture edited in place.
    static func sampleChecksum(_ buffer: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(buffer)
        var sample: [UInt8] = []
        sample.reserveCapacity(4096 * 2 + 64 * 64)
        sample.append(contentsOf: raw.prefix(4096))
        sample.append(contentsOf: raw.suffix(4096))
        if raw.count > 64 {
            for window in 0..<64 {
                let start = (raw.count - 64) / 63 * window
                sample.append(contentsOf: raw[start..<(start + 64)])
            }
        }
        var value = UInt64(raw.count)
        value ^= sample.withUnsafeBytes { IndexChecksum.hash($0) }
        return value
    }
}

/// Why an index was not used; a nil reason means there was none.
struct IndexRejection: Error {
    var reason: String?
    init(_ reason: String?) { self.reason = reason }
}

struct IndexWriteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fast 64-bit checksum (four independent multiply-xorshift lanes over 8-byte words): every
/// step is a bijection of its lane, so any single changed word changes the result; not meant to
/// resist deliberate forgery (whoever can write the index can write the fixture).
enum IndexChecksum {
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x9FB2_1C65_1E98_DF25
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F,
                                                       0x1656_67B1_9E37_79F9, 0x27D4_EB2F_1656_67C5)
        @inline(__always) func mix(_ lane: inout UInt64, _ word: UInt64) {
            lane = (lane ^ word) &* prime
            lane ^= lane >> 29
        }
        var offset = 0
        let count = bytes.count
        while offset + 32 <= count {
            mix(&lanes.0, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            mix(&lanes.1, bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            mix(&lanes.2, bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
            mix(&lanes.3, bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
            offset += 32
        }
        while offset < count {
            mix(&lanes.0, UInt64(bytes[offset]) | 0x100)
            offset += 1
        }
        var value = UInt64(count)
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] {
            value = (value ^ lane) &* prime
            value ^= value >> 32
        }
        return value
    }
}

/// `IndexChecksum` of consecutive chunks, folded.
struct ChunkedChecksum {
    private(set) var value: UInt64 = 0x5EED_1DE5_0000_0001
    mutating func add(_ chunk: UnsafeRawBufferPointer) {
        value = (value ^ IndexChecksum.hash(chunk)) &* 0x9FB2_1C65_1E98_DF25
        value ^= value >> 31
    }
}

/// Now, as file timestamps count it.
func realtimeNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
