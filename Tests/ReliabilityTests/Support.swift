import Fleet
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The fleet generator's SplitMix64: one fully specified generator for every seeded test, so a
/// fuzz run is reproduced exactly from its seed on any machine.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    mutating func chance(_ percent: Int) -> Bool { self.percent(percent) }

    mutating func element<T>(_ items: [T]) -> T { element(of: items) }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    /// A generator for case `index` of a run, so any single case can be replayed on its own.
    static func forCase(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
        return SplitMix64(seed: mixer.next())
    }
}

/// How much work a reliability test does. The default run fits the CI budget; `RELIABILITY_LONG=1`
/// multiplies every count by 50, and `RELIABILITY_SCALE=N` by N (either may be combined with
/// `RELIABILITY_SEED=S` to explore other inputs than the pinned default seed).
enum Budget {
    static let environment = ProcessInfo.processInfo.environment

    static var isLong: Bool { environment["RELIABILITY_LONG"].map { $0 != "" && $0 != "0" } ?? false }

    /// The count multiplier.
    static var scale: Int {
        if let text = environment["RELIABILITY_SCALE"], let value = Int(text), value > 0 { return value }
        return isLong ? 50 : 1
    }

    /// `base` scaled.
    static func count(_ base: Int) -> Int { base * scale }

    /// The run's seed: fixed by default so CI is reproducible, overridable to explore.
    static func seed(_ defaultSeed: UInt64) -> UInt64 {
        if let text = environment["RELIABILITY_SEED"], let value = UInt64(text) { return value }
        return defaultSeed
    }
}

/// Process resources, read from /proc so that leaks show as numbers.
enum ProcessResources {
    /// Open file descriptors of this process.
    static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// Resident set size in KiB (VmRSS of /proc/self/status).
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    /// Waits (bounded) until the descriptor count is at most `limit`; returns the last count seen.
    /// Server threads close their sockets a moment after the client sees the answer.
    static func waitForDescriptors(atMost limit: Int, within seconds: Double) -> Int {
        let deadline = Date(timeIntervalSinceNow: seconds)
        var count = openDescriptorCount()
        while count > limit && Date() < deadline {
            usleep(20_000)
            count = openDescriptorCount()
        }
        return count
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while !condition() {
        if Date() >= deadline { return false }
        usleep(10_000)
    }
    return true
}

/// Where a failing fuzz input is kept, so that it can be replayed and moved into the corpus.
enum FailureArchive {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reliability-failures-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to a file named after the suite and case; returns the path for the message.
    @discardableResult
    static func keep(_ bytes: [UInt8], suite: String, index: Int, ext: String = "bin") -> String {
        let url = directory.appendingPathComponent("\(suite)-\(index).\(ext)")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }
}

/// Paths of the package, found from this file (the tests run with the package as a sibling tree).
enum PackagePaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = testsDirectory.appendingPathComponent("Corpus")
    static let mockData = root.appendingPathComponent("MockData")
    static let conformanceCases = root.appendingPathComponent("Conformance/cases")
}

/// One line on stderr with the figures of a run, so `docs/reliability.md` can quote real numbers.
func reportFigures(_ suite: String, _ figures: KeyValuePairs<String, Any>) {
    let text = figures.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    FileHandle.standardError.write(Data("[reliability] \(suite): scale=\(Budget.scale) \(text)\n".utf8))
}
