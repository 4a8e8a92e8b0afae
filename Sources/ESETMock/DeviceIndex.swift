#if canImport(Glibc)
import Glibc
#endif

/// uuid → position in a device list, small enough for a million devices (4 bytes a slot, at most
/// half full: 8 MB at 1,000,000) where a `[String: Int]` took over 100 MB. The uuids are not
/// copied: a slot holds a position, and a probe compares the uuid bytes of the record there.
///
/// Keys are compared as UTF-8 bytes (uuids are ASCII; a `String` dictionary would also equate
/// canonically equivalent Unicode spellings, which no uuid has).
struct DeviceIndex: Sendable {
    /// The open-addressing table: a position, or -1 for an empty slot (persisted as it is by
    /// `FixtureIndexFile`). Empty while `mapped` holds the table.
    private var owned: [Int32] = []
    /// The table as read from a fixture index, in the mapped file itself (page cache, not the
    /// mock's memory); copied into `owned` at the first change (an import).
    private var mapped: MappedSlots?
    private(set) var count = 0

    init() {}

    /// A table read back from a fixture index (checked there: a power of two of slots, each -1 or
    /// a position, `count` of them used).
    init(mapped: MappedSlots, count: Int) {
        self.mapped = mapped
        self.count = count
    }

    /// The table, slot by slot (a copy).
    var slots: [Int32] { mapped.map { Array($0.slots) } ?? owned }

    private var slotCount: Int { mapped?.slots.count ?? owned.count }

    @inline(__always) private func slot(_ index: Int) -> Int32 {
        if let mapped { return mapped.slots[index] }
        return owned[index]
    }

    /// Indexes `records`; when a uuid repeats, its first position wins (as the fixture order says).
    init(_ records: [FixtureRecord]) {
        reserve(records.count, records)
        for position in records.indices {
            guard let hash = records[position].uuidHash() else { continue }
            insert(position: position, hash: hash, records, replacing: false)
        }
    }

    /// The position of the device whose uuid is `uuid`.
    func position(of uuid: String, in records: [FixtureRecord]) -> Int? {
        let slotCount = slotCount
        guard slotCount > 0 else { return nil }
        var key = uuid
        return key.withUTF8 { bytes -> Int? in
            let mask = slotCount - 1
            var slot = DeviceIndex.hash(bytes) & mask
            for _ in 0..<slotCount {
                let position = Int(self.slot(slot))
                if position < 0 { return nil }
                if position < records.count, records[position].uuidEquals(bytes) { return position }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// Points `records[position]`'s uuid at `position` (replacing an earlier position).
    mutating func set(position: Int, in records: [FixtureRecord]) {
        guard let hash = records[position].uuidHash() else { return }
        if let mapped {
            owned = Array(mapped.slots)
            self.mapped = nil
        }
        reserve(count + 1, records)
        insert(position: position, hash: hash, records, replacing: true)
    }

    private mutating func insert(position: Int, hash: Int, _ records: [FixtureRecord], replacing: Bool) {
        let mask = owned.count - 1
        var slot = hash & mask
        for _ in 0..<owned.count {
            let existing = Int(owned[slot])
            if existing < 0 {
                owned[slot] = Int32(position)
                count += 1
                return
            }
            if records[existing].uuidEquals(records[position]) {
                if replacing { owned[slot] = Int32(position) }
                return
            }
            slot = (slot + 1) & mask
        }
    }

    /// Grows to keep the table at most half full, re-placing every entry.
    private mutating func reserve(_ wanted: Int, _ records: [FixtureRecord]) {
        guard wanted * 2 > owned.count else { return }
        var capacity = 16
        while capacity < wanted * 2 { capacity *= 2 }
        let old = owned
        owned = [Int32](repeating: -1, count: capacity)
        count = 0
        for position in old where position >= 0 {
            if let hash = records[Int(position)].uuidHash() {
                insert(position: Int(position), hash: hash, records, replacing: false)
            }
        }
    }

    /// FNV-1a over the bytes, folded so that the low bits (the slot) depend on all of them.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        value ^= value >> 29
        return Int(truncatingIfNeeded: value & 0x7fff_ffff_ffff_ffff)
    }
}

/// A uuid table inside a mapped fixture index, kept mapped while any `DeviceIndex` uses it.
/// The index file is only ever replaced by rename, never rewritten in place, so the mapping stays
/// valid (it keeps the file it was made from).
struct MappedSlots: @unchecked Sendable {
    /// Keeps the mapping alive.
    let file: MappedFile
    let slots: UnsafeBufferPointer<Int32>

    /// The `count` slots at `offset` (4-byte aligned) of `file`.
    init(file: MappedFile, offset: Int, count: Int) {
        self.file = file
        slots = UnsafeBufferPointer(start: (file.bytes.baseAddress! + offset).assumingMemoryBound(to: Int32.self), count: count)
    }
}

/// A read-only mapping of a whole file, unmapped when the last user lets go.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    /// Takes over `mapping` of `length` bytes (length > 0).
    init(mapping: UnsafeMutableRawPointer, length: Int) {
        bytes = UnsafeRawBufferPointer(start: mapping, count: length)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count) }
}
