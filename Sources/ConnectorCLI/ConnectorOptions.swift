import ArgumentParsing
import ESET
import Mapping

extension MappingProfile: OptionValue {
    package static let valueName = "NAME"
}

extension ESETRegion: OptionValue {
    package static let valueName = "REGION"
    /// Region names are accepted in any case (`EU` as `eu`).
    package init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// The options several commands share, each declared once with its default.
package enum ConnectorOptions {
    /// `--profile`, for every command that maps.
    package static let profile = TypedOption<MappingProfile>(
        "profile", help: "Mapping profile: sekoia (the published table) or ocsf-strict (valid OCSF 1.5.0).", default: .sekoia)
    /// `--region` of `collect`: required, ESET accounts live in one region.
    package static let region = TypedOption<ESETRegion>("region", help: "ESET Connect region: eu, de, us, ca or jpn.")
    /// `--region` of `demo`: which region the mock plays.
    package static let demoRegion = TypedOption<ESETRegion>("region", help: "The ESET region to play: eu, de, us, ca or jpn.", default: .eu)
    /// `--rate-limit` of ESET calls.
    package static let rateLimit = TypedOption<RateLimit>(
        "rate-limit", help: "Client-side limit of ESET calls per second, or 'off'.", default: .perSecond(10))
}
