/// The exit statuses of every executable of the toolkit (BSD `sysexits.h` for usage errors).
package enum ExitStatus: Int32, Sendable {
    case success = 0
    /// The run failed: nothing (or not everything) was done or delivered.
    case failure = 1
    /// Everything that could be mapped was delivered, but some devices were rejected (G4).
    case completedWithRejections = 2
    /// The command line was wrong.
    case usage = 64
}
