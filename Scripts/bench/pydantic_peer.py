#!/usr/bin/env python3
"""A Python peer of `eset-bench map`: the path of a pydantic-based connector such as Sekoia.io's
(sekoia-automation-sdk): json.loads of each page, pydantic model validation of every device,
mapping to an OCSF 5001 dict, json.dumps of each event as an NDJSON line.

Usage: pydantic_peer.py DEVICES_JSON [--page-size 1000] [--runs 3]
Prints `bench=map-python devices=N seconds=S devices_per_s=R` lines, the same form as eset-bench.
The mapping mirrors the published table's main rows (not every edge case): it measures the cost
of the approach, not a second implementation to trust.
"""
import argparse
import json
import time
from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel, ConfigDict, field_validator


class Version(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: Optional[str] = None


class OperatingSystem(BaseModel):
    model_config = ConfigDict(extra="ignore")
    displayName: Optional[str] = None
    familyId: Optional[int] = None
    editionId: Optional[int] = None
    version: Optional[Version] = None

    @field_validator("familyId", "editionId", mode="before")
    @classmethod
    def int64(cls, value):
        if isinstance(value, str):
            return int(value) if value.isdigit() else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class NetworkAdapter(BaseModel):
    model_config = ConfigDict(extra="ignore")
    caption: Optional[str] = None
    macAddress: Optional[str] = None


class HardwareProfile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    manufacturer: Optional[str] = None
    model: Optional[str] = None
    networkAdapters: List[NetworkAdapter] = []


class Device(BaseModel):
    model_config = ConfigDict(extra="ignore")
    uuid: str
    displayName: Optional[str] = None
    originalDisplayName: Optional[str] = None
    description: Optional[str] = None
    deviceType: Optional[str] = None
    isMobile: Optional[bool] = None
    lastSyncTime: Optional[str] = None
    managementDomain: Optional[str] = None
    parentGroupUuid: Optional[str] = None
    primaryLocalIpAddress: Optional[str] = None
    publicIpAddress: Optional[str] = None
    operatingSystem: Optional[OperatingSystem] = None
    hardwareProfiles: List[Optional[HardwareProfile]] = []


OS_TYPES = {1: ("windows", 100), 2: ("macos", 300), 3: ("linux", 200), 4: ("android", 201), 5: ("ios", 301)}


def seconds(text):
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).timestamp()
    except ValueError:
        return None


def map_device(device: Device) -> dict:
    hostname = device.displayName or device.originalDisplayName or device.uuid
    kind = (device.deviceType or "").upper()
    if device.isMobile:
        type_name, type_id = "Mobile", 5
    elif "SERVER" in kind:
        type_name, type_id = "Server", 1
    elif "VIRTUAL" in kind:
        type_name, type_id = "Virtual", 6
    else:
        type_name, type_id = "Desktop", 2
    first = device.hardwareProfiles[0] if device.hardwareProfiles else None
    out = {"uid": device.uuid, "hostname": hostname, "name": device.displayName, "type": type_name, "type_id": type_id,
           "desc": device.description or None, "ip": device.primaryLocalIpAddress or None,
           "model": first.model if first else None, "vendor_name": first.manufacturer if first else None,
           "domain": device.managementDomain or None, "is_managed": True}
    last_seen = seconds(device.lastSyncTime)
    if last_seen is not None:
        out["last_seen_time"] = last_seen
    if device.operatingSystem is not None:
        system = device.operatingSystem
        name = system.displayName or (system.version.name if system.version else None)
        os_type = OS_TYPES.get(system.familyId, ("other", 99)) if system.familyId is not None else ("unknown", 0)
        out["os"] = {"name": name, "type": os_type[0], "type_id": os_type[1]}
    interfaces = []
    if device.primaryLocalIpAddress:
        interfaces.append({"ip": device.primaryLocalIpAddress, "hostname": hostname, "type": "Wired", "type_id": 1})
    for profile in device.hardwareProfiles:
        for adapter in (profile.networkAdapters if profile else []):
            if adapter.macAddress:
                interfaces.append({"mac": adapter.macAddress, "name": adapter.caption, "type": "Wired", "type_id": 1})
    if device.publicIpAddress and device.publicIpAddress != device.primaryLocalIpAddress:
        interfaces.append({"ip": device.publicIpAddress, "type": "Unknown", "type_id": 0})
    if interfaces:
        out["network_interfaces"] = interfaces
    event = {"activity_id": 2, "activity_name": "Collect", "category_name": "Discovery", "category_uid": 5,
             "class_name": "Device Inventory Info", "class_uid": 5001, "type_name": "Device Inventory Info: Collect",
             "type_uid": 500102, "time": last_seen or time.time(),
             "metadata": {"product": {"name": "ESET EDR", "version": "9.1.2500.0"}, "version": "1.5.0"},
             "device": {k: v for k, v in out.items() if v is not None}}
    return event


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("devices")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with open(args.devices, "rb") as handle:
        devices = json.loads(handle.read())
    pages = []
    for start in range(0, len(devices), args.page_size):
        pages.append(json.dumps({"devices": devices[start:start + args.page_size], "nextPageToken": "x"},
                                separators=(",", ":")).encode())
    input_bytes = sum(len(page) for page in pages)
    best = None
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        count = 0
        output = 0
        for page in pages:
            for raw in json.loads(page)["devices"]:
                line = json.dumps(map_device(Device.model_validate(raw)), separators=(",", ":"))
                output += len(line) + 1
                count += 1
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
        print(f"bench=map-python run={run} devices={count} input_mb={input_bytes / 1e6:.1f} output_mb={output / 1e6:.1f} "
              f"seconds={elapsed:.3f} devices_per_s={count / elapsed:.0f} input_mb_per_s={input_bytes / 1e6 / elapsed:.1f}",
              flush=True)
    print(f"bench=map-python run=best devices={count} seconds={best:.3f} devices_per_s={count / best:.0f}", flush=True)


if __name__ == "__main__":
    main()
