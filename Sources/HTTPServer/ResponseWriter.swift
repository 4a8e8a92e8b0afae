#if canImport(Glibc)
import Glibc
#endif

/// Serialises response heads. Framing headers are always computed here, never taken from the handler.
enum ResponseWriter {
    /// Headers the server owns: a handler's copy would contradict the real framing.
    static func isServerOwned(_ name: String) -> Bool {
        HTTPHeaders.sameName(name, "Content-Length") || HTTPHeaders.sameName(name, "Transfer-Encoding")
            || HTTPHeaders.sameName(name, "Connection") || HTTPHeaders.sameName(name, "Date")
    }

    /// Builds the status line and header section including the blank line.
    /// `contentLength` nil omits the header (204/304); `connection` nil omits `Connection`.
    static func head(status: Int, headers: HTTPHeaders, contentLength: Int?, connection: String?, date: String,
                     chunked: Bool = false) -> String {
        String(decoding: headBytes(status: status, headers: headers, contentLength: contentLength, connection: connection,
                                   date: date, chunked: chunked), as: UTF8.self)
    }

    /// `head` as the bytes to send, appended straight into one buffer (building a `String`
    /// piece by piece and converting it was a tenth of a small page's user-space cost).
    static func headBytes(status: Int, headers: HTTPHeaders, contentLength: Int?, connection: String?, date: String,
                          chunked: Bool = false) -> [UInt8] {
        var head: [UInt8] = []
        head.reserveCapacity(128 + headers.count * 48)
        func add(_ text: String) { head.append(contentsOf: text.utf8) }
        add("HTTP/1.1 ")
        add(String(status))
        add(" ")
        add(reason(status))
        add("\r\nDate: ")
        add(date)
        add("\r\n")
        for field in headers where !isServerOwned(field.name) {
            // A handler bug must not let a value inject extra header lines.
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(RequestHead.isTokenByte) else { continue }
            let value = field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
                ? String(field.value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 }) : field.value
            add(field.name)
            add(": ")
            add(value)
            add("\r\n")
        }
        if let contentLength {
            add("Content-Length: ")
            add(String(contentLength))
            add("\r\n")
        }
        if chunked { add("Transfer-Encoding: chunked\r\n") }
        if let connection {
            add("Connection: ")
            add(connection)
            add("\r\n")
        }
        add("\r\n")
        return head
    }

    /// IMF-fixdate (RFC 9110 §5.6.7) for the current second.
    static func httpDate(_ seconds: time_t = time(nil)) -> String {
        imfFixdate(seconds)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`: the `Date` header's form,
/// and one of `Retry-After`'s.
public func imfFixdate(_ seconds: time_t) -> String {
    var seconds = seconds
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}
