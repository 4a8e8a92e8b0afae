/// Shares one `String` among the equal values of a document, so that a value repeated many
/// times (an enum name, a domain, a group id, a hardware model: most of an ESET device page's
/// strings) is allocated once and then only retained.
///
/// Sharing storage is invisible to users of the strings: a cached value equals what decoding the
/// same bytes again would give. Only short plain strings are cached (see `maximumLength`), and
/// the table stops growing once full, so a document of unique values costs little extra. One
/// cache serves one decoding at a time; it is not thread-safe.
package final class JSONStringCache {
    /// Longer values are rarely repeated and are not cached.
    package static let maximumLength = 96

    private let mask: Int
    private var occupied = 0
    private let lengths: UnsafeMutablePointer<Int>
    private let hashes: UnsafeMutablePointer<UInt64>
    private let offsets: UnsafeMutablePointer<Int>
    private let strings: UnsafeMutablePointer<String>
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCount = 0
    private var arenaCapacity: Int

    /// - Parameter slots: how many distinct values can be cached (rounded up to a power of two).
    package init(slots: Int = 2048) {
        var count = 16
        while count < slots * 2 { count *= 2 }
        mask = count - 1
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: -1, count: count)
        hashes = .allocate(capacity: count)
        offsets = .allocate(capacity: count)
        strings = .allocate(capacity: count)
        arenaCapacity = 16 * 1024
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        for slot in 0...mask where lengths[slot] >= 0 { (strings + slot).deinitialize(count: 1) }
        lengths.deallocate()
        hashes.deallocate()
        offsets.deallocate()
        strings.deallocate()
        arena.deallocate()
    }

    /// The string of the UTF-8 `bytes` (decoded as `String(decoding:as:)` decodes them), shared
    /// with earlier requests for the same bytes.
    package func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        guard count <= Self.maximumLength, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let hash = Self.hash(base, count)
        var slot = Int(truncatingIfNeeded: hash >> 20) & mask
        while true {
            let length = lengths[slot]
            if length < 0 { break }
            if length == count, hashes[slot] == hash, Self.equal(arena + offsets[slot], base, count) {
                return strings[slot]
            }
            slot = (slot + 1) & mask
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // Keep the table at most half full, so that probes stay short.
        guard occupied * 2 < mask + 1 else { return text }
        if arenaCount + count > arenaCapacity { growArena(toFit: count) }
        (arena + arenaCount).update(from: base, count: count)
        offsets[slot] = arenaCount
        arenaCount += count
        hashes[slot] = hash
        lengths[slot] = count
        (strings + slot).initialize(to: text)
        occupied += 1
        return text
    }

    private func growArena(toFit count: Int) {
        var capacity = arenaCapacity * 2
        while capacity < arenaCount + count { capacity *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        larger.update(from: arena, count: arenaCount)
        arena.deallocate()
        arena = larger
        arenaCapacity = capacity
    }

    @inline(__always) private static func hash(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var index = 0
        while index + 8 <= count {
            hash = (hash ^ UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            index += 8
        }
        var tail: UInt64 = 0
        if count >= 8 {
            // The last eight bytes, overlapping those already mixed in: one load, not a loop.
            if index < count { tail = UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self) }
        } else {
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }

    @inline(__always) private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            if UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self) {
                return false
            }
            index += 8
        }
        if index < count, count >= 8 {
            // The last eight bytes, overlapping those already compared.
            return UnsafeRawPointer(a + count - 8).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b + count - 8).loadUnaligned(as: UInt64.self)
        }
        while index < count {
            if a[index] != b[index] { return false }
            index += 1
        }
        return true
    }
}

extension JSONScanner {
    /// `stringOrSkip()`, taking the string from `cache` when the value has no escapes.
    package mutating func stringOrSkip(sharingWith cache: JSONStringCache) throws(JSONParseError) -> String? {
        skipWhitespace()
        guard cursor < buffer.count, buffer[cursor] == UInt8(ascii: "\"") else {
            cursor = try skipValue(at: cursor, depth: nesting)
            return nil
        }
        let end = firstSpecialStringByte(in: buffer, from: cursor + 1, orNonASCII: false)
        if end < buffer.count, buffer[end] == UInt8(ascii: "\"") {
            let text = cache.string(UnsafeBufferPointer(rebasing: buffer[(cursor + 1)..<end]))
            cursor = end + 1
            return text
        }
        return try parseEscapedString()
    }
}
