import ESETMock
import Foundation
import JSON
import XCTest

final class FixtureLoadingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    func testLoadsADataDirectoryWithAccounts() throws {
        try write("devices.json", "[\n" + TestFleet.device(0) + ",\n" + TestFleet.device(1) + "\n]\n")
        try write("device_groups.json", "[]")
        try write("accounts.json", #"[{"username": "ops@example.com", "password": "x", "regions": ["de"], "integrations": false}]"#)
        let configuration = try ESETMockConfiguration.load(dataDirectory: directory)
        XCTAssertEqual(configuration.fixtures.deviceCount, 2)
        XCTAssertEqual(configuration.fixtures.deviceGroupCount, 0)
        XCTAssertEqual(configuration.fixtures.deviceUUIDs, [TestFleet.uuid(0), TestFleet.uuid(1)])
        XCTAssertEqual(configuration.accounts, [.demo, MockAccount(username: "ops@example.com", password: "x", regions: [.de],
                                                                  hasIntegrationsPermission: false)])
        XCTAssertFalse(configuration.scenarioLibrary.isEmpty, "the default scenarios are available with any data dir")
    }

    /// The devices file is mapped, not read: every device must still come out byte for byte, and
    /// the uuid index (which compares raw bytes) must find escaped uuids and keep the first of
    /// two equal ones.
    func testMappedFileServesVerbatimBytesAndFindsDevicesByUUID() throws {
        let zero = TestFleet.device(0)
        let escapedKey = TestFleet.device(1).replacingOccurrences(of: "\"uuid\"", with: #""uu\u0069d""#)
        let escapedValue = TestFleet.device(2).replacingOccurrences(of: TestFleet.uuid(2), with: String(TestFleet.uuid(2).dropLast()) + #"\u0032"#)
        let duplicate = TestFleet.device(0).replacingOccurrences(of: "DEV-0", with: "DEV-0-again")
        let noUUID = #"{"displayName":"nameless \u00e9","isMuted":true}"#
        let objects = [zero, escapedKey, escapedValue, duplicate, noUUID]
        let text = "[\n  " + objects.joined(separator: " ,\n\t") + "\n]\n"
        try write("devices.json", text)
        try write("device_groups.json", "[ ]")
        let fixtures = try MockFixtures(directory: directory)
        XCTAssertEqual(fixtures.deviceCount, 5)
        for (index, object) in objects.enumerated() {
            XCTAssertEqual(fixtures.deviceJSON(at: index), Array(object.utf8), "device \(index)")
        }
        XCTAssertEqual(fixtures.deviceUUIDs, [TestFleet.uuid(0), TestFleet.uuid(1), TestFleet.uuid(2), TestFleet.uuid(0), nil])

        // A device without a uuid is off the contract on purpose.
        let mock = try MockHarness(fleet: TestFleet(devices: 0), offContract: [.bodySchema]) { $0.fixtures = fixtures }
        let token = try mock.login().access
        for (uuid, expected) in [(TestFleet.uuid(0), zero), (TestFleet.uuid(1), escapedKey), (TestFleet.uuid(2), escapedValue)] {
            let response = try mock.get("/\(MockHarness.eu)/v1/devices/\(uuid)", token: token)
            XCTAssertEqual(response.status, 200, uuid)
            XCTAssertEqual(response.bodyText, "{\"device\":" + expected + "}", uuid)
        }
        XCTAssertEqual(try mock.get("/\(MockHarness.eu)/v1/devices/\(TestFleet.uuid(3))", token: token).status, 404)
        let page = try mock.get("/\(MockHarness.eu)/v1/devices?pageSize=10", token: token)
        XCTAssertEqual(page.bodyText, "{\"devices\":[" + objects.joined(separator: ",") + "],\"nextPageToken\":\"\"}")
    }

    func testMalformedFixtureNamesFileLineAndColumn() throws {
        try write("devices.json", "[\n  {\"uuid\": \"a\"},\n  {\"uuid\": \"b\",}\n]")
        try write("device_groups.json", "[]")
        XCTAssertThrowsError(try MockFixtures(directory: directory)) { error in
            let failure = error as? ESETMockError
            XCTAssertEqual(failure?.file, directory.appendingPathComponent("devices.json").path)
            XCTAssertEqual(failure?.line, 3)
            XCTAssertEqual(failure?.column, 16)
            XCTAssertTrue("\(error)".hasPrefix(directory.appendingPathComponent("devices.json").path + ":3:16: malformed JSON"), "\(error)")
        }
    }

    func testNonObjectElementAndNonArrayAreRefused() throws {
        XCTAssertThrowsError(try MockFixtures(devicesJSON: Array("[{}, \n 42]".utf8), deviceGroupsJSON: Array("[]".utf8))) { error in
            XCTAssertEqual("\(error)", "devices.json:2:2: element 1 of the array is not a JSON object")
        }
        XCTAssertThrowsError(try MockFixtures(devicesJSON: Array("[]".utf8), deviceGroupsJSON: Array("{}".utf8))) { error in
            XCTAssertEqual((error as? ESETMockError)?.file, "device_groups.json")
            XCTAssertEqual((error as? ESETMockError)?.line, 1)
        }
    }

    func testMissingFileIsNamed() throws {
        try write("devices.json", "[]")
        XCTAssertThrowsError(try ESETMockConfiguration.load(dataDirectory: directory)) { error in
            XCTAssertTrue("\(error)".contains("device_groups.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file"), "\(error)")
        }
    }

    func testBadAccountsFileIsNamed() throws {
        try write("devices.json", "[]")
        try write("device_groups.json", "[]")
        try write("accounts.json", #"[{"username": "a@b", "password": "x", "regions": ["mars"]}]"#)
        XCTAssertThrowsError(try ESETMockConfiguration.load(dataDirectory: directory)) { error in
            XCTAssertTrue("\(error)".contains("accounts.json: accounts[0].regions: unknown region \"mars\""), "\(error)")
        }
    }

    func testDevicesWithoutUUIDAreServedButNotIndexed() throws {
        let fixtures = try MockFixtures(devicesJSON: Array(#"[{"displayName": "x"}, {"uuid": 5}, {"uuid": "a\u0062c"}]"#.utf8),
                                        deviceGroupsJSON: Array("[]".utf8))
        XCTAssertEqual(fixtures.deviceUUIDs, [nil, nil, "abc"])
        XCTAssertEqual(String(decoding: fixtures.deviceJSON(at: 2), as: UTF8.self), #"{"uuid": "a\u0062c"}"#)
    }

    func testScenarioFileErrorsNameTheField() throws {
        let scenarios = directory.appendingPathComponent("scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        try Data(#"{"name": "x", "description": "y", "rules": [{"route": "devices", "fault": "explode"}]}"#.utf8)
            .write(to: scenarios.appendingPathComponent("x.json"))
        XCTAssertThrowsError(try MockScenario.loadLibrary(directory: scenarios)) { error in
            XCTAssertTrue("\(error)".hasSuffix("x.json: rules[0].fault: expected truncate, reset or close"), "\(error)")
        }
        try Data("{\n \"name\": \"x\",\n oops}".utf8).write(to: scenarios.appendingPathComponent("x.json"))
        XCTAssertThrowsError(try MockScenario.loadLibrary(directory: scenarios)) { error in
            XCTAssertEqual((error as? ESETMockError)?.line, 3)
        }
        for (text, mention) in [(#"{"name": "x", "description": "y", "typo": 1}"#, "typo"),
                                (#"{"name": "X Y", "description": "y"}"#, "name"),
                                (#"{"name": "x", "description": "y", "rules": [{"route": "nowhere"}]}"#, "nowhere"),
                                (#"{"name": "x", "description": "y", "rules": [{"route": "devices", "calls": [0]}]}"#, "calls[0]"),
                                (#"{"name": "x", "description": "y", "lastPageToken": "zero"}"#, "lastPageToken"),
                                (#"{"name": "x", "description": "y", "rules": [{"route": "token", "status": 202}]}"#, "202")] {
            XCTAssertThrowsError(try MockScenario(json: Array(text.utf8), source: "s.json"), text) { error in
                XCTAssertTrue("\(error)".contains(mention), "\(error)")
            }
        }
    }

    func testDataDirectoryScenariosOverrideTheDefaultsByName() throws {
        try write("devices.json", "[]")
        try write("device_groups.json", "[]")
        let scenarios = directory.appendingPathComponent("scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        try Data(#"{"name": "slow-response", "description": "faster", "rules": [{"route": "data", "delayMs": 5}]}"#.utf8)
            .write(to: scenarios.appendingPathComponent("mine.json"))
        let library = try ESETMockConfiguration.loadScenarioLibrary(extraDirectory: directory)
        XCTAssertEqual(library.filter { $0.name == "slow-response" }.map(\.description), ["faster"])
        XCTAssertTrue(library.contains { $0.name == "token-expiry" })
    }

    func testDefaultDataDirectoryHoldsTheShippedScenarios() {
        let scenarios = ESETMockServer.defaultDataDirectory.appendingPathComponent("scenarios/token-expiry.json").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: scenarios), scenarios)
    }
}
