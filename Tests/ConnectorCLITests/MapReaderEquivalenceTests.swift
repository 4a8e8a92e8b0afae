@testable import ConnectorCLI
import ESET
import Foundation
import JSON
import XCTest

/// `map` reads its devices file with the page scanner (`MapCommand.readDevices`); it must give
/// exactly what the general path gave (`JSONParser.parse`, `asList`, `DevicePage.decode(_:page:)`):
/// the same devices, positions, rejections, and the same error texts, for every shape `map` takes.
final class MapReaderEquivalenceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("map-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The general path `map` used before, kept here as the reference.
    private static func generalPath(_ path: String) throws -> DevicePage {
        try DevicePage.decode(MapCommand.asList(try MapCommand.readJSON(path), listKey: "devices", singleKey: "device"), page: nil)
    }

    private func assertEquivalent(_ bytes: [UInt8], _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = directory.appendingPathComponent("input.json").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let expected = Result { try Self.generalPath(path) }
        let actual = Result { try MapCommand.readDevices(path) }
        switch (expected, actual) {
        case (.success(let expected), .success(let actual)):
            XCTAssertEqual(actual.devices, expected.devices, context, file: file, line: line)
            XCTAssertEqual(actual.positions, expected.positions, context, file: file, line: line)
            XCTAssertEqual(actual.rejections, expected.rejections, context, file: file, line: line)
            XCTAssertEqual(actual.nextPageToken, expected.nextPageToken, context, file: file, line: line)
        case (.failure(let expected), .failure(let actual)):
            XCTAssertEqual("\(actual)", "\(expected)", context, file: file, line: line)
        default:
            XCTFail("\(context): general path \(expected), scanner \(actual)", file: file, line: line)
        }
    }

    func testEveryShapeMapTakesAgrees() throws {
        let device = #"{"uuid": "a", "displayName": "A", "parentGroupUuid": "g", "operatingSystem": {"displayName": "Linux"}}"#
        let shapes = [
            "[\(device), {\"displayName\": \"no uuid\"}, 5, null]",
            #"{"devices": [\#(device)], "nextPageToken": "n"}"#,
            #"{"nextPageToken": "n", "devices": [\#(device)], "devices": [{"uuid": "b"}]}"#,
            #"{"devices": null}"#,
            #"{"devices": 5}"#,
            #"{"devices": {"uuid": "a"}}"#,
            #"{"dev\u0069ces": [\#(device)]}"#,
            device,
            #"{"device": \#(device)}"#,
            #"{"device": 5}"#,
            #"{"device": null}"#,
            #"{"displayName": "no uuid"}"#,
            "{}", "[]", "5", "\"text\"", "null", "",
            "[\n  {\"uuid\": \"a\"},\n  {\"uuid\" \"b\"}\n]",
            #"{"uuid": "a", }"#,
            #"{"devices": [\#(device)] "#,
            "{\"uuid\": \"a\"} [",
        ]
        for shape in shapes { try assertEquivalent(Array(shape.utf8), shape) }
    }

    func testTheShippedFleetAndEveryTruncationOfAPageAgree() throws {
        let fleet = Array(try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("MockData/devices.json")))
        try assertEquivalent(fleet, "MockData/devices.json")
        let page = Array(#"{"devices":"#.utf8) + Array(try JSONParser.parse(fleet).serialized().prefix(4000)) + Array("]}".utf8)
        for cut in stride(from: 0, through: page.count, by: 67) {
            try assertEquivalent(Array(page.prefix(cut)), "page cut at \(cut)")
        }
    }

    func testEveryConformanceCaseAgrees() throws {
        let root = Self.repositoryRoot.appendingPathComponent("Conformance/cases/mapping")
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 50)
        for name in cases {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).appendingPathComponent("devices.json").path)
            else { continue }
            try assertEquivalent(Array(data), name)
        }
    }
}
