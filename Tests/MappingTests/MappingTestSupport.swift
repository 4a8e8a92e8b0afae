import ESET
import JSON
import Mapping
import OCSF
import XCTest

/// A fixed clock for M13's fallback: 2030-01-01T00:00:00.000001Z.
let fixedClockMicroseconds: Int64 = 1_893_456_000_000_001

/// Maps one raw device (JSON text) and returns the event as parsed JSON, failing the test when
/// the device is rejected.
func mapDevice(
    _ json: String, groups: [ESETDeviceGroup] = [], profile: MappingProfile = .sekoia,
    file: StaticString = #filePath, line: UInt = #line
) throws -> JSONValue {
    try mapDeviceWithWarnings(json, groups: groups, profile: profile, file: file, line: line).event
}

func mapDeviceWithWarnings(
    _ json: String, groups: [ESETDeviceGroup] = [], profile: MappingProfile = .sekoia,
    file: StaticString = #filePath, line: UInt = #line
) throws -> (event: JSONValue, warnings: [MappingWarning]) {
    let raw = try JSONParser.parse(json)
    switch ESETDevice.decode(raw) {
    case .failure(let reason):
        XCTFail("device rejected: \(reason)", file: file, line: line)
        throw reason
    case .success(let device):
        let mapper = DeviceMapper(profile: profile, groups: GroupDirectory(groups), clock: { fixedClockMicroseconds })
        let mapped = mapper.map(device)
        let bytes = mapped.event.jsonBytes()
        return (try JSONParser.parse(bytes), mapped.warnings)
    }
}

/// Reads `path` (e.g. "device.os.type") from an event; nil when any step is absent.
func value(_ event: JSONValue, _ path: String) -> JSONValue? {
    var current: JSONValue? = event
    for step in path.split(separator: ".") {
        if let index = Int(step) {
            guard let array = current?.arrayValue, index < array.count else { return nil }
            current = array[index]
        } else {
            current = current?[String(step)]
        }
    }
    return current
}

/// Asserts that a serialised JSON text contains no `null` anywhere (G2).
func assertNoNulls(_ value: JSONValue, path: String = "$", file: StaticString = #filePath, line: UInt = #line) {
    switch value {
    case .null: XCTFail("null at \(path)", file: file, line: line)
    case .array(let elements):
        XCTAssertFalse(elements.isEmpty, "empty array at \(path)", file: file, line: line)
        for (index, element) in elements.enumerated() { assertNoNulls(element, path: "\(path)[\(index)]", file: file, line: line) }
    case .object(let object):
        XCTAssertFalse(object.members.isEmpty, "empty object at \(path)", file: file, line: line)
        for member in object.members { assertNoNulls(member.value, path: "\(path).\(member.key)", file: file, line: line) }
    default: break
    }
}

func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
}

func fixtureText(_ name: String) throws -> String {
    try String(contentsOf: fixtureURL(name), encoding: .utf8)
}
