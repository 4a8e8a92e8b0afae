/// One thing the validator found wrong (error) or doubtful (warning) in an event.
package struct ValidationFinding: Sendable, Equatable, CustomStringConvertible {
    package enum Severity: String, Sendable, Comparable {
        case error, warning

        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    package var severity: Severity { code.severity }
    package var code: ValidationCode
    /// Where in the event, e.g. `device.os.type` or `device.network_interfaces[1].mac`; the empty
    /// string for the event itself.
    package var path: String
    package var message: String

    package init(code: ValidationCode, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `error attribute_required_missing at severity_id: …`
    package var description: String {
        "\(severity.rawValue) \(code.rawValue) at \(path.isEmpty ? "(event)" : path): \(message)"
    }
}

/// The kinds of finding. The names follow the OCSF server's validator where it has one.
package enum ValidationCode: String, Sendable, CaseIterable, Comparable {
    /// The event is not a JSON object.
    case eventNotObject = "event_not_object"
    /// A required attribute is absent (or `null`), at any depth.
    case attributeRequiredMissing = "attribute_required_missing"
    /// A recommended attribute is absent (a warning; callers usually filter these out).
    case attributeRecommendedMissing = "attribute_recommended_missing"
    /// A value has the wrong JSON type for its OCSF type; a number with a fraction or an exponent
    /// is a float, never an integer, as in the OCSF server.
    case attributeWrongType = "attribute_wrong_type"
    /// An attribute the class or object does not define, or one of a profile the event does not
    /// declare in `metadata.profiles`.
    case attributeUnknown = "attribute_unknown"
    /// A deprecated attribute is present (a warning).
    case attributeDeprecated = "attribute_deprecated"
    /// A `*_id` (or other enum) value that the enum does not define.
    case attributeEnumValueUnknown = "attribute_enum_value_unknown"
    /// A caption sibling (`type` next to `type_id`) that is not the caption of the enum value.
    case attributeEnumSiblingIncorrect = "attribute_enum_sibling_incorrect"
    /// The sibling of 99 "Other" is the caption "Other" itself rather than the source's own value
    /// (a warning, as in the OCSF server).
    case attributeEnumSiblingSuspiciousOther = "attribute_enum_sibling_suspicious_other"
    /// A string longer than its type allows (`ip_t` 40, `mac_t` 32, …).
    case attributeValueExceedsMaxLength = "attribute_value_exceeds_max_len"
    /// A number outside its type's range (`port_t` 0…65535).
    case attributeValueExceedsRange = "attribute_value_exceeds_range"
    /// A string that does not match its type's pattern (a warning, as in the OCSF server).
    case attributeValueRegexNotMatched = "attribute_value_regex_not_matched"
    /// A `timestamp_t` below 10^11 written with a fraction or as a float: seconds where OCSF wants
    /// integer epoch milliseconds (beyond the OCSF server, which only checks the type).
    case timestampSecondsNotMilliseconds = "timestamp_seconds_not_milliseconds"
    /// An integer `timestamp_t` below 10^11: probably seconds, or an instant before 1973-03-03 (a
    /// warning, since both are legal integers).
    case timestampPossiblySeconds = "timestamp_possibly_seconds"
    /// An `at_least_one` or `just_one` constraint of the class or an object does not hold.
    case constraintFailed = "constraint_failed"
    /// `class_uid` is not the class this validator checks (validation stops there).
    case classUIDIncorrect = "class_uid_incorrect"
    /// `category_uid` is not the category of the class.
    case categoryUIDIncorrect = "category_uid_incorrect"
    /// `type_uid` is not `class_uid` × 100 + `activity_id`.
    case typeUIDIncorrect = "type_uid_incorrect"
    /// `metadata.version` is not the schema version the validator checks.
    case versionIncorrect = "version_incorrect"
    /// `metadata.profiles` names a profile OCSF does not define.
    case profileUnknown = "profile_unknown"
    /// An `observables[].name` that does not name an attribute of the class.
    case observableNameInvalidReference = "observable_name_invalid_reference"

    /// Each code has one severity: only doubtful-but-legal things are warnings.
    package var severity: ValidationFinding.Severity {
        switch self {
        case .attributeRecommendedMissing, .attributeDeprecated, .attributeEnumSiblingSuspiciousOther,
            .attributeValueRegexNotMatched, .timestampPossiblySeconds:
            return .warning
        default:
            return .error
        }
    }

    package static func < (lhs: ValidationCode, rhs: ValidationCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
