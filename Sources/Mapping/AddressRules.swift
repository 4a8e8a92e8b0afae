import ESET
import OCSF

#if canImport(Glibc)
import Glibc
#endif

extension DeviceMapper {
    /// S10 (ocsf-strict): an IP address or MAC that OCSF 1.5.0 would reject (`ip_t`, `mac_t`:
    /// length and pattern) counts as absent, with a warning, so the event stays valid. The
    /// published table copies them as they are.
    func withUsableAddresses(_ device: ESETDevice, warnings: inout [MappingWarning]) -> ESETDevice {
        var device = device
        func check(_ value: String?, field: String, isValid: (String) -> Bool) -> String? {
            guard let value else { return nil }
            if isValid(value) { return value }
            warnings.append(MappingWarning(deviceUID: device.uuid, field: field, message: "\(value.debugDescription) is not a valid OCSF \(field.hasSuffix("macAddress") ? "mac_t" : "ip_t"); left out (ocsf-strict)"))
            return nil
        }
        device.primaryLocalIPAddress = check(device.primaryLocalIPAddress, field: "primaryLocalIpAddress", isValid: Self.isOCSFIPAddress)
        device.publicIPAddress = check(device.publicIPAddress, field: "publicIpAddress", isValid: Self.isOCSFIPAddress)
        for profileIndex in device.hardwareProfiles.indices {
            guard var profile = device.hardwareProfiles[profileIndex] else { continue }
            for adapterIndex in profile.networkAdapters.indices {
                profile.networkAdapters[adapterIndex].macAddress = check(
                    profile.networkAdapters[adapterIndex].macAddress,
                    field: "hardwareProfiles[\(profileIndex)].networkAdapters[\(adapterIndex)].macAddress", isValid: Self.isOCSFMAC)
            }
            device.hardwareProfiles[profileIndex] = profile
        }
        return device
    }

    /// The validator whose judgement S10 follows, built once (it compiles the schema's patterns).
    static let addressValidator = OCSFValidator()

    /// `ip_t`: what the kernel parses as IPv4 or IPv6 is certainly valid (the quick answer for
    /// nearly every address); anything else is judged by the schema's own pattern.
    static func isOCSFIPAddress(_ text: String) -> Bool {
        if text.utf8.count <= 40 {
            var buffer = in6_addr()
            if inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1 { return true }
        }
        return addressValidator.accepts(text, asType: "ip_t")
    }

    /// `mac_t`: `^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$`, checked by hand.
    static func isOCSFMAC(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 17 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index % 3 == 2 {
                guard byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
                guard isHex else { return false }
            }
        }
        return true
    }
}
