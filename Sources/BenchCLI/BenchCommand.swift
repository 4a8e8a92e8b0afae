import ArgumentParsing
import Benchmarks
import ConnectorCLI
import Foundation

// `eset-bench`: the toolkit's benchmarks (docs/benchmarks.md). Every figure is printed as one
// `bench=NAME key=value ...` line on stdout; progress and notes go to stderr.

let mapSpec = CommandSpec(
    name: "map",
    abstract: "Parse, decode, map and encode a generated fleet in memory, on one thread.",
    options: [
        .option("devices", value: "N", help: "Fleet size.", defaultDescription: "100000"),
        .option("seed", value: "S", help: "Fleet generator seed.", defaultDescription: "1"),
        .option("page-size", value: "N", help: "Devices per page answer.", defaultDescription: "1000"),
        .option("runs", value: "N", help: "Timed runs; the fastest is repeated last as run=best.", defaultDescription: "5"),
        ConnectorOptions.profile.spec,
        .option(
            "decoder", value: "NAME",
            help: "scan (DevicePage.decode(bytes:), the connector's path) or tree (JSONParser.parse, then decode).",
            defaultDescription: "scan"),
    ])

let serveSpec = CommandSpec(
    name: "serve",
    abstract: "Throughput and latency of eset-mock serving device pages (beside nginx and wrk when installed), and its start-up time.",
    options: [
        .option("devices", value: "N", help: "Fleet size served.", defaultDescription: "10000"),
        .option("page-size", value: "N", help: "pageSize of the requests.", defaultDescription: "1000"),
        .option("connections", value: "LIST", help: "Keep-alive connections, comma-separated.", defaultDescription: "1,8,64"),
        .option("seconds", value: "S", help: "Duration of each load run.", defaultDescription: "5"),
        .option("seed", value: "S", help: "Fleet generator seed.", defaultDescription: "1"),
        .option("mock-data", value: "DIR", help: "Also time the start-up on this data (the repository's MockData)."),
        .flag("no-compare", help: "Skip nginx and wrk even when installed."),
    ])

let collectSpec = CommandSpec(
    name: "collect",
    abstract: "The connector collecting a generated fleet from eset-mock over HTTP: wall time, devices/s, peak RSS.",
    options: [
        .option("devices", value: "LIST", help: "Fleet sizes, comma-separated.", defaultDescription: "100000,1000000"),
        .option("seed", value: "S", help: "Fleet generator seed.", defaultDescription: "1"),
        .option("page-size", value: "N", help: "Devices per page.", defaultDescription: "1000"),
        .option("work-dir", value: "DIR", help: "Where fleets and NDJSON go (each removed after its run).", defaultDescription: "a temporary directory"),
    ])

let benchSpec = CommandSpec(
    name: "eset-bench",
    abstract: "Benchmarks of the ESET connector toolkit. Build with -c release; see docs/benchmarks.md.",
    subcommands: [mapSpec, serveSpec, collectSpec])

func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func emit(_ line: ResultLine) {
    // Unbuffered, so that a script piping the output sees each figure as it is measured.
    FileHandle.standardOutput.write(Data((line.description + "\n").utf8))
}

func integers(_ text: String, option: String) throws -> [Int] {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw UsageError("invalid value '\(text)' for '--\(option)': expected positive integers separated by commas")
    }
    return values.compactMap { $0 }
}

func runMap(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = MapBenchmark(
        deviceCount: try arguments.int("devices", range: 0...50_000_000) ?? 100_000,
        seed: UInt64(try arguments.int("seed", range: 0...Int.max) ?? 1),
        pageSize: try arguments.int("page-size", range: 1...1_000_000) ?? 1000,
        profile: try arguments.required(ConnectorOptions.profile),
        decoder: MapBenchmark.Decoder(rawValue: try arguments.choice("decoder", from: MapBenchmark.Decoder.allCases.map(\.rawValue)) ?? "scan")!)
    let runs = try arguments.int("runs", range: 1...100) ?? 5
    note("generating \(benchmark.deviceCount) devices (seed \(benchmark.seed))…")
    let input = benchmark.prepare()
    note("\(input.pages.count) pages, \(input.byteCount) bytes, \(input.byteCount / max(1, input.deviceCount)) bytes/device")
    var best: MapBenchmark.Result?
    for run in 1...runs {
        let result = try benchmark.run(input)
        emit(result.line(run: String(run)))
        if best == nil || result.seconds < best!.seconds { best = result }
    }
    if let best { emit(best.line(run: "best")) }
    return ExitStatus.success.rawValue
}

func runServe(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = ServeBenchmark(
        deviceCount: try arguments.int("devices", range: 1...10_000_000) ?? 10_000,
        pageSize: try arguments.int("page-size", range: 1...1000) ?? 1000,
        connectionCounts: try integers(arguments.value("connections") ?? "1,8,64", option: "connections"),
        seconds: try arguments.int("seconds", range: 1...600) ?? 5,
        seed: UInt64(try arguments.int("seed", range: 0...Int.max) ?? 1),
        compare: !arguments.flag("no-compare"),
        defaultDataDirectory: arguments.value("mock-data"))
    try benchmark.run(emit: emit, note: note)
    return ExitStatus.success.rawValue
}

func runCollect(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = CollectBenchmark(
        deviceCounts: try integers(arguments.value("devices") ?? "100000,1000000", option: "devices"),
        seed: UInt64(try arguments.int("seed", range: 0...Int.max) ?? 1),
        pageSize: try arguments.int("page-size", range: 1...1000) ?? 1000,
        workDirectory: arguments.value("work-dir"))
    let results = try benchmark.run(emit: emit, note: note)
    return (results.allSatisfy { $0.exitCode == 0 && $0.outputLines == $0.devices } ? ExitStatus.success : .failure).rawValue
}

/// Runs `eset-bench` with `argv` (without the program name) and returns its exit status.
package func runBenchCLI(_ argv: [String]) -> Int32 {
    do {
        switch try parse(argv, spec: benchSpec) {
        case .help(let text):
            print(text)
            return ExitStatus.success.rawValue
        case .run(let arguments):
            switch arguments.commandPath.dropFirst().first {
            case "map": return try runMap(arguments)
            case "serve": return try runServe(arguments)
            case "collect": return try runCollect(arguments)
            default:
                note("error: missing subcommand; see 'eset-bench --help'")
                return ExitStatus.usage.rawValue
            }
        }
    } catch let error as UsageError {
        note("error: \(error.message)")
        if let hint = error.helpHint { note(hint) }
        return ExitStatus.usage.rawValue
    } catch {
        note("error: \(error)")
        return ExitStatus.failure.rawValue
    }
}

