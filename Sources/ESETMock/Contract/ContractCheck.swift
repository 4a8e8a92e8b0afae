import Foundation
import HTTPServer
import JSON

/// One answer the mock gave, handed to `ESETMockConfiguration.responseObserver`: enough to check
/// it against the contract after the fact (`OpenAPIContract.check(_:)`). The body is the real
/// answer, token answers included: an observer must not log or keep it.
public struct MockObservedExchange: Sendable {
    public var method: String
    /// The request path, without query (a `/eu.device-management.eset.systems` prefix included
    /// when the client addressed the region that way).
    public var path: String
    /// `iam`, `device-management`, `sekoia` or `admin`, as the mock routed the call.
    public var service: MockService
    /// The route the mock chose (`devices`, `move`, `token`…), `unknown` when none.
    public var route: String
    /// The path with the region prefix removed: the path of the contract's operation.
    public var operationPath: String
    public var status: Int
    public var headers: HTTPHeaders
    /// The whole body as sent (before any deliberate truncation).
    public var body: [UInt8]
    /// The scenario whose rule produced this answer, if one did.
    public var scenario: String?
    /// `truncate`, `reset` or `close` when the answer was broken on purpose.
    public var fault: String?
    /// The kinds of contract violation the active scenarios declare on purpose (their
    /// `offContract`): a check should accept these and only these.
    public var declaredOffContract: Set<ContractViolation.Kind>
}

extension OpenAPIContract {
    /// The contract's service name of a mock service (nil for the mock's own APIs).
    static func serviceName(_ service: MockService) -> String? {
        switch service {
        case .iam: return "iam"
        case .deviceManagement: return "device-management"
        default: return nil
        }
    }

    /// The operation an observed answer belongs to, or nil for the mock's own APIs and for
    /// paths or methods ESET does not define (their answers are outside the contract).
    public func operation(for exchange: MockObservedExchange) -> Operation? {
        guard let service = Self.serviceName(exchange.service) else { return nil }
        return operation(service: service, method: exchange.method, path: exchange.operationPath)?.0
    }

    /// Every way `exchange` leaves the operation's declared answers: undeclared status, missing
    /// or malformed declared headers, another media type, a body that does not parse or does
    /// not match the schema. Error answers declare no body; the mock holds them to the
    /// gateway's shape: empty, or an rpcStatus object with an integer `code` and a string
    /// `message` (on the token endpoint, an RFC 6749 `{"error": …}` object also passes).
    /// Answers broken on purpose by a fault (truncated, reset) are not checked.
    public func check(_ exchange: MockObservedExchange) -> [ContractViolation] {
        guard exchange.fault == nil, let operation = operation(for: exchange) else { return [] }
        return check(status: exchange.status, headers: exchange.headers, body: exchange.body, of: operation)
    }

    /// See `check(_:)`.
    public func check(status: Int, headers: HTTPHeaders, body: [UInt8], of operation: Operation) -> [ContractViolation] {
        var violations: [ContractViolation] = []
        guard let declared = operation.responses[String(status)] ?? operation.responses["default"] else {
            let list = operation.responses.keys.sorted().joined(separator: ", ")
            return [ContractViolation(kind: .status, path: "status", message: "\(status) is not declared by \(operation.id) (declared: \(list))")]
        }
        for header in declared.headers {
            guard let value = headers[header.name] else {
                violations.append(ContractViolation(kind: .header, path: header.name, message: "declared header missing"))
                continue
            }
            var found: [ContractViolation] = []
            validate(.string(value), against: header.schema, path: header.name, into: &found)
            violations += found.map { ContractViolation(kind: .header, path: $0.path, message: $0.message) }
        }
        let contentType = headers["Content-Type"]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if let mediaType = declared.mediaType {
            guard contentType == mediaType.lowercased() else {
                violations.append(ContractViolation(kind: .mediaType, path: "Content-Type",
                                                    message: "\(contentType ?? "none"), declared \(mediaType)"))
                return violations
            }
            let value: JSONValue
            do {
                value = try JSONParser.parse(body)
            } catch {
                violations.append(ContractViolation(kind: .bodySyntax, path: "$", message: "not JSON: \(error)"))
                return violations
            }
            if let schema = declared.schema { validate(value, against: schema, path: "$", into: &violations) }
            return violations
        }
        // No declared body: an error or a 202. Empty is fine; otherwise the gateway's shape.
        guard !body.isEmpty else { return violations }
        guard contentType == "application/json" else {
            violations.append(ContractViolation(kind: .mediaType, path: "Content-Type",
                                                message: "\(contentType ?? "none") body on \(status); ESET's gateway sends application/json (rpcStatus) or nothing"))
            return violations
        }
        guard let value = try? JSONParser.parse(body) else {
            violations.append(ContractViolation(kind: .bodySyntax, path: "$", message: "not JSON"))
            return violations
        }
        if operation.service == "iam", value["error"]?.stringValue != nil { return violations }
        var found: [ContractViolation] = []
        validate(value, schemaNamed: "rpcStatus").forEach { found.append($0) }
        if value["code"] == nil { found.append(ContractViolation(kind: .bodySchema, path: "$.code", message: "rpcStatus without code")) }
        if value["message"] == nil { found.append(ContractViolation(kind: .bodySchema, path: "$.message", message: "rpcStatus without message")) }
        return violations + found
    }
}

/// One off-contract value of a fixture file (`eset-mock lint`).
public struct FixtureFinding: Sendable, Equatable, CustomStringConvertible {
    /// The file, as given.
    public var file: String
    /// The element of the file's top-level array.
    public var index: Int
    /// The element's `uuid` when it has a string one (helps find it in an editor).
    public var uuid: String?
    public var violation: ContractViolation

    public var description: String {
        let item = file.hasSuffix("device_groups.json") ? "group" : "device"
        let name = uuid.map { " (\($0))" } ?? ""
        return "\(file): \(item) index \(index)\(name): \(violation.path): \(violation.message)"
    }
}

/// Checks fixture directories (`devices.json`, `device_groups.json`) against the contract.
public enum FixtureLinter {
    /// Every device against `v1Device` and every group against `v1DeviceGroup`. Syntax errors
    /// and files that are not arrays of objects throw `ESETMockError` naming file, line and column.
    /// `limit` bounds how many findings are kept (all are counted in the returned total).
    public static func lint(directory: URL, contract: OpenAPIContract = .eset, limit: Int = 100_000)
        throws -> (findings: [FixtureFinding], total: Int, devices: Int, groups: Int) {
        var findings: [FixtureFinding] = []
        var total = 0
        var counts: [Int] = []
        for (name, schema) in [("devices.json", "v1Device"), ("device_groups.json", "v1DeviceGroup")] {
            let path = directory.appendingPathComponent(name).path
            let bytes = try readFile(path)
            let ranges: [Range<Int>]
            do {
                ranges = try JSONParser.arrayElementRanges(bytes)
            } catch {
                throw ESETMockError("malformed JSON: \(error.reason)", file: path, line: error.line, column: error.column)
            }
            counts.append(ranges.count)
            for (index, range) in ranges.enumerated() {
                let value: JSONValue
                do {
                    value = try JSONParser.parse(Array(bytes[range]))
                } catch {
                    throw ESETMockError("malformed JSON in element \(index): \(error.reason)", file: path)
                }
                guard value.objectValue != nil else {
                    throw ESETMockError("element \(index) of the array is not a JSON object", file: path)
                }
                let violations = contract.validate(value, schemaNamed: schema)
                total += violations.count
                for violation in violations where findings.count < limit {
                    findings.append(FixtureFinding(file: path, index: index, uuid: value["uuid"]?.stringValue, violation: violation))
                }
            }
        }
        return (findings, total, counts[0], counts[1])
    }
}
