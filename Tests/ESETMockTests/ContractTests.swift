@testable import ESETMock
import Fleet
import Foundation
import HTTPTesting
import JSON
import XCTest

/// The mock against ESET's published OpenAPI descriptions: the committed digest is current, the
/// shipped tenants and generated fleets are (or, for edge cases, are deliberately not) valid,
/// and every answer of every route under every scenario matches the declared statuses, headers
/// and schemas, except what a scenario declares on purpose.
final class ContractTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let mockData = packageRoot.appendingPathComponent("MockData")

    // MARK: The digest

    func testCommittedDigestIsWhatTheScriptMakesOfTheDescriptions() throws {
        let specDirectory = Self.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/eset-openapi")
        guard FileManager.default.fileExists(atPath: specDirectory.appendingPathComponent("device-management.json").path) else {
            throw XCTSkip("../shared/eset-openapi is not beside the package")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Scripts/generate-openapi-digest.py").path,
                             "--spec-dir", specDirectory.path, "--output", "-"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let generated = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let committed = try Data(contentsOf: Self.packageRoot.appendingPathComponent("Sources/ESETMock/Contract/OpenAPIDigest+Generated.swift"))
        XCTAssertTrue(generated == committed, "the digest is stale: run python3 Scripts/generate-openapi-digest.py")
    }

    func testDigestHoldsTheNineOperations() {
        let contract = OpenAPIContract.eset
        XCTAssertEqual(Set(contract.operations.map(\.id)), [
            "DeviceGroups_ListGroups", "DeviceGroups_ListMemberDevices", "Devices_ListDevices", "Devices_GetDevice",
            "Devices_MoveDevice", "Devices_RenameDevice", "Devices_BatchGetDevices", "Devices_ImportDeviceBatch", "OAuth_Token",
        ])
        let move = contract.operation(service: "device-management", method: "POST", path: "/v1/devices/abc:move")
        XCTAssertEqual(move?.0.id, "Devices_MoveDevice")
        XCTAssertEqual(move?.1["deviceUuid"], "abc")
        XCTAssertEqual(contract.operation(service: "device-management", method: "GET", path: "/v1/devices/abc")?.0.id, "Devices_GetDevice")
        XCTAssertEqual(contract.operation(service: "device-management", method: "GET", path: "/v1/device_groups/g/devices")?.0.id,
                       "DeviceGroups_ListMemberDevices")
        XCTAssertNil(contract.operation(service: "device-management", method: "DELETE", path: "/v1/devices/abc"))
    }

    func testValidatorNamesThePathAndTheRule() throws {
        let device = try JSONParser.parse(#"{"uuid": "u", "isMobile": "true", "lastSyncTime": "2025-05-21 10:00:00Z", "deviceType": "DEVICE_TYPE_TOASTER", "operatingSystem": {"familyId": "1", "version": {"id": "10.0.1"}}, "hardwareProfiles": [{"networkAdapters": [{"malformedData": null}]}], "future": 1}"#)
        let violations = OpenAPIContract.eset.validate(device, schemaNamed: "v1Device")
        XCTAssertEqual(Set(violations.map(\.path)), [
            "$.isMobile", "$.lastSyncTime", "$.deviceType", "$.operatingSystem.familyId", "$.operatingSystem.version.id",
            "$.hardwareProfiles[0].networkAdapters[0].malformedData",
        ])
        XCTAssertTrue(violations.allSatisfy { $0.kind == .bodySchema })
        let good = try JSONParser.parse(#"{"lastSyncTime": "2025-05-21T10:00:00.123456789+05:45", "operatingSystem": {"familyId": 1, "version": {"id": "2814751014977536"}}}"#)
        XCTAssertEqual(OpenAPIContract.eset.validate(good, schemaNamed: "v1Device"), [])
        XCTAssertFalse(OpenAPIContract.isRFC3339DateTimeForTesting("2025-02-30T10:00:00Z"))
        XCTAssertFalse(OpenAPIContract.isRFC3339DateTimeForTesting("2025-05-21T10:00:00"))
    }

    // MARK: Fixtures

    func testTheDefaultTenantIsSpecValid() throws {
        let result = try FixtureLinter.lint(directory: Self.mockData)
        XCTAssertEqual(result.total, 0, result.findings.prefix(10).map(\.description).joined(separator: "\n"))
        XCTAssertEqual(result.devices, 260)
        XCTAssertEqual(result.groups, 16)
    }

    func testTheEdgeCaseTenantIsOffContractOnPurpose() throws {
        let result = try FixtureLinter.lint(directory: Self.mockData.appendingPathComponent("edge-cases"))
        XCTAssertGreaterThan(result.total, 100)
        let paths = Set(result.findings.map { $0.violation.path.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "[]", options: .regularExpression) })
        for expected in ["$.enrollmentStatus", "$.operatingSystem.familyId", "$.functionalityProblemCount", "$.lastSyncTime",
                         "$.isMobile", "$.deviceType", "$.hardwareProfiles[].networkAdapters[].malformedData", "$.publicIpAddress"] {
            XCTAssertTrue(paths.contains(expected), "the edge cases still break \(expected)")
        }
        let served = try ESETMockConfiguration.load(dataDirectory: Self.mockData.appendingPathComponent("edge-cases"))
        XCTAssertEqual(served.fixtures.deviceCount, 260)
        XCTAssertEqual(served.accounts.count, 3, "the same accounts as the default tenant")
        let first = try XCTUnwrap(result.findings.first)
        XCTAssertEqual(first.index, 0)
        XCTAssertEqual(first.uuid, DefaultFleet.seedDeviceUuid)
        XCTAssertTrue(first.description.contains("devices.json: device index 0 (550e8400"), first.description)
    }

    func testGeneratedFleetsAreSpecValidUnlessAskedForEdgeCases() throws {
        for seed: UInt64 in [1, 77] {
            let generator = FleetGenerator(seed: seed)
            let groups = generator.groups(count: 40)
            let devices = try JSONParser.parse(generator.devicesJSON(count: 2000, groups: groups)).arrayValue ?? []
            XCTAssertEqual(devices.count, 2000)
            var violations: [ContractViolation] = []
            for (index, device) in devices.enumerated() {
                violations += OpenAPIContract.eset.validate(device, schemaNamed: "v1Device", path: "devices[\(index)]")
            }
            XCTAssertEqual(violations.count, 0, "seed \(seed): " + violations.prefix(5).map(\.description).joined(separator: "; "))
            for group in try JSONParser.parse(generator.groupsJSON(groups)).arrayValue ?? [] {
                XCTAssertEqual(OpenAPIContract.eset.validate(group, schemaNamed: "v1DeviceGroup"), [])
            }
        }
        let edge = try JSONParser.parse(FleetGenerator(seed: 1, edgeCases: true).devicesJSON(count: 500)).arrayValue ?? []
        let broken = edge.filter { !OpenAPIContract.eset.validate($0, schemaNamed: "v1Device").isEmpty }
        XCTAssertGreaterThan(broken.count, 100, "--edge-cases keeps its off-contract values")
    }

    // MARK: Every route, every scenario

    /// Drives every operation (successes and the errors a client can provoke) against the
    /// default tenant; the harness fails the test on any undeclared violation.
    func testEveryRouteAnswersPerTheContract() throws {
        let mock = try ContractHarness()
        try mock.driveEveryRoute()
        XCTAssertGreaterThan(mock.harness.contract.checkedCount, 30)
    }

    func testEveryScenarioAnswersPerTheContractExceptWhatItDeclares() throws {
        for scenario in MockHarness.library {
            // Answers that never end (or lie about their length) are broken on purpose, so the
            // check skips them; a short client timeout keeps the walk through them quick.
            let hostile = scenario.rules.contains { [.endless, .hugeLength, .gzipBomb].contains($0.body) }
            let mock = try ContractHarness(scenarios: [scenario.name], requestTimeout: hostile ? 0.5 : 10)
            try mock.driveEveryRoute()
            XCTAssertGreaterThan(mock.harness.contract.checkedCount, 10, scenario.name)
            if !scenario.offContract.isEmpty {
                XCTAssertGreaterThan(mock.harness.contract.acceptedCount, 0, "\(scenario.name) breaks what it declares")
            }
        }
    }

    func testTheEdgeCaseTenantBreaksOnlyTheBodySchema() throws {
        let mock = try ContractHarness(data: "edge-cases", offContract: [.bodySchema])
        try mock.driveEveryRoute()
        XCTAssertGreaterThan(mock.harness.contract.acceptedCount, 100, "the watch sees the edge cases")
    }

    func testAGeneratedFleetAnswersPerTheContract() throws {
        let generator = FleetGenerator(seed: 5)
        let groups = generator.groups(count: 30)
        let fixtures = try MockFixtures(devicesJSON: generator.devicesJSON(count: 3000, groups: groups),
                                        deviceGroupsJSON: generator.groupsJSON(groups))
        let mock = try ContractHarness(fixtures: fixtures)
        try mock.driveEveryRoute()
    }
}

extension OpenAPIContract {
    static func isRFC3339DateTimeForTesting(_ text: String) -> Bool {
        formatProblem(text, format: "date-time") == nil
    }
}

/// A mock with the contract watch on, and a client that calls every operation.
struct ContractHarness {
    let harness: MockHarness
    let seedDevice: String
    let group: String

    init(data: String? = nil, fixtures: MockFixtures? = nil, scenarios: [String] = [],
         offContract: Set<ContractViolation.Kind> = [], requestTimeout: Double = 10,
         file: StaticString = #filePath, line: UInt = #line) throws {
        var directory = ContractTests.mockData
        if let data { directory = directory.appendingPathComponent(data) }
        let loaded = try fixtures ?? MockFixtures(directory: directory)
        harness = try MockHarness(scenarios: scenarios, offContract: offContract, requestTimeout: requestTimeout,
                                  file: file, line: line) { configuration in
            configuration.fixtures = loaded
        }
        seedDevice = loaded.deviceUUIDs.compactMap { $0 }.first ?? "none"
        let groups = (0..<loaded.deviceGroupCount).compactMap { try? JSONParser.parse(loaded.deviceGroupJSON(at: $0)) }
        group = groups.first { $0["parentGroupUuid"] == nil }?["uuid"]?.stringValue ?? "none"
    }

    func driveEveryRoute() throws {
        let mock = harness
        let dm = "/\(MockHarness.eu)"
        // Token: good, bad, wrong media type, refresh.
        let token = try? mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")])
        _ = try? mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "wrong")])
        _ = try? mock.tokenRequest([("grant_type", "password")], contentType: "application/json")
        let json = token.flatMap { try? JSONParser.parse($0.body) }
        if let refresh = json?["refresh_token"]?.stringValue {
            _ = try? mock.tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refresh)])
        }
        // The refresh rotated the tokens: log in again for the data calls (a scenario may refuse).
        let again = try? mock.tokenRequest([("grant_type", "password"), ("username", "demo@example.com"), ("password", "demo-password")])
        let access = again.flatMap { try? JSONParser.parse($0.body) }?["access_token"]?.stringValue
        let auth: [(String, String)] = access.map { [("Authorization", "Bearer \($0)")] } ?? []
        let jsonHeaders = auth + [("Content-Type", "application/json")]
        func get(_ target: String, _ headers: [(String, String)]? = nil) throws {
            _ = try? mock.request("GET", dm + target, headers: headers ?? auth)
        }
        func post(_ target: String, _ body: String) throws {
            _ = try? mock.request("POST", dm + target, headers: jsonHeaders, body: Array(body.utf8))
        }
        // Lists, walked to their end (bounded).
        for listing in ["devices", "device_groups", "device_groups/\(group)/devices?recurseSubgroups=true&"] {
            var next = ""
            for _ in 0..<80 {
                let separator = listing.hasSuffix("&") ? "" : "?"
                let target = "/v1/" + listing + separator + "pageSize=500" + (next.isEmpty ? "" : "&pageToken=" + mock.formEncode(next))
                guard let response = try? mock.request("GET", dm + target, headers: auth), response.status == 200, let page = try? JSONParser.parse(response.body),
                      let token = page["nextPageToken"]?.stringValue, !token.isEmpty else { break }
                next = token
            }
        }
        try get("/v1/devices?functionalityStatus=DEVICE_FUNCTIONALITY_STATUS_OK&isMuted=false&displayNames=DESKTOP-ABC123")
        try get("/v1/device_groups/\(group)/devices")
        try get("/v1/devices/\(seedDevice)")
        try get("/v1/devices:batchGet?devicesUuids=\(seedDevice)")
        try post("/v1/devices/\(seedDevice):rename", #"{"displayName": "RENAMED-BY-CONTRACT-TEST"}"#)
        try post("/v1/devices/\(seedDevice):move", "{\"newParentUuid\": \"\(group)\"}")
        try post("/v1/devices:batchImport", "{\"parentGroupUuid\": \"\(group)\", \"devices\": [{\"displayName\": \"IMPORTED-1\", \"isMobile\": true}, {\"displayName\": \"IMPORTED-1\"}, {\"description\": \"no name\"}]}")
        // Errors a client can provoke: each must still be a declared status with the gateway's body.
        try get("/v1/devices?functionalityStatus=BOGUS")
        try get("/v1/devices?pageSize=-1")
        try get("/v1/devices?pageSize=100000")
        try get("/v1/devices?isMuted=maybe")
        try get("/v1/devices?pageToken=forged")
        try get("/v1/device_groups/\(group)/devices?recurseSubgroups=yes")
        try get("/v1/device_groups/no-such-group/devices")
        try get("/v1/devices/no-such-device")
        try get("/v1/devices:batchGet")
        try get("/v1/devices:batchGet?devicesUuids=no-such-device")
        try get("/v1/devices", [])
        try get("/v1/devices", [("Authorization", "Bearer forged.token")])
        try post("/v1/devices/no-such-device:move", "{\"newParentUuid\": \"\(group)\"}")
        try post("/v1/devices/\(seedDevice):move", #"{"newParentUuid": "no-such-group"}"#)
        try post("/v1/devices/\(seedDevice):move", #"{"newParentUuid": 5}"#)
        try post("/v1/devices/\(seedDevice):rename", #"{"displayName": ""}"#)
        try post("/v1/devices/\(seedDevice):rename", "not json")
        try post("/v1/devices:batchImport", #"{"parentGroupUuid": "no-such-group", "devices": [{"displayName": "X"}]}"#)
        try post("/v1/devices:batchImport", #"{"devices": "nope"}"#)
        // (Transport errors are ignored: some scenarios reset or cut answers on purpose.)
        // The mock's own APIs are outside the contract, and a reset undoes the changes.
        _ = try? mock.adminJSON("reset", method: "POST")
    }
}
