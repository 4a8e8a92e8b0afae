import HTTPClient

/// The outcome of a cycle that completed.
package struct CycleReport: Sendable {
    package var statistics: CollectorStatistics
    package var checkpointBefore: Checkpoint?
    /// The checkpoint now stored (the same as before when nothing newer was delivered).
    package var checkpointAfter: Checkpoint?
}

/// A cycle that failed, with the counts it reached (the summary is printed either way).
package struct CycleFailure: Error, CustomStringConvertible {
    package var underlying: any Error
    package var statistics: CollectorStatistics
    /// True when the failure came after every sink finished (remote batches accepted, the output
    /// file renamed into place, the rejects file written): only the checkpoint was not saved.
    package var deliveredBeforeFailing = false

    package var description: String { String(describing: underlying) }

    /// The failed call behind the cycle's failure, if a call failed (through a missing group map too).
    package var failedCall: (any CallFailure)? {
        if let missing = underlying as? MissingGroupsError { return missing.underlying as? any CallFailure }
        return underlying as? any CallFailure
    }

    /// Whether a person must fix something before another cycle can succeed.
    package var requiresIntervention: Bool { failedCall?.requiresIntervention == true }
}

/// The failure to load the group map, when the cycle may not go on without it
/// (`CollectorOptions.allowMissingGroups` is off).
package struct MissingGroupsError: Error, CustomStringConvertible {
    /// Why the groups could not be loaded (an `ESETClientError`).
    package var underlying: any Error
    package var description: String {
        "cannot load the device groups: \(underlying). Devices sent without their groups would erase good group data downstream, so nothing was sent"
    }
}
