import ArgumentParsing
import Collector
import ESET
import Foundation
import JSON
import Mapping

/// `eset-connector map`: maps raw device files to NDJSON without any network, so the mapping can
/// be used and checked by hand.
enum MapCommand: ConnectorSubcommand {
    static let spec = CommandSpec(
        name: "map",
        abstract: "Map a JSON file of raw ESET devices (and groups) to OCSF NDJSON, one event per line.",
        discussion: """
            --devices takes a JSON array of devices, a {"devices": [...]} page, or one device object; --groups takes an array
            of groups or a {"deviceGroups": [...]} page. Rejected devices (no usable uuid) are reported on
            stderr with their index and make the exit status 2.
            """,
        options: [
            .option("devices", value: "FILE", help: "Raw devices: a JSON array or a {\"devices\": [...]} page ('-' for stdin)."),
            .option("groups", value: "FILE", help: "Raw device groups: a JSON array or a {\"deviceGroups\": [...]} page."),
            .option("output", short: "o", value: "FILE", help: "Write NDJSON here (atomically) instead of stdout."),
            profileOption,
        ]
    )

    static func run(_ arguments: ParsedArguments, context: CLIContext) async -> ExitStatus {
        let devicesPath: String
        let profile: MappingProfile
        do {
            devicesPath = try arguments.required("devices")
            profile = try arguments.required(ConnectorOptions.profile)
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

        let page: DevicePage
        do {
            page = try readDevices(devicesPath)
        } catch {
            context.error("error: \(devicesPath): \(error)")
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
        do {
            for (device, position) in zip(page.devices, page.positions) {
                let mapped = mapper.map(device)
                for warning in mapped.warnings {
                    warnings += 1
                    context.error("warning: \(devicesPath): device index \(position): \(warning)")
                }
                try output.writeLine(mapped.event.jsonBytes())
            }
            try output.commit()
        } catch {
            output.abandon()
            context.error("error: \(error)")
            return .failure
        }
        for rejection in page.rejections {
            context.error("rejected: \(devicesPath): \(rejection)")
        }
        context.error(
            "mapped \(page.devices.count) device(s), rejected \(page.rejections.count), warnings \(warnings) (profile \(profile.rawValue))")
        return page.rejections.isEmpty ? .success : .completedWithRejections
    }

    /// Files written by hand may hold one object instead of a list: a lone device (as the seed
    /// sample does) or a `{"device": {...}}` answer. Those become a one-element list.
    static func asList(_ json: JSONValue, listKey: String, singleKey: String) -> JSONValue {
        guard case .object(let object) = json, object[listKey] == nil else { return json }
        return .array([object[singleKey] ?? json])
    }

    /// Reads a devices file with the page scanner the collector uses (no document tree): the
    /// same page and the same errors as `DevicePage.decode(asList(readJSON(path)), page: nil)`.
    /// Only a file holding one device object (no `devices` member) takes the general parser.
    static func readDevices(_ path: String) throws -> DevicePage {
        let bytes = try readBytes(path)
        guard hasDevicesMember(bytes) else {
            return try DevicePage.decode(asList(try JSONParser.parse(bytes), listKey: "devices", singleKey: "device"), page: nil)
        }
        do {
            return try DevicePage.decode(bytes: bytes, page: nil)
        } catch {
            // The inner errors, so messages stay exactly those of the general path.
            switch error {
            case .malformedJSON(let syntax): throw syntax
            case .notAPage(let shape): throw shape
            }
        }
    }

    private static let devicesKey = JSONKeySet(["devices"])

    /// False only for a well-formed top-level object without a `devices` member (a lone device,
    /// which `asList` wraps); anything else, malformed files included, is the scanner's to decode
    /// (its errors are the general parser's).
    static func hasDevicesMember(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard scanner.peek() == UInt8(ascii: "{") else { return true }
            do {
                try scanner.enterObject()
                while let key = try scanner.nextKey(in: devicesKey) {
                    if key == 0 { return true }
                    try scanner.skipValue()
                }
                try scanner.finish()
                return false
            } catch {
                return true
            }
        }
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
