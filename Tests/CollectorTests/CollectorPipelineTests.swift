import Collector
import ESET
import Foundation
import HTTPClient
import JSON
import Mapping
import Sekoia
import Synchronization
import XCTest

/// What happened, in order, across the transport and the sinks.
final class EventLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A sink that remembers what it got, and when, for pipeline tests.
final class RecordingSink: EventSink {
    var events: [[UInt8]] = []
    var finished = false
    var abandoned = false
    let log: EventLog

    init(log: EventLog = EventLog()) { self.log = log }

    var delivered: SinkDelivery { SinkDelivery(destination: .lines, events: finished ? events.count : 0) }

    func beginCycle() throws {
        events = []
        finished = false
        abandoned = false
    }

    func write(_ event: [UInt8]) async throws {
        events.append(event)
        let uid = (try? JSONParser.parse(event))?["device"]?["uid"]?.stringValue ?? "?"
        log.append("event \(uid)")
    }

    func finish() async throws { finished = true }
    func abandon() { abandoned = true }

    var uids: [String] { events.compactMap { (try? JSONParser.parse($0))?["device"]?["uid"]?.stringValue } }
}

/// The collector's pipeline with a scripted ESET: streaming, de-duplication, groups first.
final class CollectorPipelineTests: XCTestCase {
    /// The next page is fetched while one is mapped (overlap), but never two pages ahead: page
    /// N+2 is asked for only once every event of page N went to the sinks.
    func testPagesAreStreamedIntoTheSinksAtMostOnePageAhead() async throws {
        let log = EventLog()
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            let page = request.url.contains("pageToken=p3") ? 3 : request.url.contains("pageToken=p2") ? 2 : 1
            log.append("fetch page \(page)")
            switch page {
            case 1: return devicesPage(["a", "b"], next: "p2")
            case 2: return devicesPage(["c"], next: "p3")
            default: return devicesPage(["d"])
            }
        }
        let sink = RecordingSink(log: log)
        let collector = Collector(client: testClient(transport), options: CollectorOptions(), sinks: [sink])
        let report = try await collector.runCycle()
        let all = log.all
        XCTAssertEqual(all.filter { $0.hasPrefix("event") }, ["event a", "event b", "event c", "event d"])
        XCTAssertEqual(all.filter { $0.hasPrefix("fetch") }, ["fetch page 1", "fetch page 2", "fetch page 3"])
        XCTAssertEqual(all.first, "fetch page 1")
        func position(_ line: String) -> Int { all.firstIndex(of: line) ?? -1 }
        XCTAssertGreaterThan(position("fetch page 3"), position("event b"), "\(all)")
        XCTAssertGreaterThan(position("event c"), position("fetch page 2"), "\(all)")
        XCTAssertGreaterThan(position("event d"), position("fetch page 3"), "\(all)")
        XCTAssertEqual(report.statistics.pages, 3)
        XCTAssertEqual(report.statistics.mapped, 4)
        XCTAssertTrue(sink.finished)
    }

    func testTheSummaryCountsAreWhatEachSinkReports() async throws {
        /// Delivers every other event, as a remote intake that accepted only part would.
        final class HalfBatchSink: EventSink {
            var received = 0
            var delivered: SinkDelivery { SinkDelivery(destination: .batches, events: received / 2, batches: 1) }
            func beginCycle() throws { received = 0 }
            func write(_ event: [UInt8]) async throws { received += 1 }
            func finish() async throws {}
            func abandon() {}
        }
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            return devicesPage(["a", "b", "c", "d"])
        }
        let lines = RecordingSink()
        let report = try await Collector(client: testClient(transport), options: CollectorOptions(), sinks: [HalfBatchSink(), lines]).runCycle()
        XCTAssertEqual(report.statistics.mapped, 4)
        XCTAssertEqual(report.statistics.eventsPushed, 2, "the sink's own count, not the mapped count")
        XCTAssertEqual(report.statistics.batchesPushed, 1)
        XCTAssertEqual(report.statistics.eventsWritten, 4)
    }

    func testDuplicatesAreDeliveredOnceAndCounted() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") { return emptyGroups }
            return request.url.contains("pageToken") ? devicesPage(["b", "c", "a"]) : devicesPage(["a", "b", "a"], next: "p2")
        }
        let sink = RecordingSink()
        let report = try await Collector(client: testClient(transport), options: CollectorOptions(), sinks: [sink]).runCycle()
        XCTAssertEqual(sink.uids, ["a", "b", "c"])
        XCTAssertEqual(report.statistics.duplicates, 3)
        XCTAssertEqual(report.statistics.devicesFetched, 6)
    }

    func testGroupsAreLoadedFirstAndResolved() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            if request.url.contains("device_groups") {
                return request.url.contains("pageToken")
                    ? json(200, #"{"deviceGroups":[{"uuid":"g2","displayName":"Second"}]}"#)
                    : json(200, #"{"deviceGroups":[{"uuid":"g1","displayName":"First"}],"nextPageToken":"x"}"#)
            }
            return json(200, #"{"devices":[{"uuid":"d1","parentGroupUuid":"g2"},{"uuid":"d2","parentGroupUuid":"g9"}]}"#)
        }
        let sink = RecordingSink()
        let report = try await Collector(client: testClient(transport), options: CollectorOptions(), sinks: [sink]).runCycle()
        XCTAssertEqual(transport.dataRequests.map { $0.url.contains("device_groups") }, [true, true, false])
        XCTAssertEqual(report.statistics.groups, 2)
        XCTAssertEqual(report.statistics.groupPages, 2)
        let events = sink.events.map { try? JSONParser.parse($0) }
        XCTAssertEqual(events[0]?["device"]?["groups"], [["name": "Second", "uid": "g2"]])
        XCTAssertNil(events[1]?["device"]?["groups"], "an unknown parent is left out")
    }

    func testWithoutGroupsTheCycleFailsBeforeAnyDevice() async throws {
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return request.url.contains("device_groups") ? HTTPClientResponse(status: 503) : devicesPage(["a"])
        }
        let sink = RecordingSink()
        do {
            _ = try await Collector(client: testClient(transport), options: CollectorOptions(), sinks: [sink]).runCycle()
            XCTFail("expected a failure")
        } catch {
            let missing = try XCTUnwrap(error.underlying as? MissingGroupsError, "\(error)")
            let cause = try XCTUnwrap(missing.underlying as? ESETClientError)
            XCTAssertEqual(cause.kind, .retriesExhausted)
            XCTAssertEqual(cause.status, 503)
            XCTAssertEqual(cause.cause, .serverError)
            XCTAssertEqual(cause.attempt, 4)
            XCTAssertEqual(error.failedCall?.call, "GET /v1/device_groups (page 1)", "the failed call is found through the missing groups")
            XCTAssertEqual(error.failedCall?.status, 503)
            XCTAssertFalse(error.requiresIntervention)
            // The library names no flag: the command line adds its own advice.
            XCTAssertFalse(error.description.contains("--"), error.description)
        }
        XCTAssertTrue(sink.abandoned)
        XCTAssertEqual(sink.events.count, 0)
        XCTAssertFalse(transport.dataRequests.contains { $0.url.contains("/v1/devices") })
    }

    func testAuthenticationFailuresAreNeverDegraded() async throws {
        let transport = ScriptedTransport { request, _ in
            request.url.contains("/oauth/token") ? tokenAnswer(1) : HTTPClientResponse(status: 403)
        }
        do {
            _ = try await Collector(client: testClient(transport), options: CollectorOptions(allowMissingGroups: true), sinks: []).runCycle()
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual((error.underlying as? ESETClientError)?.kind, .accessDenied)
            XCTAssertTrue(error.requiresIntervention)
        }
    }

    func testAFailingSinkAbandonsEverySinkAndKeepsTheCheckpoint() async throws {
        final class FailingSink: EventSink {
            var delivered: SinkDelivery { SinkDelivery(destination: .batches, events: 0) }
            func beginCycle() throws {}
            func write(_ event: [UInt8]) async throws {}
            func finish() async throws { throw SekoiaError(kind: .taskFailed, call: "GET task t", message: "FAILED") }
            func abandon() {}
        }
        let directory = NSTemporaryDirectory() + "collector-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = ScriptedTransport { request, _ in
            if request.url.contains("/oauth/token") { return tokenAnswer(1) }
            return request.url.contains("device_groups") ? emptyGroups : devicesPage(["a"])
        }
        let recorder = RecordingSink()
        let store = CheckpointStore(directory: directory, region: "eu", username: "api@example.com")
        do {
            _ = try await Collector(client: testClient(transport), options: CollectorOptions(), sinks: [FailingSink(), recorder], checkpointStore: store).runCycle()
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.statistics.mapped, 1)
        }
        XCTAssertTrue(recorder.abandoned)
        XCTAssertFalse(recorder.finished, "a later sink is not made final after an earlier one failed")
        XCTAssertEqual(store.load(), .none)
    }
}
