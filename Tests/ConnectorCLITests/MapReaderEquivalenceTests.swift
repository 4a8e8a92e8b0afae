@testable import ConnectorCLI
import ESET
import Foundation
import JSON
import Mapping
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
        assertStreamEquivalent(bytes, context, file: file, line: line)
    }

    // MARK: The streaming reader `map` uses, against the whole-file reader

    /// Every batch of a stream, joined into one page; the error ends it (batches before it count).
    private struct Joined {
        var devices: [ESETDevice] = []
        var positions: [Int] = []
        var rejections: [DeviceRejection] = []
    }

    private static func streamed(_ bytes: [UInt8], chunkSize: Int, maximumRead: Int, batchSize: Int) -> Result<Joined, Error> {
        let reader = DeviceStreamReader(
            source: MemoryByteSource(bytes, maximumRead: maximumRead), chunkSize: chunkSize, batchSize: batchSize)
        var joined = Joined()
        do {
            var batches = 0
            while let batch = try reader.nextBatch() {
                batches += 1
                if batches > bytes.count + 2 { throw PageDecodingError(page: nil, reason: "more batches than bytes") }
                if batch.rawCount > batchSize { throw PageDecodingError(page: nil, reason: "a batch larger than \(batchSize)") }
                joined.devices += batch.devices
                joined.positions += batch.positions
                joined.rejections += batch.rejections
            }
            return .success(joined)
        } catch {
            return .failure(error)
        }
    }

    /// The stream gives what the whole-file reader gives (the token aside: `map` ignores it),
    /// with windows from one byte (every element straddles reads) to larger than the input.
    private func assertStreamEquivalent(
        _ bytes: [UInt8], _ context: String, sizes: [(chunk: Int, read: Int, batch: Int)]? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let expected = Result { try DevicePage.decodeDevicesFile(bytes) }
        let sizes = sizes ?? [(1, 1, 1), (2, 1, 3), (3, 2, 2), (7, 5, 1000), (64, 13, 4), (1 << 16, 1 << 16, 1000), (1 << 22, .max, 1000)]
        for (chunk, read, batch) in sizes {
            let label = "\(context) [chunk \(chunk), reads of \(read), batches of \(batch)]"
            switch (expected, Self.streamed(bytes, chunkSize: chunk, maximumRead: read, batchSize: batch)) {
            case (.success(let expected), .success(let actual)):
                XCTAssertEqual(actual.devices, expected.devices, label, file: file, line: line)
                XCTAssertEqual(actual.positions, expected.positions, label, file: file, line: line)
                XCTAssertEqual(actual.rejections, expected.rejections, label, file: file, line: line)
            case (.failure(let expected), .failure(let actual)):
                XCTAssertEqual("\(actual)", "\(expected)", label, file: file, line: line)
                if let expected = expected as? JSONParseError {
                    XCTAssertEqual(actual as? JSONParseError, expected, label, file: file, line: line)
                }
            case (let expected, let actual):
                XCTFail("\(label): whole file \(expected), stream \(actual)", file: file, line: line)
            }
        }
    }

    func testStreamingAgreesAcrossChunkBoundariesOnEdgeArrays() throws {
        let device = #"{"uuid": "a", "displayName": "Ünïcødé 日本 🚀", "parentGroupUuid": "g"}"#
        let arrays = [
            "[1, 23, 456, -7.5e3, 1e999]",
            "[1, 23, 0456]",
            "[true, null, false, \"s\", [], {}]",
            "[true, null, fals]",
            "[tru]",
            "[\(device), \(device)] ",
            "[\(device)]  \n\n  x",
            "[\(device)] ]",
            "[\(device) \(device)]",
            "[\(device),]",
            "[\(device),",
            "[\(device)",
            "[",
            "  \n [ \n ] \n ",
            "[{\"uuid\": \"a\", \"displayName\": \"\\u00e9\\ud83d\\ude80\\u12\"}]",
            "[{\"uuid\": \"a\", \"displayName\": \"\\ud83d\\ude80\"}, {\"uuid\": \"b\\x\"}]",
            "[{\"uuid\": \"a\", \"displayName\": \"unterminated}]",
            "[{\"uuid\": \"a\", \"displayName\": \"tab\there\"}]",
            "[{\"uuid\": \"\\u0000\"}, {\"uuid\": \"\"}, {\"uuid\": null}, {\"uuid\": 5}, {}]",
            "[\"\(String(repeating: "x", count: 3000))\", \(device)]",
            "[" + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "]",
            "[" + String(repeating: "[", count: 512) + String(repeating: "]", count: 512) + "]",
            "[{\"uuid\": \"a\", \"x\": " + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + "}]",
            "[{\"uuid\": \"a\", \"x\": " + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "}]",
            // Pages: streamed when they have one `devices` array, else read whole.
            "{\"nextPageToken\": \"x\", \"devices\": [\(device), 5, {}], \"other\": {\"a\": [1, \"]\"]}}",
            "{\"devices\": [\(device)] \"x\": 1}",
            "{\"devices\": [\(device)]}}",
            "{\"devices\": [\(device)],}",
            "{\"devices\": [\(device)]",
            "{\"devices\": [\(device), ]}",
            "{\"a\": tru, \"devices\": [\(device)]}",
            "{\"a\": \"\\\"devices\\\"\", \"devices\": [\(device)]}",
            "{\"devices\": [\(device)], \"devices\": [{\"uuid\": \"b\"}]}",
            "{\"devices\": [\(device)], \"devices\": null}",
            "{\"devices\": [\(device)], \"dev\\u0069ces\": 5}",
            "{\"dev\\u0069ces\": [\(device)], \"nextPageToken\": null}",
            "{\"x\": {\"devices\": 1}, \"devices\": [\(device)]}",
            "{\"devices\": [" + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + "]}",
            "{\"devices\": [" + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "]}",
        ]
        for text in arrays {
            assertStreamEquivalent(Array(text.utf8), String(text.prefix(80)))
        }
        // Invalid UTF-8 and a multibyte character cut by every read size.
        var bytes = Array("[{\"uuid\": \"a\", \"displayName\": \"".utf8) + [0xE6, 0x97, 0xA5, 0xFF, 0xC3] + Array("\"}]".utf8)
        assertStreamEquivalent(bytes, "invalid UTF-8")
        bytes = Array("[{\"uuid\": \"\u{1F680}\"}]".utf8)
        assertStreamEquivalent(bytes, "uuid with an emoji")
    }

    func testStreamingTheShippedFleetLocatesErrorsManyChunksIn() throws {
        let fleet = Array(try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("MockData/devices.json")))
        let sizes = [(chunk: 4096, read: 4096, batch: 7), (chunk: 517, read: 100, batch: 1000), (chunk: 1 << 20, read: 65536, batch: 1000)]
        assertStreamEquivalent(fleet, "MockData/devices.json", sizes: sizes)
        // Corruptions deep in the file (line and column after many reads), and truncations.
        var generator = SystemRandomNumberGenerator()
        for step in 1...24 {
            let offset = fleet.count * step / 25
            var corrupt = fleet
            let garbage: [UInt8] = [[0x7D], [0x22], [0x5D, 0x20], [0x01], [0x2C, 0x2C], [0x5C, 0x71]][Int.random(in: 0..<6, using: &generator)]
            corrupt.insert(contentsOf: garbage, at: offset)
            assertStreamEquivalent(corrupt, "fleet with \(garbage) inserted at \(offset)", sizes: sizes)
            assertStreamEquivalent(Array(fleet.prefix(offset)), "fleet cut at \(offset)", sizes: sizes)
        }
    }

    /// Two threads give the batches of one thread, in the same order, byte for byte.
    func testTwoThreadsWriteWhatOneThreadWrites() throws {
        let fleet = Array(try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("MockData/devices.json")))
        let mapper = DeviceMapper(profile: .sekoia, groups: GroupDirectory(), clock: { 1_747_821_600_000_000 })
        func run(_ bytes: [UInt8], threads: Int) -> (ndjson: [UInt8], warnings: [String], rejections: [DeviceRejection], error: String?) {
            let reader = DeviceStreamReader(source: MemoryByteSource(bytes, maximumRead: 999), chunkSize: 2048, batchSize: 3)
            var ndjson: [UInt8] = []
            var warnings: [String] = []
            var rejections: [DeviceRejection] = []
            do {
                try MappingPipeline.run(reader, mapper: mapper, threads: threads) { (batch: inout MappedBatch) in
                    ndjson += batch.ndjson
                    warnings += batch.warnings.map { "\($0.position): \($0.warning)" }
                    rejections += batch.rejections
                }
                return (ndjson, warnings, rejections, nil)
            } catch {
                return (ndjson, warnings, rejections, "\(error)")
            }
        }
        let expected = try DevicePage.decodeDevicesFile(fleet)
        let single = run(fleet, threads: 1)
        XCTAssertNil(single.error)
        XCTAssertEqual(single.ndjson.split(separator: 0x0A).count, expected.devices.count)
        XCTAssertEqual(single.ndjson, expected.devices.flatMap { mapper.map($0).event.jsonBytes() + [0x0A] })
        XCTAssertEqual(single.rejections, expected.rejections)
        for threads in [2, 3] {
            let parallel = run(fleet, threads: threads)
            XCTAssertEqual(parallel.ndjson, single.ndjson)
            XCTAssertEqual(parallel.warnings, single.warnings)
            XCTAssertEqual(parallel.rejections, single.rejections)
            XCTAssertNil(parallel.error)
        }
        // An error part way: the same events before it, then the whole file's error.
        var corrupt = fleet
        corrupt.insert(0x01, at: fleet.count * 2 / 3)  // wrong in a string and out of one
        let wholeError = Result { try DevicePage.decodeDevicesFile(corrupt) }
        guard case .failure(let error) = wholeError else { return XCTFail("the corrupt fleet decoded") }
        let one = run(corrupt, threads: 1)
        let two = run(corrupt, threads: 2)
        XCTAssertEqual(one.error, "\(error)")
        XCTAssertEqual(two.error, "\(error)")
        XCTAssertEqual(two.ndjson, one.ndjson)
        XCTAssertFalse(one.ndjson.isEmpty)
        // A consumer that fails stops the decoding thread; the call returns with its error.
        struct Refused: Error {}
        let reader = DeviceStreamReader(source: MemoryByteSource(fleet), chunkSize: 1024, batchSize: 1)
        var delivered = 0
        XCTAssertThrowsError(
            try MappingPipeline.run(reader, mapper: mapper, threads: 2) { (_: inout MappedBatch) in
                delivered += 1
                if delivered == 2 { throw Refused() }
            }
        ) { XCTAssertTrue($0 is Refused) }
        XCTAssertEqual(delivered, 2)
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
