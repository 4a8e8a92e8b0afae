/// Which mapping the connector applies.
package enum MappingProfile: String, Sendable, CaseIterable {
    /// Sekoia.io's published "ESET EDR" table, reproduced exactly, known problems included
    /// (rules M01–M19): what Sekoia.io ingests today.
    case sekoia
    /// The same table with every known problem fixed so that events validate against OCSF 1.5.0
    /// (rules S01–S09 replace the rows they fix).
    case ocsfStrict = "ocsf-strict"

    /// Parses a profile name, or explains which names are valid.
    package static func named(_ name: String) throws(UnknownProfileError) -> MappingProfile {
        guard let profile = MappingProfile(rawValue: name) else { throw UnknownProfileError(name: name) }
        return profile
    }
}

/// A profile name the mapper does not have.
package struct UnknownProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    package var name: String
    package var description: String {
        "unknown profile '\(name)'; valid profiles: " + MappingProfile.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
