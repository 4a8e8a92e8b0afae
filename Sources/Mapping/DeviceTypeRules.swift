import ESET

extension DeviceMapper {
    /// M05 (sekoia) or S05 (ocsf-strict): `device.type` and `device.type_id`.
    func deviceType(_ device: ESETDevice) -> (String, Int) {
        switch profile {
        case .sekoia: return publishedDeviceType(device)
        case .ocsfStrict: return strictDeviceType(device)
        }
    }

    /// M05: mobile first (JSON `true` only), then SERVER, then VIRTUAL anywhere in the
    /// upper-cased `deviceType`; everything else, NOTEBOOK and SMARTPHONE included, is Desktop.
    func publishedDeviceType(_ device: ESETDevice) -> (String, Int) {
        if device.isMobile { return ("Mobile", 5) }
        let type = device.deviceType?.uppercased() ?? ""
        if type.contains("SERVER") { return ("Server", 1) }
        if type.contains("VIRTUAL") { return ("Virtual", 6) }
        return ("Desktop", 2)
    }

    /// S05: every ESET `deviceType` to the OCSF type that expresses it. An unspecified or absent
    /// type is Mobile when `isMobile` is true, else Unknown. For Other (99) OCSF wants the source's
    /// own word in `type`, so printers say "Printer" and an unknown value is passed through.
    func strictDeviceType(_ device: ESETDevice) -> (String, Int) {
        var type = device.deviceType?.uppercased() ?? ""
        if type.hasPrefix("DEVICE_TYPE_") { type.removeFirst("DEVICE_TYPE_".count) }
        switch type {
        case "DESKTOP": return ("Desktop", 2)
        case "SERVER": return ("Server", 1)
        case "NOTEBOOK": return ("Laptop", 3)
        case "TABLET": return ("Tablet", 4)
        case "SMARTPHONE": return ("Mobile", 5)
        case "VIRTUAL_MACHINE": return ("Virtual", 6)
        case "IOT", "SMART_TV", "WEARABLE", "SMART_SPEAKER", "SECURITY_CAMERA": return ("IOT", 7)
        case "ROUTER": return ("Router", 12)
        case "PRINTER": return ("Printer", 99)
        case "GAMING_CONSOLE": return ("Gaming Console", 99)
        case "", "UNSPECIFIED": return device.isMobile ? ("Mobile", 5) : ("Unknown", 0)
        default: return (device.deviceType ?? "Other", 99)
        }
    }
}
