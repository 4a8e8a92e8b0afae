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

    /// What was written so far (memory streams only).
    package var text: String { String(decoding: captured.withLock { $0 }, as: UTF8.self) }
}
