import Foundation
import JSON
import OCSF
import XCTest

/// The published sample output is reported with exactly its known problems
/// (mapping.md, "Known problems" 1–3; problems 4–6 are about meaning, not shape, so no validator
/// can see them).
final class SeedEventTests: XCTestCase {
    let validator = OCSFValidator()

    func testTheSeedEventHasExactlyItsKnownErrors() {
        let findings = validator.validate(parsed(seedExpectedEventText))
        XCTAssertEqual(findings.errors.codesAndPaths, [
            // 1: `time` and `last_seen_time` are epoch seconds (written 1747821600.0).
            "timestamp_seconds_not_milliseconds@time",
            "timestamp_seconds_not_milliseconds@device.last_seen_time",
            // 3: the caption of os.type_id 100 is "Windows", not "windows".
            "attribute_enum_sibling_incorrect@device.os.type",
            // 2: severity_id is required for every event.
            "attribute_required_missing@severity_id",
        ])
        // Nothing else but recommended attributes left out.
        XCTAssertEqual(findings.significant.count, 4, "\(findings.significant)")
    }

    func testTheSeedEventsWarningsAreOnlyRecommendedAttributes() {
        let warnings = validator.validate(parsed(seedExpectedEventText)).filter { $0.severity == .warning }
        XCTAssertTrue(warnings.allSatisfy { $0.code == .attributeRecommendedMissing })
        XCTAssertTrue(warnings.map(\.path).contains("metadata.product.vendor_name"), "\(warnings)")
    }

    func testTheFixedSeedEventIsValid() {
        // The three fixes ocsf-strict makes (S01 milliseconds, S02 severity, S03 captions).
        let fixed = parsed(seedExpectedEventText)
            .setting("time", to: 1_747_821_600_000)
            .setting("device.last_seen_time", to: 1_747_821_600_000)
            .setting("severity_id", to: 1)
            .setting("severity", to: "Informational")
            .setting("device.os.type", to: "Windows")
        XCTAssertEqual(validator.validate(fixed).significant, [])
    }

    func testTheEmbeddedCopyMatchesTheSharedSample() throws {
        guard let shared = sharedDirectory else { throw XCTSkip("../shared is not on this machine") }
        let url = shared.appendingPathComponent("spec/seed-sample/expected-event.json")
        let original = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(original.trimmingCharacters(in: .newlines), seedExpectedEventText)
    }
}
