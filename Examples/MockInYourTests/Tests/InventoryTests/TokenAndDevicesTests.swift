import ESETMockTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

final class TokenAndDevicesTests: XCTestCase {
    func testDemoAccountGetsATokenAndAPageOfDevices() async throws {
        try await ESETMockServer.withRunning(.testing()) { mock in
            var grant = URLRequest(url: mock.tokenURL(.eu))
            grant.httpMethod = "POST"
            grant.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            grant.httpBody = Data("grant_type=password&username=demo%40example.com&password=demo-password".utf8)
            let (tokenBody, _) = try await URLSession.shared.data(for: grant)
            let token = try JSONDecoder().decode(Token.self, from: tokenBody)

            var list = URLRequest(url: mock.deviceManagementURL(.eu).appendingPathComponent("v1/devices"))
            list.setValue("Bearer \(token.access_token)", forHTTPHeaderField: "Authorization")
            let (pageBody, response) = try await URLSession.shared.data(for: list)
            XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
            let page = try XCTUnwrap(JSONSerialization.jsonObject(with: pageBody) as? [String: Any])
            XCTAssertFalse((page["devices"] as? [Any] ?? []).isEmpty)
            XCTAssertEqual(mock.counters.count(route: "devices", status: 200), 1)
        }
    }

    private struct Token: Decodable { var access_token: String }
}
