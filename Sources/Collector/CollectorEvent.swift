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
}
