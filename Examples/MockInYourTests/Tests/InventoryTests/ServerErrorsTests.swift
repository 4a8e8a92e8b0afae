import ESETMockTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Test func devicesAnswer500Then502ThenSucceed() async throws {
    try await ESETMockServer.withRunning(.testing(scenarios: [.serverErrors])) { mock in
        var grant = URLRequest(url: mock.tokenURL(.eu))
        grant.httpMethod = "POST"
        grant.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        grant.httpBody = Data("grant_type=password&username=demo%40example.com&password=demo-password".utf8)
        let (tokenBody, _) = try await URLSession.shared.data(for: grant)
        let token = try #require(try JSONSerialization.jsonObject(with: tokenBody) as? [String: Any])["access_token"]

        var list = URLRequest(url: mock.deviceManagementURL(.eu).appendingPathComponent("v1/devices"))
        list.setValue("Bearer \(try #require(token as? String))", forHTTPHeaderField: "Authorization")
        var statuses: [Int] = []
        for _ in 1...3 {
            let (_, response) = try await URLSession.shared.data(for: list)
            statuses.append(try #require(response as? HTTPURLResponse).statusCode)
        }
        #expect(statuses == [500, 502, 200])
        #expect(mock.counters.count(route: "devices") == 3)
    }
}
