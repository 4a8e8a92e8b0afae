import ArgumentParsing
import Benchmarks
import Foundation
import Mapping

// `eset-bench`: the toolkit's benchmarks (docs/benchmarks.md). Every figure is printed as one
// `bench=NAME key=value ...` line on stdout; progress and notes go to stderr.

let mapSpec = CommandSpec(
    name: "map",
    abstract: "Parse, decode, map and encode a generated fleet in memory, on one thread.",
    options: [
        .option("devices", value: "N", help: "Fleet size.", defaultDescription: "100000"),
        .option("seed", value: "S", help: "Fleet generator seed.", defaultDescription: "1"),
        .option("page-size", value: "N", help: "Devices per page answer.", defaultDescription: "1000"),
        .option("runs", value: "N", help: "Timed runs; the best one is reported last as run=best.", defaultDescription: "3"),
        .option("profile", value: "NAME", help: "Mapping profile: sekoia or ocsf-strict.", defaultDescription: "sekoia"),
        .option("decoder", value: "NAME", help: "scan (DevicePage.decode(bytes:), the connector's path) or tree (JSONParser.parse, then decode).", defaultDescription: "scan"),
    ])

let benchSpec = CommandSpec(
    name: "eset-bench",
    abstract: "Benchmarks of the ESET connector toolkit (build with -c release).",
    subcommands: [mapSpec])

func stderr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func emit(_ line: ResultLine) {
    // Unbuffered, so that a script piping the output sees each run as it ends.
    FileHandle.standardOutput.write(Data((line.description + "\n").utf8))
}

func runMap(_ arguments: ParsedArguments) throws -> Int32 {
    let benchmark = MapBenchmark(
        deviceCount: try arguments.int("devices", range: 0...50_000_000) ?? 100_000,
        seed: UInt64(try arguments.int("seed", range: 0...Int.max) ?? 1),
        pageSize: try arguments.int("page-size", range: 1...1_000_000) ?? 1000,
        profile: try MappingProfile.named(arguments.value("profile") ?? "sekoia"),
        decoder: MapBenchmark.Decoder(rawValue: try arguments.choice("decoder", from: MapBenchmark.Decoder.allCases.map(\.rawValue)) ?? "scan")!)
    let runs = try arguments.int("runs", range: 1...100) ?? 3
    stderr("generating \(benchmark.deviceCount) devices (seed \(benchmark.seed))…")
    let input = benchmark.prepare()
    stderr("\(input.pages.count) pages, \(input.byteCount) bytes, \(input.byteCount / max(1, input.deviceCount)) bytes/device")
    var best: MapBenchmark.Result?
    for run in 1...runs {
        let result = try benchmark.run(input)
        emit(result.line(run: String(run)))
        if best == nil || result.seconds < best!.seconds { best = result }
    }
    if let best { emit(best.line(run: "best")) }
    return 0
}

func runBench(_ argv: [String]) -> Int32 {
    do {
        switch try parse(argv, spec: benchSpec) {
        case .help(let text):
            print(text)
            return 0
        case .run(let arguments):
            switch arguments.commandPath.dropFirst().first {
            case "map": return try runMap(arguments)
            default:
                stderr("error: missing subcommand; see 'eset-bench --help'")
                return 64
            }
        }
    } catch let error as UsageError {
        stderr("error: \(error.message)")
        if let hint = error.helpHint { stderr(hint) }
        return 64
    } catch {
        stderr("error: \(error)")
        return 1
    }
}

exit(runBench(Array(CommandLine.arguments.dropFirst())))
