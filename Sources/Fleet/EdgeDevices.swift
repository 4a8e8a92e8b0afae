extension DefaultFleet {
    private static func edge(_ number: Int, _ purpose: String, _ json: String) -> EdgeDevice {
        EdgeDevice(uuid: edgeDeviceUuid(number), purpose: purpose, json: json)
    }

    /// The uuid of edge device `number` (1-based), recognisable in logs: `e0000000-…-0000000000NN`.
    package static func edgeDeviceUuid(_ number: Int) -> String {
        let digits = String(number)
        return "e0000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// Hand-written devices for the cases the mapping contract pins down, each still mappable
    /// (every one has a uuid). They follow the seed device in `devices.json`, in this order.
    /// Times are in May 2025 like the rest of the fleet; expected values are for the default
    /// `sekoia` profile.
    package static let edgeDevices: [EdgeDevice] = [
        edge(1, #"familyId as a digit string "3" (G3: int64 fields may arrive as strings) → os macos/300; other int64 fields as strings too; lastSyncTime with a one-digit fraction and a +02:00 offset → 1747752312.5"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(1))",
          "displayName": "MacBook-Pro-de-Chloé",
          "originalDisplayName": "MacBook-Pro-de-Chloé",
          "deviceType": "DEVICE_TYPE_NOTEBOOK",
          "enrollmentStatus": "DEVICE_ENROLLMENT_STATUS_FINISHED",
          "functionalityStatus": "DEVICE_FUNCTIONALITY_STATUS_ATTENTION_RECOMMENDED",
          "functionalityProblemCount": "3",
          "isMobile": false,
          "lastSyncTime": "2025-05-20T16:45:12.5+02:00",
          "primaryLocalIpAddress": "192.168.10.23",
          "publicIpAddress": "198.51.100.23",
          "parentGroupUuid": "\#(groupUuid(named: "Mac computers"))",
          "operatingSystem": {
            "bitness": "64",
            "displayName": "macOS Sonoma",
            "editionId": "2",
            "familyId": "3",
            "version": {
              "id": "14.5",
              "major": "14",
              "minor": "5",
              "name": "macOS",
              "patch": "0"
            }
          },
          "hardwareProfiles": [
            {
              "manufacturer": "Apple Inc.",
              "model": "MacBookPro18,3",
              "networkAdapters": [
                {
                  "caption": "Wi-Fi",
                  "macAddress": "3c:22:fb:12:34:56"
                }
              ]
            }
          ]
        }
        """#),
        edge(2, #"isMobile is the string "true", not JSON true (M05 counts only JSON true) → Desktop/2 although deviceType is a smartphone"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(2))",
          "displayName": "Galaxy A54 (Ana)",
          "deviceType": "DEVICE_TYPE_SMARTPHONE",
          "isMobile": "true",
          "lastSyncTime": "2025-05-21T07:12:44.318Z",
          "primaryLocalIpAddress": "10.20.30.40",
          "parentGroupUuid": "\#(groupUuid(named: "Mobile devices"))",
          "operatingSystem": {
            "displayName": "Android 14",
            "familyId": 4
          }
        }
        """#),
        edge(3, #"displayName is "" (G1: absent) → hostname from originalDisplayName "WS-RECEPTION-01", no device.name"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(3))",
          "displayName": "",
          "originalDisplayName": "WS-RECEPTION-01",
          "description": "Reception desk",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "isMobile": false,
          "lastSyncTime": "2025-05-19T09:00:00Z",
          "primaryLocalIpAddress": "10.1.0.15",
          "publicIpAddress": "203.0.113.15",
          "parentGroupUuid": "\#(groupUuid(named: "Windows computers"))",
          "operatingSystem": {
            "displayName": "Windows 11 Pro",
            "familyId": 1
          }
        }
        """#),
        edge(4, #"operatingSystem is {} → device.os is still written, with type unknown/0 and no name (pinned M06/M07)"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(4))",
          "displayName": "KIOSK-LOBBY-2",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "lastSyncTime": "2025-05-18T22:10:05.25Z",
          "primaryLocalIpAddress": "10.1.0.77",
          "parentGroupUuid": "\#(groupUuid(named: "Lost & found"))",
          "operatingSystem": {}
        }
        """#),
        edge(5, #"lastSyncTime with 9 fraction digits (proto3 nanoseconds) → last_seen_time 1747728930.123456, digits past the microsecond cut"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(5))",
          "displayName": "SRV-SQL-07",
          "deviceType": "DEVICE_TYPE_SERVER",
          "isMobile": false,
          "lastSyncTime": "2025-05-20T08:15:30.123456789Z",
          "primaryLocalIpAddress": "10.0.5.7",
          "publicIpAddress": "203.0.113.70",
          "parentGroupUuid": "\#(groupUuid(named: "Servers"))",
          "operatingSystem": {
            "displayName": "Windows Server 2022 Standard",
            "editionId": 1,
            "familyId": 1
          }
        }
        """#),
        edge(6, #"publicIpAddress is null (G1: absent) → a single network interface, from the primary IP and the adapter's MAC"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(6))",
          "displayName": "LAPTOP-NULLPUB",
          "deviceType": "DEVICE_TYPE_NOTEBOOK",
          "isMobile": false,
          "lastSyncTime": "2025-05-21T06:00:00.000001Z",
          "primaryLocalIpAddress": "192.168.1.50",
          "publicIpAddress": null,
          "parentGroupUuid": "\#(groupUuid(named: "Windows computers"))",
          "operatingSystem": {
            "displayName": "Windows 10 Enterprise",
            "familyId": 1
          },
          "hardwareProfiles": [
            {
              "manufacturer": "LENOVO",
              "model": "21AH00BXGE",
              "networkAdapters": [
                {
                  "caption": "Intel(R) Wi-Fi 6E AX211 160MHz",
                  "macAddress": "F4:B3:01:AA:BB:CC",
                  "malformedData": null
                }
              ]
            }
          ]
        }
        """#),
        edge(7, #"escaped and non-ASCII text: displayName decodes to Café "Zoë" \ 東京 😀, a tab, PC (\u escapes, a surrogate pair, an escaped quote and backslash, a tab escape); originalDisplayName is raw UTF-8"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(7))",
          "displayName": "Caf\u00e9 \"Zo\u00eb\" \\ \u6771\u4eac \ud83d\ude00\tPC",
          "originalDisplayName": "Poste d’accueil – Zoë",
          "description": "Line 1\nLine 2 \/ slash",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "isMobile": false,
          "lastSyncTime": "2025-05-21T09:59:59.999Z",
          "primaryLocalIpAddress": "10.7.7.7",
          "parentGroupUuid": "\#(groupUuid(named: "Paris office"))",
          "tags": [
            "caf\u00e9",
            "東京"
          ],
          "operatingSystem": {
            "displayName": "Windows 11 Pro",
            "familyId": 1
          }
        }
        """#),
        edge(8, #"only a uuid → hostname is the uuid; no os, no time (M13 falls back to the mapping moment); the fixed fields still appear"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(8))"
        }
        """#),
        edge(9, #"familyId is the non-digit string "two" (G3: wrong type, absent) → os unknown/0, os.name from version.name "Ubuntu" as displayName is """#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(9))",
          "displayName": "lnx-build-03",
          "deviceType": "DEVICE_TYPE_SERVER",
          "isMobile": false,
          "lastSyncTime": "2025-05-20T23:30:00.1-05:00",
          "primaryLocalIpAddress": "172.16.4.3",
          "parentGroupUuid": "\#(groupUuid(named: "Linux computers"))",
          "operatingSystem": {
            "displayName": "",
            "familyId": "two",
            "version": {
              "name": "Ubuntu"
            }
          }
        }
        """#),
        edge(10, #"isMobile true on a SERVER device type → Mobile/5 (isMobile wins)"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(10))",
          "displayName": "Pixel 8 (kiosk server)",
          "deviceType": "DEVICE_TYPE_SERVER",
          "isMobile": true,
          "lastSyncTime": "2025-05-21 11:59:59.000001+01:00",
          "primaryLocalIpAddress": "10.9.9.9",
          "parentGroupUuid": "\#(groupUuid(named: "Mobile devices"))",
          "operatingSystem": {
            "displayName": "Android 14",
            "familyId": 4
          }
        }
        """#),
        edge(11, #"deviceType in lower case "device_type_virtual_machine" → upper-cased it contains VIRTUAL → Virtual/6"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(11))",
          "displayName": "vdi-lowercase-01",
          "deviceType": "device_type_virtual_machine",
          "isMobile": false,
          "lastSyncTime": "2025-05-20T12:00:00z",
          "primaryLocalIpAddress": "10.50.0.11",
          "parentGroupUuid": "\#(groupUuid(named: "Windows computers"))",
          "operatingSystem": {
            "displayName": "Windows 11 Enterprise",
            "familyId": 1
          }
        }
        """#),
        edge(12, #"an enum value ESET may add later, "DEVICE_TYPE_HYPERVISOR_SERVER" → contains SERVER → Server/1; familyId 7 → other/99"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(12))",
          "displayName": "esx-host-02",
          "deviceType": "DEVICE_TYPE_HYPERVISOR_SERVER",
          "lastSyncTime": "2025-05-21T03:04:05.678901+05:30",
          "primaryLocalIpAddress": "10.0.0.2",
          "parentGroupUuid": "\#(groupUuid(named: "Servers"))",
          "operatingSystem": {
            "displayName": "FreeBSD 14.0-RELEASE",
            "familyId": 7
          }
        }
        """#),
        edge(13, #"fields of the wrong JSON type (G3: absent): displayName 42 → hostname from originalDisplayName; description false, primaryLocalIpAddress a number, tags a string, hardwareProfiles null → all omitted; isMobile 0 → not mobile, Desktop/2"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(13))",
          "displayName": 42,
          "originalDisplayName": "LEGACY-NT-BOX",
          "description": false,
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "isMobile": 0,
          "lastSyncTime": "2025-05-15T10:00:00Z",
          "primaryLocalIpAddress": 3232235777,
          "parentGroupUuid": "\#(groupUuid(named: "Lost & found"))",
          "tags": "legacy",
          "operatingSystem": {
            "displayName": "Windows 10 Pro",
            "familyId": 1
          },
          "hardwareProfiles": null
        }
        """#),
        edge(14, #"IPv6 primary address equal to the public address → one interface with that IPv6, no "Unknown" interface"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(14))",
          "displayName": "web-v6-01.prod.internal",
          "deviceType": "DEVICE_TYPE_SERVER",
          "isMobile": false,
          "lastSyncTime": "2025-05-21T08:00:00Z",
          "primaryLocalIpAddress": "2001:db8:1f70::999:de8:7648:6e8",
          "publicIpAddress": "2001:db8:1f70::999:de8:7648:6e8",
          "parentGroupUuid": "\#(groupUuid(named: "Servers"))",
          "operatingSystem": {
            "displayName": "Ubuntu 22.04.4 LTS",
            "familyId": 2
          },
          "hardwareProfiles": [
            {
              "manufacturer": "Dell Inc.",
              "model": "PowerEdge R650",
              "networkAdapters": [
                {
                  "caption": "eno1",
                  "macAddress": "b0:7b:25:00:00:01"
                }
              ]
            }
          ]
        }
        """#),
        edge(15, #"no primary IP; two hardware profiles: the first profile's adapters have no (or an empty) MAC, the second's has one → interfaces {mac, name: "Realtek USB GbE Family Controller", Wired} then {public IP, Unknown}, none with a hostname; vendor and model from the first profile"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(15))",
          "displayName": "DESKTOP-DOCKED",
          "deviceType": "DEVICE_TYPE_NOTEBOOK",
          "isMobile": false,
          "lastSyncTime": "2025-05-17T14:20:00.42Z",
          "publicIpAddress": "198.51.100.99",
          "parentGroupUuid": "\#(groupUuid(named: "Windows computers"))",
          "operatingSystem": {
            "displayName": "Windows 11 Pro",
            "familyId": 1
          },
          "hardwareProfiles": [
            {
              "manufacturer": "HP",
              "model": "HP EliteBook 840 G8 Notebook PC",
              "networkAdapters": [
                {
                  "caption": "Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64"
                },
                {
                  "caption": "Bluetooth Device (Personal Area Network)",
                  "macAddress": ""
                }
              ]
            },
            {
              "manufacturer": "HP",
              "model": "HP USB-C Dock G5",
              "networkAdapters": [
                {
                  "caption": "Realtek USB GbE Family Controller",
                  "macAddress": "9C:7B:EF:01:02:03"
                }
              ]
            }
          ]
        }
        """#),
        edge(16, #"parentGroupUuid names the group without displayName → groups [{name: its uuid, uid: its uuid}]"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(16))",
          "displayName": "lnx-dev-099",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "isMobile": false,
          "lastSyncTime": "2025-05-16T07:07:07Z",
          "primaryLocalIpAddress": "10.3.3.99",
          "parentGroupUuid": "\#(namelessGroupUuid)",
          "operatingSystem": {
            "displayName": "Ubuntu 24.04 LTS",
            "familyId": 2
          }
        }
        """#),
        edge(17, #"parentGroupUuid names no existing group → device.groups omitted"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(17))",
          "displayName": "DESKTOP-ORPHAN1",
          "deviceType": "DEVICE_TYPE_DESKTOP",
          "isMobile": false,
          "lastSyncTime": "2025-05-14T18:30:00Z",
          "primaryLocalIpAddress": "10.4.4.4",
          "parentGroupUuid": "\#(FleetGenerator.orphanGroupUuid)",
          "operatingSystem": {
            "displayName": "Windows 10 Pro",
            "familyId": 1
          }
        }
        """#),
        edge(18, #"empty strings everywhere (G1): description, managementDomain, primaryLocalIpAddress, manufacturer, model, macAddress "" → all omitted; publicIpAddress then gives the only interface"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(18))",
          "displayName": "PRINT-SPOOLER",
          "description": "",
          "deviceType": "",
          "enrollmentStatus": "",
          "isMobile": false,
          "lastSyncTime": "2025-05-21T00:00:00Z",
          "managementDomain": "",
          "primaryLocalIpAddress": "",
          "publicIpAddress": "192.0.2.200",
          "parentGroupUuid": "\#(groupUuid(named: "Berlin office"))",
          "tags": [],
          "operatingSystem": {
            "displayName": "Windows Server 2016 Standard",
            "familyId": 1
          },
          "hardwareProfiles": [
            {
              "manufacturer": "",
              "model": "",
              "networkAdapters": [
                {
                  "caption": "Ethernet0",
                  "macAddress": ""
                }
              ]
            }
          ]
        }
        """#),
        edge(19, #"fields the API description does not know (futureField, riskScore) and a familyId 0 → ignored; os other/99"#, #"""
        {
          "uuid": "\#(edgeDeviceUuid(19))",
          "displayName": "axis-cam-lobby",
          "deviceType": "DEVICE_TYPE_SECURITY_CAMERA",
          "isMobile": false,
          "lastSyncTime": "2025-05-21T09:30:00.5Z",
          "primaryLocalIpAddress": "10.60.0.19",
          "parentGroupUuid": "\#(groupUuid(named: "Paris office"))",
          "futureField": {
            "nested": [1, 2.5, null, true, "x"]
          },
          "riskScore": 87.5,
          "operatingSystem": {
            "familyId": 0,
            "version": {
              "name": "AXIS OS",
              "major": 11
            }
          }
        }
        """#),
    ]
}
