import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on one state directory and region, held for a whole `collect` run, so that
/// two runs cannot deliver the same devices twice or race on one checkpoint.
///
/// The lock is `flock(2)` on `.lock-REGION` in the state directory. The kernel releases it when
/// the process ends, however it ends, so a crashed run never leaves a stale lock; the file keeps
/// the holder's pid only to name it in the second run's message.
package final class StateLock: @unchecked Sendable {
    // Unchecked: the descriptor is only closed once, by deinit.
    private let descriptor: Int32
    /// The lock file's path.
    package let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        // Closing the descriptor releases the lock; the file stays, harmlessly, for the next run.
        close(descriptor)
    }

    /// Why the lock could not be taken.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var path: String
        /// The process holding the lock, when it wrote its pid.
        package var holder: Int32?
        package var reason: String
        package var description: String { "\(path): \(reason)" }
    }

    /// Takes the lock of `region` in `directory` (created when missing) without waiting.
    package static func acquire(directory: String, region: String) throws(Failure) -> StateLock {
        let path = (directory as NSString).appendingPathComponent(".lock-\(region)")
        do {
            try ensureDirectory(directory)
        } catch {
            throw Failure(path: path, holder: nil, reason: "cannot use the state directory: \(error)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(path: path, holder: nil, reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw Failure(path: path, holder: nil, reason: "cannot lock: \(String(cString: strerror(code)))")
            }
            let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            let holder = Int32(text)
            let who = holder.map { "process \($0)" } ?? "another process"
            throw Failure(
                path: path, holder: holder,
                reason: "another collect run (\(who)) is using this state directory for region \(region); two runs at once would deliver every device twice. Wait for it to end, or use another --state-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return StateLock(descriptor: descriptor, path: path)
    }
}
