import ConnectorCLI
import ESET
import Foundation
import JSON
import Mapping
import OCSF
import XCTest

/// Mutated MockData devices through the page decoder and both mapping profiles: every input ends
/// as an event (maybe with warnings) or a counted rejection, every event is JSON without null,
/// and every ocsf-strict event validates with zero errors.
final class DecoderMapperFuzzTests: XCTestCase {
    static let seed = Budget.seed(0x4445_5649_4345_5321)
    /// A fixed clock (2025-05-21T10:00:00Z) so an event without a usable time is still reproducible.
    static let clock: @Sendable () -> Int64 = { 1_747_821_600_000_000 }

    /// The spec-valid default tenant and the edge-case tenant (off-contract values on purpose);
    /// both share the group tree.
    static let fixtureDevices: [JSONValue] = {
        var all: [JSONValue] = []
        for directory in [PackagePaths.mockData, PackagePaths.mockData.appendingPathComponent("edge-cases")] {
            let url = directory.appendingPathComponent("devices.json")
            guard let data = FileManager.default.contents(atPath: url.path),
                  case .array(let devices)? = try? JSONParser.parse(Array(data)) else { return [] }
            all += devices
        }
        return all
    }()

    static let fixtureGroups: GroupDirectory = {
        let url = PackagePaths.mockData.appendingPathComponent("device_groups.json")
        guard let data = FileManager.default.contents(atPath: url.path), let json = try? JSONParser.parse(Array(data)),
              let page = try? DeviceGroupPage.decode(json, page: nil) else { return GroupDirectory() }
        return GroupDirectory(page.groups)
    }()

    struct Figures {
        var pages = 0
        var devicesIn = 0
        var events = 0
        var eventsWithWarnings = 0
        var warnings = 0
        var rejections = 0
        var strictEventsValidated = 0
        var roundTrips = 0
        var mutations: [String: Int] = [:]
        var knownOpen: [String: Int] = [:]
    }

    /// Validation errors of ocsf-strict events that await a decision. Both findings of the first
    /// runs are settled (F2 by rule S10, F3 by the validator's `timestamp_possibly_seconds`
    /// warning), so none is excused any more; the corpus files of those findings hold the
    /// mapper and the validator to it.
    static func knownOpenFinding(_ finding: ValidationFinding) -> String? {
        nil
    }

    func testMutatedDevicesEndAsEventsOrCountedRejections() throws {
        XCTAssertEqual(Self.fixtureDevices.count, 520, "MockData/ and MockData/edge-cases/ should hold 260 devices each")
        let devices = try XCTUnwrap(Self.fixtureDevices.isEmpty ? nil : Self.fixtureDevices)
        let validator = OCSFValidator()
        let mappers = [DeviceMapper(profile: .sekoia, groups: Self.fixtureGroups, clock: Self.clock),
                       DeviceMapper(profile: .ocsfStrict, groups: Self.fixtureGroups, clock: Self.clock)]
        var figures = Figures()
        var failures: [String] = []
        let started = Date()

        for pageIndex in 0..<Budget.count(150) {
            var mutator = DeviceMutator(seed: Self.seed, index: pageIndex)
            let size = mutator.random.within(1...12)
            var elements: [JSONValue] = []
            for _ in 0..<size {
                var device = mutator.random.element(devices)
                for name in mutator.mutate(&device) { figures.mutations[name, default: 0] += 1 }
                elements.append(device)
            }
            let pageJSON: JSONValue = .object(JSONObject([("devices", .array(elements)), ("nextPageToken", "")]))
            figures.pages += 1
            figures.devicesIn += elements.count
            var problems = Self.check(page: pageJSON, elements: elements, pageNumber: pageIndex + 1, mappers: mappers,
                                 validator: validator, figures: &figures)
            // The same page through the JSON writer and parser, as the connector receives it.
            if nestingDepth(pageJSON) < JSONParser.maximumDepth {
                var writer = JSONWriter()
                writer.value(pageJSON)
                do {
                    let reparsed = try JSONParser.parse(writer.bytes)
                    if reparsed != pageJSON { problems.append("page does not survive a write/parse round trip") }
                    figures.roundTrips += 1
                } catch {
                    problems.append("written page does not parse back: \(error)")
                }
            }
            if !problems.isEmpty {
                var writer = JSONWriter()
                writer.value(pageJSON)
                let path = FailureArchive.keep(writer.bytes, suite: "devices", index: pageIndex, ext: "json")
                failures.append("page \(pageIndex) (seed \(Self.seed)): \(problems.prefix(3).joined(separator: "; ")); kept at \(path)")
            }
        }
        for failure in failures.prefix(20) { XCTFail(failure) }
        XCTAssertEqual(figures.devicesIn, figures.events + figures.rejections)
        XCTAssertGreaterThan(figures.rejections, 0, "the mutations should produce some rejections")
        XCTAssertGreaterThan(figures.warnings, 0, "the mutations should produce some warnings")
        reportFigures("device-fuzz", [
            "seed": Self.seed, "pages": figures.pages, "devices": figures.devicesIn, "events": figures.events,
            "rejections": figures.rejections, "events-with-warnings": figures.eventsWithWarnings, "warnings": figures.warnings,
            "strict-validated": figures.strictEventsValidated, "round-trips": figures.roundTrips,
            "mutations": figures.mutations.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
            "known-open": figures.knownOpen.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
            "failures": failures.count, "seconds": String(format: "%.1f", Date().timeIntervalSince(started)),
        ])
    }

    /// Decodes and maps one page; returns what broke the rules.
    static func check(page: JSONValue, elements: [JSONValue], pageNumber: Int, mappers: [DeviceMapper], validator: OCSFValidator,
               figures: inout Figures) -> [String] {
        var problems: [String] = []
        let decoded: DevicePage
        do {
            decoded = try DevicePage.decode(page, page: pageNumber)
        } catch {
            return ["a page with a devices array was refused as a whole: \(error)"]
        }
        if decoded.devices.count + decoded.rejections.count != elements.count {
            problems.append("\(elements.count) devices in, \(decoded.devices.count) decoded + \(decoded.rejections.count) rejected")
        }
        let seen = (decoded.positions + decoded.rejections.map(\.index)).sorted()
        if seen != Array(0..<elements.count) { problems.append("positions and rejection indices \(seen) do not cover the page once each") }
        for rejection in decoded.rejections {
            if rejection.page != pageNumber || rejection.raw != elements[rejection.index] {
                problems.append("rejection \(rejection) does not point at its raw device")
            }
            if !rejection.description.contains("device index \(rejection.index)") {
                problems.append("rejection message does not name the index: \(rejection)")
            }
        }
        figures.rejections += decoded.rejections.count
        for (device, position) in zip(decoded.devices, decoded.positions) {
            figures.events += 1
            for mapper in mappers {
                let mapped = mapper.map(device)
                if mapper.profile == .sekoia && !mapped.warnings.isEmpty {
                    figures.eventsWithWarnings += 1
                    figures.warnings += mapped.warnings.count
                }
                for warning in mapped.warnings where warning.deviceUID != device.uuid || warning.field.isEmpty {
                    problems.append("device \(position): warning without its device or field: \(warning)")
                }
                let bytes = mapped.event.jsonBytes()
                let event: JSONValue
                do {
                    event = try JSONParser.parse(bytes)
                } catch {
                    problems.append("device \(position) (\(mapper.profile.rawValue)): event is not valid JSON: \(error)")
                    continue
                }
                if containsNull(event) { problems.append("device \(position) (\(mapper.profile.rawValue)): event holds a null") }
                if event["device"]?["uid"]?.stringValue != device.uuid {
                    problems.append("device \(position) (\(mapper.profile.rawValue)): device.uid is not the uuid")
                }
                if mapper.profile == .ocsfStrict {
                    var errors = validator.validate(event).filter { $0.severity == .error }
                    figures.strictEventsValidated += 1
                    for error in errors {
                        if let finding = Self.knownOpenFinding(error) { figures.knownOpen[finding, default: 0] += 1 }
                    }
                    errors.removeAll { Self.knownOpenFinding($0) != nil }
                    if !errors.isEmpty {
                        problems.append("device \(position): ocsf-strict event has \(errors.count) validation error(s): \(errors.prefix(3).map(\.description).joined(separator: " | "))")
                    }
                }
            }
        }
        return problems
    }

    /// The same promise through the `map` command: the exit status says whether devices were
    /// rejected, stdout has one event per decoded device, stderr one line per rejection.
    func testMapCommandAccountsForEveryMutatedDevice() async throws {
        let devices = try XCTUnwrap(Self.fixtureDevices.isEmpty ? nil : Self.fixtureDevices)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rel-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var totals = (files: 0, devices: 0, events: 0, rejected: 0)
        for fileIndex in 0..<Budget.count(12) {
            var mutator = DeviceMutator(seed: Self.seed ^ 0x4D4150, index: fileIndex)
            var elements: [JSONValue] = []
            for _ in 0..<mutator.random.within(1...20) {
                var device = mutator.random.element(devices)
                _ = mutator.mutate(&device)
                elements.append(device)
            }
            let page = JSONValue.array(elements)
            guard nestingDepth(page) < JSONParser.maximumDepth else { continue }
            var writer = JSONWriter()
            writer.value(page)
            let input = directory.appendingPathComponent("devices-\(fileIndex).json")
            try Data(writer.bytes).write(to: input)
            let expected = try DevicePage.decode(page, page: nil)

            for profile in ["sekoia", "ocsf-strict"] {
                let context = CLIContext(environment: [:], standardOutput: .memory(), standardError: .memory())
                let status = await runConnectorCLI(["map", "--devices", input.path, "--profile", profile], context: context)
                let lines = context.standardOutput.text.split(separator: "\n")
                let rejectedLines = context.standardError.text.split(separator: "\n").filter { $0.hasPrefix("rejected: ") }
                let where_ = "file \(fileIndex) (\(profile)), kept at \(input.path)"
                XCTAssertEqual(status, expected.rejections.isEmpty ? 0 : 2, "exit status, \(where_): \(context.standardError.text.prefix(500))")
                XCTAssertEqual(lines.count, expected.devices.count, "events on stdout, \(where_)")
                XCTAssertEqual(rejectedLines.count, expected.rejections.count, "rejections on stderr, \(where_)")
                for line in lines {
                    guard let event = try? JSONParser.parse(String(line)) else { XCTFail("stdout line is not JSON, \(where_)"); continue }
                    XCTAssertFalse(containsNull(event), "event with null, \(where_)")
                }
                if profile == "sekoia" {
                    totals.files += 1
                    totals.devices += elements.count
                    totals.events += lines.count
                    totals.rejected += rejectedLines.count
                }
            }
        }
        XCTAssertEqual(totals.devices, totals.events + totals.rejected)
        reportFigures("map-command-fuzz", ["files": totals.files, "devices": totals.devices, "events": totals.events, "rejected": totals.rejected])
    }
}
