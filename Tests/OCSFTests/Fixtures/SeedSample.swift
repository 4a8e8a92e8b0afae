import Foundation
import JSON

/// The published sample output (`../shared/spec/seed-sample/expected-event.json`), copied here
/// byte for byte because `../shared` may be absent on other machines; `SeedEventTests` checks the
/// copy against the original whenever it is present.
let seedExpectedEventText = #"""
{
  "activity_id": 2,
  "activity_name": "Collect",
  "category_name": "Discovery",
  "category_uid": 5,
  "class_name": "Device Inventory Info",
  "class_uid": 5001,
  "type_name": "Device Inventory Info: Collect",
  "type_uid": 500102,
  "time": 1747821600.0,
  "metadata": {
    "product": {
      "name": "ESET EDR",
      "version": "9.1.2500.0"
    },
    "version": "1.5.0"
  },
  "device": {
    "uid": "550e8400-e29b-41d4-a716-446655440000",
    "hostname": "DESKTOP-ABC123",
    "name": "DESKTOP-ABC123",
    "type": "Desktop",
    "type_id": 2,
    "desc": "Finance workstation",
    "ip": "192.168.1.42",
    "model": "Latitude 5520",
    "vendor_name": "Dell Inc.",
    "domain": "eu.automation.eset.systems",
    "is_managed": true,
    "last_seen_time": 1747821600.0,
    "os": {
      "name": "Windows 10 Enterprise",
      "type": "windows",
      "type_id": 100
    },
    "network_interfaces": [
      {
        "ip": "192.168.1.42",
        "mac": "AA:BB:CC:DD:EE:FF",
        "name": "Intel(R) Ethernet Connection",
        "hostname": "DESKTOP-ABC123",
        "type": "Wired",
        "type_id": 1
      },
      {
        "ip": "203.0.113.10",
        "type": "Unknown",
        "type_id": 0
      }
    ],
    "groups": [
      {
        "name": "Finance Department",
        "uid": "group-uuid-1"
      }
    ]
  }
}
"""#

/// The package root, found from this file so tests work from any working directory.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Fixtures
    .deletingLastPathComponent()  // OCSFTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// `../shared` next to the package, when this machine has it.
let sharedDirectory: URL? = {
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()
