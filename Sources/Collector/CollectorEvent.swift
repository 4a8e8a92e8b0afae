import ESET
import Mapping

/// Things worth telling a person while a cycle runs.
package enum CollectorEvent: Sendable {
    case groupsLoaded(count: Int, pages: Int)
    /// The group map could not be loaded and `allowMissingGroups` let the cycle go on.
    case groupsMissing(reason: String)
    case checkpointLoaded(Checkpoint)
    /// The checkpoint file could not be used; this cycle sends everything.
    case checkpointUnusable(reason: String)
    case rejected(DeviceRejection)
    case mappingWarning(page: Int, index: Int, warning: MappingWarning)
    case duplicate(page: Int, index: Int, uuid: String)
    /// One device page was processed; the counts so far.
    case pageProcessed(CollectorStatistics)
    case checkpointMoved(Checkpoint)
    /// A device's `lastSyncTime` lies beyond the cycle's start plus `clockSkewAllowance`: it was
    /// delivered, counted as a warning, and does not move the checkpoint.
    case futureLastSyncTime(page: Int, index: Int, uuid: String, lastSyncTime: String)
}

/// How far ahead of this machine's clock the ESET clock may be before a time counts as "in the
/// future": 5 minutes, in microseconds. Times within it are normal; the checkpoint itself is
/// still never set beyond the cycle's start (devices synced in that margin are simply sent again
/// by the next cycle, which is safe).
package let clockSkewAllowance: Int64 = 5 * 60 * 1_000_000
