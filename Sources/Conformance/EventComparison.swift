import JSON

/// One difference between an expected and a produced event.
package struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    /// Where, with array indices: `device.network_interfaces[1].mac`.
    package var path: String
    /// The same place with `[]` for indices, the form rules own attributes in.
    package var attribute: String
    package var expected: JSONValue?
    package var actual: JSONValue?

    package var description: String {
        "\(path): expected \(expected.map(\.jsonText) ?? "(absent)"), got \(actual.map(\.jsonText) ?? "(absent)")"
    }
}

/// Compares events as parsed JSON: numbers numerically (G5), objects as unordered maps.
///
/// The string `"$now"` in an expected event stands for a time taken during the run (M13's
/// fallback): it matches any number inside `now`.
package struct EventComparator: Sendable {
    /// The instants a `"$now"` may take, in the unit the profile writes.
    package var now: ClosedRange<Double>

    package init(now: ClosedRange<Double>) { self.now = now }

    package func compare(expected: JSONValue, actual: JSONValue) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        compare(expected, actual, path: "", attribute: "", into: &mismatches)
        return mismatches
    }

    private func compare(_ expected: JSONValue?, _ actual: JSONValue?, path: String, attribute: String, into mismatches: inout [Mismatch]) {
        switch (expected, actual) {
        case (nil, nil):
            return
        case (.string("$now")?, let actual?):
            if let value = actual.doubleValue, now.contains(value) { return }
        case (.object(let expectedObject)?, .object(let actualObject)?):
            var keys = expectedObject.keys
            for key in actualObject.keys where !keys.contains(key) { keys.append(key) }
            for key in keys {
                compare(
                    expectedObject[key], actualObject[key], path: path.isEmpty ? key : "\(path).\(key)",
                    attribute: attribute.isEmpty ? key : "\(attribute).\(key)", into: &mismatches)
            }
            return
        case (.array(let expectedArray)?, .array(let actualArray)?) where expectedArray.count == actualArray.count:
            for (index, pair) in zip(expectedArray, actualArray).enumerated() {
                compare(pair.0, pair.1, path: "\(path)[\(index)]", attribute: "\(attribute)[]", into: &mismatches)
            }
            return
        case (let expected?, let actual?) where expected.semanticallyEquals(actual):
            return
        default:
            break
        }
        mismatches.append(Mismatch(path: path, attribute: attribute, expected: expected, actual: actual))
    }
}
