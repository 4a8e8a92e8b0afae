import HTTPServer

/// Who may use the admin API. It is open to every local process (that is its purpose), but not
/// to web pages: a page in a local browser can send requests to 127.0.0.1, and DNS rebinding can
/// even make them same-origin under a foreign name. So an admin request is refused when its
/// `Host` is not an address of this mock, when it comes from a browser on another origin
/// (`Origin`, `Sec-Fetch-Site`), and, with `adminToken` set, when it lacks the token.
extension MockEngine {
    /// The refusal for `request`, or nil when it may proceed.
    func adminRefusal(_ request: HTTPRequest) -> HTTPResponse? {
        let hostHeader = request.headers["Host"]
        if let hostHeader, !isOwnHost(hostHeader) {
            return Reply.message(403, "admin API refused: Host '\(hostHeader.prefix(100))' is not an address of this mock "
                                 + "(a defence against DNS rebinding); use 127.0.0.1, [::1] or localhost")
        }
        if let origin = request.headers["Origin"] {
            guard let hostHeader, let originAuthority = MockEngine.authority(ofOrigin: origin),
                  MockEngine.sameAuthority(originAuthority, hostHeader) else {
                return Reply.message(403, "admin API refused: cross-origin request from Origin '\(origin.prefix(100))'; "
                                     + "the admin API does not serve web pages on other origins")
            }
        }
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin" && site != "none" {
            return Reply.message(403, "admin API refused: Sec-Fetch-Site '\(site.prefix(40))' (only same-origin browser requests)")
        }
        if let expected = configuration.adminToken {
            guard let presented = MockEngine.bearer(request), SecureToken.constantTimeEquals(presented, expected) else {
                var response = Reply.message(401, "admin API needs 'Authorization: Bearer <admin token>' (set with --admin-token-file)")
                response.headers.set("WWW-Authenticate", "Bearer realm=\"eset-mock admin\"")
                return response
            }
        }
        return nil
    }

    /// Loopback names and literals, and the address the mock was told to bind. Bound to a
    /// wildcard address, any IP literal is accepted too (rebinding needs a DNS name).
    func isOwnHost(_ header: String) -> Bool {
        let host = MockEngine.hostName(header)
        if host.isEmpty { return false }
        if host == "localhost" || host == "::1" || MockEngine.isIPv4Loopback(host) { return true }
        let bound = configuration.host.lowercased().trimmingCharacters(in: ["[", "]"])
        if host == bound { return true }
        if bound == "0.0.0.0" || bound == "::" || bound.isEmpty {
            return MockEngine.isIPv4Literal(host) || host.contains(":")
        }
        return false
    }

    /// The host of a `Host` value, lower-cased, without port or IPv6 brackets.
    static func hostName(_ header: String) -> String {
        let trimmed = header.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return "" }
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
        }
        if let colon = trimmed.firstIndex(of: ":") { return String(trimmed[..<colon]) }
        return trimmed
    }

    static func isIPv4Literal(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    static func isIPv4Loopback(_ host: String) -> Bool { isIPv4Literal(host) && host.hasPrefix("127.") }

    /// `host[:port]` of an `http://` `Origin`, with the default port made explicit; nil for
    /// `null`, another scheme, or anything unparsable.
    static func authority(ofOrigin origin: String) -> (host: String, port: Int)? {
        let lower = origin.trimmingCharacters(in: .whitespaces).lowercased()
        // The mock speaks plain HTTP: an https origin is another origin whatever its host and port.
        guard lower.hasPrefix("http://") else { return nil }
        let rest = lower.dropFirst(7)
        guard !rest.contains("/") else { return nil }
        return split(authority: String(rest), defaultPort: 80)
    }

    static func split(authority: String, defaultPort: Int) -> (host: String, port: Int)? {
        let host = hostName(authority)
        guard !host.isEmpty else { return nil }
        let afterHost: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            afterHost = authority[authority.index(after: close)...]
        } else {
            afterHost = authority.firstIndex(of: ":").map { authority[$0...] } ?? ""
        }
        if afterHost.isEmpty { return (host, defaultPort) }
        guard afterHost.first == ":", let port = Int(afterHost.dropFirst()), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// Whether an origin and a `Host` value name the same host and port (the mock speaks plain HTTP).
    static func sameAuthority(_ origin: (host: String, port: Int), _ hostHeader: String) -> Bool {
        guard let host = split(authority: hostHeader.trimmingCharacters(in: .whitespaces).lowercased(), defaultPort: 80) else {
            return false
        }
        return host.host == origin.host && host.port == origin.port
    }
}
