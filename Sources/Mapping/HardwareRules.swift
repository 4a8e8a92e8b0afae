import ESET

// M10 `device.domain` copies `managementDomain` (see `DeviceMapper.map`).

extension DeviceMapper {
    /// M11: the manufacturer of the first hardware profile only.
    func vendorName(_ device: ESETDevice) -> String? {
        // Read in place: `first` copied the whole profile (every string retained, then released).
        device.hardwareProfiles.isEmpty ? nil : device.hardwareProfiles[0]?.manufacturer
    }

    /// M14: the model of the first hardware profile only.
    func model(_ device: ESETDevice) -> String? {
        device.hardwareProfiles.isEmpty ? nil : device.hardwareProfiles[0]?.model
    }
}
