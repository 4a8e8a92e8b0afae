import ArgumentParsing
import Collector
import ESET
import Foundation
import JSON
import Mapping

/// `eset-connector map`: maps raw device files to NDJSON without any network, so the mapping can
/// be used and checked by hand.
enum MapCommand: ConnectorSubcommand {
    /// Decoding on one thread and mapping on another is what two cores give; more threads
    /// would not shorten the two stages.
    static let defaultThreads = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))

    static let threads = TypedOption<Int>(
        "threads", help: "1: decode, map and write on one thread; 2 or more: decode on a second thread (two stages).",
        default: defaultThreads, in: 1...256)

    static let spec = CommandSpec(
        name: "map",
        abstract: "Map a JSON file of raw ESET devices (and groups) to OCSF NDJSON, one event per line.",
        discussion: """
            --devices takes a JSON array of devices, a {"devices": [...]} page, or one device object; --groups takes an array
            of groups or a {"deviceGroups": [...]} page. A devices array is streamed: memory stays bounded whatever the
            file's size. Rejected devices (no usable uuid) are reported on stderr with their index and make the exit status 2.
            """,
        options: [
            .option("devices", value: "FILE", help: "Raw devices: a JSON array or a {\"devices\": [...]} page ('-' for stdin)."),
            .option("groups", value: "FILE", help: "Raw device groups: a JSON array or a {\"deviceGroups\": [...]} page."),
            .option("output", short: "o", value: "FILE", help: "Write NDJSON here (atomically) instead of stdout."),
            profileOption,
            threads.spec,
        ]
    )

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        let devicesPath: String
        let profile: MappingProfile
        let threadCount: Int
        do {
            devicesPath = try arguments.required("devices")
            profile = try arguments.required(ConnectorOptions.profile)
            threadCount = try arguments.required(threads)
        } catch {
            return usageFailure(error, context: context, command: "map")
        }

        var directory = GroupDirectory()
        if let groupsPath = arguments.value("groups") {
            do {
                let json = asList(try readJSON(groupsPath), listKey: "deviceGroups", singleKey: "deviceGroup")
                let page = try DeviceGroupPage.decode(json, page: nil)
                for group in page.groups { directory.add(group) }
                if page.skipped > 0 { context.error("warning: \(groupsPath): \(page.skipped) group(s) without a usable uuid skipped") }
            } catch {
                context.error("error: \(groupsPath): \(error)")
                return .failure
            }
        }

        // The first batch is read before the output is opened, so that a devices file that is
        // missing or malformed at its start is reported first, as when the file was read whole.
        let input: DevicesInput
        let first: DevicePage?
        do {
            input = try DevicesInput(path: devicesPath)
            first = try input.reader.nextBatch()
        } catch {
            context.error("error: \(devicesPath): \(describeReadError(error))")
            return .failure
        }

        let output: NDJSONOutput
        do {
            output = try arguments.value("output").map(NDJSONOutput.file) ?? .stream { context.standardOutput.write($0) }
        } catch {
            context.error("error: \(error)")
            return .failure
        }

        let mapper = DeviceMapper(profile: profile, groups: directory)
        var warnings = 0
        var events = 0
        var rejections: [DeviceRejection] = []
        func deliver(_ batch: inout MappedBatch) throws {
            for (position, warning) in batch.warnings {
                warnings += 1
                context.error("warning: \(devicesPath): device index \(position): \(warning)")
            }
            if !batch.ndjson.isEmpty {
                // `writeLine` ends what it is given with a newline: the batch's last one.
                batch.ndjson.removeLast()
                try output.writeLine(batch.ndjson)
            }
            events += batch.events
            rejections.append(contentsOf: batch.rejections)
        }
        do {
            if let first {
                var batch = MappingPipeline.map(first, with: mapper)
                try deliver(&batch)
            }
            do {
                try MappingPipeline.run(input.reader, mapper: mapper, threads: threadCount, deliver: deliver)
            } catch let error as OutputError {
                throw error
            } catch {
                // The devices file went wrong part way: the events before are written (to a
                // stream) or dropped with the file (`--output`), as for any failed run.
                output.abandon()
                context.error("error: \(devicesPath): \(describeReadError(error))")
                return .failure
            }
            try output.commit()
        } catch {
            output.abandon()
            context.error("error: \(error)")
            return .failure
        }
        for rejection in rejections {
            context.error("rejected: \(devicesPath): \(rejection)")
        }
        context.error(
            "mapped \(events) device(s), rejected \(rejections.count), warnings \(warnings) (profile \(profile.rawValue))")
        return rejections.isEmpty ? .success : .completedWithRejections
    }

    /// Read failures say what they said when the file was read whole.
    private static func describeReadError(_ error: Error) -> String {
        error is DeviceSourceReadError ? "cannot read the file" : "\(error)"
    }

    /// Files written by hand may hold one object instead of a list: a lone device (as the seed
    /// sample does) or a `{"device": {...}}` answer. Those become a one-element list.
    static func asList(_ json: JSONValue, listKey: String, singleKey: String) -> JSONValue {
        guard case .object(let object) = json, object[listKey] == nil else { return json }
        return .array([object[singleKey] ?? json])
    }

    /// Reads a whole devices file with the page scanner the collector uses (no document tree):
    /// the same page and the same errors as `DevicePage.decode(asList(readJSON(path)), page: nil)`.
    /// Only a file holding one device object (no `devices` member) takes the general parser.
    /// `map` itself streams (`DevicesInput`); this is the whole-file reference its tests use.
    static func readDevices(_ path: String) throws -> DevicePage {
        try DevicePage.decodeDevicesFile(try readBytes(path))
    }

    /// Reads and parses a JSON file ('-' is stdin); syntax errors name the line and column.
    static func readJSON(_ path: String) throws -> JSONValue {
        try JSONParser.parse(try readBytes(path))
    }

    /// The bytes of a file ('-' is stdin).
    static func readBytes(_ path: String) throws -> [UInt8] {
        let bytes: [UInt8]
        if path == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else if let direct = readRegularFile(path) {
            bytes = direct
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
            }
            bytes = Array(data)
        }
        return bytes
    }
}

/// The devices file `map` streams: an open descriptor ('-' is stdin) and its reader.
final class DevicesInput {
    let reader: DeviceStreamReader
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    /// Chunks of 4 MB: large enough that a read costs little per device, small enough that the
    /// window and the batches in flight stay a few tens of MB.
    init(path: String, chunkSize: Int = 4 << 20, batchSize: Int = 1000) throws {
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw InputError(reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
            }
            ownsDescriptor = true
        }
        reader = DeviceStreamReader(source: FileDescriptorSource(descriptor: descriptor), chunkSize: chunkSize, batchSize: batchSize)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }
}

extension MapCommand {
    /// A regular file read straight into its array (one copy, not `Data` then `Array`: on a
    /// 100 MB fleet that is 100 MB less to fault in). Nil for anything unusual (not a regular
    /// file, a read error, a file growing while read): the caller's general path decides.
    static func readRegularFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let expected = Int(info.st_size)
        var failed = false
        // One byte more than expected, so a file that grew is noticed rather than cut short.
        let bytes = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, initialized in
            while initialized < buffer.count {
                let count = read(descriptor, buffer.baseAddress! + initialized, buffer.count - initialized)
                if count < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                if count == 0 { return }
                initialized += count
            }
        }
        guard !failed, bytes.count <= expected else { return nil }
        return bytes
    }
}

/// An input file that could not be read.
struct InputError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
