/// The ESET Connect regions and their hosts.
public enum ESETRegion: String, Sendable, CaseIterable {
    case eu, de, us, ca, jpn

    /// The OAuth token host, e.g. `eu.business-account.iam.eset.systems`.
    public var tokenHost: String { "\(rawValue).business-account.iam.eset.systems" }
    /// The device-management host, e.g. `eu.device-management.eset.systems`.
    public var deviceManagementHost: String { "\(rawValue).device-management.eset.systems" }

    /// Parses a region name, or explains which names are valid.
    public static func named(_ name: String) throws(UnknownRegionError) -> ESETRegion {
        guard let region = ESETRegion(rawValue: name.lowercased()) else { throw UnknownRegionError(name: name) }
        return region
    }
}

/// A region name that ESET does not have.
public struct UnknownRegionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "unknown region '\(name)'; valid regions: " + ESETRegion.allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// Builds the URLs of ESET calls. Production uses `https://HOST/path`; with an override base
/// (a mock) the same call becomes `BASE/HOST/path`, so no other code path differs.
public struct ESETEndpoints: Sendable, Equatable {
    public var region: ESETRegion
    /// e.g. `http://127.0.0.1:8080`; nil for the real service.
    public var overrideBase: String?

    public init(region: ESETRegion, overrideBase: String? = nil) {
        self.region = region
        var base = overrideBase
        while base?.hasSuffix("/") == true { base?.removeLast() }
        self.overrideBase = base
    }

    /// The URL of `path` (starting with `/`) on `host`.
    public func url(host: String, path: String) -> String {
        if let overrideBase { return "\(overrideBase)/\(host)\(path)" }
        return "https://\(host)\(path)"
    }

    public var tokenURL: String { url(host: region.tokenHost, path: "/oauth/token") }
    public func deviceManagementURL(_ path: String) -> String { url(host: region.deviceManagementHost, path: path) }
}
