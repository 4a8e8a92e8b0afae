#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic instant in nanoseconds: wall time that no clock adjustment can move backwards.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Seconds elapsed since a `monotonicNanoseconds()` reading.
func secondsSince(_ start: UInt64) -> Double {
    Double(monotonicNanoseconds() &- start) / 1e9
}

/// CPU time (user + system) this process has used so far, in seconds: tells a single-threaded
/// figure from one that used both cores.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// One line of benchmark output: `bench=NAME key=value ...`, in the order the fields were added,
/// so that scripts can split on spaces and `=`. Values never contain spaces.
package struct ResultLine: Sendable, CustomStringConvertible {
    package private(set) var fields: [(key: String, value: String)]

    package init(bench: String) { fields = [("bench", bench)] }

    package mutating func add(_ key: String, _ value: String) {
        fields.append((key, String(value.map { $0 == " " ? "_" : $0 })))
    }

    package mutating func add(_ key: String, _ value: Int) { add(key, String(value)) }

    /// A number with `digits` decimals (fixed, not scientific, so that `awk` reads it).
    package mutating func add(_ key: String, _ value: Double, digits: Int) {
        add(key, formatFixed(value, digits: digits))
    }

    /// The value of the first field named `key`.
    package subscript(key: String) -> String? { fields.first { $0.key == key }?.value }

    package var description: String { fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}

/// `value` with exactly `digits` decimals, rounded half away from zero.
package func formatFixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "nan" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = (scaled / scale).rounded(.towardZero)
    var text = (value < 0 && scaled != 0 ? "-" : "") + String(Int64(whole))
    if digits > 0 {
        let fractionText = String(Int64(scaled - whole * scale))
        text += "." + String(repeating: "0", count: max(0, digits - fractionText.count)) + fractionText
    }
    return text
}
