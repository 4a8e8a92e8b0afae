import ESET

// M01 `device.uid` is the uuid itself (see `DeviceMapper.map`), M03 `device.name` copies
// `displayName`, M04 `device.desc` copies `description`.

extension DeviceMapper {
    /// M02: the first present of `displayName`, `originalDisplayName`, `uuid`; never absent.
    func hostname(_ device: ESETDevice) -> String {
        device.displayName ?? device.originalDisplayName ?? device.uuid
    }
}
