import ESET
import OCSF

extension DeviceMapper {
    /// M06/M07 (sekoia) or S03/S04/S09 (ocsf-strict). `device.os` exists exactly when
    /// `operatingSystem` does (even `{}`), and then always has `type` and `type_id`.
    func operatingSystem(_ device: ESETDevice) -> OCSF.OperatingSystem? {
        guard let system = device.operatingSystem else { return nil }
        let name = system.displayName ?? system.versionName  // M07
        switch profile {
        case .sekoia:
            let (type, typeID) = publishedOSType(familyID: system.familyID)
            return OperatingSystem(name: name, type: type, typeID: typeID)
        case .ocsfStrict:
            let (type, typeID) = strictOSType(system, isMobile: device.isMobile)
            // S09: OCSF requires `os.name`; the caption is the most honest name we have.
            return OperatingSystem(name: name ?? type, type: type, typeID: typeID)
        }
    }

    /// M06 as published: 1 windows, 2 macos, 3 linux, 4 android, 5 ios, absent unknown, anything
    /// else (0 included) other.
    func publishedOSType(familyID: Int64?) -> (String, Int) {
        guard let familyID else { return ("unknown", 0) }
        switch familyID {
        case 1: return ("windows", 100)
        case 2: return ("macos", 300)
        case 3: return ("linux", 200)
        case 4: return ("android", 201)
        case 5: return ("ios", 301)
        default: return ("other", 99)
        }
    }

    /// S03/S04: ESET's own family table with OCSF captions. Apple (3) is iOS when the device is
    /// mobile or its edition is "mobile" (3), macOS otherwise. For Other (99) OCSF wants the
    /// source's own word in `type`: ESET's family name, or the number when ESET adds one.
    func strictOSType(_ system: ESETOperatingSystem, isMobile: Bool) -> (String, Int) {
        switch system.familyID {
        case nil, 0?: return ("Unknown", 0)
        case 1?: return ("Windows", 100)
        case 2?: return ("Linux", 200)
        case 3?: return (isMobile || system.editionID == 3) ? ("iOS", 301) : ("macOS", 300)
        case 4?: return ("Android", 201)
        case 5?: return ("Windows Mobile", 101)
        case 6?: return ("Symbian", 99)
        case 7?: return ("UNIX", 99)
        case let family?: return ("ESET family \(family)", 99)
        }
    }
}
