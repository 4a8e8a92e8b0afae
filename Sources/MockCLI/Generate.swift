import ArgumentParsing
import Fleet
import Foundation

let generateSpec = CommandSpec(
    name: "generate",
    abstract: "Write a deterministic synthetic fleet (devices.json, device_groups.json) for 'serve --data'.",
    discussion: """
        The same --seed always gives byte-identical files; devices average about 1.5 KB, so
        1,000,000 devices make a file of about 1.5 GB. Files are written to temporary names and
        renamed into place.
        """,
    options: [
        .option("devices", value: "N", help: "Number of devices (required)."),
        .option("seed", value: "S", help: "Seed of the generator (unsigned 64-bit integer).", defaultDescription: "1"),
        .option("groups", value: "N", help: "Number of device groups.", defaultDescription: "12"),
        .flag("pretty", help: "Indent the JSON (two spaces) instead of one item per line."),
        .option("out", value: "DIR", help: "Directory to write into, created if needed (required)."),
    ])

func generate(_ arguments: ParsedArguments) throws -> Int32 {
    guard let devices = try arguments.int("devices", range: 0...100_000_000) else {
        throw UsageError("missing required option '--devices'", commandPath: arguments.commandPath)
    }
    let out = try arguments.required("out")
    var seed: UInt64 = 1
    if let text = arguments.value("seed") {
        guard let parsed = UInt64(text) else {
            throw UsageError("invalid value '\(text)' for '--seed': expected an unsigned 64-bit integer",
                             commandPath: arguments.commandPath)
        }
        seed = parsed
    }
    let groups = try arguments.int("groups", range: 1...100_000) ?? 12
    let generator = FleetGenerator(seed: seed, layout: arguments.flag("pretty") ? .pretty : .compact)
    let directory = URL(fileURLWithPath: out, isDirectory: true)
    try generator.writeFleet(devices: devices, groupCount: groups, to: directory)
    writeOut("wrote \(devices) devices and \(groups) groups (seed \(seed)) to \(directory.path)\n")
    return ExitStatus.success.rawValue
}
