import Foundation
import JSON

/// Record mode: rewrites the golden files of mapping cases from what the connector produces.
///
/// Only on request (`eset-conformance --record`), and the result must be reviewed like code:
/// a golden written by the code under test proves nothing until a person has read it.
package struct GoldenRecorder: Sendable {
    package var runner: ConformanceRunner

    package init(runner: ConformanceRunner) { self.runner = runner }

    /// Returns how many files were written.
    package func record(_ cases: [ConformanceCase]) async throws -> Int {
        var written = 0
        for testCase in cases where testCase.kind == .mapping {
            let (output, _) = try await runner.produce(testCase)
            var text = ""
            for event in output.events {
                var event = event
                // M13's fallback depends on the moment of the run: keep it symbolic.
                if event["device"]?["last_seen_time"] == nil, case .object(var object) = event {
                    object["time"] = "$now"
                    event = .object(object)
                }
                text += event.jsonText + "\n"
            }
            try Data(text.utf8).write(to: testCase.directory.appendingPathComponent("expected.ndjson"))
            written += 1
        }
        return written
    }
}
