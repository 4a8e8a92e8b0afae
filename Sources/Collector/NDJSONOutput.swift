import Foundation

/// Where NDJSON goes: a command's output stream, or a file that appears only when the run succeeded.
///
/// A file is written to a temporary sibling and renamed into place by `commit()`, so a failed
/// or killed run never leaves a truncated file that looks complete.
package final class NDJSONOutput: @unchecked Sendable {
    // Unchecked: used by one task at a time (the collector's pipeline), never shared.
    private let handle: FileHandle?
    private let sink: (([UInt8]) -> Void)?
    private let temporaryPath: String?
    private let finalPath: String?
    private var buffer: [UInt8] = []
    private let flushThreshold = 256 * 1024
    private var finished = false

    /// Events go to `sink` in chunks (a command's own output stream, so tests can capture it).
    package static func stream(_ sink: @escaping ([UInt8]) -> Void) -> NDJSONOutput {
        NDJSONOutput(handle: nil, sink: sink, temporaryPath: nil, finalPath: nil)
    }

    /// Events go to `path`, created or replaced only by `commit()`.
    package static func file(_ path: String) throws -> NDJSONOutput {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw OutputError(path: path, reason: "directory \(directory) does not exist")
        }
        removeAbandonedPartials(of: url)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw OutputError(path: path, reason: "cannot create \(temporary)")
        }
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            throw OutputError(path: path, reason: "cannot open \(temporary) for writing")
        }
        return NDJSONOutput(handle: handle, sink: nil, temporaryPath: temporary, finalPath: path)
    }

    private init(handle: FileHandle?, sink: (([UInt8]) -> Void)?, temporaryPath: String?, finalPath: String?) {
        self.handle = handle
        self.sink = sink
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends one line (a newline is added).
    package func writeLine(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { try flush() }
    }

    package func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            if let sink { sink(buffer) } else { try handle?.write(contentsOf: buffer) }
        } catch {
            throw OutputError(path: finalPath ?? "standard output", reason: "write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes the output final: flushes, and for a file, syncs and renames it into place.
    package func commit() throws {
        guard !finished else { return }
        try flush()
        finished = true
        guard let temporaryPath, let finalPath else { return }
        try? handle?.synchronize()
        try? handle?.close()
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: finalPath, reason: "cannot rename the finished file into place: \(reason)")
        }
    }

    /// Discards a file output (the run failed); standard output is only flushed.
    package func abandon() {
        guard !finished else { return }
        finished = true
        guard let temporaryPath else {
            try? flush()
            return
        }
        try? handle?.close()
        unlink(temporaryPath)
    }

    deinit {
        abandon()
    }
}

/// Removes the temporary siblings a killed run left behind (`.NAME.partial-PID` of a process that
/// no longer exists); those of a live run, perhaps a concurrent one, are left alone.
func removeAbandonedPartials(of url: URL) {
    let directory = url.deletingLastPathComponent()
    let prefix = ".\(url.lastPathComponent).partial-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names where name.hasPrefix(prefix) {
        guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH {
            unlink(directory.appendingPathComponent(name).path)
        }
    }
}

/// An output file that could not be written.
package struct OutputError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String { "\(path): \(reason)" }
}
