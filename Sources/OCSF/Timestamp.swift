/// A point in time as an OCSF event carries it.
///
/// The published Sekoia.io table writes epoch *seconds* with a microsecond fraction, while OCSF's
/// `timestamp_t` is integer epoch *milliseconds*; both are kept exact by storing microseconds.
package struct OCSFTimestamp: Sendable, Hashable, Codable {
    /// How the value is written in JSON.
    package enum Unit: String, Sendable, Hashable, Codable {
        /// Epoch seconds with up to six fraction digits (the `sekoia` profile).
        case seconds
        /// Integer epoch milliseconds, truncated (OCSF `timestamp_t`, the `ocsf-strict` profile).
        case milliseconds
    }

    /// Microseconds since 1970-01-01T00:00:00Z.
    package var microseconds: Int64
    package var unit: Unit

    package init(microseconds: Int64, unit: Unit) {
        self.microseconds = microseconds
        self.unit = unit
    }

    /// Whole milliseconds, rounded toward negative infinity so that ordering is kept.
    package var milliseconds: Int64 {
        microseconds >= 0 ? microseconds / 1000 : -((-microseconds + 999) / 1000)
    }

    /// The value as a JSON number in `unit`'s form (exact for `Double`-representable values).
    var jsonNumber: Double {
        switch unit {
        case .seconds: return Double(microseconds) / 1_000_000
        case .milliseconds: return Double(milliseconds)
        }
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch unit {
        case .seconds: try container.encode(jsonNumber)
        case .milliseconds: try container.encode(milliseconds)
        }
    }

    /// Decoding cannot tell the unit from a bare number; a value with a fraction or below 1e11
    /// (earlier than 1973 in milliseconds) is read as seconds.
    package init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self), integer >= 100_000_000_000 {
            self.init(microseconds: integer * 1000, unit: .milliseconds)
        } else {
            let seconds = try container.decode(Double.self)
            self.init(microseconds: Int64((seconds * 1_000_000).rounded()), unit: .seconds)
        }
    }
}
