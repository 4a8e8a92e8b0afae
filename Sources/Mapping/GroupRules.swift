import ESET
import OCSF

extension DeviceMapper {
    /// M15: the direct parent group from the pre-loaded directory (no ancestors); its name falls
    /// back to its uuid; an unknown parent leaves `device.groups` out.
    func groups(_ device: ESETDevice) -> [OCSF.Group]? {
        guard let parent = device.parentGroupUUID, let group = groups[parent] else { return nil }
        return [OCSF.Group(name: group.displayName ?? group.uuid, uid: group.uuid)]
    }
}
