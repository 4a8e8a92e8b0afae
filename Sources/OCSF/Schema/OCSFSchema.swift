import JSON

/// What the validator knows of OCSF: the Device Inventory Info class and every object it reaches,
/// reduced to the facts validation needs (types, requirements, enums, siblings, constraints).
///
/// The data is generated from the OCSF schema files by `Scripts/generate-ocsf-schema.py` into
/// `OCSFSchema+Generated.swift`, so the product needs no schema files at run time.
package struct OCSFSchema: Sendable {
    /// The schema version, e.g. "1.5.0".
    package let version: String
    /// The event class the validator checks (Device Inventory Info).
    package let eventClass: OCSFClassDefinition
    /// Every object the class reaches, by name.
    package let objects: [String: OCSFObjectDefinition]
    /// Every scalar type (`string_t`, `timestamp_t`, `ip_t`, …), by name.
    package let types: [String: OCSFTypeDefinition]
    /// The profile names `metadata.profiles` may list.
    package let profiles: Set<String>

    /// OCSF 1.5.0, from the generated data.
    package static let v1_5_0: OCSFSchema = {
        do {
            return try OCSFSchema(records: generatedRecords)
        } catch {
            // The records are generated and checked by the tests; a failure here is a build defect.
            fatalError("generated OCSF schema data is corrupt: \(error)")
        }
    }()

    /// Parses records in the generated format (one JSON array per line; see the generated file).
    package init(records: String) throws(OCSFSchemaError) {
        var version: String?
        var eventClass: OCSFClassDefinition?
        var objects: [String: OCSFObjectDefinition] = [:]
        var types: [String: OCSFTypeDefinition] = [:]
        var profiles: Set<String> = []
        // Attributes collect here until the next class or object record closes the owner.
        var owner: (name: String, isClass: Bool)?
        var attributes: [OCSFAttribute] = []

        func closeOwner() {
            guard let current = owner else { return }
            if current.isClass {
                eventClass?.attributes = OCSFAttributeSet(attributes)
            } else {
                objects[current.name]?.attributes = OCSFAttributeSet(attributes)
            }
            attributes = []
            owner = nil
        }

        var lineNumber = 0
        for line in records.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields: [JSONValue]
            do {
                fields = try JSONParser.parse(String(line)).arrayValue ?? []
            } catch {
                throw OCSFSchemaError(line: lineNumber, reason: "\(error)")
            }
            guard fields.first?.stringValue != nil else {
                throw OCSFSchemaError(line: lineNumber, reason: "expected a JSON array starting with the record kind")
            }
            let record = Record(fields: fields, line: lineNumber)
            switch fields[0].stringValue {
            case "schema":
                version = try record.string(1)
            case "type":
                let name = try record.string(1)
                let extras = record.object(3)
                var range: ClosedRange<Int64>?
                if let bounds = extras?["range"]?.arrayValue, bounds.count == 2, case .int(let low) = bounds[0],
                    case .int(let high) = bounds[1]
                {
                    range = low...high
                }
                types[name] = OCSFTypeDefinition(
                    name: name, base: try record.string(2),
                    maximumLength: extras?["max_len"].flatMap { if case .int(let value) = $0 { Int(value) } else { nil } },
                    range: range, regex: extras?["regex"]?.stringValue)
            case "profile":
                profiles.insert(try record.string(1))
            case "class":
                closeOwner()
                guard case .int(let uid) = fields.count > 2 ? fields[2] : .null,
                    case .int(let categoryUID) = fields.count > 4 ? fields[4] : .null
                else { throw OCSFSchemaError(line: lineNumber, reason: "class uid and category uid must be integers") }
                let name = try record.string(1)
                eventClass = OCSFClassDefinition(
                    name: name, uid: uid, caption: try record.string(3), categoryUID: categoryUID,
                    categoryCaption: try record.string(5), attributes: OCSFAttributeSet([]),
                    constraints: OCSFConstraints(record.object(6)))
                owner = (name, true)
            case "object":
                closeOwner()
                let name = try record.string(1)
                objects[name] = OCSFObjectDefinition(
                    name: name, attributes: OCSFAttributeSet([]), constraints: OCSFConstraints(record.object(2)?["constraints"]?.objectValue))
                owner = (name, false)
            case "a":
                guard owner != nil else { throw OCSFSchemaError(line: lineNumber, reason: "attribute before any class or object") }
                attributes.append(try OCSFAttribute(record))
            default:
                throw OCSFSchemaError(line: lineNumber, reason: "unknown record kind \(fields[0])")
            }
        }
        closeOwner()

        guard let version, let eventClass else {
            throw OCSFSchemaError(line: lineNumber, reason: "missing the schema or class record")
        }
        self.version = version
        self.eventClass = eventClass
        self.objects = objects
        self.types = types
        self.profiles = profiles
        try checkReferences()
    }

    /// Every attribute's type must be a scalar type or a known object, and every scalar type
    /// must reduce to a primitive the validator checks.
    private func checkReferences() throws(OCSFSchemaError) {
        let primitives: Set<String> = ["boolean_t", "float_t", "integer_t", "long_t", "string_t", "json_t"]
        for type in types.values where !primitives.contains(type.base) {
            throw OCSFSchemaError(line: 0, reason: "type \(type.name) reduces to \(type.base), which the validator cannot check")
        }
        let owners = [(eventClass.name, eventClass.attributes)] + objects.map { ($0.key, $0.value.attributes) }
        for (owner, attributes) in owners {
            for attribute in attributes.all where types[attribute.type] == nil && objects[attribute.type] == nil {
                throw OCSFSchemaError(line: 0, reason: "\(owner).\(attribute.name) has unknown type \(attribute.type)")
            }
        }
    }
}

/// A defect in schema records, naming the line.
package struct OCSFSchemaError: Error, Sendable, CustomStringConvertible {
    package var line: Int
    package var reason: String
    package var description: String { "schema record line \(line): \(reason)" }
}

/// Whether an attribute must, should or may be present.
package enum OCSFRequirement: String, Sendable {
    case required, recommended, optional
}

/// One attribute of a class or object. A class, so that walking an event's attributes passes
/// references around rather than copying half a dozen strings per attribute.
package final class OCSFAttribute: Sendable {
    package let name: String
    /// A scalar type name (`string_t`, `timestamp_t`, …) or an object name (`device`, `os`, …).
    package let type: String
    package let requirement: OCSFRequirement
    package let isArray: Bool
    /// The profile that contributes the attribute; it applies only when the event declares it.
    package let profile: String?
    /// The attribute holding the caption of this enum's value (`type` for `type_id`).
    package let sibling: String?
    /// Enum values (as JSON text: "2", or a string's own text) with their captions, in order.
    package let enumValues: [(value: String, caption: String)]?
    /// The version that deprecated the attribute.
    package let deprecatedSince: String?

    /// The caption of an enum value, when the attribute is an enum and the value is one of it.
    package func caption(ofEnumValue value: String) -> String? {
        enumValues?.first { $0.value == value }?.caption
    }

    init(_ record: Record) throws(OCSFSchemaError) {
        name = try record.string(1)
        type = try record.string(2)
        guard let requirement = OCSFRequirement(rawValue: try record.string(3)) else {
            throw OCSFSchemaError(line: record.line, reason: "unknown requirement for \(name)")
        }
        self.requirement = requirement
        let extras = record.object(4)
        isArray = extras?["array"]?.boolValue ?? false
        profile = extras?["profile"]?.stringValue
        sibling = extras?["sibling"]?.stringValue
        deprecatedSince = extras?["deprecated"]?.stringValue
        enumValues = extras?["enum"]?.objectValue?.members.map { (value: $0.key, caption: $0.value.stringValue ?? "") }
    }
}

/// An ordered set of attributes with lookup by name.
package struct OCSFAttributeSet: Sendable {
    /// The attributes in schema (alphabetical) order.
    package let all: [OCSFAttribute]
    private let indexByName: [String: Int]

    init(_ attributes: [OCSFAttribute]) {
        all = attributes
        var index: [String: Int] = [:]
        for (position, attribute) in attributes.enumerated() { index[attribute.name] = position }
        indexByName = index
    }

    package subscript(name: String) -> OCSFAttribute? {
        indexByName[name].map { all[$0] }
    }

    package var isEmpty: Bool { all.isEmpty }
}

/// Constraints on which attributes of an object (or class) must be present together.
package struct OCSFConstraints: Sendable {
    /// At least one of these must be present.
    package let atLeastOne: [String]?
    /// Exactly one of these must be present.
    package let justOne: [String]?

    init(_ object: JSONObject?) {
        atLeastOne = object?["at_least_one"]?.arrayValue?.compactMap(\.stringValue)
        justOne = object?["just_one"]?.arrayValue?.compactMap(\.stringValue)
    }
}

/// The event class: its identity and attributes.
package struct OCSFClassDefinition: Sendable {
    package let name: String
    package let uid: Int64
    package let caption: String
    package let categoryUID: Int64
    package let categoryCaption: String
    package fileprivate(set) var attributes: OCSFAttributeSet
    package let constraints: OCSFConstraints
}

/// An OCSF object. An object without attributes (OCSF's `object`) accepts any members.
package struct OCSFObjectDefinition: Sendable {
    package let name: String
    package fileprivate(set) var attributes: OCSFAttributeSet
    package let constraints: OCSFConstraints
}

/// A scalar type and what it reduces to.
package struct OCSFTypeDefinition: Sendable {
    package let name: String
    /// The primitive the type reduces to (`timestamp_t` → `long_t`); a primitive names itself.
    package let base: String
    package let maximumLength: Int?
    package let range: ClosedRange<Int64>?
    /// A pattern the value should match (a mismatch is a warning, as in the OCSF server).
    package let regex: String?
}

/// Positional access to one schema record, with errors naming its line.
struct Record {
    let fields: [JSONValue]
    let line: Int

    func string(_ index: Int) throws(OCSFSchemaError) -> String {
        guard index < fields.count, let value = fields[index].stringValue else {
            throw OCSFSchemaError(line: line, reason: "field \(index) must be a string")
        }
        return value
    }

    func object(_ index: Int) -> JSONObject? {
        index < fields.count ? fields[index].objectValue : nil
    }
}
