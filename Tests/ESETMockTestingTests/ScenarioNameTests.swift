import ESETMockData
import ESETMockTesting
import Foundation
import XCTest

/// The typed scenario names are generated from `MockData/scenarios`; these tests make a drift
/// between the committed Swift file and the directory (or the shipped resources) fail.
final class ScenarioNameTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let hint = "run Scripts/generate-scenario-names.py and commit Sources/ESETMockTesting/MockScenarioName+Shipped.swift"

    func testEveryScenarioFileHasExactlyOneTypedName() throws {
        let directory = Self.repositoryRoot.appendingPathComponent("MockData/scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(".json".count)) }
        XCTAssertGreaterThanOrEqual(files.count, 25, "MockData/scenarios should hold the library")
        let typed = MockScenarioName.shipped.map(\.rawValue)
        XCTAssertEqual(typed.count, Set(typed).count, "a name is listed twice")
        XCTAssertEqual(Set(typed).subtracting(files).sorted(), [], "typed names without a scenario file: \(Self.hint)")
        XCTAssertEqual(Set(files).subtracting(typed).sorted(), [], "scenario files without a typed name: \(Self.hint)")
    }

    func testTheShippedResourcesHoldTheSameLibrary() throws {
        // What a dependent package gets: the library in the resource bundle, not the checkout.
        let bundled = ESETMockData.directory
        XCTAssertFalse(bundled.standardizedFileURL.path.hasPrefix(Self.repositoryRoot.appendingPathComponent("MockData").path),
                       "\(bundled.path) should be the build's resource copy")
        let library = try MockScenario.loadLibrary(directory: bundled.appendingPathComponent("scenarios"))
        XCTAssertEqual(Set(library.map(\.name)), Set(MockScenarioName.shipped.map(\.rawValue)), Self.hint)
    }

    func testTheGeneratedFileIsWhatTheScriptWritesToday() throws {
        guard let python = executableOnPath("python3") else {
            print("skipped: python3 is not on PATH, so Scripts/generate-scenario-names.py --check cannot run")
            return
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [Self.repositoryRoot.appendingPathComponent("Scripts/generate-scenario-names.py").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, message)
    }
}

/// The first executable called `name` in `$PATH`.
func executableOnPath(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}
