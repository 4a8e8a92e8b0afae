import Foundation
import HTTPServer
import JSON

/// One way an answer or a fixture leaves ESET's published contract.
public struct ContractViolation: Sendable, Equatable, CustomStringConvertible {
    /// What kind of rule was broken; scenarios that break the contract on purpose list these
    /// (`offContract` in a scenario file).
    public enum Kind: String, Sendable, CaseIterable {
        /// A status the operation does not declare.
        case status
        /// A declared header missing, or its value not matching the header's schema.
        case header
        /// A body of another media type than declared (an HTML error page, for one).
        case mediaType = "media-type"
        /// A body that is not JSON where JSON is declared.
        case bodySyntax = "body-syntax"
        /// A JSON body that does not match the declared schema (or, for an error answer, is
        /// not the gateway's rpcStatus shape).
        case bodySchema = "body-schema"
    }

    public var kind: Kind
    /// Where: a JSON path (`$.devices[3].operatingSystem.familyId`), or a header name.
    public var path: String
    /// What is wrong, naming the expected type, format or values.
    public var message: String

    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// ESET's OpenAPI descriptions of ESET Connect (Device Management and OAuth), from the digest
/// `Scripts/generate-openapi-digest.py` extracts: the contract the mock honours and checks
/// answers and fixtures against.
///
/// Validation covers what the descriptions use: `type`, `format` (`int32`, `int64`, `uint64`
/// on strings, `date-time`, `uuid`, `byte`), `enum`, `items`, `properties`,
/// `additionalProperties`, `required`, `minimum`/`maximum`, `minLength`/`maxLength` and
/// `pattern`. Unknown members are allowed, as the descriptions do not close their objects.
public final class OpenAPIContract: Sendable {
    /// The contract built from the committed digest.
    public static let eset: OpenAPIContract = {
        do {
            return try OpenAPIContract(digest: Array(digestJSON.utf8))
        } catch {
            preconditionFailure("the committed OpenAPI digest does not load: \(error)")
        }
    }()

    /// One operation: method, path template, parameters, body and declared answers.
    public struct Operation: Sendable {
        public let id: String
        /// `device-management` or `iam`.
        public let service: String
        public let method: String
        /// The template, e.g. `/v1/devices/{deviceUuid}:move`.
        public let path: String
        public let parameters: [Parameter]
        public let requestBody: Body?
        /// Declared answers by status (`"200"`, `"default"`).
        public let responses: [String: Response]
        let segments: [PathSegment]
    }

    public struct Parameter: Sendable {
        public let name: String
        /// `query` or `path`.
        public let location: String
        public let required: Bool
        public let schema: Schema
    }

    public struct Body: Sendable {
        public let required: Bool
        public let mediaType: String?
        public let schema: Schema?
    }

    public struct Response: Sendable {
        public let headers: [(name: String, schema: Schema)]
        public let mediaType: String?
        public let schema: Schema?
    }

    /// A schema of the digest; `reference` names a component schema.
    public final class Schema: Sendable {
        let reference: String?
        let type: String?
        let format: String?
        let enumValues: Set<String>?
        let items: Schema?
        let properties: [String: Schema]
        let additionalProperties: Schema?
        let required: [String]
        let minimum: Double?
        let maximum: Double?
        let minLength: Int?
        let maxLength: Int?
        let pattern: NSRegularExpressionBox?

        init(_ value: JSONValue, place: String) throws {
            guard let object = value.objectValue else { throw ESETMockError("\(place): a schema must be an object") }
            reference = object["$ref"]?.stringValue
            type = object["type"]?.stringValue
            format = object["format"]?.stringValue
            enumValues = object["enum"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
            items = try object["items"].map { try Schema($0, place: place + ".items") }
            var properties: [String: Schema] = [:]
            for (name, sub) in object["properties"]?.objectValue?.members ?? [] {
                properties[name] = try Schema(sub, place: place + "." + name)
            }
            self.properties = properties
            if let additional = object["additionalProperties"], additional.objectValue != nil {
                additionalProperties = try Schema(additional, place: place + ".additionalProperties")
            } else {
                additionalProperties = nil
            }
            required = object["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            minimum = object["minimum"]?.doubleValue
            maximum = object["maximum"]?.doubleValue
            minLength = object["minLength"]?.doubleValue.map { Int($0) }
            maxLength = object["maxLength"]?.doubleValue.map { Int($0) }
            pattern = try object["pattern"]?.stringValue.map { try NSRegularExpressionBox($0) }
        }

        /// The values of a string enum, if the schema is one.
        public var allowedValues: Set<String>? { enumValues }
        /// `integer`, `boolean`, `string`…
        public var typeName: String? { type }
    }

    enum PathSegment: Sendable {
        case literal(String)
        /// A `{name}` parameter, with the literal text that follows it in the segment (`:move`).
        case parameter(String, suffix: String)
    }

    public let operations: [Operation]
    let schemas: [String: Schema]

    /// Builds the contract from a digest (the JSON `Scripts/generate-openapi-digest.py` writes).
    public init(digest: [UInt8]) throws {
        let document: JSONValue
        do {
            document = try JSONParser.parse(digest)
        } catch {
            throw ESETMockError("malformed OpenAPI digest: \(error.reason)", line: error.line, column: error.column)
        }
        var schemas: [String: Schema] = [:]
        for (name, value) in document["schemas"]?.objectValue?.members ?? [] {
            schemas[name] = try Schema(value, place: name)
        }
        self.schemas = schemas
        var operations: [Operation] = []
        for value in document["operations"]?.arrayValue ?? [] {
            let path = value["path"]?.stringValue ?? ""
            let id = value["id"]?.stringValue ?? path
            let parameters = try (value["parameters"]?.arrayValue ?? []).map { parameter in
                Parameter(name: parameter["name"]?.stringValue ?? "", location: parameter["in"]?.stringValue ?? "",
                          required: parameter["required"]?.boolValue ?? false,
                          schema: try Schema(parameter["schema"] ?? .object(JSONObject()), place: "\(id) \(parameter["name"]?.stringValue ?? "")"))
            }
            var body: Body?
            if let request = value["requestBody"] {
                body = Body(required: request["required"]?.boolValue ?? false, mediaType: request["mediaType"]?.stringValue,
                            schema: try request["schema"].flatMap { $0 == .null ? nil : try Schema($0, place: id + " requestBody") })
            }
            var responses: [String: Response] = [:]
            for (status, response) in value["responses"]?.objectValue?.members ?? [] {
                let headers = try (response["headers"]?.objectValue?.members ?? []).map { name, schema in
                    (name: name, schema: try Schema(schema, place: "\(id) \(status) \(name)"))
                }
                responses[status] = Response(
                    headers: headers, mediaType: response["mediaType"]?.stringValue,
                    schema: try response["schema"].flatMap { $0 == .null ? nil : try Schema($0, place: "\(id) \(status)") })
            }
            let segments: [PathSegment] = path.split(separator: "/").map { segment in
                guard let open = segment.firstIndex(of: "{"), let close = segment.firstIndex(of: "}") else {
                    return .literal(String(segment))
                }
                return .parameter(String(segment[segment.index(after: open)..<close]),
                                  suffix: String(segment[segment.index(after: close)...]))
            }
            operations.append(Operation(id: id, service: value["service"]?.stringValue ?? "", method: value["method"]?.stringValue ?? "",
                                        path: path, parameters: parameters, requestBody: body, responses: responses,
                                        segments: segments))
        }
        self.operations = operations
        for name in schemas.keys.sorted() { try checkReferences(schemas[name]!, place: name) }
    }

    private func checkReferences(_ schema: Schema, place: String) throws {
        if let reference = schema.reference, schemas[reference] == nil {
            throw ESETMockError("\(place): unknown schema \(reference)")
        }
        try schema.items.map { try checkReferences($0, place: place) }
        try schema.additionalProperties.map { try checkReferences($0, place: place) }
        for (_, sub) in schema.properties { try checkReferences(sub, place: place) }
    }

    /// The component schema `name` (`v1Device`, `v1DeviceGroup`…).
    public func schema(named name: String) -> Schema? { schemas[name] }

    /// The operation `method path` addresses (path without host prefix or query) on `service`,
    /// with the path parameters' values; nil when the contract has no such operation.
    public func operation(service: String, method: String, path: String) -> (Operation, [String: String])? {
        let segments = MockEngine.pathSegments(path).dropFirst().map {
            HTTPRequest.percentDecode($0)
        }
        for operation in operations where operation.service == service && operation.method == method
            && operation.segments.count == segments.count {
            var values: [String: String] = [:]
            var matched = true
            for (template, actual) in zip(operation.segments, segments) {
                switch template {
                case .literal(let text):
                    if text != actual { matched = false }
                case .parameter(let name, let suffix):
                    if actual.hasSuffix(suffix) && actual.count > suffix.count {
                        values[name] = String(actual.dropLast(suffix.count))
                    } else {
                        matched = false
                    }
                }
                if !matched { break }
            }
            if matched { return (operation, values) }
        }
        return nil
    }

    // MARK: Values

    /// Checks `value` against `schema`, appending every violation found below `path`.
    package func validate(_ value: JSONValue, against schema: Schema, path: String, into violations: inout [ContractViolation]) {
        if let reference = schema.reference {
            guard let target = schemas[reference] else { return }
            validate(value, against: target, path: path, into: &violations)
            return
        }
        func fail(_ message: String) {
            violations.append(ContractViolation(kind: .bodySchema, path: path, message: message))
        }
        switch schema.type {
        case "object"?:
            guard case .object(let object) = value else { return fail("expected an object, found \(describe(value))") }
            for name in schema.required where object[name] == nil { fail("required member \(name) is missing") }
            for (key, member) in object.members {
                let memberPath = path + Self.pathComponent(key)
                if let sub = schema.properties[key] {
                    validate(member, against: sub, path: memberPath, into: &violations)
                } else if let additional = schema.additionalProperties {
                    validate(member, against: additional, path: memberPath, into: &violations)
                }
            }
        case "array"?:
            guard case .array(let elements) = value else { return fail("expected an array, found \(describe(value))") }
            if let items = schema.items {
                for (index, element) in elements.enumerated() {
                    validate(element, against: items, path: "\(path)[\(index)]", into: &violations)
                }
            }
        case "string"?:
            guard case .string(let text) = value else { return fail("expected a string, found \(describe(value))") }
            if let allowed = schema.enumValues, !allowed.contains(text) {
                return fail("\(describe(value)) is not one of the enum's \(allowed.count) values (\(allowed.sorted().joined(separator: ", ")))")
            }
            let length = text.unicodeScalars.count
            if let minimum = schema.minLength, length < minimum { fail("shorter than \(minimum) characters") }
            if let maximum = schema.maxLength, length > maximum { fail("longer than \(maximum) characters") }
            if let format = schema.format, let problem = Self.formatProblem(text, format: format) { fail(problem) }
            if let pattern = schema.pattern, !pattern.matches(text) { fail("does not match the pattern \(pattern.source)") }
        case "integer"?:
            let number: Double
            switch value {
            case .int(let integer): number = Double(integer)
            case .double(let double) where double.rounded() == double && double.isFinite: number = double
            default: return fail("expected an integer (\(schema.format ?? "integer")), found \(describe(value))")
            }
            if schema.format == "int32" && (number < -2_147_483_648 || number > 2_147_483_647) { fail("outside the int32 range") }
            if let minimum = schema.minimum, number < minimum { fail("below the minimum \(Self.number(minimum))") }
            if let maximum = schema.maximum, number > maximum { fail("above the maximum \(Self.number(maximum))") }
        case "number"?:
            guard value.doubleValue != nil else { return fail("expected a number, found \(describe(value))") }
        case "boolean"?:
            guard value.boolValue != nil else { return fail("expected a boolean, found \(describe(value))") }
        default:
            break
        }
    }

    /// Checks a whole fixture object or answer body against the component schema `name`.
    package func validate(_ value: JSONValue, schemaNamed name: String, path: String = "$") -> [ContractViolation] {
        guard let schema = schemas[name] else {
            return [ContractViolation(kind: .bodySchema, path: path, message: "no schema named \(name) in the contract")]
        }
        var violations: [ContractViolation] = []
        validate(value, against: schema, path: path, into: &violations)
        return violations
    }

    static func pathComponent(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        if plain { return "." + key }
        var quoted: [UInt8] = []
        JSONWriter.appendEscaped(key, to: &quoted)
        return "[" + String(decoding: quoted, as: UTF8.self) + "]"
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let integer): return String(integer)
        case .double(let double): return String(double)
        case .string(let text):
            var quoted: [UInt8] = []
            JSONWriter.appendEscaped(text.count > 60 ? String(text.prefix(60)) + "…" : text, to: &quoted)
            return "the string " + String(decoding: quoted, as: UTF8.self)
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : String(value)
    }

    /// Why `text` does not have `format`, or nil when it does (or the format is not checked).
    static func formatProblem(_ text: String, format: String) -> String? {
        switch format {
        case "date-time":
            return isRFC3339DateTime(text) ? nil : "not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm))"
        case "uuid":
            return isUUID(text) ? nil : "not a uuid (8-4-4-4-12 hexadecimal digits)"
        case "uint64":
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), UInt64(text) != nil else {
                return "not a uint64 in decimal digits"
            }
            return nil
        case "int64":
            return Int64(text) == nil ? "not an int64 in decimal digits" : nil
        case "byte":
            return Data(base64Encoded: text) == nil ? "not base64" : nil
        default:
            return nil
        }
    }

    /// RFC 3339 section 5.6 `date-time` (the `T` and `Z` may be lower case, as the RFC allows).
    static func isRFC3339DateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, let year = digits(0, 4), bytes[4] == 0x2D, let month = digits(5, 2), bytes[7] == 0x2D,
              let day = digits(8, 2), bytes[10] == 0x54 || bytes[10] == 0x74,
              let hour = digits(11, 2), bytes[13] == 0x3A, let minute = digits(14, 2), bytes[16] == 0x3A,
              let second = digits(17, 2) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour <= 23, minute <= 59, second <= 60 else {
            return false
        }
        var position = 19
        if position < bytes.count, bytes[position] == 0x2E {
            position += 1
            let start = position
            while position < bytes.count, bytes[position] >= 0x30 && bytes[position] <= 0x39 { position += 1 }
            guard position > start else { return false }
        }
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case 0x5A, 0x7A:
            return position + 1 == bytes.count
        case 0x2B, 0x2D:
            guard position + 6 == bytes.count, let offsetHour = digits(position + 1, 2), bytes[position + 3] == 0x3A,
                  let offsetMinute = digits(position + 4, 2) else { return false }
            return offsetHour <= 23 && offsetMinute <= 59
        default:
            return false
        }
    }

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == 0x2D else { return false }
            } else {
                let hex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                guard hex else { return false }
            }
        }
        return true
    }
}

/// A compiled regular expression that can be shared between threads (matching does not mutate).
final class NSRegularExpressionBox: @unchecked Sendable {
    let source: String
    private let expression: NSRegularExpression

    init(_ source: String) throws {
        self.source = source
        expression = try NSRegularExpression(pattern: source)
    }

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
