import ESET
import OCSF

extension DeviceMapper {
    /// M16 (sekoia): always managed. S07 (ocsf-strict): managed only once enrollment finished;
    /// an absent status says nothing, so the attribute is left out.
    func isManaged(_ device: ESETDevice) -> Bool? {
        switch profile {
        case .sekoia:
            return true
        case .ocsfStrict:
            guard let status = device.enrollmentStatus else { return nil }
            return status.uppercased() == "DEVICE_ENROLLMENT_STATUS_FINISHED"
        }
    }

    /// M17–M19, plus S02 (severity) and S08 (product vendor) for ocsf-strict.
    func eventEnvelope(device: OCSF.Device, time: OCSFTimestamp) -> DeviceInventoryInfo {
        let strict = profile == .ocsfStrict
        return DeviceInventoryInfo(
            activityID: 2,
            activityName: "Collect",
            categoryName: "Discovery",
            categoryUID: 5,
            className: "Device Inventory Info",
            classUID: 5001,
            typeName: "Device Inventory Info: Collect",
            typeUID: 500102,
            severityID: strict ? 1 : nil,
            severity: strict ? "Informational" : nil,
            time: time,
            metadata: Metadata(
                product: Product(name: "ESET EDR", vendorName: strict ? "ESET" : nil, version: "9.1.2500.0"),
                version: "1.5.0"),
            device: device
        )
    }
}
