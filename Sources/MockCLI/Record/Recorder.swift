import ESET
import Foundation
import HTTPClient
import Signals
#if canImport(Glibc)
import Glibc
#endif

/// Why a recording failed; the message names the file or call concerned.
struct RecordError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a finished recording holds, for the summary and RECORDING.md.
struct RecordingSummary: Sendable {
    var directory: String
    var region: ESETRegion
    var devices = 0
    var devicePages = 0
    var groups = 0
    var groupPages = 0
    /// Entries that are not JSON objects (the mock serves only objects): counted and listed.
    var skipped: [String] = []
    /// Replacements by member and method ("member\tmethod" → count).
    var replacements: [String: Int] = [:]
    var elapsed: Double = 0
    /// Addresses whose pseudonym had to be some device's real address (a block nearly full).
    var unavoidableCollisions = 0
    /// Members kept verbatim by `--keep`, by name, with how many members each matched.
    var keptMatches: [String: Int] = [:]

    var lines: [String] {
        let replaced = replacements.values.reduce(0, +)
        var lines = [
            "summary: recorded region \(region.rawValue) into \(directory)",
            "  device groups: \(groups) (\(groupPages) page\(groupPages == 1 ? "" : "s"))",
            "  devices: \(devices) (\(devicePages) page\(devicePages == 1 ? "" : "s"))",
            "  skipped (not JSON objects): \(skipped.count)",
            "  values pseudonymised: \(replaced) in \(Set(replacements.keys.map { $0.split(separator: "\t")[0] }).count) members (see RECORDING.md)",
            "  elapsed: \(String(format: "%.1f", elapsed)) s",
        ]
        for entry in skipped.prefix(10) { lines.append("  skipped: \(entry)") }
        for (name, count) in keptMatches.sorted(by: { $0.key < $1.key }) {
            lines.append(count == 0 ? "  warning: --keep \(name) matched no member (names are case-sensitive, e.g. managementDomain)"
                                    : "  kept verbatim: \(name) (\(count) member\(count == 1 ? "" : "s"))")
        }
        return lines
    }
}

/// Records a tenant: pages in, scrubbed objects out, streamed to files in a private temporary
/// directory beside the target, which is renamed into place only once everything is written.
final class Recorder: Sendable {
    let settings: RecordSettings
    private let transport: any HTTPTransport
    private let say: @Sendable (String) -> Void
    private let progress: @Sendable (String) -> Void

    init(settings: RecordSettings, transport: any HTTPTransport,
         say: @escaping @Sendable (String) -> Void = { _ in }, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.transport = transport
        self.say = say
        self.progress = progress
    }

    /// Runs the recording, abandoning it (nothing written) on SIGINT or SIGTERM.
    func runCatchingSignals() async -> Result<RecordingSummary, any Error> {
        let task = Task { try await self.run() }
        let say = self.say
        let subscription = onSignals([SIGINT, SIGTERM]) { number in
            say("stopping: signal \(number), abandoning the recording")
            task.cancel()
        }
        let result = await task.result
        subscription.cancel()
        return result
    }

    func run() async throws -> RecordingSummary {
        let started = ContinuousClock.now
        let target = URL(fileURLWithPath: settings.outputDirectory).standardizedFileURL
        try checkTarget(target)
        let staging = try makeStagingDirectory(beside: target)
        do {
            var summary = try await record(into: staging, target: target)
            summary.elapsed = Self.seconds(ContinuousClock.now - started)
            try publish(staging, as: target)
            return summary
        } catch {
            try? FileManager.default.removeItem(at: staging)
            if error is CancellationError { throw RecordError("interrupted: the recording was abandoned") }
            throw error
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func checkTarget(_ target: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw RecordError("'\(target.path)' exists and is not a directory") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? ["?"]
            guard entries.isEmpty else {
                throw RecordError("'\(target.path)' exists and is not empty; record into a new directory (recordings are never merged)")
            }
        }
        let parent = target.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RecordError("directory '\(parent)' (the parent of --out) does not exist")
        }
    }

    /// A fresh directory in the same file system as `target`, so the final rename is atomic.
    private func makeStagingDirectory(beside target: URL) throws -> URL {
        let template = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).recording-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw RecordError("cannot create a temporary directory beside '\(target.path)': \(String(cString: strerror(errno)))")
        }
        return URL(fileURLWithPath: String(cString: created), isDirectory: true)
    }

    private func publish(_ staging: URL, as target: URL) throws {
        // An empty target directory was allowed: replace it (rmdir fails if something appeared).
        if FileManager.default.fileExists(atPath: target.path) && rmdir(target.path) != 0 {
            throw RecordError("cannot replace the empty directory '\(target.path)': \(String(cString: strerror(errno)))")
        }
        // mkdtemp made it private while raw pages were in it; the finished recording gets the
        // permissions of any directory the user creates.
        let mask = umask(0o022)
        umask(mask)
        chmod(staging.path, 0o777 & ~mask)
        guard rename(staging.path, target.path) == 0 else {
            throw RecordError("cannot move the recording into '\(target.path)': \(String(cString: strerror(errno)))")
        }
    }

    /// Two passes over the pages, one fetch: pages are spooled to a private file in the staging
    /// directory while their addresses are noted, then read back one at a time and scrubbed.
    private func record(into staging: URL, target: URL) async throws -> RecordingSummary {
        let client = ESETClient(configuration: settings.esetConfiguration, transport: transport) { [say] notice in
            say("retry: \(notice)")
        }
        let pseudonymiser = Pseudonymiser(salt: settings.salt, keepsMACVendor: settings.keepsMACVendor)
        let scrubber = RecordScrubber(pseudonymiser: pseudonymiser, keptMembers: settings.keptMembers)
        var summary = RecordingSummary(directory: target.path, region: settings.region)
        let recordedAt = Date()
        let spoolPath = staging.appendingPathComponent(".pages").path
        let spool = try PageSpool(path: spoolPath)
        defer { try? FileManager.default.removeItem(atPath: spoolPath) }

        // Groups first (kind 0), then devices (kind 1): every page observed, then spooled.
        func fetchAll(_ list: String, kind: UInt8, noun: String,
                      next: (inout ESETListCursor) async throws -> RawListPage?) async throws -> Int {
            var cursor = ESETListCursor()
            var pages = 0
            var fetched = 0
            while let page = try await next(&cursor) {
                try Task.checkCancellation()
                try observe(page, list: list, scrubber: scrubber)
                try spool.append(page.body, kind: kind, number: page.number)
                pages = page.number
                fetched += page.elementRanges.count
                progress("\(noun) page \(page.number): \(fetched) \(noun) fetched")
            }
            return pages
        }
        summary.groupPages = try await fetchAll("device_groups", kind: 0, noun: "groups") { try await client.nextRawDeviceGroupPage(&$0) }
        summary.devicePages = try await fetchAll("devices", kind: 1, noun: "devices") { try await client.nextRawDevicePage(&$0) }
        try spool.finishWriting()
        pseudonymiser.planAvoidingObservedAddresses()

        let groupsFile = try StreamingArrayFile(path: staging.appendingPathComponent("device_groups.json").path)
        let devicesFile = try StreamingArrayFile(path: staging.appendingPathComponent("devices.json").path)
        while let (body, kind, number) = try spool.next() {
            try Task.checkCancellation()
            let list = kind == 0 ? "device_groups" : "devices"
            let page: RawListPage
            do {
                page = try RawListPage.split(body, member: kind == 0 ? "deviceGroups" : "devices", page: number)
            } catch {
                throw RecordError("\(list) page \(number): the spooled page cannot be read back: \(error)")
            }
            if kind == 0 {
                summary.groups += try write(page, list: list, to: groupsFile, scrubber: scrubber, skipped: &summary.skipped)
            } else {
                summary.devices += try write(page, list: list, to: devicesFile, scrubber: scrubber, skipped: &summary.skipped)
                progress("devices page \(number): \(summary.devices) devices scrubbed")
            }
        }
        try groupsFile.finish()
        try devicesFile.finish()
        summary.replacements = scrubber.replacements
        summary.keptMatches = Dictionary(uniqueKeysWithValues: settings.keptMembers.map { ($0, scrubber.keptMatches[$0] ?? 0) })
        summary.unavoidableCollisions = pseudonymiser.unavoidableCollisions
        let note = RecordingNote(summary: summary, settings: settings, recordedAt: recordedAt, saltFingerprint: pseudonymiser.saltFingerprint)
        try Data(note.markdown.utf8).write(to: staging.appendingPathComponent("RECORDING.md"))
        return summary
    }

    private func observe(_ page: RawListPage, list: String, scrubber: RecordScrubber) throws {
        for index in page.elementRanges.indices where page.element(index).first == UInt8(ascii: "{") {
            do {
                try scrubber.observe(page.element(index))
            } catch {
                throw RecordError("\(list) page \(page.number), index \(index): cannot read: \(error)")
            }
        }
    }

    /// Writes one page's objects, scrubbed; returns how many were written.
    private func write(_ page: RawListPage, list: String, to file: StreamingArrayFile, scrubber: RecordScrubber, skipped: inout [String]) throws -> Int {
        var written = 0
        for index in page.elementRanges.indices {
            let element = page.element(index)
            guard element.first == UInt8(ascii: "{") else {
                let kind: String
                switch element.first {
                case UInt8(ascii: "["): kind = "an array"
                case UInt8(ascii: "\""): kind = "a string"
                case UInt8(ascii: "n"): kind = "null"
                case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = "a boolean"
                default: kind = "a number"
                }
                skipped.append("\(list) page \(page.number), index \(index): \(kind), not an object")
                continue
            }
            do {
                try file.append(try scrubber.scrub(element))
            } catch {
                throw RecordError("\(list) page \(page.number), index \(index): cannot scrub: \(error)")
            }
            written += 1
        }
        return written
    }
}

/// A JSON array written element by element, in large writes: memory stays at one buffer.
final class StreamingArrayFile {
    private let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = Array("[\n".utf8)
    private var count = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RecordError("cannot create '\(path)'")
        }
        self.path = path
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ element: [UInt8]) throws {
        if count > 0 { buffer += Array(",\n".utf8) }
        buffer += element
        count += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    func finish() throws {
        buffer += Array((count > 0 ? "\n]\n" : "]\n").utf8)
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw RecordError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw RecordError("cannot write '\(path)': \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Raw pages between the two passes: `[kind][page number][length][body]` records in a file of
/// the private staging directory, deleted before the recording is published.
final class PageSpool {
    private let path: String
    private let writer: FileHandle
    private var reader: FileHandle?

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw RecordError("cannot create the page spool '\(path)'")
        }
        self.path = path
        writer = handle
    }

    deinit {
        try? writer.close()
        try? reader?.close()
    }

    func append(_ body: [UInt8], kind: UInt8, number: Int) throws {
        var header = [kind]
        for shift in stride(from: 24, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: number >> shift)) }
        for shift in stride(from: 56, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: body.count >> shift)) }
        do {
            try writer.write(contentsOf: header)
            try writer.write(contentsOf: body)
        } catch {
            throw RecordError("cannot write the page spool '\(path)': \(error.localizedDescription)")
        }
    }

    func finishWriting() throws {
        do {
            try writer.close()
        } catch {
            throw RecordError("cannot write the page spool '\(path)': \(error.localizedDescription)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RecordError("cannot read the page spool '\(path)'") }
        reader = handle
    }

    /// The next page, or nil at the end.
    func next() throws -> (body: [UInt8], kind: UInt8, number: Int)? {
        guard let reader else { return nil }
        guard let header = try reader.read(upToCount: 13), !header.isEmpty else { return nil }
        guard header.count == 13 else { throw RecordError("the page spool '\(path)' is truncated") }
        let bytes = Array(header)
        let number = bytes[1...4].reduce(0) { $0 << 8 | Int($1) }
        let length = bytes[5...12].reduce(0) { $0 << 8 | Int($1) }
        let body = length == 0 ? Data() : (try reader.read(upToCount: length) ?? Data())
        guard body.count == length else { throw RecordError("the page spool '\(path)' is truncated") }
        return (Array(body), bytes[0], number)
    }
}
