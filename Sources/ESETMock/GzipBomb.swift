import Synchronization

/// Builds gzip members (RFC 1952) whose inflated form is a long run of spaces followed by a
/// given tail, without zlib: the run is one fixed-Huffman deflate block (RFC 1951) of
/// back-references (length 258, distance 1: 13 bits per 258 bytes, about 160:1), then an empty
/// stored block to reach a byte boundary, then the tail in stored blocks. Leading whitespace
/// keeps a JSON tail valid, so only a client that bounds the inflated size notices the bomb.
enum GzipBomb {
    /// The gzip member inflating to `spaces` spaces followed by `tail`.
    static func member(spaces: Int, then tail: [UInt8]) -> [UInt8] {
        let run = cachedRun(spaces)
        var out = run.bytes
        // Stored blocks: BFINAL on the last, each at most 65,535 bytes; byte-aligned already.
        var offset = 0
        repeat {
            let length = min(65_535, tail.count - offset)
            let final = offset + length == tail.count
            out.append(final ? 0x01 : 0x00)
            out.append(UInt8(length & 0xFF))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF))
            out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: tail[offset..<(offset + length)])
            offset += length
        } while offset < tail.count
        let crc = CRC32.combine(run.crc, CRC32.checksum(tail), length: tail.count)
        appendLittleEndian(crc, to: &out)
        appendLittleEndian(UInt32(truncatingIfNeeded: spaces + tail.count), to: &out)
        return out
    }

    private struct Run {
        var bytes: [UInt8]
        var crc: UInt32
    }

    /// The last run built: scenarios ask for the same size call after call, and a 200 MB run
    /// costs about a second to encode in a debug build.
    private static let cache = Mutex<(size: Int, run: Run)?>(nil)

    private static func cachedRun(_ spaces: Int) -> Run {
        if let hit = cache.withLock({ $0 }), hit.size == spaces { return hit.run }
        let run = Run(bytes: encodeRun(spaces), crc: CRC32.ofRepeated(0x20, count: spaces))
        cache.withLock { $0 = (spaces, run) }
        return run
    }

    /// gzip header, the run as a non-final fixed-Huffman block, then an empty non-final stored
    /// block (the byte boundary the tail's stored blocks need).
    private static func encodeRun(_ count: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.out = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]
        bits.out.reserveCapacity(count / 158 + 64)
        if count > 0 {
            bits.write(0, count: 1)          // BFINAL 0
            bits.write(1, count: 2)          // BTYPE 01: fixed Huffman
            bits.writeLiteral(0x20)
            var remaining = count - 1
            // Literal/length symbol 285 (length 258) is the 8-bit code 11000101; distance code 0
            // (distance 1) is 5 zero bits. Huffman codes go most significant bit first.
            let pair = UInt64(reversed(0b1100_0101, bits: 8))
            while remaining >= 258 {
                bits.write(pair, count: 13)
                remaining -= 258
            }
            for _ in 0..<remaining { bits.writeLiteral(0x20) }
            bits.write(0, count: 7)          // end of block: symbol 256, 7-bit code 0000000
        }
        bits.write(0, count: 1)              // BFINAL 0
        bits.write(0, count: 2)              // BTYPE 00: stored
        bits.alignToByte()
        bits.out += [0x00, 0x00, 0xFF, 0xFF] // LEN 0, NLEN
        return bits.out
    }

    static func reversed(_ code: UInt32, bits: Int) -> UInt32 {
        var result: UInt32 = 0
        for index in 0..<bits where code & (1 << UInt32(index)) != 0 { result |= 1 << UInt32(bits - 1 - index) }
        return result
    }

    private static func appendLittleEndian(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    private struct BitWriter {
        var out: [UInt8] = []
        var buffer: UInt64 = 0
        var used = 0

        /// Appends the low `count` bits of `value`, least significant first (deflate's order).
        mutating func write(_ value: UInt64, count: Int) {
            buffer |= value << UInt64(used)
            used += count
            while used >= 8 {
                out.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                used -= 8
            }
        }

        /// A fixed-Huffman literal below 144: the 8-bit code 0x30 + byte.
        mutating func writeLiteral(_ byte: UInt8) {
            write(UInt64(GzipBomb.reversed(0x30 + UInt32(byte), bits: 8)), count: 8)
        }

        mutating func alignToByte() {
            if used > 0 { write(0, count: 8 - used) }
        }
    }
}

/// CRC-32 (ISO-HDLC, gzip's), with zlib's `crc32_combine` so that a 200 MB run is checksummed
/// by squaring matrices instead of reading 200 MB.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The CRC of `count` copies of `byte`, by doubling.
    static func ofRepeated(_ byte: UInt8, count: Int) -> UInt32 {
        var result: UInt32 = 0   // CRC of the empty string
        var block = checksum([byte])
        var blockLength = 1
        var remaining = count
        while remaining > 0 {
            if remaining & 1 != 0 { result = combine(result, block, length: blockLength) }
            remaining >>= 1
            if remaining > 0 {
                block = combine(block, block, length: blockLength)
                blockLength *= 2
            }
        }
        return result
    }

    /// The CRC of A followed by B, from CRC(A), CRC(B) and B's length (zlib's algorithm).
    static func combine(_ first: UInt32, _ second: UInt32, length: Int) -> UInt32 {
        guard length > 0 else { return first }
        var odd = [UInt32](repeating: 0, count: 32)
        var even = [UInt32](repeating: 0, count: 32)
        odd[0] = 0xEDB8_8320
        var row: UInt32 = 1
        for index in 1..<32 {
            odd[index] = row
            row <<= 1
        }
        square(&even, odd)   // two zero bits
        square(&odd, even)   // four zero bits
        var crc = first
        var remaining = length
        repeat {
            square(&even, odd)
            if remaining & 1 != 0 { crc = times(even, crc) }
            remaining >>= 1
            if remaining == 0 { break }
            square(&odd, even)
            if remaining & 1 != 0 { crc = times(odd, crc) }
            remaining >>= 1
        } while remaining != 0
        return crc ^ second
    }

    private static func times(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
        var sum: UInt32 = 0
        var vector = vector
        var index = 0
        while vector != 0 {
            if vector & 1 != 0 { sum ^= matrix[index] }
            vector >>= 1
            index += 1
        }
        return sum
    }

    private static func square(_ result: inout [UInt32], _ matrix: [UInt32]) {
        for index in 0..<32 { result[index] = times(matrix, matrix[index]) }
    }
}
