#!/usr/bin/env python3
"""Writes Conformance/cases/mapping/*: one directory per case with case.json, devices.json,
device_groups.json and the golden expected.ndjson produced by reference_mapper.py (an independent
implementation of the spec). Run from the repository root:

    python3 Scripts/conformance/make_mapping_cases.py

Hand-written cases (added by users) are never touched: only the directories named here are
rewritten."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import reference_mapper as ref  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Conformance", "cases", "mapping")
SEED = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "MappingTests", "Fixtures")

GROUPS = [
    {"uuid": "root-group-uuid", "displayName": "All", "isSecurityGroup": False},
    {"uuid": "group-uuid-1", "displayName": "Finance Department", "parentGroupUuid": "root-group-uuid"},
    {"uuid": "group-nameless", "parentGroupUuid": "root-group-uuid"},
    {"uuid": "group-empty-name", "displayName": "", "parentGroupUuid": "group-uuid-1"},
]
T = "2025-05-21T10:00:00Z"


def dev(uuid, **fields):
    d = {"uuid": uuid, "lastSyncTime": T}
    d.update(fields)
    return {k: v for k, v in d.items() if v is not ...}


def nic(caption, mac):
    a = {}
    if caption is not None:
        a["caption"] = caption
    if mac is not None:
        a["macAddress"] = mac
    return a


CASES = []


def case(name, rules, description, devices, profile="sekoia", groups=GROUPS, pinned=None):
    CASES.append(dict(name=name, rules=rules, description=description, devices=devices, profile=profile,
                      groups=groups, pinned=pinned))


seed_device = json.load(open(os.path.join(SEED, "device.json")))
case("seed-sample", ["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12", "M13", "M14",
                     "M15", "M16", "M17", "M18", "M19"],
     "The published sample device maps to exactly the published event.", [seed_device])
case("M01-uid", ["M01"], "device.uid is the uuid, whatever it looks like.",
     [dev("550e8400-e29b-41d4-a716-446655440001"), dev("not-a-uuid-but-usable")])
case("M02-hostname-display-name", ["M02", "M03"], "hostname is displayName when present.",
     [dev("h1", displayName="PC-1", originalDisplayName="ORIG-1")])
case("M02-hostname-original-display-name", ["M02", "G1"], "hostname falls back to originalDisplayName when displayName is missing, null or empty.",
     [dev("h2", originalDisplayName="ORIG-2"), dev("h3", displayName=None, originalDisplayName="ORIG-3"),
      dev("h4", displayName="", originalDisplayName="ORIG-4")], pinned="M02 first present")
case("M02-hostname-uuid", ["M02"], "hostname falls back to the uuid: never absent.",
     [dev("h5"), dev("h6", displayName="", originalDisplayName=None)])
case("M03-name", ["M03"], "device.name copies displayName and has no fallback.",
     [dev("n1", displayName="Named"), dev("n2", originalDisplayName="Only original")])
case("M04-desc", ["M04", "G1"], "device.desc copies description; empty is absent.",
     [dev("d1", description="Finance workstation"), dev("d2", description="")])
case("M05-mobile", ["M05"], "isMobile true wins: Mobile/5, even over a server type.",
     [dev("t1", isMobile=True, deviceType="DEVICE_TYPE_SMARTPHONE"), dev("t2", isMobile=True, deviceType="DEVICE_TYPE_SERVER")])
case("M05-is-mobile-only-json-true", ["M05", "G3"], "isMobile counts only as JSON true: \"true\", 1 and false do not.",
     [dev("t3", isMobile="true"), dev("t4", isMobile=1), dev("t5", isMobile=False)], pinned="M05 isMobile only JSON true")
case("M05-server", ["M05"], "deviceType containing SERVER (upper-cased) is Server/1.",
     [dev("t6", deviceType="DEVICE_TYPE_SERVER"), dev("t7", deviceType="file server")])
case("M05-virtual", ["M05"], "DEVICE_TYPE_VIRTUAL_MACHINE is Virtual/6.",
     [dev("t8", deviceType="DEVICE_TYPE_VIRTUAL_MACHINE")], pinned="M05 VIRTUAL_MACHINE")
case("M05-desktop-fallback", ["M05"], "NOTEBOOK, SMARTPHONE without isMobile, other values and absent are Desktop/2.",
     [dev("t9", deviceType="DEVICE_TYPE_NOTEBOOK"), dev("t10", deviceType="DEVICE_TYPE_SMARTPHONE"),
      dev("t11", deviceType="DEVICE_TYPE_TABLET"), dev("t12", deviceType="DEVICE_TYPE_DESKTOP"), dev("t13")],
     pinned="M05 NOTEBOOK/SMARTPHONE Desktop")
for fid, label in [(1, "windows"), (2, "macos"), (3, "linux"), (4, "android"), (5, "ios")]:
    case(f"M06-family-{fid}-{label}", ["M06"], f"familyId {fid} is {label}.",
         [dev(f"os{fid}", operatingSystem={"familyId": fid, "displayName": f"OS {fid}"})])
case("M06-family-absent", ["M06", "G1"], "familyId missing, null or empty is unknown/0.",
     [dev("os-a1", operatingSystem={"displayName": "x"}), dev("os-a2", operatingSystem={"familyId": None}),
      dev("os-a3", operatingSystem={"familyId": ""})])
case("M06-family-other", ["M06"], "Any other familyId, 0 included, is other/99.",
     [dev("os-o0", operatingSystem={"familyId": 0}), dev("os-o6", operatingSystem={"familyId": 6}),
      dev("os-o7", operatingSystem={"familyId": 7}), dev("os-o99", operatingSystem={"familyId": 99})], pinned="M06 0 is other")
case("M06-family-digit-string", ["M06", "G3"], "familyId as a string of digits counts like the integer.",
     [dev("os-s1", operatingSystem={"familyId": "1"}), dev("os-s3", operatingSystem={"familyId": "3"})])
case("M06-family-wrong-type", ["M06", "G3"], "familyId of a wrong type is absent: unknown/0.",
     [dev("os-w1", operatingSystem={"familyId": True}), dev("os-w2", operatingSystem={"familyId": "one"}),
      dev("os-w3", operatingSystem={"familyId": [1]})])
case("M06-os-omitted", ["M06", "G2"], "device.os is omitted when operatingSystem is absent.",
     [dev("os-n1"), dev("os-n2", operatingSystem=None)], pinned="M06 os omitted")
case("M06-os-empty-object", ["M06", "M07"], "operatingSystem {} still gives os.type unknown and type_id 0, no name.",
     [dev("os-e1", operatingSystem={})], pinned="M06 os {}")
case("M07-display-name", ["M07"], "os.name is operatingSystem.displayName first.",
     [dev("on1", operatingSystem={"familyId": 1, "displayName": "Windows 11 Pro", "version": {"name": "Windows 11"}})])
case("M07-version-name", ["M07"], "os.name falls back to version.name.",
     [dev("on2", operatingSystem={"familyId": 1, "version": {"name": "Windows 11"}}),
      dev("on3", operatingSystem={"familyId": 1, "displayName": "", "version": {"name": "Windows 10"}})])
case("M07-no-name", ["M07", "G2"], "os.name is omitted when neither is present.",
     [dev("on4", operatingSystem={"familyId": 3, "version": {"major": 6}})])
case("M08-ip", ["M08"], "device.ip copies primaryLocalIpAddress, IPv4 or IPv6.",
     [dev("ip4", primaryLocalIpAddress="10.1.2.3"), dev("ip6", primaryLocalIpAddress="fe80::1ff:fe23:4567:890a")])
case("M09-step1-primary-only", ["M09"], "A primary address alone: one Wired interface with the hostname.",
     [dev("ni1", displayName="host-1", primaryLocalIpAddress="10.0.0.1")])
case("M09-step2-enrich-primary", ["M09"], "The first adapter with a MAC enriches interface 1; others add Wired interfaces; MAC-less adapters are skipped.",
     [dev("ni2", displayName="host-2", primaryLocalIpAddress="10.0.0.2",
          hardwareProfiles=[{"networkAdapters": [nic("no mac", None), nic("eth0", "AA:AA:AA:AA:AA:01"), nic("eth1", "AA:AA:AA:AA:AA:02")]}])])
case("M09-step2-all-profiles", ["M09"], "Adapters of all hardware profiles, in profile then adapter order.",
     [dev("ni3", primaryLocalIpAddress="10.0.0.3",
          hardwareProfiles=[{"networkAdapters": [nic("p1a", "BB:00:00:00:00:01")]},
                            {"networkAdapters": [nic("p2a", "BB:00:00:00:00:02"), nic(None, "BB:00:00:00:00:03")]}])])
case("M09-step2-no-primary", ["M09"], "Without a primary address the first adapter is an interface of its own, without hostname.",
     [dev("ni4", displayName="host-4", hardwareProfiles=[{"networkAdapters": [nic("wlan0", "CC:00:00:00:00:01")]}])])
case("M09-step3-public-differs", ["M09"], "A public address that differs from the primary one is appended as Unknown/0.",
     [dev("ni5", primaryLocalIpAddress="10.0.0.5", publicIpAddress="203.0.113.5")])
case("M09-step3-public-equal", ["M09"], "A public address equal to the primary one is not repeated.",
     [dev("ni6", primaryLocalIpAddress="10.0.0.6", publicIpAddress="10.0.0.6")])
case("M09-step3-public-only", ["M09"], "A public address alone is the only interface.",
     [dev("ni7", publicIpAddress="203.0.113.7")])
case("M09-full-order", ["M09"], "Order: primary (enriched), other adapters, public; only interface 1 has hostname.",
     [dev("ni8", displayName="host-8", primaryLocalIpAddress="10.0.0.8", publicIpAddress="203.0.113.8",
          hardwareProfiles=[{"manufacturer": "Dell Inc.", "networkAdapters": [nic("eth0", "DD:00:00:00:00:01"), nic("eth1", "DD:00:00:00:00:02")]}])])
case("M09-empty-omitted", ["M09", "G2"], "No address and no adapter with a MAC: network_interfaces omitted.",
     [dev("ni9", hardwareProfiles=[{"networkAdapters": [nic("no mac", None), nic("empty mac", "")]}])], pinned="M09 empty list omitted")
case("M10-domain", ["M10"], "device.domain copies managementDomain.",
     [dev("dm1", managementDomain="eu.automation.eset.systems"), dev("dm2", managementDomain=42)])
case("M11-M14-first-hardware-profile", ["M11", "M14"], "vendor_name and model come from the first hardware profile only.",
     [dev("hw1", hardwareProfiles=[{"manufacturer": "Dell Inc.", "model": "Latitude 5520"}, {"manufacturer": "HP", "model": "EliteBook"}]),
      dev("hw2", hardwareProfiles=[{"networkAdapters": []}, {"manufacturer": "HP", "model": "EliteBook"}]),
      dev("hw3", hardwareProfiles=[])])
case("M12-accepted-forms", ["M12", "M13", "G5"], "Z, z, +hh:mm offsets, T or space, 1-9 fraction digits (cut to the microsecond).",
     [dev("ts1", lastSyncTime="2025-05-21T10:00:00Z"), dev("ts2", lastSyncTime="2025-05-21t10:00:00Z".replace("t", "T").replace("Z", "z")),
      dev("ts3", lastSyncTime="2025-05-21 10:00:00Z"), dev("ts4", lastSyncTime="2025-05-21T12:30:00+02:30"),
      dev("ts5", lastSyncTime="2025-05-21T05:00:00-05:00"), dev("ts6", lastSyncTime="2025-05-21T10:00:00.5Z"),
      dev("ts7", lastSyncTime="2025-05-21T10:00:00.123456Z"), dev("ts8", lastSyncTime="2025-05-21T10:00:00.123456789Z")],
     pinned="M12 accepted forms")
case("M12-unparsable", ["M12", "M13"], "Unparsable times: last_seen_time omitted, time is the mapping moment, a warning is counted.",
     [dev("tu1", lastSyncTime="yesterday"), dev("tu2", lastSyncTime="2025-05-21"), dev("tu3", lastSyncTime="2025-05-21T10:00:00.1234567890Z"),
      dev("tu4", lastSyncTime="2025-02-30T10:00:00Z")], pinned="M12 unparsable")
case("M13-fallback", ["M13", "G1"], "No lastSyncTime: time is the moment of mapping in epoch seconds.",
     [dev("tf1", lastSyncTime=...), dev("tf2", lastSyncTime=None), dev("tf3", lastSyncTime="")])
case("M15-direct-parent", ["M15"], "The direct parent group only, no ancestors.",
     [dev("gr1", parentGroupUuid="group-uuid-1")], pinned="M15 direct parent only")
case("M15-name-falls-back-to-uuid", ["M15"], "A group without a displayName (or an empty one) is named by its uuid.",
     [dev("gr2", parentGroupUuid="group-nameless"), dev("gr3", parentGroupUuid="group-empty-name")])
case("M15-unknown-parent", ["M15", "G2"], "An unknown or absent parent omits device.groups.",
     [dev("gr4", parentGroupUuid="no-such-group"), dev("gr5")])
case("M16-always-managed", ["M16"], "is_managed is true whatever the enrollment status.",
     [dev("mg1", enrollmentStatus="DEVICE_ENROLLMENT_STATUS_PENDING"), dev("mg2", enrollmentStatus="DEVICE_ENROLLMENT_STATUS_FAILED"), dev("mg3")])
case("M17-M19-constants", ["M17", "M18", "M19"], "metadata, activity, class, category and type are constants.",
     [dev("c1")])
case("G1-absent-forms", ["G1", "G2"], "Missing, null and empty string are the same: absent, and the output omits them.",
     [dev("g1a"), dev("g1b", description=None, managementDomain=None, primaryLocalIpAddress=None, displayName=None),
      dev("g1c", description="", managementDomain="", primaryLocalIpAddress="", displayName="")])
case("G2-sparse-device", ["G2"], "A sparse device: no nulls, no empty objects or arrays in the output.",
     [dev("g2", lastSyncTime=..., operatingSystem={}, hardwareProfiles=[{"networkAdapters": []}], tags=[])])
case("G3-unknown-and-wrong-types", ["G3"], "Unknown fields are ignored; values of the wrong JSON type are absent.",
     [dev("g3", displayName=5, description=["x"], deviceType={"a": 1}, managementDomain=False, primaryLocalIpAddress=10,
          hardwareProfiles="none", brandNewField={"x": [1, 2]}, operatingSystem={"displayName": 7, "familyId": "4"})])
case("G4-rejected-devices", ["G4"], "Devices without a usable uuid are rejected and reported; the others are mapped.",
     [dev("g4-ok-1"), {"displayName": "no uuid"}, {"uuid": None}, {"uuid": ""}, {"uuid": 17}, dev("g4-ok-2")])
case("G5-numbers-compare-numerically", ["G5", "M12"], "The golden writes whole seconds as integers; the connector writes 1747821600.0.",
     [dev("g5")])
# ocsf-strict
case("strict-seed-sample", ["S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08"], "The seed device under ocsf-strict.",
     [seed_device], profile="ocsf-strict")
case("S01-milliseconds", ["S01", "M13"], "time and last_seen_time are integer epoch milliseconds.",
     [dev("s1", lastSyncTime="2025-05-21T10:00:00.987654Z"), dev("s1b", lastSyncTime=...)], profile="ocsf-strict")
case("S02-severity", ["S02"], "severity_id 1 and severity Informational.", [dev("s2")], profile="ocsf-strict")
case("S03-S04-os-families", ["S03", "S04"], "ESET's familyId table with OCSF captions; Apple is iOS when mobile or editionId 3.",
     [dev(f"s4-{i}", operatingSystem=os_, **extra) for i, (os_, extra) in enumerate([
         ({"familyId": 1}, {}), ({"familyId": 2}, {}), ({"familyId": 3}, {}), ({"familyId": 3}, {"isMobile": True}),
         ({"familyId": "3", "editionId": 3}, {}), ({"familyId": 4}, {}), ({"familyId": 5}, {}), ({"familyId": 0}, {}),
         ({}, {}), ({"familyId": 6}, {}), ({"familyId": 7}, {})])], profile="ocsf-strict")
case("S05-device-types", ["S05"], "Every ESET deviceType to its OCSF type.",
     [dev(f"s5-{t.lower()}", deviceType=f"DEVICE_TYPE_{t}") for t in [
         "DESKTOP", "SERVER", "NOTEBOOK", "TABLET", "SMARTPHONE", "VIRTUAL_MACHINE", "IOT", "SMART_TV", "WEARABLE",
         "SMART_SPEAKER", "SECURITY_CAMERA", "ROUTER", "PRINTER", "GAMING_CONSOLE", "UNSPECIFIED"]]
     + [dev("s5-absent"), dev("s5-absent-mobile", isMobile=True)], profile="ocsf-strict")
case("S06-interface-types", ["S06"], "Wireless words in the adapter caption give Wireless; other adapters Wired; no adapter Unknown.",
     [dev("s6", primaryLocalIpAddress="10.0.0.2", publicIpAddress="198.51.100.2",
          hardwareProfiles=[{"networkAdapters": [nic("Intel(R) Wi-Fi 6 AX201", "EE:00:00:00:00:01"), nic("Realtek PCIe GbE", "EE:00:00:00:00:02"),
                                                 nic("Qualcomm Wireless Network Adapter", "EE:00:00:00:00:03")]}]),
      dev("s6b", primaryLocalIpAddress="10.0.0.3")], profile="ocsf-strict")
case("S07-managed-by-enrollment", ["S07"], "is_managed true only when enrollment FINISHED; false otherwise; omitted when absent.",
     [dev("s7a", enrollmentStatus="DEVICE_ENROLLMENT_STATUS_FINISHED"), dev("s7b", enrollmentStatus="DEVICE_ENROLLMENT_STATUS_PENDING"),
      dev("s7c", enrollmentStatus="DEVICE_ENROLLMENT_STATUS_FAILED"), dev("s7d")], profile="ocsf-strict")
case("S08-product-vendor", ["S08"], "metadata.product.vendor_name is ESET.", [dev("s8")], profile="ocsf-strict")
case("S09-os-name-fallback", ["S09"], "os.name falls back to the type caption.",
     [dev("s9a", operatingSystem={"familyId": 2}), dev("s9b", operatingSystem={"familyId": 2, "displayName": "Ubuntu 24.04"})],
     profile="ocsf-strict")
case("S10-invalid-addresses", ["S10"], "IP addresses and MACs OCSF rejects are left out (a warning each); valid ones stay.",
     [dev("s10a", primaryLocalIpAddress="999.1.1.1", publicIpAddress="not-an-ip",
          hardwareProfiles=[{"networkAdapters": [nic("eth0", "AABBCCDDEEFF"), nic("eth1", "aa-bb-cc-dd-ee-ff")]}]),
      dev("s10b", primaryLocalIpAddress="10.0.0.1", publicIpAddress="2001:db8::" + "1:" * 15 + "1",
          hardwareProfiles=[{"networkAdapters": [nic("wlan0", "zz:zz:zz:zz:zz:zz")]}])], profile="ocsf-strict")


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(ROOT, exist_ok=True)
    for c in CASES:
        directory = os.path.join(ROOT, c["name"])
        os.makedirs(directory, exist_ok=True)
        groups = ref.group_map(c["groups"])
        expected, rejected = [], []
        for index, device in enumerate(c["devices"]):
            try:
                event, _ = ref.map_device(device, groups, c["profile"])
                expected.append(event)
            except ValueError:
                rejected.append(index)
        meta = {"description": c["description"], "rules": c["rules"], "profile": c["profile"]}
        if c["pinned"]:
            meta["pinned"] = c["pinned"]
        if rejected:
            meta["rejectedIndices"] = rejected
        write_json(os.path.join(directory, "case.json"), meta)
        write_json(os.path.join(directory, "devices.json"), c["devices"])
        write_json(os.path.join(directory, "device_groups.json"), c["groups"])
        with open(os.path.join(directory, "expected.ndjson"), "w") as f:
            for event in expected:
                if c["name"].startswith("G5"):
                    # whole seconds as JSON integers, where the connector writes x.0
                    event = json.loads(re.sub(r"(\d)\.0(?=[,}])", r"\1", json.dumps(event)))
                f.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(ROOT)}")


if __name__ == "__main__":
    main()
