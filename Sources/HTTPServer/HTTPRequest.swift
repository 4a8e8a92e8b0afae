/// A request as received by the server, handed to the `HTTPHandler`.
public struct HTTPRequest: Sendable {
    /// The method token exactly as sent, e.g. `"GET"` (methods are case-sensitive).
    public var method: String
    /// The raw request-target, e.g. `"/a/b?x=1&y=%20"`.
    public var target: String
    /// The target before `?`, not percent-decoded (so `%2F` stays distinguishable from `/`).
    /// For an absolute-form target (`http://host/p`) this is the path part only.
    public var path: String
    /// Query parameters, percent-decoded with `+` read as a space, in order, repeats kept.
    public var queryItems: [(name: String, value: String)]
    /// The header fields in received order.
    public var headers: HTTPHeaders
    /// The body, already de-chunked when it was sent with `Transfer-Encoding: chunked`.
    public var body: [UInt8]
    /// The peer as `"ip:port"` (`"[ip]:port"` for IPv6).
    public var remoteAddress: String
    /// The protocol version from the request line, e.g. `"HTTP/1.1"`.
    public var version: String

    /// Builds a request the way the server would, deriving `path` and `queryItems` from `target`.
    /// Useful to unit-test handlers without a socket.
    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                remoteAddress: String = "127.0.0.1:0", version: String = "HTTP/1.1") {
        self.method = method
        self.target = target
        let (path, query) = HTTPRequest.splitTarget(target)
        self.path = path
        self.queryItems = query.map(HTTPRequest.parseQuery) ?? []
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.version = version
    }

    /// The first value of query parameter `name` (exact, case-sensitive match); nil when absent.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Every value of query parameter `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// The body read as UTF-8 (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Splits a request-target into path and query (without `?`); a fragment is dropped.
    static func splitTarget(_ target: String) -> (path: String, query: String?) {
        let utf8 = target.utf8
        // What the server passes on (visible ASCII, one byte per `Character`) in one byte scan;
        // absolute-form and anything else take the general path below.
        if utf8.first == UInt8(ascii: "/"), utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            var end = utf8.endIndex
            if let hash = utf8.firstIndex(of: UInt8(ascii: "#")) { end = hash }
            if let question = utf8[..<end].firstIndex(of: UInt8(ascii: "?")) {
                return (String(target[..<question]), String(target[utf8.index(after: question)..<end]))
            }
            return (String(target[..<end]), nil)
        }
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        // Absolute-form (RFC 9112 §3.2.2): servers must accept it; keep only the path part.
        let lower = rest.prefix(8).lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            let afterScheme = rest[rest.index(rest.firstIndex(of: ":")!, offsetBy: 3)...]
            if let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = afterScheme[slash...]
                if rest.first == "?" { rest = "/" + rest }
            } else {
                rest = "/"
            }
        }
        if let question = rest.firstIndex(of: "?") {
            return (String(rest[..<question]), String(rest[rest.index(after: question)...]))
        }
        return (String(rest), nil)
    }

    /// Parses `application/x-www-form-urlencoded` text, a query or a form body: `a=1&b=x+y&c`
    /// (empty pairs skipped, a name without `=` gets an empty value, `+` is a space).
    public static func parseFormEncoded(_ text: String) -> [(name: String, value: String)] {
        parseQuery(text)
    }

    /// Percent-decodes a path segment (`+` stays a `+` there); malformed escapes are kept as is.
    public static func percentDecode(_ segment: Substring) -> String {
        // A byte search: `contains("%")` with a string argument went through Foundation's NSString.
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return decode(segment.utf8[...], plusIsSpace: false)
    }

    /// Parses `a=1&b=x+y&c` (empty pairs skipped, a name without `=` gets an empty value).
    static func parseQuery(_ query: String) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                items.append((name: formDecode(pair[pair.startIndex..<equals]),
                              value: formDecode(pair[pair.index(after: equals)...])))
            } else {
                items.append((name: formDecode(pair[...]), value: ""))
            }
        }
        return items
    }

    /// Percent-decodes with `+` as space; a malformed `%` escape is kept literally rather than
    /// rejected, because lenient reading of queries is what clients expect from servers.
    static func formDecode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        decode(bytes, plusIsSpace: true)
    }

    private static func decode(_ bytes: Substring.UTF8View.SubSequence, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if plusIsSpace, byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"),
                      let h1 = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), h1 < bytes.endIndex,
                      let h2 = bytes.index(index, offsetBy: 2, limitedBy: bytes.endIndex), h2 < bytes.endIndex,
                      let high = hexValue(bytes[h1]), let low = hexValue(bytes[h2]) {
                out.append(high << 4 | low)
                index = h2
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
