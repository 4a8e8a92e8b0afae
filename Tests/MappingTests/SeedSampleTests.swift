import ESET
import Fleet
import JSON
import Mapping
import XCTest

final class SeedSampleTests: XCTestCase {
    /// The published sample is the one example Sekoia.io gives; every rule M01–M19 shows in it.
    func testSeedSampleMapsToExactlyThePublishedEvent() throws {
        let groupJSON = try JSONParser.parse(try fixtureText("device_group.json"))
        let group = try XCTUnwrap(ESETDeviceGroup(json: groupJSON))
        let event = try mapDevice(try fixtureText("device.json"), groups: [group])
        let expected = try JSONParser.parse(try fixtureText("expected-event.json"))
        XCTAssertTrue(event.semanticallyEquals(expected), "got \(event.jsonText)")
    }

    /// The default tenant opens with a spec-valid twin of the sample: the fields it changes are
    /// not read by the mapping, so the published event stays the golden.
    func testSpecValidSeedTwinMapsToExactlyThePublishedEvent() throws {
        let groupJSON = try JSONParser.parse(try fixtureText("device_group.json"))
        let group = try XCTUnwrap(ESETDeviceGroup(json: groupJSON))
        XCTAssertNotEqual(DefaultFleet.seedTwinDeviceJSON, DefaultFleet.seedDeviceJSON)
        let event = try mapDevice(DefaultFleet.seedTwinDeviceJSON, groups: [group])
        let expected = try JSONParser.parse(try fixtureText("expected-event.json"))
        XCTAssertTrue(event.semanticallyEquals(expected), "got \(event.jsonText)")
    }

    func testFixtureCopiesMatchTheSharedSpecWhenPresent() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/spec/seed-sample").standardized
        guard FileManager.default.fileExists(atPath: shared.path) else {
            throw XCTSkip("../shared is not beside the package on this machine")
        }
        for name in ["device.json", "device_group.json", "expected-event.json"] {
            XCTAssertEqual(
                try Data(contentsOf: shared.appendingPathComponent(name)), try Data(contentsOf: fixtureURL(name)), name)
        }
    }
}
