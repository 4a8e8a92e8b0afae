import ESET
import OCSF

extension DeviceMapper {
    /// M08 `device.ip` copies `primaryLocalIpAddress` (see `map`); M09 builds the interfaces:
    /// the primary address first (carrying the hostname), then every adapter with a MAC across
    /// all hardware profiles (the first one enriching the primary interface), then the public
    /// address when it differs from the primary one.
    func networkInterfaces(_ device: ESETDevice, hostname: String) -> [NetworkInterface] {
        var interfaces: [NetworkInterface] = []
        let strict = profile == .ocsfStrict
        if let ip = device.primaryLocalIPAddress {
            // S06: without an adapter nothing says the primary interface is wired.
            interfaces.append(NetworkInterface(ip: ip, hostname: hostname, type: strict ? "Unknown" : "Wired", typeID: strict ? 0 : 1))
        }
        var primaryTakesNextAdapter = !interfaces.isEmpty
        for profile in device.hardwareProfiles {
            guard let profile else { continue }
            for adapter in profile.networkAdapters {
                guard let mac = adapter.macAddress else { continue }
                let (type, typeID) = strict ? strictInterfaceType(caption: adapter.caption) : ("Wired", 1)
                if primaryTakesNextAdapter {
                    primaryTakesNextAdapter = false
                    interfaces[0].mac = mac
                    interfaces[0].name = adapter.caption
                    if strict {
                        interfaces[0].type = type
                        interfaces[0].typeID = typeID
                    }
                } else {
                    interfaces.append(NetworkInterface(mac: mac, name: adapter.caption, type: type, typeID: typeID))
                }
            }
        }
        if let publicIP = device.publicIPAddress, publicIP != device.primaryLocalIPAddress {
            interfaces.append(NetworkInterface(ip: publicIP, type: "Unknown", typeID: 0))
        }
        return interfaces
    }

    /// S06: an adapter whose caption names a radio is wireless; any other known adapter is wired.
    func strictInterfaceType(caption: String?) -> (String, Int) {
        let words = caption?.lowercased() ?? ""
        let wireless = ["wireless", "wi-fi", "wifi", "wlan", "802.11", "bluetooth"]
        if wireless.contains(where: { words.contains($0) }) { return ("Wireless", 2) }
        return ("Wired", 1)
    }
}
