/// The ESET Connect regions and their hosts.
package enum ESETRegion: String, Sendable, CaseIterable {
    case eu, de, us, ca, jpn

    /// The OAuth token host, e.g. `eu.business-account.iam.eset.systems`.
    package var tokenHost: String { "\(rawValue).business-account.iam.eset.systems" }
    /// The device-management host, e.g. `eu.device-management.eset.systems`.
    package var deviceManagementHost: String { "\(rawValue).device-management.eset.systems" }

    /// Parses a region name, or explains which names are valid.
    package static func named(_ name: String) throws(UnknownRegionError) -> ESETRegion {
        guard let region = ESETRegion(rawValue: name.lowercased()) else { throw UnknownRegionError(name: name) }
        return region
    }
}

/// A region name that ESET does not have.
package struct UnknownRegionError: Error, Sendable, Equatable, CustomStringConvertible {
    package var name: String
    package var description: String {
        "unknown region '\(name)'; valid regions: " + ESETRegion.allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// Builds the URLs of ESET calls. Production uses `https://HOST/path`; with an override base
/// (a mock) the same call becomes `BASE/HOST/path`, so no other code path differs.
package struct ESETEndpoints: Sendable, Equatable {
    package var region: ESETRegion
    /// e.g. `http://127.0.0.1:8080`; nil for the real service.
    package var overrideBase: String?

    package init(region: ESETRegion, overrideBase: String? = nil) {
        self.region = region
        var base = overrideBase
        while base?.hasSuffix("/") == true { base?.removeLast() }
        self.overrideBase = base
    }

    /// The URL of `path` (starting with `/`) on `host`.
    package func url(host: String, path: String) -> String {
        if let overrideBase { return "\(overrideBase)/\(host)\(path)" }
        return "https://\(host)\(path)"
    }

    package var tokenURL: String { url(host: region.tokenHost, path: "/oauth/token") }
    package func deviceManagementURL(_ path: String) -> String { url(host: region.deviceManagementHost, path: path) }
}
