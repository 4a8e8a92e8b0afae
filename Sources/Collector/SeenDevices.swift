/// The device uuids already delivered in a cycle, kept as 64-bit hashes in an open-addressing
/// table so that memory stays near 8–16 bytes per device (a `Set<String>` costs ~80).
///
/// Collision odds: uuids are hashed with the standard library's SipHash-1-3 under a per-process
/// random key, so any two distinct uuids share a hash with probability 2⁻⁶⁴. Over a fleet of n
/// devices the chance that *any* pair collides is about n² / 2⁶⁵: 2.7 × 10⁻⁸ for a million
/// devices, 2.7 × 10⁻⁶ for ten million. A collision would drop one device as a "duplicate" for one
/// cycle only (the key changes every run), so it cannot persist, and nobody can craft uuids to
/// provoke it without knowing the key.
public struct SeenDevices: Sendable {
    /// Slots hold hashes; 0 marks an empty slot (a real hash of 0 is stored as 1).
    private var slots: [UInt64]
    public private(set) var count = 0
    private static let minimumCapacity = 1024

    public init(expectedCount: Int = 0) {
        var capacity = Self.minimumCapacity
        while capacity * 3 / 4 < expectedCount { capacity *= 2 }
        slots = Array(repeating: 0, count: capacity)
    }

    /// Records `uuid`; returns false when it was already there (a duplicate).
    public mutating func insert(_ uuid: String) -> Bool {
        var hasher = Hasher()
        hasher.combine(uuid)
        return insert(hash: UInt64(bitPattern: Int64(hasher.finalize())))
    }

    /// Records a hash directly; exposed for tests of the table itself.
    public mutating func insert(hash: UInt64) -> Bool {
        let key = hash == 0 ? 1 : hash
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let inserted = Self.place(key, in: &slots)
        if inserted { count += 1 }
        return inserted
    }

    /// Bytes held by the table.
    public var memoryFootprint: Int { slots.count * MemoryLayout<UInt64>.stride }

    /// Linear probing; the mask works because capacity is a power of two.
    private static func place(_ key: UInt64, in slots: inout [UInt64]) -> Bool {
        let mask = slots.count - 1
        // Spread the high bits too: SipHash output is uniform, but test hashes may not be.
        let mixed = key &* 0x9E37_79B9_7F4A_7C15
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

    private mutating func grow() {
        var bigger = Array(repeating: UInt64(0), count: slots.count * 2)
        for key in slots where key != 0 { _ = Self.place(key, in: &bigger) }
        slots = bigger
    }
}
