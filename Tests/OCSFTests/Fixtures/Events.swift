import JSON
import OCSF
import XCTest

/// The smallest event that validates with no errors (only recommended-missing warnings): the
/// base the finding tests break one thing at a time.
let minimalValidEvent: JSONValue = [
    "activity_id": 2,
    "activity_name": "Collect",
    "category_uid": 5,
    "category_name": "Discovery",
    "class_uid": 5001,
    "class_name": "Device Inventory Info",
    "type_uid": 500102,
    "type_name": "Device Inventory Info: Collect",
    "severity_id": 1,
    "severity": "Informational",
    "time": 1_747_821_600_000,
    "metadata": [
        "product": ["name": "ESET EDR", "vendor_name": "ESET", "version": "9.1.2500.0"],
        "version": "1.5.0",
    ],
    "device": [
        "uid": "550e8400-e29b-41d4-a716-446655440000",
        "type_id": 2,
        "type": "Desktop",
    ],
]

extension JSONValue {
    /// A copy with the member at the dotted `path` replaced (nil removes it). Numeric path parts
    /// index arrays: `device.network_interfaces.0.mac`.
    func setting(_ path: String, to newValue: JSONValue?) -> JSONValue {
        setting(path.split(separator: ".").map(String.init)[...], to: newValue)
    }

    private func setting(_ keys: ArraySlice<String>, to newValue: JSONValue?) -> JSONValue {
        guard let key = keys.first else { return newValue ?? .null }
        switch self {
        case .object(var object):
            if keys.count == 1 {
                object[key] = newValue
            } else {
                object[key] = (object[key] ?? .object(JSONObject())).setting(keys.dropFirst(), to: newValue)
            }
            return .object(object)
        case .array(var elements):
            guard let index = Int(key), elements.indices.contains(index) else { return self }
            if keys.count == 1 {
                if let newValue { elements[index] = newValue } else { elements.remove(at: index) }
            } else {
                elements[index] = elements[index].setting(keys.dropFirst(), to: newValue)
            }
            return .array(elements)
        default:
            return self
        }
    }
}

extension Array where Element == ValidationFinding {
    /// The findings that matter for "valid": everything but recommended-missing warnings.
    var significant: [ValidationFinding] { filter { $0.code != .attributeRecommendedMissing } }
    var errors: [ValidationFinding] { filter { $0.severity == .error } }
    /// `code@path` pairs, easy to compare in assertions.
    var codesAndPaths: [String] { map { "\($0.code.rawValue)@\($0.path)" } }
}

/// Parses JSON text that the test itself wrote.
func parsed(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        XCTFail("test JSON does not parse: \(error)", file: file, line: line)
        return .null
    }
}
