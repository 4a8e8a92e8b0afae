@testable import ConnectorCLI
import ESETMock
import Foundation
import XCTest

/// Hostile servers (issue 12's scenarios): a check never sends a credential off origin.
final class CheckHostileTests: XCTestCase {
    func testARedirectedTokenCallIsNotFollowed() async throws {
        let mock = try CheckMock(scenarios: ["redirect-token-foreign"])
        let run = await runCheck(mock.arguments(sekoia: false, extra: ["--probe-regions"]))
        XCTAssertEqual(run.status, 1, run.stdout)
        XCTAssertFalse(run.stdout.contains("demo-password"))
        XCTAssertEqual(mock.server.foreignOriginRequests.count, 0, "the password reached the foreign origin")
        XCTAssertTrue(run.lines.contains { $0.hasPrefix("✗ ESET token endpoint reachable") || $0.hasPrefix("✗ credentials accepted in region eu: HTTP 307") },
                      run.stdout)
    }
}
