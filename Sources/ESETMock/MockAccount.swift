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

    /// An account; by default known in every region and allowed to call the data API.
    public init(username: String, password: String, regions: Set<MockRegion> = Set(MockRegion.allCases),
                hasIntegrationsPermission: Bool = true) {
        self.username = username
        self.password = password
        self.regions = regions
        self.hasIntegrationsPermission = hasIntegrationsPermission
    }

    /// The documented demo account, a mock-only credential: `demo@example.com` /
    /// `demo-password`, with the Integrations permission in every region.
    public static let demo = MockAccount(username: "demo@example.com", password: "demo-password")

    /// Reads an `accounts.json` file: a JSON array of
    /// `{"username": "...", "password": "...", "regions": ["eu", ...], "integrations": true}`
    /// (`regions` defaults to every region, `integrations` to true).
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
            for key in object.keys where !["username", "password", "regions", "integrations", "comment"].contains(key) {
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
            return MockAccount(username: username, password: password, regions: regions, hasIntegrationsPermission: permission)
        }
    }
}
