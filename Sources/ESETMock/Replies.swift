import HTTPServer
import JSON

/// Answer builders. ESET's error bodies have no documented schema, so the mock deliberately
/// varies them (google.rpc.Status JSON, OAuth JSON, HTML text, nothing) to keep clients honest.
enum Reply {
    /// `{"code": N, "message": "...", "details": []}` with the gRPC code matching `status`.
    static func rpc(_ status: Int, _ message: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginObject()
        writer.key("code")
        writer.int(rpcCode(for: status))
        writer.key("message")
        writer.string(message)
        writer.key("details")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        return .json(status, writer.bytes)
    }

    /// `{"error": "...", "error_description": "..."}` (RFC 6749 §5.2).
    static func oauth(_ status: Int, error: String, _ description: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 128)
        writer.beginObject()
        writer.key("error")
        writer.string(error)
        writer.key("error_description")
        writer.string(description)
        writer.endObject()
        var response = HTTPResponse.json(status, writer.bytes)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// A small HTML page, as a proxy or load balancer in front of the API would send.
    static func html(_ status: Int, _ message: String) -> HTTPResponse {
        let text = "<html><head><title>\(status) \(reason(status))</title></head><body><h1>\(status) \(reason(status))</h1><p>\(message)</p></body></html>\n"
        return HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]),
                            body: Array(text.utf8))
    }

    /// A status with no body at all.
    static func empty(_ status: Int) -> HTTPResponse {
        HTTPResponse(status: status)
    }

    /// `{"message": "..."}`: the shape the mock Sekoia intake and the admin API use for errors.
    static func message(_ status: Int, _ message: String) -> HTTPResponse {
        var writer = JSONWriter(reservingCapacity: 96)
        writer.beginObject()
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return .json(status, writer.bytes)
    }

    static func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        var response = rpc(405, "method not allowed; use \(allowed)")
        response.headers.set("Allow", allowed)
        return response
    }

    static func written(_ writer: JSONWriter, status: Int = 200) -> HTTPResponse {
        .json(status, writer.bytes)
    }

    static func rpcCode(for status: Int) -> Int {
        switch status {
        case 400: return 3    // INVALID_ARGUMENT
        case 401: return 16   // UNAUTHENTICATED
        case 403: return 7    // PERMISSION_DENIED
        case 404: return 5    // NOT_FOUND
        case 409: return 10   // ABORTED
        case 429: return 8    // RESOURCE_EXHAUSTED
        case 499: return 1    // CANCELLED
        case 500: return 13   // INTERNAL
        case 501: return 12   // UNIMPLEMENTED
        case 502, 503: return 14  // UNAVAILABLE
        case 504: return 4    // DEADLINE_EXCEEDED
        default: return 2     // UNKNOWN
        }
    }

    static func defaultMessage(for status: Int) -> String {
        switch status {
        case 400: return "invalid argument"
        case 401: return "access token expired or invalid"
        case 403: return "permission denied: the API user lacks the Integrations permission"
        case 404: return "not found"
        case 429: return "rate limit exceeded"
        case 500: return "internal error; try again later"
        case 502: return "bad gateway; try again later"
        case 503: return "service unavailable (maintenance); try again later"
        case 504: return "deadline exceeded; the request took too long"
        default: return reason(status)
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }

    /// The error answer a rule asks for. Without an explicit `body`, the shape depends on the
    /// status (see README): OAuth JSON on the token route's 4xx, nothing for 429 and 503,
    /// HTML for 502, google.rpc.Status otherwise.
    static func forRule(_ rule: MockRule, status: Int, route: MockRule.Route) -> HTTPResponse {
        let message = rule.message ?? defaultMessage(for: status)
        let body: MockRule.Body
        if let explicit = rule.body {
            body = explicit
        } else if route == .token && (400...499).contains(status) && status != 429 {
            body = .oauth
        } else if status == 429 || status == 503 {
            body = .empty
        } else if status == 502 {
            body = .text
        } else {
            body = .rpc
        }
        switch body {
        case .empty: return empty(status)
        case .text: return html(status, message)
        case .oauth:
            let error = status == 401 ? "invalid_client" : (status == 400 ? "invalid_grant" : "access_denied")
            return oauth(status, error: error, rule.message ?? "the provided credentials are invalid")
        case .rpc, .normal, .malformed, .endless, .hugeLength, .gzipBomb: return rpc(status, message)
        }
    }

    /// The same answer with a body that cannot parse: its first half, then a NUL byte (invalid
    /// anywhere in JSON, so no cut can accidentally be valid).
    static func malformed(_ response: HTTPResponse) -> HTTPResponse {
        let body = response.body
        var broken = Array(body.prefix(body.count / 2))
        broken.append(0)
        var copy = response
        copy.bodyChunks = [broken]
        return copy
    }
}
