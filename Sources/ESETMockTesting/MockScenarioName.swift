/// The name of a scenario in the mock's library, typed so that a misspelt scenario is a compile
/// error rather than a failing test run. The shipped ones (`.serverErrors`, `.tokenExpiry`, …)
/// are generated from `MockData/scenarios` by `Scripts/generate-scenario-names.py`; a scenario of
/// your own (a file in `scenarios/` of `$ESET_MOCK_DATA`) is `MockScenarioName(rawValue: "my-name")`.
public struct MockScenarioName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `name` field of the scenario file, e.g. `server-errors`.
    public let rawValue: String

    /// A scenario name; unknown names fail when the mock is created, listing the known ones.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The raw name, as `eset-mock serve --scenario` and the admin API spell it.
    public var description: String { rawValue }
}
