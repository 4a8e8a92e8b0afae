/// Seconds since `start`, as a `Double` for arithmetic with configured bounds.
package func seconds(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// `0.25 s`, `3 s`, `1.5 s`, `42 s`: short and stable for messages and summaries (hundredths
/// below 10 s, whole seconds above).
package func formatDuration(_ seconds: Double) -> String {
    if seconds >= 10 { return "\(Int(seconds.rounded())) s" }
    let rounded = (seconds * 100).rounded() / 100
    if rounded == rounded.rounded() { return "\(Int(rounded)) s" }
    return "\(rounded) s"
}
