import ConnectorCLI
import Foundation
import JSON
import XCTest

final class MapCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("map-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func run(_ arguments: [String]) async -> (status: Int32, stdout: String, stderr: String) {
        let context = CLIContext(environment: [:], standardOutput: .memory(), standardError: .memory())
        let status = await runConnectorCLI(arguments, context: context)
        return (status, context.standardOutput.text, context.standardError.text)
    }

    func testMapsAnArrayOrAPageToOneEventPerLine() async throws {
        let devices = try write("devices.json", #"[{"uuid": "a", "parentGroupUuid": "g"}, {"uuid": "b"}]"#)
        let page = try write("page.json", #"{"devices": [{"uuid": "a", "parentGroupUuid": "g"}, {"uuid": "b"}], "nextPageToken": ""}"#)
        let groups = try write("groups.json", #"{"deviceGroups": [{"uuid": "g", "displayName": "Group G"}]}"#)
        for input in [devices, page] {
            let result = await run(["map", "--devices", input, "--groups", groups])
            XCTAssertEqual(result.status, 0, result.stderr)
            let lines = result.stdout.split(separator: "\n").map { try? JSONParser.parse(String($0)) }
            XCTAssertEqual(lines.count, 2)
            XCTAssertEqual(lines[0]?["device"]?["groups"], [["name": "Group G", "uid": "g"]])
            XCTAssertEqual(lines[1]?["device"]?["uid"], "b")
            XCTAssertTrue(result.stderr.contains("mapped 2 device(s), rejected 0"), result.stderr)
        }
    }

    func testMalformedJSONNamesTheFileLineAndColumn() async throws {
        let devices = try write("bad.json", "[\n  {\"uuid\": \"a\"},\n  {\"uuid\" \"b\"}\n]")
        let result = await run(["map", "--devices", devices])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("\(devices): line 3, column 11: expected ':' after member name"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    /// 2,500 devices: three batches of the streaming reader (1,000 each).
    private func fleetText(count: Int, corruptAt: Int? = nil) -> String {
        var devices: [String] = []
        for index in 0..<count {
            let separator = index == corruptAt ? "" : ","
            devices.append(#"{"uuid": "d-\#(index)", "displayName": "Dévice \#(index)", "lastSyncTime": "2025-05-21T10:00:00Z"\#(separator) "deviceType": "DEVICE_TYPE_DESKTOP"}"#)
        }
        return "[\n" + devices.joined(separator: ",\n") + "\n]\n"
    }

    func testOneAndTwoThreadsWriteTheSameEvents() async throws {
        let devices = try write("fleet.json", fleetText(count: 2500))
        let one = await run(["map", "--devices", devices, "--threads", "1"])
        let two = await run(["map", "--devices", devices, "--threads", "2"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(one.stdout.split(separator: "\n").count, 2500)
        XCTAssertEqual(two.stdout, one.stdout)
        XCTAssertEqual(two.stderr, one.stderr)
        let invalid = await run(["map", "--devices", devices, "--threads", "0"])
        XCTAssertEqual(invalid.status, 64)
        XCTAssertTrue(invalid.stderr.contains("--threads"), invalid.stderr)
    }

    func testASyntaxErrorFarIntoTheFileIsLocatedAfterTheEventsBeforeIt() async throws {
        let devices = try write("fleet.json", fleetText(count: 2500, corruptAt: 2100))
        for threads in ["1", "2"] {
            let result = await run(["map", "--devices", devices, "--threads", threads])
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(
                result.stderr.contains("\(devices): line 2102, column 90: expected ',' or '}' after object member"), result.stderr)
            // The batches before the one holding the error were written.
            XCTAssertEqual(result.stdout.split(separator: "\n").count, 2000, "threads \(threads)")
            let output = directory.appendingPathComponent("events-\(threads).ndjson").path
            let toFile = await run(["map", "--devices", devices, "--threads", threads, "--output", output])
            XCTAssertEqual(toFile.status, 1)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no partial --output file")
        }
    }

    func testMissingFileIsAFailureNamingIt() async throws {
        let result = await run(["map", "--devices", directory.appendingPathComponent("nope.json").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("nope.json: no such file"), result.stderr)
    }

    func testRejectedDevicesAreReportedWithTheirIndexAndChangeTheExitStatus() async throws {
        let devices = try write("devices.json", #"[{"uuid": "a"}, {"displayName": "x"}, {"uuid": "c"}]"#)
        let result = await run(["map", "--devices", devices])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 2, "the good devices are still mapped")
        XCTAssertTrue(result.stderr.contains("rejected: \(devices): device index 1: device has no 'uuid'"), result.stderr)
    }

    func testWarningsNameTheDeviceIndex() async throws {
        let devices = try write("devices.json", #"[{"uuid": "a"}, {"uuid": "b", "lastSyncTime": "soon"}]"#)
        let result = await run(["map", "--devices", devices])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("warning: \(devices): device index 1: device b: lastSyncTime"), result.stderr)
    }

    func testOutputFileIsWrittenAtomically() async throws {
        let devices = try write("devices.json", #"[{"uuid": "a"}]"#)
        let output = directory.appendingPathComponent("events.ndjson").path
        let result = await run(["map", "--devices", devices, "--output", output, "--profile", "ocsf-strict"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertEqual(try JSONParser.parse(String(text.dropLast()))["severity_id"], 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("partial") }
        XCTAssertEqual(leftovers, [])
    }

    func testPartialFilesOfKilledRunsAreRemovedAndLiveOnesKept() async throws {
        let devices = try write("devices.json", #"[{"uuid": "a"}]"#)
        let output = directory.appendingPathComponent("events.ndjson").path
        let dead = try write(".events.ndjson.partial-4194305", "half a line")  // above Linux's pid_max
        let live = try write(".events.ndjson.partial-\(getppid())", "a concurrent run (our parent is alive)")
        let result = await run(["map", "--devices", devices, "--output", output])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live))
        XCTAssertTrue(FileManager.default.fileExists(atPath: output))
    }

    func testAFailedRunLeavesNoOutputFile() async throws {
        let devices = try write("bad.json", "[{")
        let output = directory.appendingPathComponent("events.ndjson").path
        let result = await run(["map", "--devices", devices, "--output", output])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testUsageErrorsNameTheFlag() async {
        let missing = await run(["map"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.contains("--devices"), missing.stderr)
        let profile = await run(["map", "--devices", "x", "--profile", "nope"])
        XCTAssertEqual(profile.status, 64)
        XCTAssertTrue(profile.stderr.contains("invalid value 'nope' for '--profile': expected one of: sekoia, ocsf-strict"), profile.stderr)
        let unknown = await run(["map", "--devics", "x"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("--devics"), unknown.stderr)
    }

    func testHelpListsTheOptions() async {
        let result = await run(["map", "--help"])
        XCTAssertEqual(result.status, 0)
        for option in ["--devices", "--groups", "--output", "--profile"] {
            XCTAssertTrue(result.stdout.contains(option), option)
        }
    }
}
