import ESET

// M10 `device.domain` copies `managementDomain` (see `DeviceMapper.map`).

extension DeviceMapper {
    /// M11: the manufacturer of the first hardware profile only.
    func vendorName(_ device: ESETDevice) -> String? {
        device.hardwareProfiles.first??.manufacturer
    }

    /// M14: the model of the first hardware profile only.
    func model(_ device: ESETDevice) -> String? {
        device.hardwareProfiles.first??.model
    }
}
