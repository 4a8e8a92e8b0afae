/// The facts every failed call reports, whichever service it went to: which call, the last
/// status, the attempt that failed and, for exhausted retries, why. Programs render them; the
/// libraries that throw them name no command-line flag.
package protocol CallFailure: Error, Sendable, CustomStringConvertible {
    /// The call, e.g. `GET /v1/devices (page 3)`.
    var call: String { get }
    /// The HTTP status of the last answer; nil when none arrived.
    var status: Int? { get }
    /// The attempt that failed (1 for the first).
    var attempt: Int { get }
    /// Why the last attempt was worth retrying, when retries ran out.
    var cause: RetryCause? { get }
    /// Whether retrying later cannot help until a person changes something (credentials,
    /// permissions, keys).
    var requiresIntervention: Bool { get }
}
