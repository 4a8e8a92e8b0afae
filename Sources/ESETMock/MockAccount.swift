import Foundation
import JSON

/// An ESET API user the mock accepts on its token endpoints.
public struct MockAccount: Sendable, Equatable {
    /// Login name (compared case-insensitively, as e-mail addresses are).
    public var username: String
    /// Password (compared in constant time; never logged).
    public var password: String
    /// Regions whose token endpoint knows this user.
    public var regions: Set<MockRegion>
    /// Whether the user has ESET's "Integrations" permission; without it every data call is 403.
    public var hasIntegrationsPermission: Bool
    /// Whether the user finished its invitation and logged in once to ESET PROTECT Hub. Without
    /// it the token endpoint answers `invalid_grant`, exactly as for a wrong password: how ESET
    /// really answers is not documented (modelled, unconfirmed).
    public var hasCompletedFirstLogin: Bool
    /// A Superuser/Root account, which ESET documents cannot be given API access. Modelled like
    /// an unfinished first login: `invalid_grant` at the token endpoint (unconfirmed).
    public var isSuperuser: Bool

    /// An account; by default known in every region and allowed to call the data API.
    public init(username: String, password: String, regions: Set<MockRegion> = Set(MockRegion.allCases),
                hasIntegrationsPermission: Bool = true, hasCompletedFirstLogin: Bool = true, isSuperuser: Bool = false) {
        self.username = username
        self.password = password
        self.regions = regions
        self.hasIntegrationsPermission = hasIntegrationsPermission
        self.hasCompletedFirstLogin = hasCompletedFirstLogin
        self.isSuperuser = isSuperuser
    }

    /// Whether the token endpoint may issue this user a token at all.
    public var mayObtainToken: Bool { hasCompletedFirstLogin && !isSuperuser }

    /// The documented demo account, a mock-only credential: `demo@example.com` /
    /// `demo-password`, with the Integrations permission in every region.
    public static let demo = MockAccount(username: "demo@example.com", password: "demo-password")

    /// Reads an `accounts.json` file: a JSON array of
    /// `{"username": "...", "password": "...", "regions": ["eu", ...], "integrations": true,
    /// "firstLoginCompleted": true, "superuser": false}` (`regions` defaults to every region,
    /// `integrations` and `firstLoginCompleted` to true, `superuser` to false).
    /// - Throws: `ESETMockError` naming the file and the element or position at fault.
    public static func load(from path: String) throws -> [MockAccount] {
        try parse(readFile(path), source: path)
    }

    /// Parses the `accounts.json` format from memory.
    public static func parse(_ bytes: [UInt8], source: String) throws -> [MockAccount] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ESETMockError("malformed JSON: \(error.reason)", file: source, line: error.line, column: error.column)
        }
        guard let elements = document.arrayValue else {
            throw ESETMockError("expected a JSON array of accounts", file: source)
        }
        return try elements.enumerated().map { index, element in
            let place = "accounts[\(index)]"
            guard let object = element.objectValue else { throw ESETMockError("\(place): expected an object", file: source) }
            for key in object.keys where !["username", "password", "regions", "integrations", "firstLoginCompleted", "superuser", "comment"].contains(key) {
                throw ESETMockError("\(place): unknown field '\(key)'", file: source)
            }
            guard let username = object["username"]?.stringValue, !username.isEmpty else {
                throw ESETMockError("\(place).username: expected a non-empty string", file: source)
            }
            guard let password = object["password"]?.stringValue else {
                throw ESETMockError("\(place).password: expected a string", file: source)
            }
            var regions = Set(MockRegion.allCases)
            if let list = object["regions"] {
                guard let names = list.arrayValue else { throw ESETMockError("\(place).regions: expected an array", file: source) }
                regions = []
                for name in names {
                    guard let text = name.stringValue, let region = MockRegion(rawValue: text) else {
                        throw ESETMockError("\(place).regions: unknown region \(name.jsonText) (known: eu, de, us, ca, jpn)",
                                            file: source)
                    }
                    regions.insert(region)
                }
            }
            var permission = true
            if let flag = object["integrations"] {
                guard let value = flag.boolValue else { throw ESETMockError("\(place).integrations: expected true or false", file: source) }
                permission = value
            }
            var flags: [String: Bool] = [:]
            for name in ["firstLoginCompleted", "superuser"] {
                guard let flag = object[name] else { continue }
                guard let value = flag.boolValue else { throw ESETMockError("\(place).\(name): expected true or false", file: source) }
                flags[name] = value
            }
            return MockAccount(username: username, password: password, regions: regions, hasIntegrationsPermission: permission,
                               hasCompletedFirstLogin: flags["firstLoginCompleted"] ?? true, isSuperuser: flags["superuser"] ?? false)
        }
    }
}
