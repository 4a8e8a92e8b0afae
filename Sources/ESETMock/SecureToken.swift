/// Random, unguessable tokens made of a lookup part and a secret part (`selector.validator`):
/// the selector finds the entry in a dictionary, and the validator is then compared in constant
/// time, so response timing reveals nothing about a token's secret part.
struct SecureToken {
    let selector: String
    let validator: [UInt8]
    var text: String { selector + "." + String(decoding: validator, as: UTF8.self) }

    /// A fresh token: 12 random bytes of selector and 32 of validator, base64url (16 + 1 + 43 = 60 characters,
    /// well under ESET's 128-character page-token bound).
    static func make() -> SecureToken {
        var generator = SystemRandomNumberGenerator()
        return SecureToken(selector: base64URL(randomBytes(12, &generator)),
                           validator: Array(base64URL(randomBytes(32, &generator)).utf8))
    }

    /// Splits a presented token; nil when it has not the `selector.validator` shape.
    static func split(_ presented: String) -> (selector: String, validator: [UInt8])? {
        let bytes = Array(presented.utf8)
        guard bytes.count <= 256, let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        return (String(decoding: bytes[..<dot], as: UTF8.self), Array(bytes[(dot + 1)...]))
    }

    /// Compares without an early exit, so the time taken does not depend on where bytes differ.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }

    /// `count` bytes from the system's CSPRNG, eight per call of the generator (one byte per
    /// call made a `getrandom` system call per byte: 16 per `request-id`, a tenth of the cost
    /// of serving a small page).
    static func randomBytes(_ count: Int, _ generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fillRandom(UnsafeMutableRawBufferPointer(buffer), &generator)
            initialized = count
        }
    }

    static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer, _ generator: inout SystemRandomNumberGenerator) {
        var filled = 0
        while filled < buffer.count {
            var word = generator.next()
            let take = min(8, buffer.count - filled)
            withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: filled).copyMemory(from: $0.baseAddress!, byteCount: take) }
            filled += take
        }
    }

    /// A random RFC 4122 version-4 UUID string, for `request-id`, `response-id` and task ids.
    static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &bytes) { fillRandom($0, &generator) }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, lower-case hex, written straight into the string.
            return String(unsafeUninitializedCapacity: 36) { out in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = hexDigits[Int(raw[index] >> 4)]
                    out[position + 1] = hexDigits[Int(raw[index] & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(alphabet[Int(value & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let value = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
        } else if remaining == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A dictionary that forgets its oldest entries beyond a capacity, so a long benchmark issuing
/// tokens cannot grow the mock without bound.
struct BoundedStore<Value> {
    private var entries: [String: Value] = [:]
    private var order: [String] = []
    private var orderStart = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    subscript(key: String) -> Value? {
        get { entries[key] }
        set {
            if let newValue {
                if entries.updateValue(newValue, forKey: key) == nil {
                    order.append(key)
                    evictIfNeeded()
                }
            } else {
                entries.removeValue(forKey: key)
            }
        }
    }

    var count: Int { entries.count }

    mutating func removeAll() {
        entries.removeAll()
        order.removeAll()
        orderStart = 0
    }

    private mutating func evictIfNeeded() {
        while entries.count > capacity, orderStart < order.count {
            entries.removeValue(forKey: order[orderStart])
            orderStart += 1
        }
        // Keys removed explicitly stay in `order` until they reach its front; compacting now and
        // then keeps that list proportional to the live entries.
        if orderStart > 1024 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        if order.count - orderStart > capacity * 2 + 1024 {
            order = order[orderStart...].filter { entries[$0] != nil }
            orderStart = 0
        }
    }
}
