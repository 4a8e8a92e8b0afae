import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keyed, deterministic pseudonyms that keep the shape of what they replace.
///
/// Everything derives from HMAC-SHA256 under the recording's salt, so the same value maps to the
/// same pseudonym everywhere in a recording (and in every recording made with the same salt),
/// while nobody without the salt can invert or dictionary-test a pseudonym. Where a collision
/// would break something (group references, addresses in small private blocks, MACs under one
/// vendor), a keyed permutation is used instead of a hash, so distinct stays distinct.
final class Pseudonymiser {
    private let hmac: HMACSHA256
    /// Keep the vendor part (OUI) of universally administered MAC addresses.
    let keepsMACVendor: Bool
    /// Identifiers that are not canonical UUIDs get shape-kept pseudonyms, which for short
    /// values could collide; the first original to claim a pseudonym keeps it.
    private var shapedIdentifiers: [String: String] = [:]
    private var claimedIdentifiers: [String: String] = [:]

    init(salt: [UInt8], keepsMACVendor: Bool = true) {
        hmac = HMACSHA256(key: salt)
        self.keepsMACVendor = keepsMACVendor
    }

    /// A short fingerprint of the salt, so two recordings can be told to share one (or not)
    /// without revealing it.
    var saltFingerprint: String {
        digest("fingerprint", []).prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Keyed bytes

    private func digest(_ domain: String, _ message: [UInt8]) -> [UInt8] {
        hmac.authenticationCode(for: Array(domain.utf8) + [0] + message)
    }

    /// `count` keyed bytes for `message` (HMAC in counter mode beyond 32 bytes).
    private func stream(_ domain: String, _ message: [UInt8], count: Int) -> [UInt8] {
        var bytes = digest(domain, message)
        var block: UInt8 = 1
        while bytes.count < count {
            bytes += digest(domain, message + [0xFF, block])
            block &+= 1
        }
        return Array(bytes.prefix(count))
    }

    /// A keyed permutation of the integers below 2^bits (bits ≤ 62): a balanced Feistel network
    /// on an even width, cycle-walking when `bits` is odd.
    func permute(_ value: UInt64, bits: Int, domain: String) -> UInt64 {
        precondition(bits >= 2 && bits <= 62)
        let width = bits + (bits & 1)
        let half = width / 2
        let mask = (UInt64(1) << UInt64(half)) - 1
        let limit = UInt64(1) << UInt64(bits)
        var current = value
        // A cycle of the permutation contains `value`, which is below the limit: the walk ends.
        for _ in 0..<1_000_000 {
            var left = current >> UInt64(half)
            var right = current & mask
            for round in 0..<4 {
                var message = [UInt8(round), UInt8(width)]
                for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: right >> UInt64(shift))) }
                let bytes = digest(domain, message)
                var mixed: UInt64 = 0
                for index in 0..<8 { mixed = mixed << 8 | UInt64(bytes[index]) }
                (left, right) = (right, left ^ (mixed & mask))
            }
            current = left << UInt64(half) | right
            if current < limit { return current }
        }
        return value & (limit - 1)
    }

    // MARK: Names and free text

    /// Letters stay letters (same case), digits stay digits, everything else (separators,
    /// punctuation, spaces) stays as it is; each run of letters and digits is replaced on its
    /// own, so a domain or prefix shared by two names is shared by their pseudonyms.
    func name(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var run: [Character] = []
        func flush() {
            guard !run.isEmpty else { return }
            let key = Array(String(run).lowercased().utf8)
            let bytes = stream("run", key, count: run.count)
            for (index, character) in run.enumerated() {
                result.append(substitute(character, bytes[index]))
            }
            run.removeAll(keepingCapacity: true)
        }
        for character in text {
            if character.isLetter || character.isNumber {
                run.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    private func substitute(_ character: Character, _ byte: UInt8) -> Character {
        if character.isASCII && character.isNumber {
            return Character(Unicode.Scalar(UInt8(ascii: "0") + byte % 10))
        }
        let letter = Unicode.Scalar(UInt8(ascii: "a") + byte % 26)
        return character.isUppercase ? Character(String(letter).uppercased()) : Character(letter)
    }

    /// An identifier (uuid, serial number, reference): a canonical UUID becomes another UUID
    /// (version 4, same case); anything else keeps its shape, hashed as a whole so that
    /// `group-1` and `group-2` do not share a part. For a reference (`isReference`), a
    /// collision with another original is resolved, so the group tree cannot merge two nodes;
    /// those are remembered, which costs memory only for references that are not UUIDs.
    func identifier(_ text: String, isReference: Bool = true) -> String {
        if text.isEmpty { return text }
        if let uuid = uuid(text) { return uuid }
        if isReference, let existing = shapedIdentifiers[text] { return existing }
        let characters = Array(text)
        var candidate = text
        for attempt in 0..<256 {
            let tweak: [UInt8] = attempt == 0 ? [] : [0xFE, UInt8(attempt)]
            let bytes = stream("identifier", Array(text.utf8) + tweak, count: characters.count)
            candidate = String(characters.enumerated().map { index, character in
                character.isLetter || character.isNumber ? substitute(character, bytes[index]) : character
            })
            if !isReference || claimedIdentifiers[candidate] == nil { break }
        }
        guard isReference else { return candidate }
        shapedIdentifiers[text] = candidate
        claimedIdentifiers[candidate] = text
        return candidate
    }

    /// Whatever an identifying field holds: a UUID, an IP address or a MAC address keeps its
    /// kind (so it matches the same value elsewhere), anything else is a name.
    func any(_ text: String) -> String {
        if text.isEmpty { return text }
        if let uuid = uuid(text) { return uuid }
        if let address = ipAddress(text) { return address }
        if let mac = macAddress(text) { return mac }
        return name(text)
    }

    /// Replaces the e-mail addresses inside `text` (local part and domain, TLD kept), leaving
    /// the rest untouched: used on fields otherwise kept verbatim.
    func emails(in text: String) -> String {
        guard text.contains("@") else { return text }
        var current = ""
        func isAddressCharacter(_ character: Character) -> Bool {
            character.isLetter || character.isNumber || "._%+-@".contains(character)
        }
        var result = ""
        for character in text {
            if isAddressCharacter(character) {
                current.append(character)
            } else {
                result += emailOrSelf(current)
                current = ""
                result.append(character)
            }
        }
        result += emailOrSelf(current)
        return result
    }

    private func emailOrSelf(_ word: String) -> String {
        let parts = word.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { return word }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let tld = labels.last.map(String.init) ?? ""
        let scrubbed = labels.dropLast().map { name(String($0)) }.joined(separator: ".")
        return name(String(parts[0])) + "@" + scrubbed + "." + tld
    }

    // MARK: UUIDs

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// A canonical (8-4-4-4-12 hex) UUID's pseudonym, or nil for anything else; the nil UUID
    /// stays as it is (it identifies nothing).
    func uuid(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard Self.isHex(byte) else { return nil }
            }
        }
        if bytes.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "-") }) { return text }
        let uppercase = bytes.contains { $0 >= 0x41 && $0 <= 0x46 }
        var random = stream("uuid", Array(text.lowercased().utf8), count: 16)
        random[6] = random[6] & 0x0F | 0x40
        random[8] = random[8] & 0x3F | 0x80
        var hex = random.map { String(format: uppercase ? "%02X" : "%02x", $0) }.joined()
        for offset in [8, 13, 18, 23] { hex.insert("-", at: hex.index(hex.startIndex, offsetBy: offset)) }
        return hex
    }

    // MARK: IP addresses

    /// Blocks whose kind a pseudonym keeps: an address in one of them gets another address of
    /// the same block (host part permuted). Anything else is global unicast.
    private static let ipv4Blocks: [(base: UInt32, length: Int)] = [
        (0x0A00_0000, 8),  // 10/8 private
        (0xAC10_0000, 12),  // 172.16/12 private
        (0xC0A8_0000, 16),  // 192.168/16 private
        (0x6440_0000, 10),  // 100.64/10 shared (CGNAT)
        (0xA9FE_0000, 16),  // 169.254/16 link-local
        (0xC000_0200, 24),  // 192.0.2/24 documentation
        (0xC633_6400, 24),  // 198.51.100/24 documentation
        (0xCB00_7100, 24),  // 203.0.113/24 documentation
        (0xC612_0000, 15),  // 198.18/15 benchmarking
        (0xC000_0000, 24),  // 192.0.0/24 protocol assignments
        (0xE000_0000, 4),  // 224/4 multicast
        (0xF000_0000, 4),  // 240/4 reserved
    ]

    private static func ipv4Block(_ address: UInt32) -> (base: UInt32, length: Int)? {
        ipv4Blocks.first { address >> UInt32(32 - $0.length) == $0.base >> UInt32(32 - $0.length) }
    }

    /// Addresses that say nothing about anyone, kept as they are.
    private static func isFixedIPv4(_ address: UInt32) -> Bool {
        address >> 24 == 0 || address >> 24 == 127 || address == 0xFFFF_FFFF
    }

    /// The pseudonym of an IPv4 or IPv6 address (zone and prefix length kept), or nil when
    /// `text` is not one.
    func ipAddress(_ text: String) -> String? {
        var address = Substring(text)
        var suffix = ""
        if let slash = address.firstIndex(of: "/"), address[address.index(after: slash)...].allSatisfy(\.isNumber),
           address.index(after: slash) < address.endIndex {
            suffix = String(address[slash...])
            address = address[..<slash]
        }
        if let v4 = Self.parseIPv4(address) {
            return Self.formatIPv4(ipv4(v4)) + suffix
        }
        if address.contains(":") {
            if let percent = address.firstIndex(of: "%") {
                suffix = String(address[percent...]) + suffix
                address = address[..<percent]
            }
            guard let v6 = Self.parseIPv6(String(address)) else { return nil }
            let uppercase = address.contains { "ABCDEF".contains($0) }
            let formatted = formatIPv6(ipv6(v6), mappedV4: v6.prefix(12) == Self.mappedPrefix[...])
            return (uppercase ? formatted.uppercased() : formatted) + suffix
        }
        return nil
    }

    func ipv4(_ address: UInt32) -> UInt32 {
        if let planned = ipv4Plan[address] { return planned }
        return ipv4Step(address)
    }

    /// The keyed permutation of the address's kind (block, or global unicast); each `attempt`
    /// is another permutation, for finding a free pseudonym.
    private func ipv4Step(_ address: UInt32, attempt: Int = 0) -> UInt32 {
        if Self.isFixedIPv4(address) { return address }
        let tweak = attempt == 0 ? "" : "/\(attempt)"
        if let block = Self.ipv4Block(address) {
            let hostBits = 32 - block.length
            let host = UInt64(address & ((UInt32(1) << UInt32(hostBits)) - 1))
            let permuted = hostBits >= 2 ? permute(host, bits: hostBits, domain: "ipv4/\(block.base)" + tweak) : host
            return block.base | UInt32(permuted)
        }
        // Global unicast: walk the permutation of the whole space until it lands on another
        // global address (a few steps at most in practice; the cycle contains the original).
        var current = UInt64(address)
        for _ in 0..<100_000 {
            current = permute(current, bits: 32, domain: "ipv4/global" + tweak)
            let candidate = UInt32(current)
            if !Self.isFixedIPv4(candidate) && Self.ipv4Block(candidate) == nil { return candidate }
        }
        return address
    }

    static func parseIPv4<S: StringProtocol>(_ text: S) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt32(part), number <= 255 else {
                return nil
            }
            value = value << 8 | number
        }
        return value
    }

    static func formatIPv4(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    private static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    func formatIPv6(_ bytes: [UInt8], mappedV4: Bool) -> String {
        if mappedV4 {
            let v4 = bytes[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return "::ffff:" + Self.formatIPv4(v4)
        }
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { raw in
            for index in 0..<16 { raw[index] = bytes[index] }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func ipv6(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.prefix(15).allSatisfy({ $0 == 0 }) && bytes[15] <= 1 { return bytes }  // :: and ::1
        if bytes.prefix(12) == Self.mappedPrefix[...] {
            let v4 = bytes[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let mapped = ipv4(v4)
            return Self.mappedPrefix + [UInt8(mapped >> 24), UInt8(mapped >> 16 & 0xFF), UInt8(mapped >> 8 & 0xFF), UInt8(mapped & 0xFF)]
        }
        // Bits kept: the kind of address (link-local keeps its whole /64 prefix, unique-local
        // its fc00::/7 marker, multicast its flags and scope, documentation its /32).
        let keptBits: Int
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 {
            keptBits = 64
        } else if bytes[0] & 0xFE == 0xFC {
            keptBits = 8
        } else if bytes[0] == 0xFF {
            keptBits = 16
        } else if bytes.prefix(4) == [0x20, 0x01, 0x0D, 0xB8] {
            keptBits = 32
        } else if bytes[0] & 0xE0 == 0x20 {
            keptBits = 3
        } else {
            keptBits = 16
        }
        for attempt in 0..<1000 {
            let random = stream("ipv6", bytes + [UInt8(truncatingIfNeeded: attempt)], count: 16)
            var result = bytes
            for bit in keptBits..<128 {
                let index = bit / 8, mask = UInt8(0x80) >> UInt8(bit % 8)
                result[index] = result[index] & ~mask | random[index] & mask
            }
            // A global address must not turn into a documentation one.
            if keptBits == 3 && result.prefix(4) == [0x20, 0x01, 0x0D, 0xB8] { continue }
            return result
        }
        return bytes
    }

    // MARK: MAC addresses

    /// The pseudonym of a MAC address written with `:`, `-` or `.` separators (or none), or nil
    /// when `text` is not one. Separators and letter case are kept. A universally administered
    /// address keeps its vendor part (OUI) unless told otherwise; a locally administered
    /// (randomised) one has no vendor, so all of it is replaced except its two flag bits.
    func macAddress(_ text: String) -> String? {
        let characters = Array(text.utf8)
        guard characters.count >= 12, characters.count <= 17 else { return nil }
        var nibbles: [UInt8] = []
        var positions: [Int] = []
        for (index, byte) in characters.enumerated() {
            if Self.isHex(byte) {
                nibbles.append(Self.nibble(byte))
                positions.append(index)
            } else if byte != UInt8(ascii: ":") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".") {
                return nil
            }
        }
        guard nibbles.count == 12 else { return nil }
        let separators = characters.filter { !Self.isHex($0) }
        guard separators.isEmpty || ((separators.count == 5 || separators.count == 2) && Set(separators).count == 1) else { return nil }
        var value: UInt64 = 0
        for nibble in nibbles { value = value << 4 | UInt64(nibble) }
        if value == 0 || value == 0xFFFF_FFFF_FFFF { return text }
        let replaced = mac(value)
        let uppercase = characters.contains { $0 >= 0x41 && $0 <= 0x46 }
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var output = characters
        for (offset, position) in positions.enumerated() {
            output[position] = digits[Int(replaced >> UInt64(4 * (11 - offset)) & 0xF)]
        }
        return String(decoding: output, as: UTF8.self)
    }

    func mac(_ value: UInt64) -> UInt64 {
        if let planned = macPlan[value] { return planned }
        return macStep(value)
    }

    private func macStep(_ value: UInt64, attempt: Int = 0) -> UInt64 {
        let firstByte = UInt8(value >> 40)
        let tweak = attempt == 0 ? "" : "/\(attempt)"
        if firstByte & 0x02 == 0 && keepsMACVendor {
            let oui = value >> 24
            return oui << 24 | permute(value & 0xFF_FFFF, bits: 24, domain: "mac/\(oui)" + tweak)
        }
        // Keep the multicast and local bits; permute the other 46, marking the result local
        // when the vendor is scrubbed so it cannot pass for a real manufacturer's.
        let flags = UInt64(firstByte & 0x03) | (keepsMACVendor ? 0 : 0x02)
        let rest = (value >> 42) << 40 | (value & 0xFF_FFFF_FFFF)
        let permuted = permute(rest, bits: 46, domain: "mac/local" + tweak)
        return (permuted >> 40) << 42 | flags << 40 | (permuted & 0xFF_FFFF_FFFF)
    }

    /// The 48-bit value of a MAC address, or nil.
    static func macValue(_ text: String) -> UInt64? {
        let characters = Array(text.utf8)
        guard characters.count >= 12, characters.count <= 17 else { return nil }
        var value: UInt64 = 0
        var digits = 0
        for byte in characters {
            if isHex(byte) {
                value = value << 4 | UInt64(nibble(byte))
                digits += 1
            } else if byte != UInt8(ascii: ":") && byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".") {
                return nil
            }
        }
        return digits == 12 ? value : nil
    }

    // MARK: Avoiding the originals

    /// Addresses seen in the tenant, collected before anything is written.
    private var observedIPv4: Set<UInt32> = []
    private var observedMACs: Set<UInt64> = []
    private var ipv4Plan: [UInt32: UInt32] = [:]
    private var macPlan: [UInt64: UInt64] = [:]
    /// Originals for which no free pseudonym was found (a block almost full of the tenant's own addresses).
    private(set) var unavoidableCollisions = 0

    /// Notes the addresses in `text` (an IPv4 address, a list of them, or a MAC address).
    func observe(_ text: String) {
        for part in text.split(separator: ",") {
            var candidate = part.drop { $0 == " " }
            if let slash = candidate.firstIndex(of: "/") { candidate = candidate[..<slash] }
            if let address = Self.parseIPv4(candidate) { observedIPv4.insert(address) }
        }
        if let mac = Self.macValue(text) { observedMACs.insert(mac) }
    }

    /// Addresses live in small spaces (a /24, a /16, the 2^24 addresses under one vendor), where
    /// a keyed permutation would hand some device another device's real address. Having seen
    /// every address of the tenant, walk each original's permutation cycle past every address
    /// the tenant uses and every pseudonym already given: no pseudonym is an original address,
    /// and distinct stays distinct. Originals are planned in sorted order, so the plan depends
    /// only on the salt and the set of addresses.
    func planAvoidingObservedAddresses() {
        ipv4Plan = Self.plan(
            observedIPv4.sorted(), fixed: Self.isFixedIPv4, step: { self.ipv4Step($0, attempt: $1) },
            neighbour: { address in
                // The next address of the same block (wrapping), for the last-resort scan.
                guard let block = Self.ipv4Block(address) else { return address &+ 1 }
                let mask = (UInt32(1) << UInt32(32 - block.length)) - 1
                return block.base | ((address &+ 1) & mask)
            }, unavoidable: &unavoidableCollisions)
        macPlan = Self.plan(
            observedMACs.sorted(), fixed: { $0 == 0 || $0 == 0xFFFF_FFFF_FFFF }, step: { self.macStep($0, attempt: $1) },
            neighbour: { $0 & ~0xFF_FFFF | (($0 &+ 1) & 0xFF_FFFF) }, unavoidable: &unavoidableCollisions)
        observedIPv4 = []
        observedMACs = []
    }

    /// Each original gets the first free value among 64 keyed permutations of it (random
    /// places in its block), else the first free neighbour of the first (bounded scan).
    private static func plan<Value: Hashable>(
        _ originals: [Value], fixed: (Value) -> Bool, step: (Value, Int) -> Value, neighbour: (Value) -> Value,
        unavoidable: inout Int
    ) -> [Value: Value] {
        let taken = Set(originals)
        var used: Set<Value> = []
        var plan: [Value: Value] = [:]
        func isFree(_ value: Value) -> Bool { !taken.contains(value) && !used.contains(value) && !fixed(value) }
        for original in originals where !fixed(original) {
            var chosen: Value?
            for attempt in 0..<64 {
                let candidate = step(original, attempt)
                if isFree(candidate) {
                    chosen = candidate
                    break
                }
            }
            // A block (nearly) full of the tenant's own addresses: scan it for a free value,
            // and failing that for one no other original got (never the address itself), so
            // distinct still stays distinct.
            for pass in 0..<2 where chosen == nil {
                let start = step(original, 0)
                var candidate = start
                // Once around the block at most (bounded for the large ones).
                for _ in 0..<65_536 {
                    if pass == 0 ? isFree(candidate) : candidate != original && !used.contains(candidate) && !fixed(candidate) {
                        chosen = candidate
                        if pass == 1 { unavoidable += 1 }
                        break
                    }
                    candidate = neighbour(candidate)
                    if candidate == start { break }
                }
            }
            if chosen == nil, !used.contains(original),
               let earlier = originals.first(where: { plan[$0] != nil && plan[$0] != original }) {
                // Only the address itself is left: swap with an earlier original instead, which
                // keeps every pseudonym distinct and none equal to its own address.
                chosen = plan[earlier]
                plan[earlier] = original
                used.insert(original)
                unavoidable += 1
            }
            let pseudonym = chosen ?? step(original, 0)
            used.insert(pseudonym)
            plan[original] = pseudonym
        }
        return plan
    }

    private static func nibble(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        default: return byte - 0x61 + 10
        }
    }

    // MARK: Numbers

    /// A JSON number in an identifying field (a wrong type, e.g. an address sent as an
    /// integer): same sign, same number of digits, same type (integer or not), other digits.
    func number(_ literal: [UInt8]) -> [UInt8] {
        let bytes = stream("number", literal, count: literal.count)
        var output = literal
        var seenDigit = false
        var inExponent = false
        for (index, byte) in literal.enumerated() {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { inExponent = true }
            guard byte >= 0x30 && byte <= 0x39, !inExponent else { continue }
            // JSON forbids a leading zero before other digits: keep the first digit's zeroness.
            if !seenDigit {
                seenDigit = true
                output[index] = byte == 0x30 ? 0x30 : 0x31 + bytes[index] % 9
            } else {
                output[index] = 0x30 + bytes[index] % 10
            }
        }
        return output
    }
}
