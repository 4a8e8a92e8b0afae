@testable import ESETMock
import Fleet
import Foundation
import JSON
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The fixture index (`devices.json.index`) may change how fast fixtures load, never what is
/// served: a start from the index must equal a start that validates and scans, and an index that
/// does not belong to the file as it is now (truncated, corrupt, stale, foreign) must be ignored.
final class IndexCacheTests: XCTestCase {
    private var directory: URL!

    /// Indexes every file, and trusts files written a moment ago (tests cannot wait for the
    /// timestamps to settle; `testRecentlyChangedFixtureGetsNoIndex` covers that guard).
    private let policy = FixtureIndexPolicy(reads: true, writes: true, minimumFixtureBytes: 0, settledSeconds: -1)

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private var devicesPath: String { directory.appendingPathComponent("devices.json").path }
    private var indexPath: String { devicesPath + ".index" }

    private func copyFixtures(from source: URL, to target: URL? = nil) throws {
        let target = target ?? directory!
        for name in ["devices.json", "device_groups.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
    }

    private func write(_ text: String, to name: String = "devices.json") throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    /// Loads twice through the index (written, then hit) and once without, and checks all three
    /// agree record by record and page by page.
    private func assertIndexedStartEqualsScan(file: StaticString = #filePath, line: UInt = #line) throws {
        let first = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(first.indexReports.map(\.outcome), [.written, .written], file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: indexPath), file: file, line: line)
        let second = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(second.indexReports.map(\.outcome), [.hit, .hit], "\(second.indexReports)", file: file, line: line)
        let scanned = try MockFixtures(directory: directory, index: .off)
        XCTAssertEqual(scanned.indexReports.map(\.outcome), [.off, .off], file: file, line: line)
        assertSameRecords(scanned, first, file: file, line: line)
        assertSameRecords(scanned, second, file: file, line: line)
        try assertSameServing(scanned, second, file: file, line: line)
    }

    private func assertSameRecords(_ expected: MockFixtures, _ actual: MockFixtures, file: StaticString, line: UInt) {
        XCTAssertEqual(actual.deviceCount, expected.deviceCount, file: file, line: line)
        XCTAssertEqual(actual.deviceGroupCount, expected.deviceGroupCount, file: file, line: line)
        guard actual.deviceCount == expected.deviceCount, actual.deviceGroupCount == expected.deviceGroupCount else { return }
        for (listing, left, right) in [("device", expected.devices, actual.devices), ("group", expected.groups, actual.groups)] {
            for position in left.indices {
                let a = left[position], b = right[position]
                let same = a.bytes == b.bytes && a.uuid == b.uuid && a.displayName == b.displayName
                    && a.functionalityStatus == b.functionalityStatus && a.isMuted == b.isMuted
                    && a.parentGroupUuid == b.parentGroupUuid && a.uuidHash() == b.uuidHash()
                XCTAssertTrue(same, "\(listing) \(position) differs", file: file, line: line)
                if !same { return }
            }
        }
        // Same table, slot for slot: lookups, first-duplicate-wins and later imports behave alike.
        XCTAssertEqual(actual.deviceIndex.slots, expected.deviceIndex.slots, file: file, line: line)
        XCTAssertEqual(actual.deviceIndex.count, expected.deviceIndex.count, file: file, line: line)
        for uuid in Set(expected.deviceUUIDs.compactMap { $0 }) {
            XCTAssertEqual(actual.deviceIndex.position(of: uuid, in: actual.devices),
                           expected.deviceIndex.position(of: uuid, in: expected.devices), uuid, file: file, line: line)
        }
    }

    /// Device pages (plain and filtered), groups, and every device by uuid, byte for byte.
    private func assertSameServing(_ expected: MockFixtures, _ actual: MockFixtures, file: StaticString, line: UInt) throws {
        let left = try MockHarness(fleet: TestFleet(devices: 0), offContract: Set(ContractViolation.Kind.allCases)) { $0.fixtures = expected }
        let right = try MockHarness(fleet: TestFleet(devices: 0), offContract: Set(ContractViolation.Kind.allCases)) { $0.fixtures = actual }
        let leftToken = try left.login().access, rightToken = try right.login().access
        var queries = ["devices?pageSize=100", "devices?pageSize=1000&isMuted=true",
                       "devices?pageSize=1000&functionalityStatus=DEVICE_FUNCTIONALITY_STATUS_OK", "device_groups?pageSize=1000"]
        if let name = expected.devices.first?.displayName,
           let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            queries.append("devices?displayNames=\(encoded)")
        }
        for query in queries {
            XCTAssertEqual(try pages(right, rightToken, query), try pages(left, leftToken, query), query, file: file, line: line)
        }
        for uuid in expected.deviceUUIDs.compactMap({ $0 }).prefix(400) {
            let target = "/\(MockHarness.eu)/v1/devices/" + (uuid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? uuid)
            let a = try left.get(target, token: leftToken), b = try right.get(target, token: rightToken)
            XCTAssertEqual(b.status, a.status, uuid, file: file, line: line)
            XCTAssertEqual(b.body, a.body, uuid, file: file, line: line)
        }
    }

    /// The pages of `query`, each body up to its page token (tokens are random per server).
    private func pages(_ mock: MockHarness, _ token: String, _ query: String) throws -> [String] {
        var bodies: [String] = []
        var pageToken = ""
        for _ in 0..<200 {
            var target = "/\(MockHarness.eu)/v1/\(query)"
            if !pageToken.isEmpty { target += "&pageToken=" + (pageToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            let response = try mock.get(target, token: token)
            let text = response.bodyText
            bodies.append("\(response.status) " + (text.range(of: ",\"nextPageToken\"").map { String(text[..<$0.lowerBound]) } ?? text))
            pageToken = (try? JSONParser.parse(response.body))?["nextPageToken"]?.stringValue ?? ""
            if pageToken.isEmpty { break }
        }
        return bodies
    }

    // MARK: - Equal with and without the index

    func testShippedDataServesTheSameFromTheIndex() throws {
        try copyFixtures(from: ESETMockServer.defaultDataDirectory)
        try assertIndexedStartEqualsScan()
    }

    func testEdgeCasesServeTheSameFromTheIndex() throws {
        try copyFixtures(from: ESETMockServer.defaultDataDirectory.appendingPathComponent("edge-cases"))
        try assertIndexedStartEqualsScan()
    }

    func testGeneratedFleetServesTheSameFromTheIndex() throws {
        try FleetGenerator(seed: 7, layout: .pretty, edgeCases: true).writeFleet(devices: 1500, groupCount: 5, to: directory)
        try assertIndexedStartEqualsScan()
    }

    /// Odd spacing, an escaped member name, an escaped uuid, a repeated uuid (the first wins),
    /// a device without a uuid, a non-string uuid, non-ASCII names.
    func testOddFixtureServesTheSameFromTheIndex() throws {
        let zero = TestFleet.device(0)
        let escapedKey = TestFleet.device(1).replacingOccurrences(of: "\"uuid\"", with: #""uu\u0069d""#)
        let escapedValue = TestFleet.device(2).replacingOccurrences(of: TestFleet.uuid(2), with: String(TestFleet.uuid(2).dropLast()) + #"\u0032"#)
        let duplicate = TestFleet.device(0).replacingOccurrences(of: "DEV-0", with: "DEV-0-again")
        let noUUID = #"{"displayName":"nameless \u00e9","isMuted":true, "parentGroupUuid": "g-1"}"#
        let numberUUID = #"{"uuid": 12, "displayName": "Zoë", "functionalityStatus": null, "isMuted": "yes"}"#
        let objects = [zero, escapedKey, escapedValue, duplicate, noUUID, numberUUID]
        try write("[\n  " + objects.joined(separator: " ,\n\t") + "\n]\n")
        try write(#"[ {"uuid": "g-1", "displayName": "G\"1\""} ]"#, to: "device_groups.json")
        try assertIndexedStartEqualsScan()
        let loaded = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(loaded.deviceIndex.position(of: TestFleet.uuid(0), in: loaded.devices), 0, "the first of two equal uuids wins")
        XCTAssertEqual(loaded.devices[4].parentGroupUuid, "g-1")
        XCTAssertEqual(loaded.devices[2].uuid, TestFleet.uuid(2))

        // An import overwrites a uuid's position the same way in a mapped table as in a built one.
        let scanned = try MockFixtures(directory: directory, index: .off)
        var mappedIndex = loaded.deviceIndex, builtIndex = scanned.deviceIndex
        let imported = FixtureRecord(bytes: Array(TestFleet.device(0).utf8), uuid: TestFleet.uuid(0), displayName: "DEV-0",
                                     functionalityStatus: nil, isMuted: nil)
        let fresh = FixtureRecord(bytes: Array(TestFleet.device(9).utf8), uuid: TestFleet.uuid(9), displayName: "DEV-9",
                                  functionalityStatus: nil, isMuted: nil)
        var mappedRecords = loaded.devices, builtRecords = scanned.devices
        for record in [imported, fresh] {
            mappedRecords.append(record)
            builtRecords.append(record)
            mappedIndex.set(position: mappedRecords.count - 1, in: mappedRecords)
            builtIndex.set(position: builtRecords.count - 1, in: builtRecords)
        }
        XCTAssertEqual(mappedIndex.position(of: TestFleet.uuid(0), in: mappedRecords), 6, "the import overwrites")
        XCTAssertEqual(mappedIndex.position(of: TestFleet.uuid(9), in: mappedRecords), 7)
        XCTAssertEqual(mappedIndex.slots, builtIndex.slots)
        XCTAssertEqual(mappedIndex.count, builtIndex.count)
        XCTAssertEqual(loaded.deviceIndex.position(of: TestFleet.uuid(0), in: loaded.devices), 0, "the loaded table is unchanged")
    }

    func testEmptyFleetIndexes() throws {
        try write("[ ]")
        try write("[]", to: "device_groups.json")
        try assertIndexedStartEqualsScan()
    }

    // MARK: - Indexes that must not be trusted

    /// Builds the index of a small fleet and returns the fixture's text.
    @discardableResult
    private func indexedFleet(devices: Int = 40) throws -> String {
        let text = "[" + (0..<devices).map(TestFleet.device).joined(separator: ",\n") + "]"
        try write(text)
        try write("[]", to: "device_groups.json")
        XCTAssertEqual(try MockFixtures(directory: directory, index: policy).indexReports.first?.outcome, .written)
        return text
    }

    /// Loads with the index, expects it ignored for `reason` and rewritten, and the result equal
    /// to a scan of the fixture as it is now.
    private func assertRejected(containing reason: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let loaded = try MockFixtures(directory: directory, index: policy)
        let report = loaded.indexReports[0]
        XCTAssertEqual(report.outcome, .written, "\(report)", file: file, line: line)
        XCTAssertNotNil(report.rejected, "\(report)", file: file, line: line)
        if let reason {
            XCTAssertTrue(report.rejected?.contains(reason) ?? false, "\(report)", file: file, line: line)
        }
        let scanned = try MockFixtures(directory: directory, index: .off)
        assertSameRecords(scanned, loaded, file: file, line: line)
        // Rewritten: the next start is a hit again.
        XCTAssertEqual(try MockFixtures(directory: directory, index: policy).indexReports[0].outcome, .hit, file: file, line: line)
    }

    func testTruncatedIndexIsRebuilt() throws {
        try indexedFleet()
        let size = try FileManager.default.attributesOfItem(atPath: indexPath)[.size] as? Int ?? 0
        for length in [size - 1, size - 48, 200, 143, 8, 0] {
            XCTAssertEqual(truncate(indexPath, off_t(length)), 0)
            try assertRejected(containing: "truncated")
        }
    }

    func testFlippedBytesAreDetected() throws {
        try indexedFleet()
        let original = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        // Magic, version, fixture size, mtime, inode, record count, checksums, inside records
        // (start, length, a span), the uuid table, the last byte.
        let positions = [0, 8, 24, 40, 64, 104, 128, 136, 144, 152, 144 + 16, 144 + 48 * 7 + 20, 144 + 48 * 40 + 5, original.count - 1]
        for position in positions {
            var bytes = original
            bytes[position] ^= 0x10
            try bytes.write(to: URL(fileURLWithPath: indexPath))
            try assertRejected()
        }
    }

    func testEachCorruptionNamesItsReason() throws {
        try indexedFleet()
        let original = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        var bytes = original
        bytes[144 + 3] ^= 1
        try bytes.write(to: URL(fileURLWithPath: indexPath))
        try assertRejected(containing: "corrupt records")
        bytes = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        bytes[30] ^= 1
        try bytes.write(to: URL(fileURLWithPath: indexPath))
        try assertRejected(containing: "corrupt header")
        bytes = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        bytes[0] = UInt8(ascii: "X")
        try bytes.write(to: URL(fileURLWithPath: indexPath))
        try assertRejected(containing: "not an eset-mock fixture index")
    }

    /// An edit in place that keeps the size: a later modification time shows it.
    func testFixtureEditedInPlaceKeepingSizeIsDetected() throws {
        let text = try indexedFleet()
        let edited = text.replacingOccurrences(of: "\"DEV-37\"", with: "\"XYZ-37\"")
        XCTAssertEqual(edited.utf8.count, text.utf8.count)
        try overwriteInPlace(edited)
        try setModificationTime(offsetSeconds: -5)
        try assertRejected(containing: "stale")
        let loaded = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(loaded.devices[37].displayName, "XYZ-37")
    }

    /// An edit in place whose modification time is put back (`touch -r`): the change time or the
    /// sampled bytes still show it.
    func testFixtureEditedInPlaceWithItsOldTimesIsDetected() throws {
        let text = try indexedFleet()
        var info = stat()
        XCTAssertEqual(stat(devicesPath, &info), 0)
        try overwriteInPlace(text.replacingOccurrences(of: "\"DEV-0\"", with: "\"ABC-0\""))
        var times = [info.st_atim, info.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, devicesPath, &times, 0), 0)
        try assertRejected(containing: "stale")
        XCTAssertEqual(try MockFixtures(directory: directory, index: policy).devices[0].displayName, "ABC-0")
    }

    func testFixtureReplacedByRenameIsDetected() throws {
        let text = try indexedFleet()
        let replacement = directory.appendingPathComponent("new.json")
        try Data(text.replacingOccurrences(of: "\"DEV-5\"", with: "\"NEW-5\"").utf8).write(to: replacement)
        XCTAssertEqual(rename(replacement.path, devicesPath), 0)
        try assertRejected(containing: "another file")
        XCTAssertEqual(try MockFixtures(directory: directory, index: policy).devices[5].displayName, "NEW-5")
    }

    func testIndexOfAnotherFixtureIsIgnored() throws {
        let text = try indexedFleet()
        let other = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        // The same size and layout, other names: only the identity tells them apart.
        try Data(text.replacingOccurrences(of: "DEV-", with: "OTH-").utf8).write(to: other.appendingPathComponent("devices.json"))
        try Data("[]".utf8).write(to: other.appendingPathComponent("device_groups.json"))
        try FileManager.default.copyItem(atPath: indexPath, toPath: other.appendingPathComponent("devices.json.index").path)
        let loaded = try MockFixtures(directory: other, index: policy)
        XCTAssertEqual(loaded.indexReports[0].outcome, .written)
        XCTAssertTrue(loaded.indexReports[0].rejected?.contains("another file") ?? false, "\(loaded.indexReports[0])")
        XCTAssertEqual(loaded.devices[3].displayName, "OTH-3")
    }

    // MARK: - Writing only costs speed

    /// A place the index cannot be written (here a directory in its way, which stops root too)
    /// leaves the fixtures loaded, the reason reported, and nothing else behind.
    func testUnwritableIndexOnlyCostsSpeed() throws {
        try write("[" + (0..<5).map(TestFleet.device).joined(separator: ",") + "]")
        try write("[]", to: "device_groups.json")
        try FileManager.default.createDirectory(atPath: indexPath, withIntermediateDirectories: false)
        let loaded = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(loaded.deviceCount, 5)
        XCTAssertEqual(loaded.indexReports[0].outcome, .notWritten)
        XCTAssertEqual(loaded.indexReports[0].rejected, "not a regular file")
        XCTAssertTrue(loaded.indexReports[0].detail?.contains("cannot write") ?? false, "\(loaded.indexReports[0])")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(left, ["device_groups.json", "device_groups.json.index", "devices.json", "devices.json.index"],
                       "no temporary file left behind")
    }

    /// A FIFO where the index should be is refused without waiting for a writer, then replaced.
    func testFIFOInPlaceOfTheIndexIsRefusedWithoutBlocking() throws {
        try write("[" + (0..<3).map(TestFleet.device).joined(separator: ",") + "]")
        try write("[]", to: "device_groups.json")
        XCTAssertEqual(mkfifo(indexPath, 0o644), 0)
        let loaded = try MockFixtures(directory: directory, index: policy)
        XCTAssertEqual(loaded.indexReports[0].rejected, "not a regular file")
        XCTAssertEqual(loaded.indexReports[0].outcome, .written)
        XCTAssertEqual(try MockFixtures(directory: directory, index: policy).indexReports[0].outcome, .hit)
    }

    /// The shipped tenant is never written into (its bundle may be read-only or shared).
    func testBuiltInTenantIsNeverWritten() throws {
        let configuration = try ESETMockConfiguration.load(fixtureIndex: policy)
        XCTAssertEqual(configuration.fixtures.indexReports.map(\.outcome), [.notWritten, .notWritten])
        let bundle = ESETMockServer.defaultDataDirectory
        XCTAssertFalse(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("devices.json.index").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("device_groups.json.index").path))
        // And by default it is too small to be indexed at all.
        XCTAssertEqual(try ESETMockConfiguration.load().fixtures.indexReports.map(\.outcome), [.small, .small])
    }

    func testOffAndSmallWriteNothing() throws {
        try write("[" + TestFleet.device(0) + "]")
        try write("[]", to: "device_groups.json")
        XCTAssertEqual(try MockFixtures(directory: directory, index: .off).indexReports.map(\.outcome), [.off, .off])
        XCTAssertEqual(try MockFixtures(directory: directory).indexReports.map(\.outcome), [.small, .small])
        XCTAssertFalse(FileManager.default.fileExists(atPath: indexPath))
    }

    /// A file changed within `settledSeconds` before the scan gets no index: a further change in
    /// the same timestamp step would go unseen.
    func testRecentlyChangedFixtureGetsNoIndex() throws {
        try write("[" + TestFleet.device(0) + "]")
        try write("[]", to: "device_groups.json")
        var recent = policy
        recent.settledSeconds = 3600
        let loaded = try MockFixtures(directory: directory, index: recent)
        XCTAssertEqual(loaded.indexReports[0].outcome, .notWritten)
        XCTAssertTrue(loaded.indexReports[0].detail?.contains("changed less than") ?? false, "\(loaded.indexReports[0])")
        XCTAssertFalse(FileManager.default.fileExists(atPath: indexPath))
    }

    /// `eset-mock generate` indexes the fleet it wrote, so that the first start is a hit.
    func testWriteIndexesWaitsForTheFilesToSettleThenIndexes() throws {
        try FleetGenerator(seed: 3).writeFleet(devices: 200, groupCount: 4, to: directory)
        var settling = policy
        settling.settledSeconds = 0.05
        let reports = try MockFixtures.writeIndexes(directory: directory, policy: settling)
        XCTAssertEqual(reports.map(\.outcome), [.written, .written], "\(reports)")
        XCTAssertEqual(try MockFixtures(directory: directory, index: settling).indexReports.map(\.outcome), [.hit, .hit])
    }

    // MARK: - Helpers

    private func overwriteInPlace(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: devicesPath))
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private func setModificationTime(offsetSeconds: Int) throws {
        var info = stat()
        XCTAssertEqual(stat(devicesPath, &info), 0)
        var modified = info.st_mtim
        modified.tv_sec += offsetSeconds
        var times = [info.st_atim, modified]
        XCTAssertEqual(utimensat(AT_FDCWD, devicesPath, &times, 0), 0)
    }
}
