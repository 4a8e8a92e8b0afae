/// A protocol error found while reading a request: the status to answer and a message that
/// names the offending place. The connection is always closed afterwards, because after a
/// framing error the position of the next request cannot be trusted.
struct HTTPParseError: Error, Equatable {
    var status: Int
    var message: String
    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// How the request body is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
}

/// The request line and header section of one request.
struct RequestHead {
    var method: String
    var target: String
    var version: String
    var headers: HTTPHeaders

    var isHTTP11: Bool { version == "HTTP/1.1" }

    /// HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 closes unless
    /// `Connection: keep-alive` (RFC 9112 §9.3).
    var wantsKeepAlive: Bool {
        isHTTP11 ? !headers.hasToken("close", in: "Connection") : headers.hasToken("keep-alive", in: "Connection")
    }

    /// Whether the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool {
        isHTTP11 && headers.values("Expect").contains { HTTPHeaders.sameName($0.trimmingOWS(), "100-continue") }
    }

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// Parses a complete head: `bytes` runs from the request line through the blank line.
    static func parse(_ bytes: ArraySlice<UInt8>, requireHost: Bool) throws -> RequestHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == lf {
            var line = bytes[lineStart..<index]
            if line.last == cr { line = line.dropLast() }
            lines.append(line)
            lineStart = index + 1
        }
        guard lines.count >= 2, lines.last?.isEmpty == true else {
            throw HTTPParseError(400, "incomplete request head")
        }
        lines.removeLast()
        for (number, line) in lines.enumerated() where line.contains(cr) {
            throw HTTPParseError(400, "bare CR in request head at line \(number + 1)")
        }

        let (method, target, version) = try parseRequestLine(lines[0])
        var headers = HTTPHeaders()
        for (offset, line) in lines.dropFirst().enumerated() {
            let (name, value) = try parseField(line, lineNumber: offset + 2)
            headers.add(name, value)
        }
        if requireHost && version == "HTTP/1.1" {
            let hosts = headers.values("Host")
            if hosts.count != 1 {
                throw HTTPParseError(400, hosts.isEmpty ? "missing Host header (required in HTTP/1.1)"
                                                        : "\(hosts.count) Host headers (exactly one allowed)")
            }
        }
        return RequestHead(method: method, target: target, version: version, headers: headers)
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws -> (String, String, String) {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        // Only an error shows it: built on every request, it cost more than the parse.
        var shown: String { String(decoding: line.prefix(80), as: UTF8.self).debugDescription }
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw HTTPParseError(400, "malformed request line (want METHOD SP TARGET SP VERSION): \(shown)")
        }
        guard parts[0].allSatisfy(isTokenByte) else {
            throw HTTPParseError(400, "invalid method in request line: \(shown)")
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseError(400, "invalid character in request-target: \(shown)")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let formOK = target.hasPrefix("/")
            || (target == "*" && method == "OPTIONS")
            || target.prefix(8).lowercased().hasPrefix("http://") || target.prefix(8).lowercased().hasPrefix("https://")
            || (method == "CONNECT" && !target.contains("/"))
        guard formOK else {
            throw HTTPParseError(400, "request-target must start with '/' (or be absolute-form): \(shown)")
        }
        let version = Array(parts[2])
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, Array(version[0..<5]) == prefix, isDigit(version[5]), version[6] == UInt8(ascii: "."),
              isDigit(version[7]) else {
            throw HTTPParseError(400, "malformed HTTP version in request line: \(shown)")
        }
        let versionText = String(decoding: version, as: UTF8.self)
        guard versionText == "HTTP/1.1" || versionText == "HTTP/1.0" else {
            throw HTTPParseError(505, "HTTP version \(versionText) not supported (only HTTP/1.0 and HTTP/1.1)")
        }
        return (method, target, versionText)
    }

    private static func parseField(_ line: ArraySlice<UInt8>, lineNumber: Int) throws -> (String, String) {
        guard let first = line.first else { throw HTTPParseError(400, "empty header line at line \(lineNumber)") }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw HTTPParseError(400, "obsolete line folding in header at line \(lineNumber)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw HTTPParseError(400, "header line \(lineNumber) has no ':'")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTPParseError(400, "invalid header name at line \(lineNumber): \(String(decoding: name.prefix(60), as: UTF8.self).debugDescription)")
        }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == 0x20 || byte == 0x09 { value = value.dropFirst() }
        while let byte = value.last, byte == 0x20 || byte == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError(400, "control character in value of header \(String(decoding: name, as: UTF8.self)) at line \(lineNumber)")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Decides body framing, rejecting every ambiguity that enables request smuggling.
    func bodyFraming() throws -> BodyFraming {
        let transferEncodings = headers.values("Transfer-Encoding")
        let contentLengths = headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty {
                throw HTTPParseError(400, "request has both Content-Length and Transfer-Encoding")
            }
            if !isHTTP11 {
                throw HTTPParseError(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request")
            }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingOWS().lowercased() }
                .filter { !$0.isEmpty }
            guard codings.last == "chunked" else {
                throw HTTPParseError(400, "Transfer-Encoding must end with chunked (got \(transferEncodings.joined(separator: ", ")))")
            }
            if codings.count > 1 {
                if codings.dropLast().contains("chunked") {
                    throw HTTPParseError(400, "chunked applied more than once in Transfer-Encoding")
                }
                throw HTTPParseError(501, "unsupported transfer coding \(codings.dropLast().joined(separator: ", ")) (only chunked)")
            }
            return .chunked
        }
        guard !contentLengths.isEmpty else { return .none }
        // Repeated or list-valued Content-Length is tolerated only when every value agrees
        // (RFC 9112 §6.3 item 5).
        var length: Int?
        for item in contentLengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = item.trimmingOWS()
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(Self.isDigit), let value = Int(text) else {
                throw HTTPParseError(400, "invalid Content-Length \(contentLengths.joined(separator: ", ").debugDescription)")
            }
            if let length, length != value {
                throw HTTPParseError(400, "conflicting Content-Length values \(contentLengths.joined(separator: ", ").debugDescription)")
            }
            length = value
        }
        return length == 0 ? .none : .length(length!)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// tchar from RFC 9110 §5.6.2.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// Parses a chunk-size line (`1a;ext=x`), ignoring extensions.
    static func parseChunkSize(_ line: ArraySlice<UInt8>) throws -> Int {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = HTTPRequest.hexValue(line[index]) {
            digits += 1
            guard digits <= 15 else { throw HTTPParseError(413, "chunk size too large") }
            size = size << 4 | Int(digit)
            index += 1
        }
        guard digits > 0 else {
            throw HTTPParseError(400, "invalid chunk size line \(String(decoding: line.prefix(40), as: UTF8.self).debugDescription)")
        }
        var rest = line[index...]
        while let byte = rest.first, byte == 0x20 || byte == 0x09 { rest = rest.dropFirst() }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else {
            throw HTTPParseError(400, "invalid chunk size line \(String(decoding: line.prefix(40), as: UTF8.self).debugDescription)")
        }
        return size
    }
}
