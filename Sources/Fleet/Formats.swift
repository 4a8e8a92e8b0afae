/// Text formats the generator writes by hand (no Foundation formatters: they are slow, and
/// their output may vary across platforms, which would break byte-identical fixtures).
enum Formats {
    /// A version-4-shaped UUID string (lower-case hex, 8-4-4-4-12) from 128 bits.
    /// A numeric version id, as the API's `v1Version.id` (a uint64 in a JSON string): the four
    /// parts packed in 16 bits each, major first, so ids compare like versions.
    static func versionID(_ major: Int, _ minor: Int, _ patch: Int, _ build: Int) -> String {
        let parts = [major, minor, patch, build].map { UInt64(max(0, min($0, 0xFFFF))) }
        return String(parts[0] << 48 | parts[1] << 32 | parts[2] << 16 | parts[3])
    }

    static func uuid(high: UInt64, low: UInt64) -> String {
        // Version nibble 4 and RFC 4122 variant bits, as real UUIDs have.
        let versioned = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let varianted = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        var text = [UInt8]()
        text.reserveCapacity(36)
        appendHex(versioned >> 32, digits: 8, into: &text)
        text.append(0x2D)
        appendHex(versioned >> 16, digits: 4, into: &text)
        text.append(0x2D)
        appendHex(versioned, digits: 4, into: &text)
        text.append(0x2D)
        appendHex(varianted >> 48, digits: 4, into: &text)
        text.append(0x2D)
        appendHex(varianted, digits: 12, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// A UUID whose last 48 bits are a bijection of `index`, so two indices below 2^48 never
    /// collide whatever the random bits are: uniqueness is guaranteed, not just likely.
    static func uniqueUUID(index: Int, salt: UInt64, random: UInt64) -> String {
        let node = permute48(UInt64(truncatingIfNeeded: index) ^ (salt & mask48))
        let low = (random << 48) | node
        let high = SplitMix64.mix(random ^ salt)
        return uuid(high: high, low: low)
    }

    private static let mask48: UInt64 = (1 << 48) - 1

    /// An invertible scramble of 48-bit values: xor-shifts and odd multiplications are each
    /// invertible modulo 2^48, so their composition is a permutation.
    static func permute48(_ value: UInt64) -> UInt64 {
        var x = value & mask48
        x ^= x >> 24
        x = (x &* 0x9FB2_1C65_1E98_DF25) & mask48
        x ^= x >> 21
        x = (x &* 0xD6E8_FEB8_6659_FD93) & mask48
        x ^= x >> 24
        return x
    }

    /// `count` lower-case hex digits of `value`'s low bits.
    static func hex(_ value: UInt64, digits count: Int) -> String {
        var text = [UInt8]()
        text.reserveCapacity(count)
        appendHex(value, digits: count, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the low `count` hex digits of `value`.
    private static func appendHex(_ value: UInt64, digits count: Int, into text: inout [UInt8]) {
        var position = count - 1
        while position >= 0 {
            let nibble = UInt8((value >> UInt64(position * 4)) & 0xF)
            text.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            position -= 1
        }
    }

    /// A MAC address: six octets, upper-case with colons (Windows-style agents) or lower-case
    /// (Unix-style agents); both reach the connector.
    static func mac(_ value: UInt64, lowercase: Bool) -> String {
        let letterBase: UInt8 = lowercase ? 0x57 : 0x37  // "a" - 10 or "A" - 10
        var text = [UInt8]()
        text.reserveCapacity(17)
        for octet in 0..<6 {
            if octet > 0 { text.append(0x3A) }
            let byte = UInt8((value >> UInt64((5 - octet) * 8)) & 0xFF)
            for nibble in [byte >> 4, byte & 0xF] {
                text.append(nibble < 10 ? 0x30 + nibble : letterBase + nibble)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// How a timestamp is spelled: the variety RFC 3339 allows and proto3 JSON produces.
    struct TimestampStyle: Sendable, Hashable {
        enum Zone: Sendable, Hashable {
            case upperZ
            case lowerZ
            /// A numeric offset in minutes east of UTC, written `±hh:mm`.
            case offset(minutes: Int)
        }

        var spaceSeparator = false
        /// 0 writes no fraction; 1...9 write that many digits (truncated, never rounded).
        var fractionDigits = 0
        var zone = Zone.upperZ
    }

    /// An RFC 3339 timestamp for the instant `epochSeconds` + `nanoseconds`, in `style`.
    static func rfc3339(epochSeconds: Int, nanoseconds: Int, style: TimestampStyle) -> String {
        precondition((0..<1_000_000_000).contains(nanoseconds), "nanoseconds out of range")
        precondition((0...9).contains(style.fractionDigits), "1 to 9 fraction digits, or none")
        var offsetMinutes = 0
        if case .offset(let minutes) = style.zone { offsetMinutes = minutes }
        let local = epochSeconds + offsetMinutes * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let date = civilDate(daysSinceEpoch: days)

        var text = [UInt8]()
        text.reserveCapacity(36)
        appendPadded(date.year, width: 4, into: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(date.month, width: 2, into: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(date.day, width: 2, into: &text)
        text.append(style.spaceSeparator ? UInt8(ascii: " ") : UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, width: 2, into: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay / 60 % 60, width: 2, into: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, width: 2, into: &text)
        if style.fractionDigits > 0 {
            text.append(UInt8(ascii: "."))
            var divisor = 1
            for _ in 0..<(9 - style.fractionDigits) { divisor *= 10 }
            appendPadded(nanoseconds / divisor, width: style.fractionDigits, into: &text)
        }
        switch style.zone {
        case .upperZ: text.append(UInt8(ascii: "Z"))
        case .lowerZ: text.append(UInt8(ascii: "z"))
        case .offset(let minutes):
            text.append(minutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendPadded(abs(minutes) / 60, width: 2, into: &text)
            text.append(UInt8(ascii: ":"))
            appendPadded(abs(minutes) % 60, width: 2, into: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, exact for every day in range).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func appendPadded(_ value: Int, width: Int, into text: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var remaining = value
        var position = width - 1
        while position >= 0 {
            digits[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            position -= 1
        }
        text.append(contentsOf: digits)
    }
}
