/// The vocabulary synthetic devices are drawn from: real product names, models and OS
/// releases, so the fleet looks like an ESET PROTECT tenant and exercises realistic strings
/// (vendor punctuation, non-ASCII owner names, quotes and backslashes in descriptions).

/// One operating-system release as ESET reports it in `operatingSystem`.
struct OSRelease: Sendable {
    /// `nil` for firmware that reports only a version name (exercises the M07 fallback).
    let displayName: String?
    let versionName: String
    let versionId: String
    let major: Int
    let minor: Int
    let patch: Int
    /// ESET `editionId`: 0 unspecified, 1 server, 2 client, 3 mobile, 4 core.
    let editionId: Int
}

/// One hardware model: what ends up in `hardwareProfiles[]`.
struct HardwareModel: Sendable {
    let manufacturer: String
    let model: String
    let biosVendor: String
}

/// A piece of a hostname template.
enum NamePart: Sendable {
    case text(String)
    /// Upper-case letters and digits, like Windows' generated `DESKTOP-7QK2M9A` names.
    case randomAlphanumeric(Int)
    /// A zero-padded number in `1...max`.
    case number(width: Int, max: Int)
    /// A first name, often with non-ASCII letters, as personal devices are named after owners.
    case person
    /// A server role (`web`, `db`, …).
    case role
}

/// An ESET component as listed in `deployedComponents[]`.
struct Component: Sendable {
    let displayName: String
    let name: String
    let id: Int
    /// Candidate versions as (major, minor, patch, build).
    let versions: [(Int, Int, Int, Int)]
}

/// A kind of device: the unit of the fleet's distribution. Each kind fixes the OS family and
/// ESET device type; the other fields only add realism.
struct DeviceKind: Sendable {
    let label: String
    /// Relative frequency in random draws (the kinds' weights add up to about 1000).
    let weight: Int
    let familyId: Int
    let deviceType: String
    let isMobile: Bool
    let bitness: Int
    let hostnames: [[NamePart]]
    /// The prefix of `cloningConfiguration.cloneNamingPatterns`.
    let clonePattern: String
    let releases: [OSRelease]
    let hardware: [HardwareModel]
    /// Adapter captions, in the order an agent would list them.
    let adapters: [String]
    /// Unix-style agents report MACs in lower case.
    let lowercaseMac: Bool
    let components: [Component]
}

enum Catalogue {
    static let enrollmentStatuses = [
        "DEVICE_ENROLLMENT_STATUS_FINISHED", "DEVICE_ENROLLMENT_STATUS_PENDING",
        "DEVICE_ENROLLMENT_STATUS_FAILED", "DEVICE_ENROLLMENT_STATUS_UNSPECIFIED",
    ]

    static let functionalityStatuses = [
        "DEVICE_FUNCTIONALITY_STATUS_OK", "DEVICE_FUNCTIONALITY_STATUS_ATTENTION_RECOMMENDED",
        "DEVICE_FUNCTIONALITY_STATUS_ATTENTION_REQUIRED", "DEVICE_FUNCTIONALITY_STATUS_UNSPECIFIED",
    ]
    static let functionalityStatusWeights = WeightTable([80, 10, 6, 4])

    static let people = [
        "Marie", "Léa", "Jürgen", "Zoë", "Chloé", "José", "Søren", "Ana", "John", "Priya", "Kenji", "Olga",
        "Łukasz", "Aoife", "Mehmet", "Sven", "Ines", "Tomás",
    ]

    static let roles = ["web", "db", "file", "dc", "app", "mail", "backup", "proxy", "build", "print", "sql", "k8s"]

    static let tags = [
        "finance", "hr", "engineering", "vip", "kiosk", "lab", "remote", "pci-dss", "gdpr", "legacy", "pilot",
        "building-a", "building-b", "sales", "support", "c-level", "byod", "contractor", "tier-1", "patch-wave-2",
    ]

    /// Free-text descriptions, some with characters that must be escaped in JSON.
    static let descriptions = [
        "Finance workstation", "Reception desk", "Build agent for CI", "Kiosk – lobby",
        "Shared PC \"meeting room 2\"", "Scanner share \\\\fs01\\scans", "Lab PC (do not reimage)",
        "Salle de réunion – 3e étage", "Owner: Jürgen Groß", "Loaner laptop\nReturn to IT desk",
        "Hot-desk\tfloor 4", "Domain controller – primary", "Backup target, 30-day retention",
        "会議室のPC", "Replaced motherboard 2024-11", "Warehouse scanner station",
    ]

    static let managementDomains = [
        "eu.automation.eset.systems", "de.automation.eset.systems", "us.automation.eset.systems",
        "ca.automation.eset.systems", "jpn.automation.eset.systems",
    ]

    static let products: [(id: Int, name: String)] = [
        (10, "ESET PROTECT Entry"), (11, "ESET PROTECT Advanced"), (12, "ESET PROTECT Complete"),
        (13, "ESET PROTECT Elite"), (14, "ESET PROTECT Enterprise"),
    ]

    static let securityGroupNames = ["Default Security Group", "Finance Security Group", "Servers Security Group"]

    // MARK: Components

    static let endpointSecurity = Component(
        displayName: "ESET Endpoint Security", name: "ees", id: 1,
        versions: [(11, 1, 2039, 0), (11, 0, 2044, 0), (10, 1, 2063, 0)])
    static let endpointAntivirus = Component(
        displayName: "ESET Endpoint Antivirus", name: "eea", id: 1,
        versions: [(11, 1, 2039, 0), (10, 0, 2045, 0)])
    static let serverSecurityWindows = Component(
        displayName: "ESET Server Security for Microsoft Windows Server", name: "efsw", id: 3,
        versions: [(11, 0, 12012, 0), (10, 0, 12015, 0)])
    static let inspectConnector = Component(
        displayName: "ESET Inspect Connector", name: "ei", id: 5,
        versions: [(2, 3, 4224, 0), (2, 2, 4138, 0)])
    static let serverSecurityLinux = Component(
        displayName: "ESET Server Security for Linux", name: "efs", id: 4,
        versions: [(11, 0, 24, 0), (10, 2, 43, 0)])
    static let endpointAntivirusLinux = Component(
        displayName: "ESET Endpoint Antivirus for Linux", name: "eeau", id: 6,
        versions: [(11, 0, 3, 0), (10, 2, 6, 0)])
    static let endpointSecurityMac = Component(
        displayName: "ESET Endpoint Security for macOS", name: "eesm", id: 7,
        versions: [(8, 1, 6, 0), (7, 5, 74, 0)])
    static let endpointSecurityAndroid = Component(
        displayName: "ESET Endpoint Security for Android", name: "eesa", id: 8,
        versions: [(4, 3, 9, 0), (4, 2, 11, 0)])
    static let mobileDeviceManagement = Component(
        displayName: "ESET PROTECT MDM", name: "mdm", id: 9,
        versions: [(11, 1, 1009, 0)])

    // MARK: Operating systems

    static let windowsClients = [
        OSRelease(displayName: "Windows 10 Enterprise", versionName: "Windows 10", versionId: "10.0.19045", major: 10, minor: 0, patch: 19045, editionId: 2),
        OSRelease(displayName: "Windows 10 Pro", versionName: "Windows 10", versionId: "10.0.19045", major: 10, minor: 0, patch: 19045, editionId: 2),
        OSRelease(displayName: "Windows 11 Pro", versionName: "Windows 11", versionId: "10.0.22631", major: 10, minor: 0, patch: 22631, editionId: 2),
        OSRelease(displayName: "Windows 11 Enterprise", versionName: "Windows 11", versionId: "10.0.26100", major: 10, minor: 0, patch: 26100, editionId: 2),
    ]
    static let windowsServers = [
        OSRelease(displayName: "Windows Server 2022 Standard", versionName: "Windows Server 2022", versionId: "10.0.20348", major: 10, minor: 0, patch: 20348, editionId: 1),
        OSRelease(displayName: "Windows Server 2019 Datacenter", versionName: "Windows Server 2019", versionId: "10.0.17763", major: 10, minor: 0, patch: 17763, editionId: 1),
        OSRelease(displayName: "Windows Server 2016 Standard", versionName: "Windows Server 2016", versionId: "10.0.14393", major: 10, minor: 0, patch: 14393, editionId: 1),
        OSRelease(displayName: "Windows Server 2022 Datacenter (Server Core)", versionName: "Windows Server 2022", versionId: "10.0.20348", major: 10, minor: 0, patch: 20348, editionId: 4),
    ]
    static let linuxServers = [
        OSRelease(displayName: "Ubuntu 22.04.4 LTS", versionName: "Ubuntu", versionId: "22.04", major: 22, minor: 4, patch: 4, editionId: 1),
        OSRelease(displayName: "Red Hat Enterprise Linux 9.3 (Plow)", versionName: "Red Hat Enterprise Linux", versionId: "9.3", major: 9, minor: 3, patch: 0, editionId: 1),
        OSRelease(displayName: "Debian GNU/Linux 12 (bookworm)", versionName: "Debian GNU/Linux", versionId: "12", major: 12, minor: 5, patch: 0, editionId: 1),
        OSRelease(displayName: "Rocky Linux 9.4 (Blue Onyx)", versionName: "Rocky Linux", versionId: "9.4", major: 9, minor: 4, patch: 0, editionId: 4),
    ]
    static let linuxDesktops = [
        OSRelease(displayName: "Ubuntu 24.04 LTS", versionName: "Ubuntu", versionId: "24.04", major: 24, minor: 4, patch: 0, editionId: 2),
        OSRelease(displayName: "Fedora Linux 40 (Workstation Edition)", versionName: "Fedora Linux", versionId: "40", major: 40, minor: 0, patch: 0, editionId: 2),
    ]
    static let macOS = [
        OSRelease(displayName: "macOS Sonoma", versionName: "macOS", versionId: "14.5", major: 14, minor: 5, patch: 0, editionId: 2),
        OSRelease(displayName: "macOS Ventura", versionName: "macOS", versionId: "13.6.7", major: 13, minor: 6, patch: 7, editionId: 2),
        OSRelease(displayName: "macOS Sequoia", versionName: "macOS", versionId: "15.1", major: 15, minor: 1, patch: 0, editionId: 2),
    ]
    static let iOS = [
        OSRelease(displayName: "iOS 17.5.1", versionName: "iOS", versionId: "17.5.1", major: 17, minor: 5, patch: 1, editionId: 3),
        OSRelease(displayName: "iOS 18.1", versionName: "iOS", versionId: "18.1", major: 18, minor: 1, patch: 0, editionId: 3),
    ]
    static let iPadOS = [
        OSRelease(displayName: "iPadOS 17.4", versionName: "iPadOS", versionId: "17.4", major: 17, minor: 4, patch: 0, editionId: 3),
    ]
    static let android = [
        OSRelease(displayName: "Android 14", versionName: "Android", versionId: "14", major: 14, minor: 0, patch: 0, editionId: 3),
        OSRelease(displayName: "Android 13", versionName: "Android", versionId: "13", major: 13, minor: 0, patch: 0, editionId: 3),
        OSRelease(displayName: "Android 12", versionName: "Android", versionId: "12", major: 12, minor: 0, patch: 0, editionId: 3),
    ]

    // MARK: Hardware

    static let desktops = [
        HardwareModel(manufacturer: "Dell Inc.", model: "OptiPlex 7010", biosVendor: "Dell Inc."),
        HardwareModel(manufacturer: "HP", model: "HP EliteDesk 800 G6 Desktop Mini PC", biosVendor: "HP"),
        HardwareModel(manufacturer: "LENOVO", model: "11DT0038GE", biosVendor: "LENOVO"),
    ]
    static let notebooks = [
        HardwareModel(manufacturer: "Dell Inc.", model: "Latitude 5520", biosVendor: "Dell Inc."),
        HardwareModel(manufacturer: "LENOVO", model: "21AH00BXGE", biosVendor: "LENOVO"),
        HardwareModel(manufacturer: "HP", model: "HP EliteBook 840 G8 Notebook PC", biosVendor: "HP"),
        HardwareModel(manufacturer: "Microsoft Corporation", model: "Surface Laptop 5", biosVendor: "Microsoft Corporation"),
    ]
    static let tablets = [
        HardwareModel(manufacturer: "Microsoft Corporation", model: "Surface Pro 9", biosVendor: "Microsoft Corporation"),
    ]
    static let rackServers = [
        HardwareModel(manufacturer: "Dell Inc.", model: "PowerEdge R750", biosVendor: "Dell Inc."),
        HardwareModel(manufacturer: "HPE", model: "ProLiant DL380 Gen10", biosVendor: "HPE"),
        HardwareModel(manufacturer: "Supermicro", model: "SYS-1029P-WTR", biosVendor: "American Megatrends Inc."),
    ]
    static let virtualMachines = [
        HardwareModel(manufacturer: "VMware, Inc.", model: "VMware7,1", biosVendor: "VMware, Inc."),
        HardwareModel(manufacturer: "Microsoft Corporation", model: "Virtual Machine", biosVendor: "Microsoft Corporation"),
        HardwareModel(manufacturer: "QEMU", model: "Standard PC (Q35 + ICH9, 2009)", biosVendor: "SeaBIOS"),
        HardwareModel(manufacturer: "Amazon EC2", model: "t3.large", biosVendor: "Amazon EC2"),
    ]
    static let linuxWorkstations = [
        HardwareModel(manufacturer: "LENOVO", model: "30FM0065GE", biosVendor: "LENOVO"),
        HardwareModel(manufacturer: "Framework", model: "Laptop (13th Gen Intel Core)", biosVendor: "INSYDE Corp."),
    ]
    static let linuxNotebooks = [
        HardwareModel(manufacturer: "LENOVO", model: "21HMCTO1WW", biosVendor: "LENOVO"),
        HardwareModel(manufacturer: "Dell Inc.", model: "XPS 13 9310", biosVendor: "Dell Inc."),
    ]
    static let macNotebooks = [
        HardwareModel(manufacturer: "Apple Inc.", model: "MacBookPro18,3", biosVendor: "Apple Inc."),
        HardwareModel(manufacturer: "Apple Inc.", model: "MacBookAir10,1", biosVendor: "Apple Inc."),
        HardwareModel(manufacturer: "Apple Inc.", model: "Mac15,3", biosVendor: "Apple Inc."),
    ]
    static let macDesktops = [
        HardwareModel(manufacturer: "Apple Inc.", model: "Mac14,3", biosVendor: "Apple Inc."),
        HardwareModel(manufacturer: "Apple Inc.", model: "iMac21,1", biosVendor: "Apple Inc."),
    ]

    /// Phones and appliances: the vendor doubles as the BIOS vendor.
    private static func model(_ manufacturer: String, _ model: String) -> HardwareModel {
        HardwareModel(manufacturer: manufacturer, model: model, biosVendor: manufacturer)
    }

    private static func release(_ displayName: String?, _ versionName: String, _ id: String, _ major: Int, _ minor: Int, _ patch: Int, edition: Int = 0) -> OSRelease {
        OSRelease(displayName: displayName, versionName: versionName, versionId: id, major: major, minor: minor, patch: patch, editionId: edition)
    }

    // MARK: Kinds

    private static let windowsDesktopAdapters = [
        "Intel(R) Ethernet Connection (17) I219-LM", "Intel(R) Wi-Fi 6 AX201 160MHz",
        "Bluetooth Device (Personal Area Network)", "Realtek PCIe GbE Family Controller",
    ]
    private static let windowsNotebookAdapters = [
        "Intel(R) Wi-Fi 6E AX211 160MHz", "Intel(R) Ethernet Connection (13) I219-V",
        "Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64",
        "Bluetooth Device (Personal Area Network)",
    ]
    private static let windowsServerAdapters = [
        "Broadcom NetXtreme Gigabit Ethernet", "Broadcom NetXtreme Gigabit Ethernet #2",
        "Intel(R) Ethernet Controller X710 for 10GbE SFP+", "Microsoft Network Adapter Multiplexor Driver",
    ]

    /// Every kind of device in the fleet. Together the kinds cover every ESET `familyId`
    /// (0–7) and every `deviceType` value, with the weights of a typical business tenant:
    /// about three quarters Windows desktops, notebooks and servers.
    static let kinds: [DeviceKind] = [
        DeviceKind(
            label: "Windows desktop", weight: 380, familyId: 1, deviceType: "DEVICE_TYPE_DESKTOP", isMobile: false, bitness: 64,
            hostnames: [[.text("DESKTOP-"), .randomAlphanumeric(7)], [.text("WS-"), .randomAlphanumeric(3), .text("-"), .number(width: 3, max: 400)]],
            clonePattern: "DESKTOP-", releases: windowsClients, hardware: desktops, adapters: windowsDesktopAdapters,
            lowercaseMac: false, components: [endpointSecurity, inspectConnector]),
        DeviceKind(
            label: "Windows notebook", weight: 260, familyId: 1, deviceType: "DEVICE_TYPE_NOTEBOOK", isMobile: false, bitness: 64,
            hostnames: [[.text("LAPTOP-"), .randomAlphanumeric(7)], [.text("NB-"), .number(width: 4, max: 2000)]],
            clonePattern: "LAPTOP-", releases: windowsClients, hardware: notebooks, adapters: windowsNotebookAdapters,
            lowercaseMac: false, components: [endpointSecurity]),
        DeviceKind(
            label: "Windows tablet", weight: 5, familyId: 1, deviceType: "DEVICE_TYPE_TABLET", isMobile: false, bitness: 64,
            hostnames: [[.text("TABLET-"), .randomAlphanumeric(7)]],
            clonePattern: "TABLET-", releases: windowsClients, hardware: tablets, adapters: ["Marvell AVASTAR Wireless-AC Network Controller", "Surface Ethernet Adapter"],
            lowercaseMac: false, components: [endpointAntivirus]),
        DeviceKind(
            label: "Windows server", weight: 50, familyId: 1, deviceType: "DEVICE_TYPE_SERVER", isMobile: false, bitness: 64,
            hostnames: [[.text("SRV-"), .role, .text("-"), .number(width: 2, max: 40)], [.text("WIN-"), .randomAlphanumeric(11)]],
            clonePattern: "SRV-", releases: windowsServers, hardware: rackServers, adapters: windowsServerAdapters,
            lowercaseMac: false, components: [serverSecurityWindows, inspectConnector]),
        DeviceKind(
            label: "Windows virtual machine", weight: 40, familyId: 1, deviceType: "DEVICE_TYPE_VIRTUAL_MACHINE", isMobile: false, bitness: 64,
            hostnames: [[.text("VDI-"), .randomAlphanumeric(5)], [.text("VM-"), .role, .text("-"), .number(width: 2, max: 60)]],
            clonePattern: "VDI-", releases: windowsClients + windowsServers, hardware: virtualMachines,
            adapters: ["vmxnet3 Ethernet Adapter", "Microsoft Hyper-V Network Adapter", "Microsoft Hyper-V Network Adapter #2"],
            lowercaseMac: false, components: [endpointSecurity]),
        DeviceKind(
            label: "Linux server", weight: 55, familyId: 2, deviceType: "DEVICE_TYPE_SERVER", isMobile: false, bitness: 64,
            hostnames: [[.role, .text("-"), .number(width: 2, max: 30), .text(".prod.internal")], [.text("lnx-"), .role, .number(width: 2, max: 30)]],
            clonePattern: "lnx-", releases: linuxServers, hardware: rackServers, adapters: ["eno1", "eno2", "ens1f0", "docker0"],
            lowercaseMac: true, components: [serverSecurityLinux]),
        DeviceKind(
            label: "Linux virtual machine", weight: 30, familyId: 2, deviceType: "DEVICE_TYPE_VIRTUAL_MACHINE", isMobile: false, bitness: 64,
            hostnames: [[.text("ip-10-"), .number(width: 1, max: 9), .text("-"), .number(width: 2, max: 99), .text("-"), .number(width: 2, max: 99)], [.role, .text("-vm-"), .number(width: 2, max: 50)]],
            clonePattern: "ip-", releases: linuxServers, hardware: virtualMachines, adapters: ["ens192", "eth0", "ens5", "virbr0"],
            lowercaseMac: true, components: [serverSecurityLinux]),
        DeviceKind(
            label: "Linux desktop", weight: 15, familyId: 2, deviceType: "DEVICE_TYPE_DESKTOP", isMobile: false, bitness: 64,
            hostnames: [[.text("lnx-dev-"), .number(width: 3, max: 200)]],
            clonePattern: "lnx-dev-", releases: linuxDesktops, hardware: linuxWorkstations, adapters: ["enp0s31f6", "wlp0s20f3", "docker0"],
            lowercaseMac: true, components: [endpointAntivirusLinux]),
        DeviceKind(
            label: "Linux notebook", weight: 8, familyId: 2, deviceType: "DEVICE_TYPE_NOTEBOOK", isMobile: false, bitness: 64,
            hostnames: [[.person, .text("-thinkpad")], [.text("dev-laptop-"), .number(width: 2, max: 80)]],
            clonePattern: "dev-laptop-", releases: linuxDesktops, hardware: linuxNotebooks, adapters: ["wlp0s20f3", "enx00e04c680001"],
            lowercaseMac: true, components: [endpointAntivirusLinux]),
        DeviceKind(
            label: "Mac notebook", weight: 45, familyId: 3, deviceType: "DEVICE_TYPE_NOTEBOOK", isMobile: false, bitness: 64,
            hostnames: [[.person, .text("’s MacBook Pro")], [.text("MacBook-Air-de-"), .person]],
            clonePattern: "MacBook-", releases: macOS, hardware: macNotebooks, adapters: ["Wi-Fi", "Thunderbolt Bridge", "USB 10/100/1000 LAN"],
            lowercaseMac: true, components: [endpointSecurityMac]),
        DeviceKind(
            label: "Mac desktop", weight: 10, familyId: 3, deviceType: "DEVICE_TYPE_DESKTOP", isMobile: false, bitness: 64,
            hostnames: [[.text("iMac de "), .person], [.text("Mac-mini-"), .number(width: 2, max: 40)]],
            clonePattern: "Mac-mini-", releases: macOS, hardware: macDesktops, adapters: ["Ethernet", "Wi-Fi"],
            lowercaseMac: true, components: [endpointSecurityMac]),
        DeviceKind(
            label: "iPhone", weight: 15, familyId: 3, deviceType: "DEVICE_TYPE_SMARTPHONE", isMobile: true, bitness: 64,
            hostnames: [[.text("iPhone de "), .person], [.person, .text("’s iPhone")]],
            clonePattern: "iPhone", releases: iOS, hardware: [model("Apple Inc.", "iPhone15,2"), model("Apple Inc.", "iPhone14,5")], adapters: ["Wi-Fi"],
            lowercaseMac: true, components: [mobileDeviceManagement]),
        DeviceKind(
            label: "iPad", weight: 5, familyId: 3, deviceType: "DEVICE_TYPE_TABLET", isMobile: true, bitness: 64,
            hostnames: [[.text("iPad de "), .person]],
            clonePattern: "iPad", releases: iPadOS, hardware: [model("Apple Inc.", "iPad13,18")], adapters: ["Wi-Fi"],
            lowercaseMac: true, components: [mobileDeviceManagement]),
        DeviceKind(
            label: "Android phone", weight: 30, familyId: 4, deviceType: "DEVICE_TYPE_SMARTPHONE", isMobile: true, bitness: 64,
            hostnames: [[.text("Galaxy S23 ("), .person, .text(")")], [.text("Pixel 8 "), .person]],
            clonePattern: "Galaxy", releases: android, hardware: [model("samsung", "SM-S911B"), model("Google", "Pixel 8"), model("Xiaomi", "2201117TG")],
            adapters: ["wlan0"], lowercaseMac: true, components: [endpointSecurityAndroid]),
        DeviceKind(
            label: "Android tablet", weight: 8, familyId: 4, deviceType: "DEVICE_TYPE_TABLET", isMobile: true, bitness: 64,
            hostnames: [[.text("Galaxy Tab A8 "), .number(width: 2, max: 30)]],
            clonePattern: "Galaxy Tab", releases: android, hardware: [model("samsung", "SM-X200")], adapters: ["wlan0"],
            lowercaseMac: true, components: [endpointSecurityAndroid]),
        DeviceKind(
            label: "Android TV", weight: 2, familyId: 4, deviceType: "DEVICE_TYPE_SMART_TV", isMobile: false, bitness: 32,
            hostnames: [[.text("BRAVIA-MR-"), .number(width: 2, max: 12)]],
            clonePattern: "BRAVIA", releases: [release("Android TV 12", "Android", "12", 12, 0, 0, edition: 3)],
            hardware: [model("Sony", "BRAVIA 4K UR3")], adapters: ["eth0", "wlan0"],
            lowercaseMac: true, components: [endpointSecurityAndroid]),
        DeviceKind(
            label: "Wear OS watch", weight: 2, familyId: 4, deviceType: "DEVICE_TYPE_WEARABLE", isMobile: true, bitness: 32,
            hostnames: [[.text("Galaxy Watch6 ("), .person, .text(")")]],
            clonePattern: "Galaxy Watch", releases: [release("Wear OS 4", "Wear OS", "4", 4, 0, 0, edition: 3)],
            hardware: [model("samsung", "SM-R930")], adapters: ["wlan0"], lowercaseMac: true, components: [endpointSecurityAndroid]),
        DeviceKind(
            label: "Windows mobile phone", weight: 2, familyId: 5, deviceType: "DEVICE_TYPE_SMARTPHONE", isMobile: true, bitness: 32,
            hostnames: [[.text("Lumia950-"), .randomAlphanumeric(4)]],
            clonePattern: "Lumia", releases: [release("Windows 10 Mobile", "Windows 10 Mobile", "10.0.15254", 10, 0, 15254, edition: 3)],
            hardware: [model("Microsoft", "Lumia 950")], adapters: ["Wi-Fi"], lowercaseMac: false, components: [mobileDeviceManagement]),
        DeviceKind(
            label: "Symbian phone", weight: 1, familyId: 6, deviceType: "DEVICE_TYPE_SMARTPHONE", isMobile: true, bitness: 32,
            hostnames: [[.text("Nokia 808 PureView")]],
            clonePattern: "Nokia", releases: [release("Nokia Belle Feature Pack 1", "Symbian", "10.1", 10, 1, 0, edition: 3)],
            hardware: [model("Nokia", "808 PureView")], adapters: ["WLAN"], lowercaseMac: false, components: []),
        DeviceKind(
            label: "FreeBSD server", weight: 6, familyId: 7, deviceType: "DEVICE_TYPE_SERVER", isMobile: false, bitness: 64,
            hostnames: [[.role, .text("-"), .number(width: 2, max: 10), .text(".bsd.internal")]],
            clonePattern: "bsd-", releases: [release("FreeBSD 14.0-RELEASE", "FreeBSD", "14.0", 14, 0, 0, edition: 1), release("FreeBSD 13.3-RELEASE-p1", "FreeBSD", "13.3", 13, 3, 1, edition: 1)],
            hardware: rackServers, adapters: ["igb0", "igb1", "em0", "lo0"], lowercaseMac: true, components: [serverSecurityLinux]),
        DeviceKind(
            label: "pfSense router", weight: 4, familyId: 7, deviceType: "DEVICE_TYPE_ROUTER", isMobile: false, bitness: 64,
            hostnames: [[.text("fw-"), .number(width: 2, max: 8), .text(".edge")]],
            clonePattern: "fw-", releases: [release("pfSense Plus 24.03-RELEASE", "FreeBSD", "15.0", 15, 0, 0, edition: 4)],
            hardware: [model("Netgate", "Netgate 6100")], adapters: ["ix0", "ix1", "igc0", "igc1"],
            lowercaseMac: true, components: []),
        DeviceKind(
            label: "IoT board", weight: 4, familyId: 0, deviceType: "DEVICE_TYPE_IOT", isMobile: false, bitness: 64,
            hostnames: [[.text("raspberrypi-"), .number(width: 2, max: 40)]],
            clonePattern: "raspberrypi", releases: [release(nil, "Raspberry Pi OS", "12", 12, 0, 0)],
            hardware: [model("Raspberry Pi Foundation", "Raspberry Pi 4 Model B Rev 1.5")], adapters: ["eth0", "wlan0"],
            lowercaseMac: true, components: []),
        DeviceKind(
            label: "Printer", weight: 3, familyId: 0, deviceType: "DEVICE_TYPE_PRINTER", isMobile: false, bitness: 32,
            hostnames: [[.text("NPI"), .randomAlphanumeric(6)]],
            clonePattern: "NPI", releases: [release("HP FutureSmart 5", "FutureSmart", "5.7", 5, 7, 0)],
            hardware: [model("HP", "HP LaserJet Pro M404dn")], adapters: ["HP Jetdirect"], lowercaseMac: false, components: []),
        DeviceKind(
            label: "Security camera", weight: 2, familyId: 0, deviceType: "DEVICE_TYPE_SECURITY_CAMERA", isMobile: false, bitness: 32,
            hostnames: [[.text("axis-"), .randomAlphanumeric(6)]],
            clonePattern: "axis-", releases: [release(nil, "AXIS OS", "11.9.60", 11, 9, 60)],
            hardware: [model("Axis Communications AB", "AXIS P3265-LVE")], adapters: ["eth0"], lowercaseMac: true, components: []),
        DeviceKind(
            label: "Smart speaker", weight: 1, familyId: 0, deviceType: "DEVICE_TYPE_SMART_SPEAKER", isMobile: false, bitness: 32,
            hostnames: [[.text("Sonos-"), .randomAlphanumeric(6)]],
            clonePattern: "Sonos", releases: [release("Sonos S2", "Sonos", "16.1", 16, 1, 0)],
            hardware: [model("Sonos, Inc.", "One SL")], adapters: ["wlan0"], lowercaseMac: true, components: []),
        DeviceKind(
            label: "Gaming console", weight: 1, familyId: 0, deviceType: "DEVICE_TYPE_GAMING_CONSOLE", isMobile: false, bitness: 64,
            hostnames: [[.text("XBOX-"), .randomAlphanumeric(6)]],
            clonePattern: "XBOX", releases: [release("Xbox OS", "Xbox", "10.0.25398", 10, 0, 25398)],
            hardware: [model("Microsoft Corporation", "Xbox Series X")], adapters: ["Ethernet", "Wi-Fi"], lowercaseMac: false, components: []),
        DeviceKind(
            label: "Network appliance", weight: 2, familyId: 0, deviceType: "DEVICE_TYPE_ROUTER", isMobile: false, bitness: 64,
            hostnames: [[.text("MikroTik-"), .number(width: 2, max: 12)]],
            clonePattern: "MikroTik", releases: [release("RouterOS 7.14", "RouterOS", "7.14", 7, 14, 0)],
            hardware: [model("MikroTik", "RB5009UG+S+")], adapters: ["ether1", "ether2", "sfp-sfpplus1", "bridge"], lowercaseMac: false, components: []),
        DeviceKind(
            label: "Unidentified device", weight: 3, familyId: 0, deviceType: "DEVICE_TYPE_UNSPECIFIED", isMobile: false, bitness: 64,
            hostnames: [[.text("UNKNOWN-"), .randomAlphanumeric(6)]],
            clonePattern: "UNKNOWN-", releases: [release(nil, "Unknown", "0.0", 0, 0, 0)],
            hardware: [model("To Be Filled By O.E.M.", "To Be Filled By O.E.M.")], adapters: ["Ethernet"], lowercaseMac: false, components: []),
    ]

    static let kindWeights = WeightTable(kinds.map(\.weight))
}
