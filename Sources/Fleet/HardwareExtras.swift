/// `processors` and `hardDrives` of a hardware profile (spec-valid fleets only), chosen by the
/// device kind the way agents report them: x64 PCs and servers, Apple silicon and ARM phones,
/// 32-bit ARM appliances, SSDs in clients, disks in servers, virtual disks in VMs.
enum HardwareExtras {
    static func architecture(kind: DeviceKind, random: inout SplitMix64) -> String? {
        switch (kind.familyId, kind.deviceType) {
        case (0, "DEVICE_TYPE_UNSPECIFIED"): return "CPU_ARCHITECTURE_UNSPECIFIED"
        case (1, "DEVICE_TYPE_TABLET"), (0, "DEVICE_TYPE_PRINTER"): return "CPU_ARCHITECTURE_X86"
        case (3, "DEVICE_TYPE_NOTEBOOK"), (3, "DEVICE_TYPE_DESKTOP"): return random.percent(70) ? "CPU_ARCHITECTURE_ARM64" : "CPU_ARCHITECTURE_X64"
        case (0, "DEVICE_TYPE_IOT"): return "CPU_ARCHITECTURE_ARM64"
        case (1, _), (7, _), (0, "DEVICE_TYPE_GAMING_CONSOLE"), (0, "DEVICE_TYPE_ROUTER"): return "CPU_ARCHITECTURE_X64"
        case (2, _): return random.percent(15) ? "CPU_ARCHITECTURE_ARM64" : "CPU_ARCHITECTURE_X64"
        default: return kind.bitness == 32 ? "CPU_ARCHITECTURE_ARM32" : "CPU_ARCHITECTURE_ARM64"
        }
    }

    private static func processorName(_ architecture: String, kind: DeviceKind, random: inout SplitMix64) -> (caption: String, manufacturer: String)? {
        switch architecture {
        case "CPU_ARCHITECTURE_X64":
            if kind.deviceType == "DEVICE_TYPE_SERVER" {
                return random.element(of: [("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "GenuineIntel"), ("AMD EPYC 7313 16-Core Processor", "AuthenticAMD")])
            }
            return random.element(of: [("11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz", "GenuineIntel"),
                                       ("13th Gen Intel(R) Core(TM) i5-1345U", "GenuineIntel"),
                                       ("AMD Ryzen 7 PRO 5850U with Radeon Graphics", "AuthenticAMD")])
        case "CPU_ARCHITECTURE_X86": return ("Intel(R) Atom(TM) CPU Z3735F @ 1.33GHz", "GenuineIntel")
        case "CPU_ARCHITECTURE_ARM64":
            if kind.familyId == 3 { return random.element(of: [("Apple M2", "Apple"), ("Apple M3 Pro", "Apple"), ("Apple A16 Bionic", "Apple")]) }
            return random.element(of: [("Qualcomm Snapdragon 8 Gen 2", "Qualcomm"), ("Broadcom BCM2711 (Cortex-A72)", "Broadcom")])
        case "CPU_ARCHITECTURE_ARM32": return ("ARMv7 Processor rev 5 (v7l)", "ARM")
        default: return nil
        }
    }

    static func writeProcessors(kind: DeviceKind, random: inout SplitMix64, to writer: inout FixtureWriter) {
        guard let architecture = architecture(kind: kind, random: &random) else { return }
        writer.key("processors")
        writer.beginArray()
        writer.beginObject()
        writer.field("architecture", architecture)
        if let name = processorName(architecture, kind: kind, random: &random) {
            writer.field("caption", name.caption)
            writer.field("manufacturer", name.manufacturer)
        }
        writer.endObject()
        writer.endArray()
    }

    private static let ssds: [(name: String, maker: String, bytes: UInt64)] = [
        ("Samsung SSD 980 PRO 1TB", "Samsung", 1_000_204_886_016), ("KXG60ZNV512G KIOXIA", "KIOXIA", 512_110_190_592),
        ("WDC PC SN730 SDBQNTY-512G", "Western Digital", 512_110_190_592), ("APPLE SSD AP0512Z", "Apple", 500_277_792_768),
    ]
    private static let disks: [(name: String, maker: String, bytes: UInt64)] = [
        ("ST4000NM0035-1V4107", "Seagate", 4_000_787_030_016), ("WDC WD40EFRX-68N32N0", "Western Digital", 4_000_787_030_016),
    ]

    static func writeHardDrives(kind: DeviceKind, random: inout SplitMix64, to writer: inout FixtureWriter) {
        var drives: [(type: String, drive: (name: String, maker: String, bytes: UInt64)?)] = []
        switch kind.deviceType {
        case "DEVICE_TYPE_SERVER": drives = [("DRIVE_TYPE_SSD", random.element(of: ssds)), ("DRIVE_TYPE_HDD", random.element(of: disks))]
        case "DEVICE_TYPE_VIRTUAL_MACHINE": drives = [("DRIVE_TYPE_UNSPECIFIED", ("Virtual disk", "", 137_438_953_472))]
        case "DEVICE_TYPE_DESKTOP":
            drives = [("DRIVE_TYPE_SSD", random.element(of: ssds))]
            if random.percent(15) { drives.append(("DRIVE_TYPE_OPTICAL", nil)) }
        case "DEVICE_TYPE_NOTEBOOK", "DEVICE_TYPE_TABLET": drives = [("DRIVE_TYPE_SSD", random.element(of: ssds))]
        default: return
        }
        writer.key("hardDrives")
        writer.beginArray()
        for (type, drive) in drives {
            writer.beginObject()
            if let drive {
                writer.field("capacityBytes", String(drive.bytes))
                writer.field("displayName", drive.name)
                if !drive.maker.isEmpty { writer.field("manufacturerName", drive.maker) }
            } else {
                writer.field("displayName", "HL-DT-ST DVD+-RW GUD1N")
                writer.field("manufacturerName", "Hitachi-LG Data Storage")
            }
            writer.field("driveType", type)
            writer.field("hardwareEncryptionSupported", type == "DRIVE_TYPE_SSD" && random.percent(60))
            writer.endObject()
        }
        writer.endArray()
    }
}
