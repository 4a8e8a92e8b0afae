import JSON

/// Validates events against OCSF Device Inventory Info (class 5001), in the spirit of the OCSF
/// server's validator: required and recommended attributes at every depth, constraints, types,
/// enums and their caption siblings, `type_uid`, `class_uid`/`category_uid`, `metadata.version`,
/// declared profiles, observables and unknown attributes.
///
/// Where this validator is stricter than the OCSF server, on purpose (see the README, "Validating events against OCSF 1.5.0"):
/// a caption sibling that differs from the caption is an error (the server says warning), any
/// `metadata.version` other than the schema's is an error, and a `timestamp_t` below 10^11 is
/// reported as seconds instead of milliseconds (an error when it is not an integer, a warning when
/// it is, since an integer could also be a real instant before 1973-03-03).
package struct OCSFValidator: Sendable {
    package let schema: OCSFSchema
    private let patterns: TypePatterns

    /// A validator for `schema` (OCSF 1.5.0 by default).
    package init(schema: OCSFSchema = .v1_5_0) {
        self.schema = schema
        self.patterns = TypePatterns(schema.types.values)
    }

    /// Every finding for `event`, errors and warnings (recommended-missing included), in the
    /// order the event is walked. An empty result means the event is valid.
    package func validate(_ event: JSONValue) -> [ValidationFinding] {
        var walk = Walk(schema: schema, patterns: patterns)
        walk.validateEvent(event)
        return walk.findings
    }

    /// Whether `text` is a valid value of the string type `typeName` (`ip_t`, `mac_t`, …): its
    /// length limit and its pattern, exactly as `validate` judges them. Lets a producer leave out
    /// what the schema would reject.
    package func accepts(_ text: String, asType typeName: String) -> Bool {
        guard let type = schema.types[typeName] else { return false }
        let base = schema.types[type.base]
        if let limit = type.maximumLength ?? base?.maximumLength, text.count > limit { return false }
        let patternType = type.regex != nil ? type : base
        if let patternType, let matches = patterns.matches(text, typeName: patternType.name) { return matches }
        return true
    }
}

/// One validation pass over one event.
private struct Walk {
    let schema: OCSFSchema
    let patterns: TypePatterns
    var findings: [ValidationFinding] = []
    /// The profiles the event declares in `metadata.profiles`.
    var profiles: Set<String> = []

    init(schema: OCSFSchema, patterns: TypePatterns) {
        self.schema = schema
        self.patterns = patterns
    }

    mutating func add(_ code: ValidationCode, _ path: String, _ message: String) {
        findings.append(ValidationFinding(code: code, path: path, message: message))
    }

    // MARK: The event

    mutating func validateEvent(_ event: JSONValue) {
        guard case .object(let members) = event else {
            add(.eventNotObject, "", "an event must be a JSON object, got \(describe(event))")
            return
        }
        let eventClass = schema.eventClass
        if case .int(let classUID)? = members["class_uid"], classUID != eventClass.uid {
            // Another class's attributes would all look wrong; say the one thing that matters.
            add(.classUIDIncorrect, "class_uid",
                "class_uid \(classUID) is not \(eventClass.caption) (\(eventClass.uid)); this validator checks only class \(eventClass.uid)")
            return
        }
        readProfiles(members)
        validateMembers(members, of: eventClass.attributes, constraints: eventClass.constraints,
                        owner: "class \(eventClass.name) (\(eventClass.uid))", path: "", isEvent: true)
        validateTypeUID(members)
        validateVersion(members)
        validateObservables(members)
    }

    /// Collects the declared profiles and reports names OCSF does not define; their type is
    /// checked with the other attributes.
    mutating func readProfiles(_ event: JSONObject) {
        guard let declared = event["metadata"]?["profiles"]?.arrayValue else { return }
        for (index, element) in declared.enumerated() {
            guard let name = element.stringValue else { continue }
            if schema.profiles.contains(name) {
                profiles.insert(name)
            } else {
                add(.profileUnknown, "metadata.profiles[\(index)]",
                    "OCSF \(schema.version) defines no profile \(quoted(name)); known profiles: \(schema.profiles.sorted().joined(separator: ", "))")
            }
        }
    }

    mutating func validateTypeUID(_ event: JSONObject) {
        guard case .int(let classUID)? = event["class_uid"], case .int(let activityID)? = event["activity_id"],
            case .int(let typeUID)? = event["type_uid"]
        else { return }  // absent or mistyped values are reported with the attributes
        // Arbitrary input must not trap: an overflowing sum cannot equal any type_uid anyway.
        let (scaled, overflowScaling) = classUID.multipliedReportingOverflow(by: 100)
        let (expected, overflowAdding) = scaled.addingReportingOverflow(activityID)
        if overflowScaling || overflowAdding {
            add(.typeUIDIncorrect, "type_uid", "type_uid \(typeUID) cannot be class_uid \(classUID) × 100 + activity_id \(activityID), which overflows")
        } else if typeUID != expected {
            add(.typeUIDIncorrect, "type_uid",
                "type_uid \(typeUID) must be class_uid \(classUID) × 100 + activity_id \(activityID) = \(expected)")
        }
    }

    mutating func validateVersion(_ event: JSONObject) {
        guard let version = event["metadata"]?["version"]?.stringValue, version != schema.version else { return }
        let looksLikeVersion = version.split(separator: ".", omittingEmptySubsequences: false).count == 3
            && version.first?.isNumber == true
        add(.versionIncorrect, "metadata.version",
            looksLikeVersion
                ? "metadata.version is \(quoted(version)); this validator checks OCSF \(schema.version), so the event must say \(quoted(schema.version))"
                : "metadata.version \(quoted(version)) is not a schema version (expected \(quoted(schema.version)))")
    }

    /// Each observable's `name` must be the dotted path of an attribute the class defines.
    mutating func validateObservables(_ event: JSONObject) {
        guard let observables = event["observables"]?.arrayValue else { return }
        for (index, observable) in observables.enumerated() {
            guard let name = observable["name"]?.stringValue else { continue }
            if !resolves(name) {
                add(.observableNameInvalidReference, "observables[\(index)].name",
                    "\(quoted(name)) does not name an attribute of \(schema.eventClass.caption)")
            }
        }
    }

    func resolves(_ dottedPath: String) -> Bool {
        var attributes = schema.eventClass.attributes
        let keys = dottedPath.split(separator: ".", omittingEmptySubsequences: false)
        for (position, key) in keys.enumerated() {
            guard let attribute = attributes[String(key)], applies(attribute) else { return false }
            if position == keys.count - 1 { return true }
            guard let object = schema.objects[attribute.type] else { return false }
            attributes = object.attributes
        }
        return false
    }

    // MARK: Objects

    func applies(_ attribute: OCSFAttribute) -> Bool {
        attribute.profile.map(profiles.contains) ?? true
    }

    /// Validates the members of the event or of one object against its attribute set.
    mutating func validateMembers(
        _ members: JSONObject, of attributes: OCSFAttributeSet, constraints: OCSFConstraints, owner: String,
        path: String, isEvent: Bool = false
    ) {
        // OCSF's generic `object` (used by `unmapped`) defines nothing and accepts anything.
        if attributes.isEmpty { return }
        var seen: Set<String> = []
        var present: Set<String> = []  // members that are there and not null
        for key in members.keys where seen.insert(key).inserted {
            let memberPath = join(path, key)
            guard let attribute = attributes[key], let value = members[key] else {
                add(.attributeUnknown, memberPath, "\(owner) has no attribute \(quoted(key))")
                continue
            }
            if let profile = attribute.profile, !profiles.contains(profile) {
                add(.attributeUnknown, memberPath,
                    "\(quoted(key)) belongs to the OCSF profile \(quoted(profile)), which metadata.profiles does not declare")
                continue
            }
            if case .null = value { continue }  // null counts as absent, as in the OCSF server
            present.insert(key)
            if let since = attribute.deprecatedSince {
                add(.attributeDeprecated, memberPath, "\(quoted(key)) is deprecated since OCSF \(since)")
            }
            validateValue(value, attribute: attribute, parentPath: path, container: members, isEvent: isEvent)
        }
        for attribute in attributes.all where attribute.requirement != .optional && !present.contains(attribute.name) && applies(attribute) {
            let memberPath = join(path, attribute.name)
            if attribute.requirement == .required {
                add(.attributeRequiredMissing, memberPath, "required attribute \(quoted(attribute.name)) of \(owner) is missing")
            } else if attribute.deprecatedSince == nil {
                add(.attributeRecommendedMissing, memberPath, "recommended attribute \(quoted(attribute.name)) of \(owner) is missing")
            }
        }
        validateConstraints(present: present, constraints, owner: owner, path: path)
    }

    /// `present` holds the names of the members that count: known, not null.
    mutating func validateConstraints(present: Set<String>, _ constraints: OCSFConstraints, owner: String, path: String) {
        if let names = constraints.atLeastOne, !names.contains(where: present.contains) {
            add(.constraintFailed, path,
                "\(owner) needs at least one of \(names.joined(separator: ", ")) (at_least_one), got none")
        }
        if let names = constraints.justOne {
            let count = names.filter(present.contains).count
            if count != 1 {
                add(.constraintFailed, path,
                    "\(owner) needs exactly one of \(names.joined(separator: ", ")) (just_one), got \(count)")
            }
        }
    }

    // MARK: Values

    mutating func validateValue(
        _ value: JSONValue, attribute: OCSFAttribute, parentPath: String, container: JSONObject, isEvent: Bool
    ) {
        let path = join(parentPath, attribute.name)
        guard attribute.isArray else {
            if validateSingle(value, attribute: attribute, path: path) {
                validateEnum(value, attribute: attribute, parentPath: parentPath, container: container, isEvent: isEvent, index: nil)
            }
            return
        }
        guard case .array(let elements) = value else {
            add(.attributeWrongType, path, "expected an array of \(typeDescription(attribute)), got \(describe(value))")
            return
        }
        for (index, element) in elements.enumerated() {
            let elementPath = "\(path)[\(index)]"
            if validateSingle(element, attribute: attribute, path: elementPath) {
                validateEnum(element, attribute: attribute, parentPath: parentPath, container: container, isEvent: isEvent, index: index)
            }
        }
    }

    /// Checks one value (or array element) against the attribute's type; true when the type is right.
    mutating func validateSingle(_ value: JSONValue, attribute: OCSFAttribute, path: String) -> Bool {
        if let object = schema.objects[attribute.type] {
            guard case .object(let members) = value else {
                add(.attributeWrongType, path, "expected \(typeDescription(attribute)), got \(describe(value))")
                return false
            }
            validateMembers(members, of: object.attributes, constraints: object.constraints, owner: "object \(object.name)", path: path)
            return true
        }
        guard let type = schema.types[attribute.type] else { return true }  // excluded when the schema is read
        return validateScalar(value, type: type, attribute: attribute, path: path)
    }

    mutating func validateScalar(_ value: JSONValue, type: OCSFTypeDefinition, attribute: OCSFAttribute, path: String) -> Bool {
        // A subtype without its own constraint inherits its base type's (as the OCSF server does).
        let base = schema.types[type.base]
        if type.name == "timestamp_t" { return validateTimestamp(value, path: path) }
        switch type.base {
        case "boolean_t":
            guard case .bool = value else { return wrongType(value, attribute, path) }
        case "integer_t", "long_t":
            guard case .int(let number) = value else { return wrongType(value, attribute, path) }
            if let range = type.range ?? base?.range, !range.contains(number) {
                add(.attributeValueExceedsRange, path,
                    "\(number) is outside the \(type.name) range \(range.lowerBound)…\(range.upperBound)")
            }
        case "float_t":
            // Every JSON integer is also a real number; only non-numbers are wrong here.
            guard value.doubleValue != nil else { return wrongType(value, attribute, path) }
        case "string_t":
            guard case .string(let text) = value else { return wrongType(value, attribute, path) }
            if let limit = type.maximumLength ?? base?.maximumLength, text.count > limit {
                add(.attributeValueExceedsMaxLength, path,
                    "\(text.count) characters exceed the \(type.name) maximum of \(limit)")
            }
            let patternType = type.regex != nil ? type : base
            if let patternType, let matches = patterns.matches(text, typeName: patternType.name), !matches {
                add(.attributeValueRegexNotMatched, path, "\(quoted(text)) does not look like a \(type.name)")
            }
        default:  // json_t: any JSON value
            break
        }
        return true
    }

    /// `timestamp_t` is an integer count of milliseconds since the epoch. A value below 10^11 would
    /// be before 1973-03-03 in milliseconds but is a date before the year 5138 in seconds, so it is
    /// reported as seconds — fraction or not, since the fix is the same (× 1000, as an integer).
    mutating func validateTimestamp(_ value: JSONValue, path: String) -> Bool {
        let secondsLimit = 100_000_000_000.0
        switch value {
        case .int(let number):
            if Double(number).magnitude < secondsLimit {
                add(.timestampPossiblySeconds, path,
                    "\(number) looks like epoch seconds (as milliseconds it is before 1973-03-03); timestamp_t is integer epoch milliseconds (\(number * 1000)?)")
            }
            return true
        case .double(let number) where number.magnitude < secondsLimit:
            let form = number == number.rounded() ? "written as a float" : "with a fraction"
            add(.timestampSecondsNotMilliseconds, path,
                "\(renderNumber(number)) looks like epoch seconds \(form); timestamp_t is integer epoch milliseconds (\(Int64((number * 1000).rounded(.down))))")
            return true
        default:
            add(.attributeWrongType, path,
                "expected timestamp_t (long_t: integer epoch milliseconds), got \(describe(value))")
            return false
        }
    }

    mutating func wrongType(_ value: JSONValue, _ attribute: OCSFAttribute, _ path: String) -> Bool {
        add(.attributeWrongType, path, "expected \(typeDescription(attribute)), got \(describe(value))")
        return false
    }

    // MARK: Enums

    /// Checks an enum value and its caption sibling. `index` is set for enum arrays, whose
    /// sibling is the array of captions.
    mutating func validateEnum(
        _ value: JSONValue, attribute: OCSFAttribute, parentPath: String, container: JSONObject, isEvent: Bool, index: Int?
    ) {
        guard attribute.enumValues != nil else { return }
        let path = join(parentPath, attribute.name) + (index.map { "[\($0)]" } ?? "")
        let key: String
        switch value {
        case .int(let number): key = String(number)
        case .string(let text): key = text
        default: return
        }
        guard let caption = attribute.caption(ofEnumValue: key) else {
            reportUnknownEnumValue(key, attribute: attribute, path: path, container: container, isEvent: isEvent)
            return
        }
        guard let siblingName = attribute.sibling else { return }
        let siblingPath = join(parentPath, siblingName)
        var sibling = container[siblingName]
        var siblingElementPath = siblingPath
        if let index {
            guard case .array(let captions)? = sibling else { return }
            siblingElementPath = "\(siblingPath)[\(index)]"
            guard index < captions.count else {
                if key != "99" {
                    add(.attributeEnumSiblingIncorrect, siblingElementPath,
                        "missing: \(siblingName) has no element \(index) for \(attribute.name)[\(index)] = \(key), expected \(quoted(caption))")
                }
                return
            }
            sibling = captions[index]
        }
        guard case .string(let siblingText)? = sibling else { return }  // absent is fine; mistyped is reported as a type
        if key == "99" {
            // 99 "Other" means the value is not mapped: the sibling should carry the source's own word.
            if siblingText == caption {
                add(.attributeEnumSiblingSuspiciousOther, siblingElementPath,
                    "\(attribute.name) is 99 (Other) and \(siblingName) is just \(quoted(caption)); for Other, \(siblingName) should carry the source's own value")
            }
        } else if siblingText != caption {
            add(.attributeEnumSiblingIncorrect, siblingElementPath,
                "\(quoted(siblingText)) is not the caption of \(attribute.name) \(key); expected \(quoted(caption))")
        }
    }

    mutating func reportUnknownEnumValue(_ key: String, attribute: OCSFAttribute, path: String, container: JSONObject, isEvent: Bool) {
        let eventClass = schema.eventClass
        if isEvent, attribute.name == "category_uid" {
            add(.categoryUIDIncorrect, path,
                "category_uid \(key) is wrong: \(eventClass.caption) (\(eventClass.uid)) belongs to category \(eventClass.categoryUID) \(eventClass.categoryCaption)")
            return
        }
        if isEvent, attribute.name == "type_uid", case .int? = container["class_uid"], case .int? = container["activity_id"] {
            return  // type_uid_incorrect (or activity_id's own finding) says it better
        }
        let known = attribute.enumValues?.map { "\($0.value) \($0.caption)" }.joined(separator: ", ") ?? ""
        add(.attributeEnumValueUnknown, path, "\(key) is not a value of \(attribute.name) (\(known))")
    }

    // MARK: Wording

    func typeDescription(_ attribute: OCSFAttribute) -> String {
        if schema.objects[attribute.type] != nil { return "object \(attribute.type)" }
        guard let type = schema.types[attribute.type] else { return attribute.type }
        return type.base == type.name ? type.name : "\(type.name) (\(type.base))"
    }
}

private func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

private func quoted(_ text: String) -> String {
    let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
    return "\"\(shown)\""
}

private func renderNumber(_ number: Double) -> String {
    number == number.rounded() && number.magnitude < 1e15 ? "\(Int64(number)).0" : "\(number)"
}

/// The value's JSON type, and the value itself when it is short, for wrong-type messages.
private func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return "boolean \(flag)"
    case .int(let number): return "integer \(number)"
    case .double(let number): return "float \(renderNumber(number))"
    case .string(let text): return "string \(quoted(text))"
    case .array: return "array"
    case .object: return "object"
    }
}
