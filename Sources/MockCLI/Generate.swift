import ArgumentParsing
import Fleet
import ESETMock
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The typed options of `generate`, each declared once with its default.
enum GenerateOptions {
    static let devices = TypedOption<Int>("devices", help: "Number of devices (required).", in: 0...100_000_000)
    static let seed = TypedOption<UInt64>("seed", value: "S", help: "Seed of the generator (unsigned 64-bit integer).", default: 1)
    static let groups = TypedOption<Int>("groups", help: "Number of device groups.", default: 12, in: 1...100_000)
}

let generateSpec = CommandSpec(
    name: "generate",
    abstract: "Write a deterministic synthetic fleet (devices.json, device_groups.json) for 'serve --data'.",
    discussion: """
        The same --seed always gives byte-identical files; devices average about 2 KB, so
        1,000,000 devices make a file of about 2 GB. Files are written to temporary names and
        renamed into place. Every device is valid against ESET's OpenAPI description unless
        --edge-cases adds the off-contract values clients must tolerate (int64 fields as strings,
        dotted version ids, malformedData null, lastSyncTime with a space or a lower-case z).
        """,
    options: [
        GenerateOptions.devices.spec,
        GenerateOptions.seed.spec,
        GenerateOptions.groups.spec,
        .flag("pretty", help: "Indent the JSON (two spaces) instead of one item per line."),
        .flag("edge-cases", help: "Also write off-contract values (for tolerance tests); the default is spec-valid."),
        .option("out", value: "DIR", help: "Directory to write into, created if needed (required)."),
        .flag("no-index-cache", help: "Do not write the fixture index (devices.json.index) that lets the first 'serve' skip scanning."),
    ])

func generate(_ arguments: ParsedArguments) throws -> Int32 {
    let devices = try arguments.required(GenerateOptions.devices)
    let out = try arguments.required("out")
    let seed = try arguments.required(GenerateOptions.seed)
    let groups = try arguments.required(GenerateOptions.groups)
    let generator = FleetGenerator(seed: seed, layout: arguments.flag("pretty") ? .pretty : .compact,
                                   edgeCases: arguments.flag("edge-cases"))
    let directory = URL(fileURLWithPath: out, isDirectory: true)
    // An index of the files being replaced would be stale: never leave one behind.
    for name in ["devices.json", "device_groups.json"] {
        unlink(directory.appendingPathComponent(name + ".index").path)
    }
    try generator.writeFleet(devices: devices, groupCount: groups, to: directory)
    let kind = generator.edgeCases ? ", with edge cases" : ""
    writeOut("wrote \(devices) devices and \(groups) groups (seed \(seed)\(kind)) to \(directory.path)\n")
    if !arguments.flag("no-index-cache") {
        // The first `serve` then maps the index instead of scanning; a failure only costs speed.
        do {
            let reports = try MockFixtures.writeIndexes(directory: directory)
            let written = reports.filter { $0.outcome == .written }
            if !written.isEmpty {
                writeOut("indexed " + written.map { URL(fileURLWithPath: $0.indexPath).lastPathComponent }.joined(separator: ", ") + "\n")
            }
            for report in reports where report.outcome == .notWritten {
                writeError("eset-mock: note: fixture index: \(report.summary)\n")
            }
        } catch {
            writeError("eset-mock: note: fixture index not written: \(error)\n")
        }
    }
    return ExitStatus.success.rawValue
}
