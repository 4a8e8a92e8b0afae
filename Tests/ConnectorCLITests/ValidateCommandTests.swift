import ConnectorCLI
import Foundation
import XCTest

/// `eset-connector validate`, run in-process with memory streams.
final class ValidateCommandTests: XCTestCase {
    /// The published sample output, compact: seconds, no severity_id, os.type "windows".
    static let seedLine = #"{"activity_id":2,"activity_name":"Collect","category_name":"Discovery","category_uid":5,"class_name":"Device Inventory Info","class_uid":5001,"type_name":"Device Inventory Info: Collect","type_uid":500102,"time":1747821600.0,"metadata":{"product":{"name":"ESET EDR","version":"9.1.2500.0"},"version":"1.5.0"},"device":{"uid":"550e8400-e29b-41d4-a716-446655440000","hostname":"DESKTOP-ABC123","name":"DESKTOP-ABC123","type":"Desktop","type_id":2,"desc":"Finance workstation","ip":"192.168.1.42","model":"Latitude 5520","vendor_name":"Dell Inc.","domain":"eu.automation.eset.systems","is_managed":true,"last_seen_time":1747821600.0,"os":{"name":"Windows 10 Enterprise","type":"windows","type_id":100},"network_interfaces":[{"ip":"192.168.1.42","mac":"AA:BB:CC:DD:EE:FF","name":"Intel(R) Ethernet Connection","hostname":"DESKTOP-ABC123","type":"Wired","type_id":1},{"ip":"203.0.113.10","type":"Unknown","type_id":0}],"groups":[{"name":"Finance Department","uid":"group-uuid-1"}]}}"#
    /// The same event as ocsf-strict writes it: valid OCSF 1.5.0.
    static let validLine = #"{"activity_id":2,"activity_name":"Collect","category_name":"Discovery","category_uid":5,"class_name":"Device Inventory Info","class_uid":5001,"type_name":"Device Inventory Info: Collect","type_uid":500102,"time":1747821600000,"metadata":{"product":{"name":"ESET EDR","version":"9.1.2500.0","vendor_name":"ESET"},"version":"1.5.0"},"device":{"uid":"550e8400-e29b-41d4-a716-446655440000","hostname":"DESKTOP-ABC123","name":"DESKTOP-ABC123","type":"Desktop","type_id":2,"desc":"Finance workstation","ip":"192.168.1.42","model":"Latitude 5520","vendor_name":"Dell Inc.","domain":"eu.automation.eset.systems","is_managed":true,"last_seen_time":1747821600000,"os":{"name":"Windows 10 Enterprise","type":"Windows","type_id":100},"network_interfaces":[{"ip":"192.168.1.42","mac":"AA:BB:CC:DD:EE:FF","name":"Intel(R) Ethernet Connection","hostname":"DESKTOP-ABC123","type":"Wired","type_id":1},{"ip":"203.0.113.10","type":"Unknown","type_id":0}],"groups":[{"name":"Finance Department","uid":"group-uuid-1"}]},"severity_id":1,"severity":"Informational"}"#

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("validate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ text: String) throws -> String {
        let url = directory.appendingPathComponent("events-\(UUID().uuidString).ndjson")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func run(_ arguments: [String]) async -> (status: Int32, output: String, errors: String) {
        let context = CLIContext(environment: [:], standardOutput: .memory(), standardError: .memory())
        let status = await runConnectorCLI(arguments, context: context)
        return (status, context.standardOutput.text, context.standardError.text)
    }

    func testValidEventsExitZeroWithASummary() async throws {
        let result = await run(["validate", try file(Self.validLine + "\n" + Self.validLine + "\n")])
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, result.output)
        XCTAssertEqual(lines[0], "validated 2 event(s): 0 with errors, 2 without")
        XCTAssertEqual(lines[1], "errors: 0")
        XCTAssertTrue(lines[2].hasPrefix("warnings: "), lines[2])
        XCTAssertTrue(lines[2].hasSuffix("attribute_recommended_missing not shown (--warnings shows them)"), lines[2])
        XCTAssertEqual(result.errors, "")
    }

    func testTheSeedEventIsReportedWithLineDeviceAndPath() async throws {
        let result = await run(["validate", try file(Self.validLine + "\n" + Self.seedLine + "\n")])
        XCTAssertEqual(result.status, 1)
        let findings = result.output.split(separator: "\n").filter { $0.hasPrefix("line ") }.map { $0.prefix { $0 != ":" } }
        XCTAssertEqual(findings, [
            "line 2 device 550e8400-e29b-41d4-a716-446655440000 error time timestamp_seconds_not_milliseconds",
            "line 2 device 550e8400-e29b-41d4-a716-446655440000 error device.last_seen_time timestamp_seconds_not_milliseconds",
            "line 2 device 550e8400-e29b-41d4-a716-446655440000 error device.os.type attribute_enum_sibling_incorrect",
            "line 2 device 550e8400-e29b-41d4-a716-446655440000 error severity_id attribute_required_missing",
        ])
        XCTAssertTrue(result.output.contains(#"device.os.type attribute_enum_sibling_incorrect: "windows" is not the caption of type_id 100; expected "Windows""#))
        XCTAssertTrue(result.output.contains("validated 2 event(s): 1 with errors, 1 without\n"))
        XCTAssertTrue(result.output.contains(
            "errors: 4 (attribute_enum_sibling_incorrect 1, attribute_required_missing 1, timestamp_seconds_not_milliseconds 2)\n"))
    }

    func testALineThatIsNotJSONIsAnErrorWithItsColumn() async throws {
        let text = Self.validLine + "\n\n" + #"{"class_uid": 5001,, "x": 1}"# + "\r\n" + "[1, 2]"
        let result = await run(["validate", try file(text)])
        XCTAssertEqual(result.status, 1)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("line 3 device - error (event) json_invalid: column 20: ") }, result.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("line 4 device - error (event) event_not_object: ") }, result.output)
        XCTAssertTrue(lines.contains("validated 3 event(s): 2 with errors, 1 without"), result.output)
        XCTAssertTrue(lines.contains("errors: 2 (event_not_object 1, json_invalid 1)"), result.output)
    }

    func testWarningsShowsRecommendedAttributes() async throws {
        let path = try file(Self.validLine + "\n")
        let quiet = await run(["validate", path])
        XCTAssertFalse(quiet.output.contains("attribute_recommended_missing:"))
        let loud = await run(["validate", "--warnings", path])
        XCTAssertEqual(loud.status, 0)
        XCTAssertTrue(loud.output.contains(
            #"line 1 device 550e8400-e29b-41d4-a716-446655440000 warning observables attribute_recommended_missing: "#), loud.output)
        XCTAssertFalse(loud.output.contains("not shown"))
    }

    func testOtherWarningsArePrintedButDoNotFail() async throws {
        let line = Self.validLine.replacingOccurrences(of: #""mac":"AA:BB:CC:DD:EE:FF""#, with: #""mac":"aabbccddeeff""#)
        XCTAssertNotEqual(line, Self.validLine)
        let result = await run(["validate", try file(line)])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.output.contains(
            "line 1 device 550e8400-e29b-41d4-a716-446655440000 warning device.network_interfaces[0].mac attribute_value_regex_not_matched: "), result.output)
    }

    func testAMissingFileFailsAndSaysWhy() async {
        let missing = directory.appendingPathComponent("nope.ndjson").path
        let result = await run(["validate", missing])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errors, "error: \(missing): no such file\n")
        XCTAssertEqual(result.output, "")
        let folder = await run(["validate", directory.path])
        XCTAssertEqual(folder.status, 1)
        XCTAssertEqual(folder.errors, "error: \(directory.path): is a directory\n")
    }

    func testUsageErrors() async {
        let missingArgument = await run(["validate"])
        XCTAssertEqual(missingArgument.status, 64)
        XCTAssertTrue(missingArgument.errors.contains("FILE"), missingArgument.errors)
        let unknownOption = await run(["validate", "--warning", "x.ndjson"])
        XCTAssertEqual(unknownOption.status, 64)
    }

    func testALargeFileIsReadAcrossChunkBoundaries() async throws {
        // About 1 KB per line: 300 lines cross several 64 KB reads, with lines split between them.
        // No final newline: the last line still counts.
        let text = String(repeating: Self.validLine + "\n", count: 299) + Self.seedLine
        let result = await run(["validate", try file(text)])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.hasPrefix("line 300 device 550e8400-e29b-41d4-a716-446655440000 error time "), result.output)
        XCTAssertTrue(result.output.contains("validated 300 event(s): 1 with errors, 299 without\n"), result.output)
    }

    func testAnEmptyFileHasNoEvents() async throws {
        let result = await run(["validate", try file("")])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "validated 0 event(s): 0 with errors, 0 without\nerrors: 0\nwarnings: 0\n")
    }
}
