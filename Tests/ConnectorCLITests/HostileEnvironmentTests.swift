@testable import Collector
@testable import ConnectorCLI
import ESETMock
import Foundation
import JSON
import XCTest

/// Issue 12 items 3, 5, 7, 9 and 10 through the real `collect` command: secret files, write
/// errors on stdout, output nodes that are not regular files, concurrent runs, and summaries
/// that state what is on disk.
final class HostileEnvironmentTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        // As the executable does: a closed pipe must be an EPIPE error, not the end of the tests.
        signal(SIGPIPE, SIG_IGN)
    }

    private func run(_ arguments: [String], stdout: TextStream, environment: [String: String]? = nil) async -> (status: Int32, stderr: String) {
        let stderr = TextStream.memory()
        let context = CLIContext(
            environment: environment ?? ["ESET_PASSWORD": MockServer.password, "SEKOIA_API_KEY": MockServer.apiKey],
            standardOutput: stdout, standardError: stderr)
        let status = await runConnectorCLI(arguments, context: context)
        return (status, stderr.text)
    }

    // MARK: Item 3: secret files

    func testASecretFileLosesExactlyOneLineBreakAndWarnsWhenOthersMayReadIt() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 5))
        let file = directory + "/password"
        try (MockServer.password + "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let crlf = await runConnector(mock.collectArguments(sekoia: false, extra: ["--password-file", file]), environment: [:])
        XCTAssertEqual(crlf.status, 0, "a CRLF line end is not part of the password: \(crlf.stderr)")
        XCTAssertFalse(crlf.stderr.contains("readable by others"), crlf.stderr)

        chmod(file, 0o644)
        let open = await runConnector(mock.collectArguments(sekoia: false, extra: ["--password-file", file]), environment: [:])
        XCTAssertEqual(open.status, 0, "a warning, not a failure: \(open.stderr)")
        XCTAssertTrue(open.stderr.contains("warning: '--password-file' file '\(file)' is readable by others than its owner (mode 644)"), open.stderr)

        try (MockServer.password + "\n\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let twoBreaks = await runConnector(mock.collectArguments(sekoia: false, extra: ["--password-file", file]), environment: [:])
        XCTAssertEqual(twoBreaks.status, 1, "only one line break is stripped; the rest belongs to the secret")
    }

    func testASecretCanComeFromAFIFO() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 5))
        let fifo = directory + "/password.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let writer = Thread {
            let descriptor = open(fifo, O_WRONLY)  // blocks until the connector opens it
            guard descriptor >= 0 else { return }
            _ = writeAll(Array((MockServer.password + "\n").utf8), to: descriptor)
            close(descriptor)
        }
        writer.start()
        let run = await runConnector(mock.collectArguments(sekoia: false, extra: ["--password-file", fifo]), environment: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdoutUIDs.count, 5)
    }

    // MARK: Item 5: write errors on stdout

    func testAFullDiskOnStdoutFailsTheCycleAndKeepsTheCheckpoint() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 20))
        let full = open("/dev/full", O_WRONLY)
        try XCTSkipIf(full < 0, "no /dev/full here")
        defer { close(full) }
        let run = await run(mock.collectArguments(sekoia: false, extra: ["--state-dir", directory]), stdout: .descriptor(full))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("standard output: write failed: No space left on device (ENOSPC)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("summary: FAILED"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/checkpoint-eu.json"), "checkpoint unmoved")
    }

    func testAReaderThatWentAwayIsAnEPIPEFailure() async throws {
        let mock = try MockServer(fleet: TestFleet(devices: 20))
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])  // `| head -1` after its line: nobody reads any more
        defer { close(ends[1]) }
        let run = await run(mock.collectArguments(sekoia: false), stdout: .descriptor(ends[1]))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("write failed: Broken pipe (EPIPE)"), run.stderr)
    }

    // MARK: Item 7: -o on something that is not a regular file

    func testOutputToAFIFOIsWrittenInPlaceNeverReplaced() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 12))
        let fifo = directory + "/events.fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        final class Received: @unchecked Sendable { var bytes: [UInt8] = [] }
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            defer { done.signal() }
            let descriptor = open(fifo, O_RDONLY)
            guard descriptor >= 0 else { return }
            var chunk = [UInt8](repeating: 0, count: 65536)
            for _ in 0..<100_000 {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                received.bytes += chunk[0..<count]
            }
            close(descriptor)
        }
        reader.start()
        let run = await runConnector(mock.collectArguments(sekoia: false, extra: ["-o", fifo]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "the reader saw the end of the output")
        var info = stat()
        XCTAssertEqual(stat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        XCTAssertEqual(uids(ndjson: String(decoding: received.bytes, as: UTF8.self)).count, 12)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["events.fifo"], "no partial file beside it")
    }

    // MARK: Item 9: one run per state directory and region

    func testASecondRunOnTheSameStateDirectoryAndRegionIsRefusedNamingTheHolder() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 5))
        var held: StateLock? = try StateLock.acquire(directory: directory, region: "eu")
        let refused = await runConnector(mock.collectArguments(extra: ["--state-dir", directory]))
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("another collect run (process \(getpid())) is using this state directory for region eu"), refused.stderr)
        XCTAssertEqual(mock.receivedUIDs, [], "nothing delivered by the refused run")

        let otherRegion = await runConnector(mock.collectArguments(region: "us", sekoia: false, extra: ["--state-dir", directory]))
        XCTAssertNotEqual(otherRegion.stderr.contains("another collect run"), true, "regions lock separately: \(otherRegion.stderr)")
        XCTAssertNotNil(held)
        held = nil  // the holder ends

        let afterRelease = await runConnector(mock.collectArguments(sekoia: false, extra: ["--state-dir", directory]))
        XCTAssertEqual(afterRelease.status, 0, afterRelease.stderr)
    }

    // MARK: Item 10: summaries and file errors in plain words

    func testAStateDirThatIsAFileIsAPlainError() async throws {
        let directory = try temporaryDirectory(self)
        let mock = try MockServer(fleet: TestFleet(devices: 5))
        let file = directory + "/not-a-dir"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let run = await runConnector(mock.collectArguments(sekoia: false, extra: ["--state-dir", file]))
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertTrue(run.stderr.contains("'\(file)' for '--state-dir': it exists but is not a directory"), run.stderr)
        XCTAssertFalse(run.stderr.contains("NSCocoaErrorDomain"), run.stderr)
    }

    func testASummaryAfterACheckpointFailureSaysTheOutputWasWritten() async throws {
        let directory = try temporaryDirectory(self)
        let state = directory + "/state"
        let output = directory + "/out.ndjson"
        // The checkpoint's place is taken by a directory: everything else works, saving it cannot.
        try FileManager.default.createDirectory(atPath: state + "/checkpoint-eu.json", withIntermediateDirectories: true)
        let mock = try MockServer(fleet: TestFleet(devices: 15))
        let run = await runConnector(mock.collectArguments(sekoia: false, extra: ["--state-dir", state, "-o", output]))
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("summary: FAILED; after delivery: \(output) was written; only the checkpoint was not saved"), run.stderr)
        XCTAssertFalse(run.stderr.contains("no output file written"), run.stderr)
        XCTAssertFalse(run.stderr.contains("NSCocoaErrorDomain"), run.stderr)
        XCTAssertEqual(uids(ndjson: try String(contentsOfFile: output, encoding: .utf8)).count, 15, "what the summary says is on disk")
    }
}
