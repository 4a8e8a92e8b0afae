import Foundation

/// Where NDJSON goes: a command's output stream, or a file that appears only when the run succeeded.
///
/// A regular file is written to a temporary sibling and renamed into place by `commit()`, so a
/// failed or killed run never leaves a truncated file that looks complete. Anything else that
/// already exists at the path (a character device such as `/dev/null`, a FIFO, a socket) is
/// written in place and never replaced: renaming over `/dev/null` as root would replace the
/// system's device node with a regular file.
///
/// Every write error (a full disk, a closed descriptor, a reader that went away) is thrown, so
/// that a cycle whose output was lost cannot report success.
package final class NDJSONOutput: @unchecked Sendable {
    // Unchecked: used by one task at a time (the collector's pipeline), never shared.
    private let descriptor: Int32?
    private let ownsDescriptor: Bool
    private let sink: (([UInt8]) -> Void)?
    private let temporaryPath: String?
    private let finalPath: String?
    private var buffer: [UInt8] = []
    private let flushThreshold = 256 * 1024
    private var finished = false

    /// Events go to `sink` in chunks (a command's own output stream, so tests can capture it).
    package static func stream(_ sink: @escaping ([UInt8]) -> Void) -> NDJSONOutput {
        NDJSONOutput(descriptor: nil, ownsDescriptor: false, sink: sink, temporaryPath: nil, finalPath: nil)
    }

    /// Events go to `path`: a regular file is created or replaced only by `commit()`; an existing
    /// device, FIFO or socket is written in place.
    package static func file(_ path: String) throws -> NDJSONOutput {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            guard (info.st_mode & S_IFMT) != S_IFDIR else { throw OutputError(path: path, reason: "is a directory") }
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw OutputError(path: path, reason: "cannot open for writing: \(String(cString: strerror(errno)))")
            }
            return NDJSONOutput(descriptor: descriptor, ownsDescriptor: true, sink: nil, temporaryPath: nil, finalPath: path)
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw OutputError(path: path, reason: "directory \(directory) does not exist")
        }
        removeAbandonedPartials(of: url)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError(path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        return NDJSONOutput(descriptor: descriptor, ownsDescriptor: true, sink: nil, temporaryPath: temporary, finalPath: path)
    }

    private init(descriptor: Int32?, ownsDescriptor: Bool, sink: (([UInt8]) -> Void)?, temporaryPath: String?, finalPath: String?) {
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
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
        if let sink {
            sink(buffer)
        } else if let descriptor {
            if let failure = writeAll(buffer, to: descriptor) {
                buffer.removeAll(keepingCapacity: true)
                throw OutputError(path: finalPath ?? "standard output", reason: "write failed: \(failure)")
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes the output final: flushes, and for a regular file, syncs and renames it into place.
    package func commit() throws {
        guard !finished else { return }
        try flush()
        finished = true
        guard let descriptor, ownsDescriptor else { return }
        guard let temporaryPath, let finalPath else {
            close(descriptor)
            return
        }
        if fsync(descriptor) != 0 {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporaryPath)
            throw OutputError(path: finalPath, reason: "write failed: \(reason)")
        }
        close(descriptor)
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: finalPath, reason: "cannot rename the finished file into place: \(reason)")
        }
    }

    /// Discards a regular file's output (the run failed); what went to standard output or to a
    /// device cannot be taken back, and the rest of the buffer is dropped.
    package func abandon() {
        guard !finished else { return }
        finished = true
        buffer.removeAll()
        guard let descriptor, ownsDescriptor else { return }
        close(descriptor)
        if let temporaryPath { unlink(temporaryPath) }
    }

    deinit {
        abandon()
    }
}

/// Writes all of `bytes`; returns the reason when the descriptor refused them.
package func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
    bytes.withUnsafeBytes { raw -> String? in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return describeErrno(errno)
            }
            if written == 0 { return "the descriptor accepted no bytes" }
            offset += written
        }
        return nil
    }
}

/// `No space left on device (ENOSPC)`: the system's words plus the name scripts search for.
package func describeErrno(_ code: Int32) -> String {
    let names: [Int32: String] = [ENOSPC: "ENOSPC", EPIPE: "EPIPE", EBADF: "EBADF", EIO: "EIO", EDQUOT: "EDQUOT", EFBIG: "EFBIG", EACCES: "EACCES", EROFS: "EROFS"]
    let text = String(cString: strerror(code))
    return names[code].map { "\(text) (\($0))" } ?? text
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
    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    package var description: String { "\(path): \(reason)" }
}
