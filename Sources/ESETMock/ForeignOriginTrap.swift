import Foundation
import HTTPServer
import JSON
import Synchronization

/// One request that reached the foreign-origin trap. No value is kept: only whether a
/// credential came along.
public struct MockForeignRequest: Sendable, Equatable {
    /// The request method.
    public var method: String
    /// The request path (no query).
    public var path: String
    /// Whether the request carried an `Authorization` header.
    public var authorization: Bool
    /// Whether the request carried anything that looks like a credential: `Authorization`,
    /// `Proxy-Authorization`, `Cookie`, a header named like a key, token, secret or password,
    /// such a name in the query or body (`password=`, `"api_key"`, ...), or one of the mock's
    /// own secrets (account passwords, the Sekoia.io API key) anywhere in the headers, target or body.
    public var credential: Bool

    public init(method: String, path: String, authorization: Bool, credential: Bool) {
        self.method = method
        self.path = path
        self.authorization = authorization
        self.credential = credential
    }
}

/// A second loopback listener started with the mock: the "other host" that redirect scenarios
/// point at. It records every request and answers like a too-good-to-be-true server (a token for
/// any token request, an empty page for any list, `{}` for any push), so that a client following
/// the redirect is both recorded and misled in an observable way.
final class ForeignOriginTrap: Sendable {
    /// Most requests kept (the oldest are dropped beyond it).
    static let capacity = 10_000

    private let recorder: Recorder
    private let server: HTTPServer

    private final class Recorder: Sendable {
        let requests = Mutex<[MockForeignRequest]>([])
        let secrets: [String]
        init(secrets: [String]) { self.secrets = secrets }
    }

    /// `host` is the mock's bind address: the trap binds the loopback address of the same family.
    init(host: String, secrets: [String]) {
        var configuration = HTTPServer.Configuration()
        configuration.host = host.contains(":") ? "::1" : "127.0.0.1"
        configuration.port = 0
        configuration.maxConnections = 64
        let recorder = Recorder(secrets: secrets.filter { $0.utf8.count >= 4 })
        self.recorder = recorder
        server = HTTPServer(configuration: configuration) { request in
            ForeignOriginTrap.handle(request, recorder: recorder)
        }
    }

    func start() throws { try server.start() }
    func stop(timeout: Double) { server.stop(timeout: timeout) }

    /// `http://127.0.0.1:PORT` once started.
    var baseURL: String { server.baseURL }

    var requests: [MockForeignRequest] { recorder.requests.withLock { $0 } }

    func reset() { recorder.requests.withLock { $0.removeAll() } }

    private static func handle(_ request: HTTPRequest, recorder: Recorder) -> HTTPResponse {
        let record = MockForeignRequest(method: request.method, path: request.path,
                                        authorization: request.headers["Authorization"] != nil,
                                        credential: carriesCredential(request, secrets: recorder.secrets))
        recorder.requests.withLock { requests in
            if requests.count >= capacity { requests.removeFirst(requests.count - capacity + 1) }
            requests.append(record)
        }
        let path = request.path.lowercased()
        if path.hasSuffix("/oauth/token") {
            var response = HTTPResponse.json(200, Array(("{\"access_token\":\"foreign-origin-access.token\","
                + "\"refresh_token\":\"foreign-origin-refresh.token\",\"token_type\":\"Bearer\",\"expires_in\":3600}").utf8))
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        if path.hasSuffix("/v1/device_groups") {
            return .json(200, Array("{\"deviceGroups\":[],\"nextPageToken\":\"\"}".utf8))
        }
        if path.hasSuffix("/v1/devices") || path.hasSuffix("/v1/devices:batchget") {
            return .json(200, Array("{\"devices\":[],\"nextPageToken\":\"\"}".utf8))
        }
        if path.hasPrefix("/sekoia/") { return .json(200, Array("{}".utf8)) }
        return .text(404, "404 page not found")
    }

    private static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie"]
    private static let credentialWords = ["token", "secret", "password", "passwd", "apikey", "api-key", "api_key",
                                          "auth", "session", "credential"]
    private static let credentialFields = ["password=", "client_secret", "refresh_token", "access_token", "api_key",
                                           "apikey", "\"password\"", "\"secret\"", "\"token\""]

    static func carriesCredential(_ request: HTTPRequest, secrets: [String]) -> Bool {
        for field in request.headers {
            let name = field.name.lowercased()
            if credentialHeaders.contains(name) || credentialWords.contains(where: { name.contains($0) }) { return true }
        }
        let target = request.target.lowercased()
        if request.queryItems.contains(where: { item in credentialWords.contains { item.name.lowercased().contains($0) } }) {
            return true
        }
        let body = String(decoding: request.body.prefix(1 << 20), as: UTF8.self)
        let lowerBody = body.lowercased()
        if credentialFields.contains(where: { lowerBody.contains($0) }) { return true }
        for secret in secrets {
            let forms = [secret, HTTPRequestEncoding.formEncoded(secret), HTTPRequestEncoding.percentEncoded(secret),
                         Data(secret.utf8).base64EncodedString()]
            for form in forms where target.contains(form.lowercased()) || body.contains(form) { return true }
            if request.headers.contains(where: { $0.value.contains(secret) }) { return true }
        }
        return false
    }
}

/// The encodings a secret may travel in, for the trap's detection.
enum HTTPRequestEncoding {
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func formEncoded(_ text: String) -> String {
        percentEncoded(text).replacingOccurrences(of: "%20", with: "+")
    }
}
