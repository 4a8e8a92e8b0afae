/// The device uuids already delivered in a cycle, kept as 64-bit hashes in an open-addressing
/// table so that memory stays near 8–16 bytes per device (a `Set<String>` costs ~80).
///
/// Collision odds: uuids are hashed with the standard library's SipHash-1-3 under a per-process
/// random key, so any two distinct uuids share a hash with probability 2⁻⁶⁴. Over a fleet of n
/// devices the chance that *any* pair collides is about n² / 2⁶⁵: 2.7 × 10⁻⁸ for a million
/// devices, 2.7 × 10⁻⁶ for ten million. A collision would drop one device as a "duplicate" for one
/// cycle only (the key changes every run), so it cannot persist, and nobody can craft uuids to
/// provoke it without knowing the key.
///
/// The table is split into 16 shards, picked by the top bits of the (mixed) hash, that grow
/// independently: growing copies one shard at a time, so the peak memory while growing exceeds
/// the table by a sixteenth, not by half (which showed as peak RSS of a million-device cycle).
package struct SeenDevices: Sendable {
    /// Slots hold hashes; 0 marks an empty slot (a real hash of 0 is stored as 1).
    private var shards: [[UInt64]]
    private var shardCounts: [Int]
    package private(set) var count = 0
    private static let shardCount = 16
    private static let minimumShardCapacity = 64

    package init(expectedCount: Int = 0) {
        var capacity = Self.minimumShardCapacity
        while capacity * 3 / 4 < (expectedCount + Self.shardCount - 1) / Self.shardCount { capacity *= 2 }
        shards = Array(repeating: Array(repeating: 0, count: capacity), count: Self.shardCount)
        shardCounts = Array(repeating: 0, count: Self.shardCount)
    }

    /// Records `uuid`; returns false when it was already there (a duplicate).
    package mutating func insert(_ uuid: String) -> Bool {
        var hasher = Hasher()
        hasher.combine(uuid)
        return insert(hash: UInt64(bitPattern: Int64(hasher.finalize())))
    }

    /// Records a hash directly; exposed for tests of the table itself.
    package mutating func insert(hash: UInt64) -> Bool {
        let key = hash == 0 ? 1 : hash
        // Spread the high bits too: SipHash output is uniform, but test hashes may not be.
        let mixed = key &* 0x9E37_79B9_7F4A_7C15
        let shard = Int(truncatingIfNeeded: mixed >> 60)
        if (shardCounts[shard] + 1) * 4 > shards[shard].count * 3 { grow(shard) }
        let inserted = Self.place(key, mixed: mixed, in: &shards[shard])
        if inserted {
            shardCounts[shard] += 1
            count += 1
        }
        return inserted
    }

    /// Bytes held by the table.
    package var memoryFootprint: Int { shards.reduce(0) { $0 + $1.count } * MemoryLayout<UInt64>.stride }

    /// Linear probing; the mask works because capacity is a power of two.
    private static func place(_ key: UInt64, mixed: UInt64, in slots: inout [UInt64]) -> Bool {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: mixed ^ (mixed >> 32)) & mask
        for _ in 0..<slots.count {
            let slot = slots[index]
            if slot == 0 {
                slots[index] = key
                return true
            }
            if slot == key { return false }
            index = (index + 1) & mask
        }
        preconditionFailure("SeenDevices table full")
    }

    private mutating func grow(_ shard: Int) {
        var bigger = Array(repeating: UInt64(0), count: shards[shard].count * 2)
        for key in shards[shard] where key != 0 { _ = Self.place(key, mixed: key &* 0x9E37_79B9_7F4A_7C15, in: &bigger) }
        shards[shard] = bigger
    }
}
