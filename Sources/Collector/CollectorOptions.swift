import Mapping

/// What the collector can be asked to do differently.
package struct CollectorOptions: Sendable {
    package var profile: MappingProfile
    /// Send devices without their groups when `/v1/device_groups` cannot be loaded, instead of
    /// failing (devices without groups would erase good group data downstream).
    package var allowMissingGroups: Bool
    /// Ignore the checkpoint when choosing devices (it is still moved after a good cycle).
    package var full: Bool
    /// Microseconds since the epoch; M13's fallback for devices without a usable time.
    package var clock: @Sendable () -> Int64

    package init(profile: MappingProfile = .sekoia, allowMissingGroups: Bool = false, full: Bool = false, clock: @escaping @Sendable () -> Int64 = systemClockMicroseconds) {
        self.profile = profile
        self.allowMissingGroups = allowMissingGroups
        self.full = full
        self.clock = clock
    }
}
