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
        if let deviceType = device.deviceType,
            let type = ASCIIText.withASCII(deviceType, { utf8 -> (String, Int) in
                if ASCIIText.contains(utf8, "SERVER", fold: ASCIIText.upper) { return ("Server", 1) }
                if ASCIIText.contains(utf8, "VIRTUAL", fold: ASCIIText.upper) { return ("Virtual", 6) }
                return ("Desktop", 2)
            })
        {
            return type
        }
        let type = device.deviceType?.uppercased() ?? ""
        if type.contains("SERVER") { return ("Server", 1) }
        if type.contains("VIRTUAL") { return ("Virtual", 6) }
        return ("Desktop", 2)
    }

    /// S05: every ESET `deviceType` to the OCSF type that expresses it. An unspecified or absent
    /// type is Mobile when `isMobile` is true, else Unknown. For Other (99) OCSF wants the source's
    /// own word in `type`, so printers say "Printer" and an unknown value is passed through.
    func strictDeviceType(_ device: ESETDevice) -> (String, Int) {
        if let deviceType = device.deviceType,
            let type = ASCIIText.withASCII(deviceType, { strictASCIIType($0, isMobile: device.isMobile) })
        {
            return type ?? (deviceType, 99)
        }
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

    /// `strictDeviceType` for an ASCII `deviceType`, compared bytewise; nil for a value the
    /// table does not know (the caller passes the original word through as Other).
    private func strictASCIIType(_ utf8: UnsafeBufferPointer<UInt8>, isMobile: Bool) -> (String, Int)? {
        let prefix: StaticString = "DEVICE_TYPE_"
        let start = ASCIIText.hasUppercasedPrefix(utf8, prefix) ? prefix.utf8CodeUnitCount : 0
        func named(_ name: StaticString) -> Bool { ASCIIText.equalsUppercased(utf8, from: start, name) }
        if named("DESKTOP") { return ("Desktop", 2) }
        if named("SERVER") { return ("Server", 1) }
        if named("NOTEBOOK") { return ("Laptop", 3) }
        if named("TABLET") { return ("Tablet", 4) }
        if named("SMARTPHONE") { return ("Mobile", 5) }
        if named("VIRTUAL_MACHINE") { return ("Virtual", 6) }
        if named("IOT") || named("SMART_TV") || named("WEARABLE") || named("SMART_SPEAKER") || named("SECURITY_CAMERA") {
            return ("IOT", 7)
        }
        if named("ROUTER") { return ("Router", 12) }
        if named("PRINTER") { return ("Printer", 99) }
        if named("GAMING_CONSOLE") { return ("Gaming Console", 99) }
        if named("") || named("UNSPECIFIED") { return isMobile ? ("Mobile", 5) : ("Unknown", 0) }
        return nil
    }
}
