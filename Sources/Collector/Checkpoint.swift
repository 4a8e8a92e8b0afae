import Foundation
import JSON
import Mapping
#if canImport(Glibc)
import Glibc
#endif

/// Where incremental collection stands: the newest `lastSyncTime` delivered so far.
///
/// Sekoia.io's rule: a later cycle skips every device whose `lastSyncTime` is at or before the
/// newest one seen plus 1 µs; devices without a parsable time are always sent.
package struct Checkpoint: Sendable, Equatable {
    /// Microseconds since the epoch of the newest `lastSyncTime` delivered.
    package var newestLastSync: Int64

    package init(newestLastSync: Int64) { self.newestLastSync = newestLastSync }

    /// Devices synced at or before this instant (microseconds) are skipped.
    package var skipAtOrBefore: Int64 { newestLastSync + 1 }

    /// Whether a device with this `lastSyncTime` is skipped.
    package func skips(lastSyncTime text: String?) -> Bool {
        skips(lastSyncMicroseconds: text.flatMap(RFC3339.microseconds))
    }

    /// Whether a device with this `lastSyncTime` (microseconds, nil when absent or unparsable)
    /// is skipped: the one place that decides, for callers that parsed the time already.
    package func skips(lastSyncMicroseconds micros: Int64?) -> Bool {
        guard let micros else { return false }
        return micros <= skipAtOrBefore
    }
}

/// The checkpoint file of one region in a state directory, `checkpoint-REGION.json`:
///
/// ```json
/// {"version": 1, "region": "eu", "username": "api@example.com",
///  "newestLastSyncTime": "2025-05-21T10:00:00.000000Z", "newestLastSyncMicroseconds": 1747821600000000,
///  "updatedAt": "2025-05-21T10:05:00.000000Z"}
/// ```
///
/// Writes are atomic (temporary file, fsync, rename, fsync of the directory): a crash leaves the
/// old checkpoint or the new one, never half of one.
package struct CheckpointStore: Sendable {
    package var directory: String
    package var region: String
    /// The ESET user the checkpoint belongs to; another user's checkpoint is not reused.
    package var username: String

    package init(directory: String, region: String, username: String) {
        self.directory = directory
        self.region = region
        self.username = username
    }

    package var path: String { (directory as NSString).appendingPathComponent("checkpoint-\(region).json") }

    /// What loading found.
    package enum Loaded: Sendable, Equatable {
        case none
        case checkpoint(Checkpoint)
        /// The file exists but cannot be used; collection starts over (sending more is safe).
        case unusable(reason: String)
    }

    package func load() -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileManager.default.fileExists(atPath: path) ? .unusable(reason: "\(path): cannot read the file") : .none
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse([UInt8](data))
        } catch {
            return .unusable(reason: "\(path): \(error)")
        }
        guard json["version"] == .int(1) else { return .unusable(reason: "\(path): unknown or missing \"version\"") }
        guard let micros = json["newestLastSyncMicroseconds"], case .int(let newest) = micros else {
            return .unusable(reason: "\(path): \"newestLastSyncMicroseconds\" is missing or not an integer")
        }
        if let owner = json["username"]?.stringValue, owner != username {
            return .unusable(reason: "\(path) belongs to user '\(owner)', not '\(username)'")
        }
        return .checkpoint(Checkpoint(newestLastSync: newest))
    }

    /// Writes `checkpoint` atomically, creating the directory when needed.
    package func save(_ checkpoint: Checkpoint, now: Int64 = systemClockMicroseconds()) throws {
        try ensureDirectory(directory)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("version")
        writer.int(1)
        writer.key("region")
        writer.string(region)
        writer.key("username")
        writer.string(username)
        writer.key("newestLastSyncTime")
        writer.string(RFC3339.format(microseconds: checkpoint.newestLastSync))
        writer.key("newestLastSyncMicroseconds")
        writer.int(checkpoint.newestLastSync)
        writer.key("updatedAt")
        writer.string(RFC3339.format(microseconds: now))
        writer.endObject()
        try writeAtomically(writer.bytes + [0x0A], to: path)
    }
}

/// Creates `path` (and its parents) when missing; fails in plain words when it cannot be a
/// directory (Foundation's own errors read `NSCocoaErrorDomain Code=516`).
package func ensureDirectory(_ path: String) throws {
    var info = stat()
    if stat(path, &info) == 0 {
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw FileWriteError(path: path, reason: "exists but is not a directory")
        }
        return
    }
    guard errno == ENOENT else { throw FileWriteError(path: path, reason: "cannot use it: \(String(cString: strerror(errno)))") }
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty, parent != path { try ensureDirectory(parent) }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw FileWriteError(path: path, reason: "cannot create the directory: \(String(cString: strerror(errno)))")
    }
}

/// A file that could not be written.
package struct FileWriteError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String { "\(path): \(reason)" }
}

/// Writes `bytes` to `path` so that readers see the old content or the new, never a mix, even
/// across a crash: temporary sibling, fsync, rename, fsync of the directory.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw FileWriteError(path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
    var offset = 0
    var failure: String?
    bytes.withUnsafeBytes { raw in
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            offset += written
        }
    }
    if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
    close(descriptor)
    if let failure {
        unlink(temporary)
        throw FileWriteError(path: path, reason: "write failed: \(failure)")
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw FileWriteError(path: path, reason: "cannot rename into place: \(reason)")
    }
    let directory = (path as NSString).deletingLastPathComponent
    let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY)
    if directoryDescriptor >= 0 {
        _ = fsync(directoryDescriptor)
        close(directoryDescriptor)
    }
}
