import Collector
import Foundation
import JSON
import XCTest

/// The compact de-duplication table and the checkpoint file.
final class SeenDevicesAndCheckpointTests: XCTestCase {
    func testInsertReportsDuplicates() {
        var seen = SeenDevices()
        XCTAssertTrue(seen.insert("a"))
        XCTAssertTrue(seen.insert("b"))
        XCTAssertFalse(seen.insert("a"))
        XCTAssertEqual(seen.count, 2)
        XCTAssertTrue(seen.insert(hash: 0), "hash 0 is stored even though 0 marks empty slots")
        XCTAssertFalse(seen.insert(hash: 0))
    }

    func testGrowingKeepsEveryEntryAndStaysCompact() {
        var seen = SeenDevices()
        let count = 200_000
        for index in 0..<count { XCTAssertTrue(seen.insert("00000000-0000-4000-8000-\(index)")) }
        for index in stride(from: 0, to: count, by: 997) { XCTAssertFalse(seen.insert("00000000-0000-4000-8000-\(index)")) }
        XCTAssertEqual(seen.count, count)
        let bytesPerDevice = Double(seen.memoryFootprint) / Double(count)
        XCTAssertLessThanOrEqual(bytesPerDevice, 22, "8 bytes per slot at a load between 3/8 and 3/4")
        XCTAssertGreaterThanOrEqual(bytesPerDevice, 10)
    }

    func testSequentialHashesDoNotCluster() {
        // Raw hashes 1, 2, 3 … (the worst case for linear probing without mixing) still insert fast.
        var seen = SeenDevices()
        let started = Date()
        for hash in 1...100_000 { XCTAssertTrue(seen.insert(hash: UInt64(hash) << 20)) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testTheCheckpointRuleIsAtOrBeforeNewestPlusOneMicrosecond() {
        let checkpoint = Checkpoint(newestLastSync: 1_747_821_600_000_000)
        XCTAssertTrue(checkpoint.skips(lastSyncTime: "2025-05-21T10:00:00Z"))
        XCTAssertTrue(checkpoint.skips(lastSyncTime: "2025-05-21T10:00:00.000001Z"))
        XCTAssertFalse(checkpoint.skips(lastSyncTime: "2025-05-21T10:00:00.000002Z"))
        XCTAssertTrue(checkpoint.skips(lastSyncTime: "2025-05-21T12:00:00+02:00"), "the same instant in another offset")
        XCTAssertFalse(checkpoint.skips(lastSyncTime: nil), "no time: always sent")
        XCTAssertFalse(checkpoint.skips(lastSyncTime: "yesterday"), "unparsable: always sent")
    }

    func testTheStoreRoundTripsAtomically() throws {
        let directory = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString)/nested"
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let store = CheckpointStore(directory: directory, region: "de", username: "api@example.com")
        XCTAssertEqual(store.load(), .none)
        try store.save(Checkpoint(newestLastSync: 1_747_821_600_123_456), now: 0)
        XCTAssertEqual(store.load(), .checkpoint(Checkpoint(newestLastSync: 1_747_821_600_123_456)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["checkpoint-de.json"])
        let json = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path))))
        XCTAssertEqual(json["newestLastSyncTime"], "2025-05-21T10:00:00.123456Z")
        XCTAssertEqual(json["updatedAt"], "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(json["region"], "de")
        try store.save(Checkpoint(newestLastSync: 5))
        XCTAssertEqual(store.load(), .checkpoint(Checkpoint(newestLastSync: 5)))
    }

    func testUnusableFilesAreRecognised() throws {
        let directory = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CheckpointStore(directory: directory, region: "eu", username: "me")
        for (content, reason) in [
            ("{", "line 1, column 2"), ("[]", "version"), (#"{"version": 2, "newestLastSyncMicroseconds": 1}"#, "version"),
            (#"{"version": 1, "newestLastSyncMicroseconds": "1"}"#, "not an integer"),
            (#"{"version": 1, "username": "other", "newestLastSyncMicroseconds": 1}"#, "belongs to user 'other'"),
        ] {
            try content.write(toFile: store.path, atomically: true, encoding: .utf8)
            guard case .unusable(let text) = store.load() else { return XCTFail("\(content) should be unusable") }
            XCTAssertTrue(text.hasPrefix(store.path) && text.contains(reason), "\(content): \(text)")
        }
    }

    func testRFC3339FormattingRoundTrips() {
        for text in ["1970-01-01T00:00:00.000000Z", "2025-05-21T10:00:00.000001Z", "2000-02-29T23:59:59.999999Z", "1969-12-31T23:59:59.500000Z", "2100-12-31T00:00:00.000000Z"] {
            XCTAssertEqual(RFC3339Check.roundTrip(text), text)
        }
    }
}

import Mapping

enum RFC3339Check {
    static func roundTrip(_ text: String) -> String? {
        RFC3339.microseconds(text).map { RFC3339.format(microseconds: $0) }
    }
}
