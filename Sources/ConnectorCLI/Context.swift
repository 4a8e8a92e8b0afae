import Collector
import Foundation
import Synchronization

/// Where a command writes text and reads its environment, so tests can run commands in-process.
package struct CLIContext: Sendable {
    package var environment: [String: String]
    package var standardOutput: TextStream
    package var standardError: TextStream
    /// Whether stderr is a terminal (progress lines are shown only then).
    package var standardErrorIsTerminal: Bool

    package init(environment: [String: String], standardOutput: TextStream, standardError: TextStream, standardErrorIsTerminal: Bool = false) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardErrorIsTerminal = standardErrorIsTerminal
    }

    /// The process's own environment and standard streams.
    package static func process() -> CLIContext {
        CLIContext(
            environment: ProcessInfo.processInfo.environment,
            standardOutput: .standardOutput,
            standardError: .standardError,
            standardErrorIsTerminal: isatty(2) == 1)
    }

    /// Writes one line to stderr.
    package func error(_ line: String) { standardError.write(line + "\n") }
    /// Writes one line to stdout.
    package func print(_ line: String) { standardOutput.write(line + "\n") }
}

/// A text destination: a file descriptor, or memory for tests.
package final class TextStream: Sendable {
    private enum Target { case descriptor(Int32), memory }
    private let target: Target
    private let captured = Mutex<[UInt8]>([])

    private init(_ target: Target) { self.target = target }

    package static let standardOutput = TextStream(.descriptor(1))
    package static let standardError = TextStream(.descriptor(2))
    /// Keeps everything written, for tests.
    package static func memory() -> TextStream { TextStream(.memory) }
    /// Writes to an open descriptor the caller owns (it is never closed here).
    package static func descriptor(_ descriptor: Int32) -> TextStream { TextStream(.descriptor(descriptor)) }

    package func write(_ text: String) { write(Array(text.utf8)) }

    package func write(_ bytes: [UInt8]) {
        switch target {
        case .memory:
            captured.withLock { $0.append(contentsOf: bytes) }
        case .descriptor(let descriptor):
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Writes `bytes`, or returns why the descriptor refused them (a full disk, a closed
    /// descriptor, a reader that went away): for output whose loss must fail the run.
    package func writeReportingFailure(_ bytes: [UInt8]) -> String? {
        switch target {
        case .memory:
            captured.withLock { $0.append(contentsOf: bytes) }
            return nil
        case .descriptor(let descriptor):
            if descriptor >= 0 && descriptor <= 2 && TextStream.closedAtStart.load(ordering: .relaxed) & (1 << descriptor) != 0 {
                return describeErrno(EBADF) + ": the descriptor was closed when the connector started"
            }
            return writeAll(bytes, to: descriptor)
        }
    }

    /// Bit n set: descriptor n was closed at start (and now holds /dev/null as a placeholder).
    private static let closedAtStart = Atomic<Int>(0)

    /// Call first thing in `main`: descriptors 0–2 that are closed (`collect >&-`) are filled
    /// with `/dev/null`, so that no socket or file the connector opens later takes their number
    /// (events written to "stdout" would land in it), and writes meant for them fail with EBADF.
    package static func guardStandardDescriptors() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let placeholder = open("/dev/null", O_RDWR)
            if placeholder >= 0 && placeholder != descriptor {
                _ = dup2(placeholder, descriptor)
                close(placeholder)
            }
            closedAtStart.bitwiseOr(1 << Int(descriptor), ordering: .relaxed)
        }
    }

    /// What was written so far (memory streams only).
    package var text: String { String(decoding: captured.withLock { $0 }, as: UTF8.self) }
}
