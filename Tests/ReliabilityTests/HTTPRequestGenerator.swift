import Foundation
import HTTPServer

/// What the echo handler must answer for one well-formed request.
struct ExpectedEcho: Equatable {
    var method: String
    var target: String
    var body: [UInt8]
}

/// One fuzz input for the HTTP server, with what is known about the right answer.
struct HTTPFuzzInput {
    enum Expectation {
        /// Well formed: exactly these answers, in order.
        case echoes([ExpectedEcho])
        /// A known defect: the first (and only) answer must carry this status, or the server may close.
        case status(Int)
        /// Mutated or random: any allowed answer, or a close.
        case anyAllowed
    }

    var kind: String
    var bytes: [UInt8]
    var expectation: Expectation
}

/// The echo handler the fuzzed server runs: the body comes back as sent, method and target in
/// headers, so a well-formed request has exactly one right answer. HEAD gets no body, so every
/// answer on the wire is framed by its `Content-Length`.
let echoHandler: HTTPHandler = { request in
    var response = HTTPResponse(
        status: 200,
        headers: HTTPHeaders([("X-Echo-Method", request.method), ("X-Echo-Target", request.target)]),
        body: request.method == "HEAD" ? [] : request.body)
    response.headers.add("Content-Type", "application/octet-stream")
    return response
}

/// Statuses the server may answer to anything a client sends (RFC 9112 error answers plus the echo).
let allowedHTTPStatuses: Set<Int> = [100, 200, 400, 408, 411, 413, 431, 501, 505]

/// Builds HTTP fuzz inputs from a seeded generator.
struct HTTPRequestGenerator {
    var random: SeededRandom
    /// The server's limits, so inputs just above them can be made.
    var maxHeaderBytes: Int
    var maxBodyBytes: Int

    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
    static let targets = ["/", "/v1/devices", "/v1/devices?pageSize=100&pageToken=abc", "/a/b/../c", "/%2F%20x",
                          "/search?q=caf%C3%A9&x=1+2", "http://127.0.0.1/absolute?x=1", "/" + String(repeating: "p", count: 300)]

    init(seed: UInt64, index: Int, maxHeaderBytes: Int, maxBodyBytes: Int) {
        random = SeededRandom.forCase(seed: seed, index: index)
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    mutating func next() -> HTTPFuzzInput {
        switch random.below(100) {
        case 0..<20: return validPipeline()
        case 20..<65: return mutated()
        case 65..<95: return adversarial()
        default:
            return HTTPFuzzInput(kind: "random-bytes", bytes: random.bytes(random.within(1...2048)), expectation: .anyAllowed)
        }
    }

    // MARK: Well-formed requests

    mutating func validRequest() -> (bytes: [UInt8], echo: ExpectedEcho) {
        let method = random.element(Self.methods)
        let target = random.element(Self.targets)
        let hasBody = method != "GET" && method != "HEAD" && method != "OPTIONS" && random.chance(70)
        let body = hasBody ? randomBody() : []
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for index in 0..<random.below(6) { head += "X-Filler-\(index): \(String(repeating: "v", count: random.below(200)))\r\n" }
        if random.chance(10) { head += "Accept: */*\r\n" }
        var bytes: [UInt8]
        if hasBody && random.chance(40) {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            bytes = Array(head.utf8) + chunked(body)
        } else {
            if hasBody || random.chance(20) { head += "Content-Length: \(body.count)\r\n" }
            head += "\r\n"
            bytes = Array(head.utf8) + body
        }
        return (bytes, ExpectedEcho(method: method, target: target, body: method == "HEAD" ? [] : body))
    }

    mutating func randomBody() -> [UInt8] {
        switch random.below(10) {
        case 0: return []
        case 1: return random.bytes(random.within(10_000...80_000))
        default: return random.bytes(random.within(1...600))
        }
    }

    mutating func chunked(_ body: [UInt8], trailers: Bool? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            let size = min(body.count - index, random.within(1...4096))
            var line = String(size, radix: 16, uppercase: random.chance(50))
            if random.chance(10) { line += ";ext=\"v\"" }
            out += Array((line + "\r\n").utf8) + body[index..<(index + size)] + Array("\r\n".utf8)
            index += size
        }
        out += Array("0\r\n".utf8)
        if trailers ?? random.chance(15) { out += Array("X-Trailer: done\r\n".utf8) }
        out += Array("\r\n".utf8)
        return out
    }

    mutating func validPipeline() -> HTTPFuzzInput {
        var bytes: [UInt8] = []
        var echoes: [ExpectedEcho] = []
        for _ in 0..<random.within(1...3) {
            let request = validRequest()
            bytes += request.bytes
            echoes.append(request.echo)
        }
        return HTTPFuzzInput(kind: "valid", bytes: bytes, expectation: .echoes(echoes))
    }

    // MARK: Mutations of well-formed requests

    mutating func mutated() -> HTTPFuzzInput {
        var bytes = validPipeline().bytes
        var names: [String] = []
        for _ in 0..<random.within(1...3) {
            names.append(mutate(&bytes))
        }
        return HTTPFuzzInput(kind: "mutated:" + names.joined(separator: "+"), bytes: bytes, expectation: .anyAllowed)
    }

    /// Applies one mutation; returns its name for the figures.
    mutating func mutate(_ bytes: inout [UInt8]) -> String {
        guard !bytes.isEmpty else { bytes = random.bytes(8); return "fill" }
        let position = random.below(bytes.count)
        switch random.below(11) {
        case 0:
            bytes[position] = random.byte()
            return "byte-flip"
        case 1:
            bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            return "bit-flip"
        case 2:
            bytes.removeSubrange(position...)
            return "truncate"
        case 3:
            let end = min(bytes.count, position + random.within(1...256))
            let copy = Array(bytes[position..<end])
            bytes.insert(contentsOf: copy, at: random.below(bytes.count + 1))
            return "duplicate"
        case 4:
            bytes.removeSubrange(position..<min(bytes.count, position + random.within(1...64)))
            return "delete"
        case 5:
            bytes.insert(contentsOf: random.bytes(random.within(1...16)), at: position)
            return "insert-random"
        case 6:
            bytes.insert(0, at: position)
            return "nul"
        case 7:
            let unicode: [[UInt8]] = [Array("é".utf8), Array("日本".utf8), Array("\u{FEFF}".utf8), [0xFF, 0xFE], [0xC0, 0x80], Array("💥".utf8)]
            bytes.insert(contentsOf: random.element(unicode), at: position)
            return "non-ascii"
        case 8:
            bytes.insert(random.chance(50) ? 0x0D : 0x0A, at: position)
            return "bare-cr-lf"
        case 9:
            // CRLF → LF (or the reverse damage) somewhere in the head.
            if let crlf = (position..<bytes.count).first(where: { $0 + 1 < bytes.count && bytes[$0] == 0x0D && bytes[$0 + 1] == 0x0A }) {
                bytes.remove(at: crlf)
            }
            return "crlf-to-lf"
        default:
            // Repeat a whole line (duplicated headers: Host, Content-Length, Transfer-Encoding…).
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            guard lines.count > 2 else { return "repeat-line-none" }
            let line = lines[random.within(1...(lines.count - 2))]
            bytes.insert(contentsOf: Array(line) + [0x0A], at: min(bytes.count, lines[0].count + 1))
            return "repeat-line"
        }
    }

    // MARK: Known-bad requests with a known answer

    mutating func adversarial() -> HTTPFuzzInput {
        let host = "Host: 127.0.0.1\r\n"
        func request(_ text: String, _ status: Int, _ kind: String) -> HTTPFuzzInput {
            HTTPFuzzInput(kind: kind, bytes: Array(text.utf8), expectation: .status(status))
        }
        switch random.below(24) {
        case 0:
            let value = String(repeating: "h", count: maxHeaderBytes + random.below(4096))
            return request("GET / HTTP/1.1\r\n\(host)X-Huge: \(value)\r\n\r\n", 431, "huge-header")
        case 1:
            var text = "GET / HTTP/1.1\r\n\(host)"
            var index = 0
            while text.utf8.count <= maxHeaderBytes { text += "X-Many-\(index): \(index)\r\n"; index += 1 }
            return request(text + "\r\n", 431, "many-headers")
        case 2:
            let target = "/" + String(repeating: "t", count: maxHeaderBytes + random.below(1024))
            return request("GET \(target) HTTP/1.1\r\n\(host)\r\n", 431, "huge-request-line")
        case 3:
            let bad = random.element(["-1", "abc", "1e3", "0x10", "99999999999999999999", "+5", "5 5", "", "٣"])
            return request("POST / HTTP/1.1\r\n\(host)Content-Length: \(bad)\r\n\r\nhello", 400, "bad-content-length")
        case 4:
            let pair = random.element([("5", "6"), ("5", "05x"), ("0", "1")])
            return request("POST / HTTP/1.1\r\n\(host)Content-Length: \(pair.0)\r\nContent-Length: \(pair.1)\r\n\r\nhello!", 400, "conflicting-content-length")
        case 5:
            return request("POST / HTTP/1.1\r\n\(host)Content-Length: 5, 6\r\n\r\nhello!", 400, "content-length-list")
        case 6:
            return request("POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                           400, "cl-and-te")
        case 7:
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\nhello", 400, "te-not-chunked")
        case 8:
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                           501, "te-unsupported")
        case 9:
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400, "te-chunked-twice")
        case 10:
            return request("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "te-in-http10")
        case 11:
            let size = random.element(["zz", "-1", " 5", "5x", "0x5", ";ext", ""])
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n", 400, "bad-chunk-size")
        case 12:
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
                           413, "huge-chunk-size")
        case 13:
            return request("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400, "chunk-without-crlf")
        case 14:
            return request("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "missing-host")
        case 15:
            return request("GET / HTTP/1.1\r\n\(host)\(host)\r\n", 400, "two-hosts")
        case 16:
            let version = random.element(["HTTP/2.0", "HTTP/1.2", "HTTP/3.0", "HTTP/0.9"])
            return request("GET / \(version)\r\n\(host)\r\n", 505, "unsupported-version")
        case 17:
            let version = random.element(["HTTP/1", "HTTP/1.1x", "http/1.1", "HTTP/11", "HTTP/1.1 extra"])
            return request("GET / \(version)\r\n\(host)\r\n", 400, "malformed-version")
        case 18:
            return request("GET / HTTP/1.1\r\n\(host)X-Folded: a\r\n  b\r\n\r\n", 400, "obs-fold")
        case 19:
            let place = random.below(3)
            let text = place == 0 ? "G\u{0}T / HTTP/1.1\r\n\(host)\r\n"
                : place == 1 ? "GET /a\u{0}b HTTP/1.1\r\n\(host)\r\n" : "GET / HTTP/1.1\r\n\(host)X-Nul: a\u{0}b\r\n\r\n"
            return request(text, 400, "nul")
        case 20:
            return request("POST / HTTP/1.1\r\n\(host)Content-Length: \(maxBodyBytes + 1 + random.below(1_000_000))\r\n\r\nsome", 413,
                           "body-over-limit")
        case 21:
            var bytes = Array("POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n".utf8)
            var total = 0
            while total <= maxBodyBytes {
                let size = 256 * 1024
                bytes += Array("\(String(size, radix: 16))\r\n".utf8) + [UInt8](repeating: 0x61, count: size) + Array("\r\n".utf8)
                total += size
            }
            bytes += Array("0\r\n\r\n".utf8)
            return HTTPFuzzInput(kind: "chunked-over-limit", bytes: bytes, expectation: .status(413))
        case 22:
            let body = random.bytes(random.within(1...64))
            let bytes = Array("PUT /upload HTTP/1.1\r\n\(host)Expect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            return HTTPFuzzInput(kind: "expect-continue", bytes: bytes,
                                 expectation: .echoes([ExpectedEcho(method: "PUT", target: "/upload", body: body)]))
        default:
            // Empty lines before the request line are to be ignored (RFC 9112 §2.2).
            let bytes = Array("\r\n\r\n\nGET /after-blank HTTP/1.1\r\n\(host)\r\n".utf8)
            return HTTPFuzzInput(kind: "leading-blank-lines", bytes: bytes,
                                 expectation: .echoes([ExpectedEcho(method: "GET", target: "/after-blank", body: [])]))
        }
    }
}
