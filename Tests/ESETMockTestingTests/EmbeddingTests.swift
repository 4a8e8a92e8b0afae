import Dispatch
import Foundation
import XCTest

/// Proof that a package of someone else's can use the mock in its tests: the committed example
/// package (`Examples/MockInYourTests`) is copied outside the repository, made to depend on this
/// package by path, and its `swift test` must run both of its tests, an XCTest and a Swift
/// Testing one, and pass. Nothing is fetched: the only dependency is this checkout.
final class EmbeddingTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL
    static let example = repositoryRoot.appendingPathComponent("Examples/MockInYourTests")

    func testAnOutsidePackageRunsAnXCTestAndASwiftTestingTestAgainstTheMock() throws {
        guard let swift = executableOnPath("swift") else {
            print("skipped: `swift` is not on PATH, so the example package cannot be built")
            throw XCTSkip("`swift` is not on PATH")
        }
        // Outside the repository; keyed by the checkout so that a re-run reuses its build products
        // (a first build compiles the mock and takes a minute or two, a re-run seconds).
        let key = String(Self.repositoryRoot.path.stableHash, radix: 36)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-embedding-\(key)")
        let package = base.appendingPathComponent("MockInYourTests")
        let scratch = base.appendingPathComponent("scratch")
        XCTAssertFalse(package.standardizedFileURL.path.hasPrefix(Self.repositoryRoot.path + "/"), "must be outside the repository")

        try? FileManager.default.removeItem(at: package)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try copyTree(from: Self.example, to: package)
        let manifestURL = package.appendingPathComponent("Package.swift")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        let relative = #"path: "../..""#
        XCTAssertEqual(manifest.components(separatedBy: relative).count, 2, "the example depends on the checkout as \(relative)")
        try manifest.replacingOccurrences(of: relative, with: "path: \"\(Self.repositoryRoot.path)\"")
            .write(to: manifestURL, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["ESET_MOCK_DATA"] = nil  // the dependent must find the default tenant as resources
        let run = try runBounded(swift, ["test", "--package-path", package.path, "--scratch-path", scratch.path],
                                 environment: environment, timeout: 1200)
        let output = run.output
        let summary = output.split(separator: "\n").filter {
            $0.contains("Test Case") && !$0.contains("started") || $0.contains("Executed") || $0.contains("✔") || $0.contains("✘")
                || $0.contains("error:")
        }.joined(separator: "\n")
        print("[embedding] swift test in \(package.path): exit \(run.status)\n\(summary)")

        XCTAssertEqual(run.status, 0, "swift test failed in the example package:\n\(output.suffix(4000))")
        XCTAssertTrue(output.contains("Test Case 'TokenAndDevicesTests.testDemoAccountGetsATokenAndAPageOfDevices' passed"),
                      "the XCTest did not pass:\n\(output.suffix(4000))")
        XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "exactly one XCTest ran:\n\(output.suffix(2000))")
        XCTAssertTrue(output.contains("✔ Test devicesAnswer500Then502ThenSucceed() passed"),
                      "the Swift Testing test did not pass:\n\(output.suffix(4000))")
        XCTAssertTrue(output.contains("✔ Test run with 1 test"), "exactly one Swift Testing test ran:\n\(output.suffix(2000))")
    }
}

/// Copies a directory tree, leaving out build products a developer may have left in the example.
func copyTree(from source: URL, to destination: URL) throws {
    let manager = FileManager.default
    try manager.createDirectory(at: destination, withIntermediateDirectories: true)
    for name in try manager.contentsOfDirectory(atPath: source.path) where ![".build", ".swiftpm", "Package.resolved"].contains(name) {
        try manager.copyItem(at: source.appendingPathComponent(name), to: destination.appendingPathComponent(name))
    }
}

/// Runs a process with its output in a file, waiting at most `timeout` seconds (then killing it).
func runBounded(_ executable: URL, _ arguments: [String], environment: [String: String], timeout: Double) throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("eset-mock-embedding-\(UUID().uuidString).log")
    guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw EmbeddingRunError(description: "cannot create \(log.path)") }
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        _ = exited.wait(timeout: .now() + 10)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw EmbeddingRunError(description: "\(executable.path) \(arguments.joined(separator: " ")) ran over \(Int(timeout)) s:\n\(output.suffix(4000))")
    }
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    return (process.terminationStatus, output)
}

struct EmbeddingRunError: Error, CustomStringConvertible { var description: String }

extension String {
    /// FNV-1a, stable across runs (unlike `hashValue`), for naming a cache directory.
    var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
