#!/usr/bin/env python3
"""An independent reference implementation of ../shared/spec/mapping.md, written from the spec
text alone (not from the Swift mapper), used to produce the conformance goldens. Two
implementations that agree on every case are the review the golden files get.

Time values that depend on the moment of mapping (M13's fallback) are written as "$now"."""
import re
import sys

NOW = "$now"


def present(value):
    """G1/G3: a non-empty string, else None."""
    return value if isinstance(value, str) and value != "" else None


def obj(value):
    return value if isinstance(value, dict) else None


def family_id(value):
    """G3: an integer, or a string of decimal digits; anything else is absent."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value != "" and value.isdigit() and value.isascii():
        return int(value)
    return None


TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$")


def epoch_micros(text):
    """M12: the accepted RFC 3339 forms; None when unparsable."""
    import calendar
    m = TIME.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, offset = m.group(7), m.group(8)
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 59):
        return None
    if not (1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        oh, om = int(offset[1:3]), int(offset[4:6])
        if oh > 23 or om > 59:
            return None
        seconds -= sign * (oh * 3600 + om * 60)
    return seconds * 1_000_000 + micros


MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$")


def valid_ip(text):
    """S10: OCSF ip_t (at most 40 characters, an IPv4 or IPv6 address)."""
    import ipaddress
    if len(text) > 40:
        return False
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def strict_addresses(device):
    """S10: under ocsf-strict an invalid IP or MAC counts as absent."""
    import copy
    device = copy.deepcopy(device)
    for key in ("primaryLocalIpAddress", "publicIpAddress"):
        if present(device.get(key)) and not valid_ip(device[key]):
            del device[key]
    for profile in device.get("hardwareProfiles") if isinstance(device.get("hardwareProfiles"), list) else []:
        if isinstance(profile, dict) and isinstance(profile.get("networkAdapters"), list):
            for adapter in profile["networkAdapters"]:
                if isinstance(adapter, dict) and present(adapter.get("macAddress")) and not MAC.match(adapter["macAddress"]):
                    del adapter["macAddress"]
    return device


def seconds(micros):
    return micros / 1_000_000


def map_device(device, groups, profile="sekoia"):
    """Returns (event, warnings) or raises ValueError for a device without a usable uuid (G4)."""
    if not isinstance(device, dict) or present(device.get("uuid")) is None:
        raise ValueError("rejected")
    strict = profile == "ocsf-strict"
    if strict:
        device = strict_addresses(device)
    uuid = device["uuid"]
    warnings = []
    out = {}
    out["uid"] = uuid  # M01
    hostname = present(device.get("displayName")) or present(device.get("originalDisplayName")) or uuid  # M02
    out["hostname"] = hostname
    if present(device.get("displayName")):
        out["name"] = device["displayName"]  # M03
    if present(device.get("description")):
        out["desc"] = device["description"]  # M04
    is_mobile = device.get("isMobile") is True
    device_type = present(device.get("deviceType"))
    if not strict:  # M05
        upper = (device_type or "").upper()
        if is_mobile:
            out["type"], out["type_id"] = "Mobile", 5
        elif "SERVER" in upper:
            out["type"], out["type_id"] = "Server", 1
        elif "VIRTUAL" in upper:
            out["type"], out["type_id"] = "Virtual", 6
        else:
            out["type"], out["type_id"] = "Desktop", 2
    else:  # S05
        short = (device_type or "").upper()
        if short.startswith("DEVICE_TYPE_"):
            short = short[len("DEVICE_TYPE_"):]
        table = {"DESKTOP": ("Desktop", 2), "SERVER": ("Server", 1), "NOTEBOOK": ("Laptop", 3), "TABLET": ("Tablet", 4),
                 "SMARTPHONE": ("Mobile", 5), "VIRTUAL_MACHINE": ("Virtual", 6), "IOT": ("IOT", 7), "SMART_TV": ("IOT", 7),
                 "WEARABLE": ("IOT", 7), "SMART_SPEAKER": ("IOT", 7), "SECURITY_CAMERA": ("IOT", 7),
                 "ROUTER": ("Router", 12), "PRINTER": ("Printer", 99), "GAMING_CONSOLE": ("Gaming Console", 99)}
        if short in ("", "UNSPECIFIED"):
            out["type"], out["type_id"] = ("Mobile", 5) if is_mobile else ("Unknown", 0)
        else:
            out["type"], out["type_id"] = table.get(short, (device_type, 99))  # 99: the source's own word
    if present(device.get("primaryLocalIpAddress")):
        out["ip"] = device["primaryLocalIpAddress"]  # M08
    profiles = device.get("hardwareProfiles") if isinstance(device.get("hardwareProfiles"), list) else []
    first = obj(profiles[0]) if profiles else None
    if first and present(first.get("model")):
        out["model"] = first["model"]  # M14
    if first and present(first.get("manufacturer")):
        out["vendor_name"] = first["manufacturer"]  # M11
    if present(device.get("managementDomain")):
        out["domain"] = device["managementDomain"]  # M10
    if not strict:
        out["is_managed"] = True  # M16
    elif present(device.get("enrollmentStatus")):  # S07
        out["is_managed"] = device["enrollmentStatus"].upper() == "DEVICE_ENROLLMENT_STATUS_FINISHED"
    last_seen = None
    sync = present(device.get("lastSyncTime"))
    if sync is not None:
        micros = epoch_micros(sync)
        if micros is None:
            warnings.append("lastSyncTime")
        else:
            last_seen = micros // 1000 if strict else seconds(micros)  # M12 / S01
            out["last_seen_time"] = last_seen
    system = obj(device.get("operatingSystem"))
    if system is not None:  # M06/M07 (S03/S04/S09)
        version = obj(system.get("version")) or {}
        name = present(system.get("displayName")) or present(version.get("name"))
        family = family_id(system.get("familyId"))
        if not strict:
            table = {1: ("windows", 100), 2: ("macos", 300), 3: ("linux", 200), 4: ("android", 201), 5: ("ios", 301)}
            os_type = ("unknown", 0) if family is None else table.get(family, ("other", 99))
        else:
            edition = family_id(system.get("editionId"))
            if family is None or family == 0:
                os_type = ("Unknown", 0)
            elif family == 3:
                os_type = ("iOS", 301) if (is_mobile or edition == 3) else ("macOS", 300)
            else:
                os_type = {1: ("Windows", 100), 2: ("Linux", 200), 4: ("Android", 201), 5: ("Windows Mobile", 101),
                           6: ("Symbian", 99), 7: ("UNIX", 99)}.get(family, (f"ESET family {family}", 99))
            name = name or os_type[0]
        os_out = {}
        if name:
            os_out["name"] = name
        os_out["type"], os_out["type_id"] = os_type
        out["os"] = os_out
    interfaces = []  # M09
    primary = present(device.get("primaryLocalIpAddress"))
    if primary:
        interfaces.append({"ip": primary, "hostname": hostname, "type": "Unknown" if strict else "Wired", "type_id": 0 if strict else 1})
    enrich = bool(interfaces)
    for profile_entry in profiles:
        profile_entry = obj(profile_entry)
        if not profile_entry:
            continue
        adapters = profile_entry.get("networkAdapters") if isinstance(profile_entry.get("networkAdapters"), list) else []
        for adapter in adapters:
            adapter = obj(adapter)
            if not adapter or not present(adapter.get("macAddress")):
                continue
            caption = present(adapter.get("caption"))
            kind = ("Wired", 1)
            if strict and caption and any(w in caption.lower() for w in ("wireless", "wi-fi", "wifi", "wlan", "802.11", "bluetooth")):
                kind = ("Wireless", 2)
            if enrich:
                enrich = False
                interfaces[0]["mac"] = adapter["macAddress"]
                if caption:
                    interfaces[0]["name"] = caption
                if strict:
                    interfaces[0]["type"], interfaces[0]["type_id"] = kind
            else:
                entry = {"mac": adapter["macAddress"]}
                if caption:
                    entry["name"] = caption
                entry["type"], entry["type_id"] = kind
                interfaces.append(entry)
    public = present(device.get("publicIpAddress"))
    if public and public != primary:
        interfaces.append({"ip": public, "type": "Unknown", "type_id": 0})
    if interfaces:
        out["network_interfaces"] = interfaces
    parent = present(device.get("parentGroupUuid"))  # M15
    if parent and parent in groups:
        group = groups[parent]
        out["groups"] = [{"name": present(group.get("displayName")) or parent, "uid": parent}]
    event = {"activity_id": 2, "activity_name": "Collect", "category_name": "Discovery", "category_uid": 5,
             "class_name": "Device Inventory Info", "class_uid": 5001, "type_name": "Device Inventory Info: Collect",
             "type_uid": 500102}
    if strict:
        event["severity_id"], event["severity"] = 1, "Informational"
    event["time"] = last_seen if last_seen is not None else NOW  # M13
    product = {"name": "ESET EDR", "version": "9.1.2500.0"}
    if strict:
        product["vendor_name"] = "ESET"
    event["metadata"] = {"product": product, "version": "1.5.0"}
    event["device"] = out
    return event, warnings


def group_map(groups):
    result = {}
    for g in groups:
        if isinstance(g, dict) and present(g.get("uuid")):
            result[g["uuid"]] = g
    return result


if __name__ == "__main__":
    import json
    devices = json.load(open(sys.argv[1]))
    groups = group_map(json.load(open(sys.argv[2]))) if len(sys.argv) > 2 else {}
    for d in devices:
        try:
            print(json.dumps(map_device(d, groups)[0]))
        except ValueError:
            print("rejected", file=sys.stderr)
