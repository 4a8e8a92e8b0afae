/// Characters left as they are in a form or query value: RFC 3986 "unreserved".
private let unreservedBytes: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

/// Percent-encodes one form or query component (spaces as `%20`, which both forms accept).
package func percentEncode(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    for byte in text.utf8 {
        if unreservedBytes.contains(byte) {
            bytes.append(byte)
        } else {
            bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
    result = String(decoding: bytes, as: UTF8.self)
    return result
}

/// `a=1&b=2` for an `application/x-www-form-urlencoded` body.
package func formEncode(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
}

/// `?a=1&b=2`, or nothing for no pairs.
package func formQuery(_ pairs: [(String, String)]) -> String {
    pairs.isEmpty ? "" : "?" + formEncode(pairs)
}
