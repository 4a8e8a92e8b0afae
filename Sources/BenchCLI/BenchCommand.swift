import ArgumentParsing
import Benchmarks
import ConnectorCLI
import Foundation

// `eset-bench`: the toolkit's benchmarks (docs/benchmarks.md). Every figure is printed as one
// `bench=NAME key=value ...` line on stdout; progress and notes go to stderr.

/// Positive integers separated by commas: `1,8,64`.
struct IntegerList: OptionValue, Equatable {
    static let valueName = "LIST"
    static let expectation = "positive integers separated by commas"
    let values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        self.values = values.compactMap { $0 }
    }

    var argument: String { values.map(String.init).joined(separator: ",") }
}

extension MapBenchmark.Decoder: OptionValue {
    package static let valueName = "NAME"
}

/// The options of eset-bench, each declared once with its default.
enum BenchOptions {
    /// Shared by every benchmark that generates a fleet.
    static let seed = TypedOption<Int>("seed", value: "S", help: "Fleet generator seed.", default: 1, in: 0...Int.max)

    static let mapDevices = TypedOption<Int>("devices", help: "Fleet size.", default: 100_000, in: 0...50_000_000)
    static let mapPageSize = TypedOption<Int>("page-size", help: "Devices per page answer.", default: 1000, in: 1...1_000_000)
    static let runs = TypedOption<Int>("runs", help: "Timed runs; the fastest is repeated last as run=best.", default: 5, in: 1...100)
    static let mapThreads = TypedOption<Int>(
        "threads", help: "1: the single-thread figure (pages decoded one by one); 2 or more: the streaming two-stage pipeline of `eset-connector map`.",
        default: 1, in: 1...256)
    static let processThreads = TypedOption<Int>(
        "threads", help: "Passed to `eset-connector map --threads`.", defaultDescription: "the connector's default")
    static let decoder = TypedOption<MapBenchmark.Decoder>(
        "decoder", help: "scan (DevicePage.decode(bytes:), the connector's path) or tree (JSONParser.parse, then decode).", default: .scan)

    static let serveDevices = TypedOption<Int>("devices", help: "Fleet size served.", default: 10_000, in: 1...10_000_000)
    static let servePageSize = TypedOption<Int>("page-size", help: "pageSize of the requests.", default: 1000, in: 1...1000)
    static let connections = TypedOption<IntegerList>(
        "connections", help: "Keep-alive connections, comma-separated.", default: IntegerList([1, 8, 64]))
    static let seconds = TypedOption<Int>("seconds", value: "S", help: "Duration of each load run.", default: 5, in: 1...600)
    static let mockData = TypedOption<String>("mock-data", value: "DIR", help: "Also time the start-up on this data (the repository's MockData).")

    static let processDevices = TypedOption<Int>("devices", help: "Fleet size of the devices file.", default: 50_000, in: 1...10_000_000)
    static let processRuns = TypedOption<Int>("runs", help: "Processes timed; the fastest is repeated last as run=best.", default: 3, in: 1...100)
    static let python = TypedOption<String>(
        "python", value: "SCRIPT", help: "Also run this Python peer (Scripts/bench/pydantic_peer.py) as a whole process on the same file.")

    static let collectDevices = TypedOption<IntegerList>(
        "devices", help: "Fleet sizes, comma-separated.", default: IntegerList([100_000, 1_000_000]))
    static let collectPageSize = TypedOption<Int>("page-size", help: "Devices per page.", default: 1000, in: 1...1000)
    static let workDirectory = TypedOption<String>(
        "work-dir", value: "DIR", help: "Where fleets and NDJSON go (each removed after its run).", defaultDescription: "a temporary directory")

    static let startData = TypedOption<String>(
        "data", value: "DIR", help: "Fleet directory to serve (devices.json, device_groups.json).",
        defaultDescription: "a fleet of --devices generated into --work-dir")
    static let startDevices = TypedOption<Int>("devices", help: "Fleet size generated when --data is not given.", default: 1_000_000, in: 1...10_000_000)
    static let startPages = TypedOption<Int>("walk-pages", value: "N", help: "Device pages of 1,000 to fetch after the start, memory measured after.", default: 0, in: 0...100_000)
    static let startRuns = TypedOption<Int>("runs", help: "Starts; the fastest is repeated last as run=best.", default: 3, in: 1...100)
}

let mapSpec = CommandSpec(
    name: "map",
    abstract: "Parse, decode, map and encode a generated fleet in memory, on one thread (or the streaming pipeline with --threads).",
    options: [
        BenchOptions.mapDevices.spec, BenchOptions.seed.spec, BenchOptions.mapPageSize.spec, BenchOptions.runs.spec,
        ConnectorOptions.profile.spec, BenchOptions.decoder.spec, BenchOptions.mapThreads.spec,
    ])

let serveSpec = CommandSpec(
    name: "serve",
    abstract: "Throughput and latency of eset-mock serving device pages (beside nginx and wrk when installed), and its start-up time.",
    options: [
        BenchOptions.serveDevices.spec, BenchOptions.servePageSize.spec, BenchOptions.connections.spec, BenchOptions.seconds.spec,
        BenchOptions.seed.spec, BenchOptions.mockData.spec,
        .flag("no-compare", help: "Skip nginx and wrk even when installed."),
    ])

let collectSpec = CommandSpec(
    name: "collect",
    abstract: "The connector collecting a generated fleet from eset-mock over HTTP: wall time, devices/s, peak RSS.",
    options: [BenchOptions.collectDevices.spec, BenchOptions.seed.spec, BenchOptions.collectPageSize.spec, BenchOptions.workDirectory.spec])

let mapProcessSpec = CommandSpec(
    name: "map-process",
    abstract: "The whole `eset-connector map --devices F --groups G > /dev/null` process on a generated fleet: wall time, devices/s, peak RSS.",
    options: [
        BenchOptions.processDevices.spec, BenchOptions.seed.spec, BenchOptions.processRuns.spec, BenchOptions.python.spec,
        BenchOptions.processThreads.spec,
    ])

let mockStartSpec = CommandSpec(
    name: "mock-start",
    abstract: "eset-mock serve on a large fleet: time to the listening line, anonymous memory (RssAnon) after start, at peak and while serving.",
    options: [
        BenchOptions.startData.spec, BenchOptions.startDevices.spec, BenchOptions.seed.spec, BenchOptions.startPages.spec,
        BenchOptions.startRuns.spec, BenchOptions.workDirectory.spec,
    ])

let benchSpec = CommandSpec(
    name: "eset-bench",
    abstract: "Benchmarks of the ESET connector toolkit. Build with -c release; see docs/benchmarks.md.",
    subcommands: [mapSpec, mapProcessSpec, serveSpec, collectSpec, mockStartSpec])

func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func emit(_ line: ResultLine) {
    // Unbuffered, so that a script piping the output sees each figure as it is measured.
    FileHandle.standardOutput.write(Data((line.description + "\n").utf8))
}

func runMap(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = MapBenchmark(
        deviceCount: try arguments.required(BenchOptions.mapDevices),
        seed: UInt64(try arguments.required(BenchOptions.seed)),
        pageSize: try arguments.required(BenchOptions.mapPageSize),
        profile: try arguments.required(ConnectorOptions.profile),
        decoder: try arguments.required(BenchOptions.decoder),
        threads: try arguments.required(BenchOptions.mapThreads))
    let runs = try arguments.required(BenchOptions.runs)
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

func runMapProcess(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = MapProcessBenchmark(
        deviceCount: try arguments.required(BenchOptions.processDevices),
        seed: UInt64(try arguments.required(BenchOptions.seed)),
        runs: try arguments.required(BenchOptions.processRuns),
        pythonPeer: try arguments.value(BenchOptions.python),
        threads: try arguments.value(BenchOptions.processThreads))
    let results = try benchmark.run(emit: emit, note: note)
    return (results.allSatisfy { $0.exitCode == 0 } ? ExitStatus.success : .failure).rawValue
}

func runServe(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = ServeBenchmark(
        deviceCount: try arguments.required(BenchOptions.serveDevices),
        pageSize: try arguments.required(BenchOptions.servePageSize),
        connectionCounts: try arguments.required(BenchOptions.connections).values,
        seconds: try arguments.required(BenchOptions.seconds),
        seed: UInt64(try arguments.required(BenchOptions.seed)),
        compare: !arguments.flag("no-compare"),
        defaultDataDirectory: try arguments.value(BenchOptions.mockData))
    try benchmark.run(emit: emit, note: note)
    return ExitStatus.success.rawValue
}

func runCollect(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = CollectBenchmark(
        deviceCounts: try arguments.required(BenchOptions.collectDevices).values,
        seed: UInt64(try arguments.required(BenchOptions.seed)),
        pageSize: try arguments.required(BenchOptions.collectPageSize),
        workDirectory: try arguments.value(BenchOptions.workDirectory))
    let results = try benchmark.run(emit: emit, note: note)
    return (results.allSatisfy { $0.exitCode == 0 && $0.outputLines == $0.devices } ? ExitStatus.success : .failure).rawValue
}

func runMockStart(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = MockStartBenchmark(
        dataDirectory: try arguments.value(BenchOptions.startData),
        deviceCount: try arguments.required(BenchOptions.startDevices),
        seed: UInt64(try arguments.required(BenchOptions.seed)),
        pagesToWalk: try arguments.required(BenchOptions.startPages),
        runs: try arguments.required(BenchOptions.startRuns),
        workDirectory: try arguments.value(BenchOptions.workDirectory))
    try benchmark.run(emit: emit, note: note)
    return ExitStatus.success.rawValue
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
            case "map-process": return try runMapProcess(arguments)
            case "serve": return try runServe(arguments)
            case "collect": return try runCollect(arguments)
            case "mock-start": return try runMockStart(arguments)
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

