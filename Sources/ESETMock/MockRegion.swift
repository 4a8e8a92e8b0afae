/// The ESET Connect regions the mock serves, each with a token (IAM) host and a
/// device-management host. The mock is addressed by path prefix equal to the real host name,
/// so a client only swaps `https://` for `http://127.0.0.1:PORT/`.
public enum MockRegion: String, CaseIterable, Sendable {
    case eu, de, us, ca, jpn

    /// The OAuth token host, e.g. `eu.business-account.iam.eset.systems`.
    public var tokenHost: String { "\(rawValue).business-account.iam.eset.systems" }
    /// The device-management host, e.g. `eu.device-management.eset.systems`.
    public var deviceManagementHost: String { "\(rawValue).device-management.eset.systems" }
}

/// Which part of ESET Connect (or of the mock itself) a request addressed.
public enum MockService: String, Sendable {
    /// `{region}.business-account.iam.eset.systems`: the token endpoint.
    case iam
    /// `{region}.device-management.eset.systems`: devices and groups.
    case deviceManagement = "device-management"
    /// `/sekoia/...`: the mock Sekoia.io intake.
    case sekoia
    /// `/__admin/...`: the mock's own control API.
    case admin
    /// Anything else (answered 404).
    case unknown
}

extension MockRegion {
    /// Every regional host name mapped to its region and service, for routing by path prefix or
    /// by `Host` header.
    static let hostTable: [String: (MockRegion, MockService)] = {
        var table: [String: (MockRegion, MockService)] = [:]
        for region in MockRegion.allCases {
            table[region.tokenHost] = (region, .iam)
            table[region.deviceManagementHost] = (region, .deviceManagement)
        }
        return table
    }()
}
