#!/usr/bin/env python3
"""Generates Sources/OCSF/Schema/OCSFSchema+Generated.swift from the OCSF 1.5.0 schema data.

The validator needs, for the Device Inventory Info class (inventory_info, uid 5001) and every
object it reaches transitively: each attribute's type, requirement, array-ness, profile, enum
values with captions, caption sibling and deprecation, each object's constraints, and what every
scalar type reduces to. This script extracts exactly that (no descriptions) from the compiled
schema, cross-checks it against the raw schema files, and writes it as one record per line into
a Swift string literal, so the product needs no schema files at run time.

Usage (from the package root):
    python3 Scripts/generate-ocsf-schema.py [--schema-dir ../shared/ocsf-1.5.0] [--output FILE|-]

Python 3 standard library only. Exit status 0 on success, 1 when the data is inconsistent.
"""

import argparse
import json
import os
import sys

import generator_support
from generator_support import SWIFT_STRING_DELIMITER, SWIFT_STRING_END

CLASS_NAME = "inventory_info"


class SchemaError(Exception):
    pass


def load_json(path):
    return generator_support.load_json(path, SchemaError)


def enum_sort_key(key):
    """Integer enum keys sort numerically, string keys after them alphabetically."""
    try:
        return (0, int(key), "")
    except ValueError:
        return (1, 0, key)


def reachable_objects(compiled, klass):
    """Every object reachable from the class's attributes, profile attributes included."""
    seen = set()
    pending = []

    def visit(attributes):
        for name, attribute in attributes.items():
            object_type = attribute.get("object_type")
            if object_type and object_type not in seen:
                if object_type not in compiled["objects"]:
                    raise SchemaError(f"attribute {name} references unknown object {object_type}")
                seen.add(object_type)
                pending.append(object_type)

    visit(klass["attributes"])
    while pending:
        visit(compiled["objects"][pending.pop()]["attributes"])
    return sorted(seen)


def attribute_record(name, attribute, types):
    """One attribute as ["a", name, type, requirement, extras]."""
    object_type = attribute.get("object_type")
    attribute_type = attribute["type"]
    if object_type:
        if attribute_type != object_type:
            raise SchemaError(f"attribute {name}: type {attribute_type} differs from object_type {object_type}")
    elif attribute_type not in types:
        raise SchemaError(f"attribute {name}: unknown type {attribute_type}")
    requirement = attribute.get("requirement") or "optional"
    if requirement not in ("required", "recommended", "optional"):
        raise SchemaError(f"attribute {name}: unknown requirement {requirement}")
    extras = {}
    if attribute.get("is_array"):
        extras["array"] = True
    if attribute.get("profile"):
        extras["profile"] = attribute["profile"]
    if attribute.get("sibling"):
        extras["sibling"] = attribute["sibling"]
    deprecated = attribute.get("@deprecated")
    if deprecated:
        extras["deprecated"] = deprecated.get("since") or "?"
    enum = attribute.get("enum")
    if enum:
        values = {}
        for key in sorted(enum, key=enum_sort_key):
            values[key] = enum[key]["caption"]
            if enum[key].get("@deprecated"):
                # 1.5.0 has none in reach; the validator would need a check for them first.
                raise SchemaError(f"attribute {name}: enum value {key} is deprecated (unsupported)")
        extras["enum"] = values
    record = ["a", name, attribute_type, requirement]
    if extras:
        record.append(extras)
    return record


def constraints_of(item, what):
    constraints = item.get("constraints") or {}
    for kind in constraints:
        if kind not in ("at_least_one", "just_one"):
            raise SchemaError(f"{what}: unknown constraint kind {kind}")
    return {kind: list(names) for kind, names in sorted(constraints.items())}


def build_records(compiled):
    klass = compiled["classes"].get(CLASS_NAME)
    if klass is None:
        raise SchemaError(f"class {CLASS_NAME} not in the compiled schema")
    category = compiled["categories"].get(klass["category"])
    if category is None:
        raise SchemaError(f"category {klass['category']} not in the compiled schema")
    types = compiled["types"]

    records = [["schema", compiled["version"]]]
    for name in sorted(types):
        definition = types[name]
        extras = {}
        for key in ("max_len", "range", "regex", "values"):
            if definition.get(key) is not None:
                extras[key] = definition[key]
        base = definition.get("type") or name
        if base not in types:
            raise SchemaError(f"type {name} reduces to unknown type {base}")
        records.append(["type", name, base] + ([extras] if extras else []))
    for name in sorted(compiled["profiles"]):
        records.append(["profile", name])

    records.append([
        "class", klass["name"], klass["uid"], klass["caption"], category["uid"], category["caption"],
        constraints_of(klass, f"class {CLASS_NAME}"),
    ])
    for name in sorted(klass["attributes"]):
        records.append(attribute_record(name, klass["attributes"][name], types))

    for object_name in reachable_objects(compiled, klass):
        item = compiled["objects"][object_name]
        extras = {}
        constraints = constraints_of(item, f"object {object_name}")
        if constraints:
            extras["constraints"] = constraints
        if item.get("@deprecated"):
            # 1.5.0 has none in reach; the validator would need a check for them first.
            raise SchemaError(f"object {object_name} is deprecated (unsupported)")
        records.append(["object", object_name] + ([extras] if extras else []))
        for name in sorted(item["attributes"]):
            records.append(attribute_record(f"{name}", item["attributes"][name], types))
    return records


# ---------------------------------------------------------------------------------------------
# Cross-check against the raw (uncompiled) schema files: resolve `extends`, `$include`d profiles
# and dictionary defaults the way the OCSF compiler does, for the class and the objects the
# connector writes, and require the compiled facts to agree.

CHECKED_OBJECTS = ("device", "os", "network_interface", "group", "metadata", "product")


def raw_attributes(schema_dir, dictionary, kind, name, cache):
    key = (kind, name)
    if key in cache:
        return cache[key]
    if kind == "object":
        path = os.path.join(schema_dir, "objects", f"{name}.json")
    else:
        path = os.path.join(schema_dir, "events", name)
    item = load_json(path)
    merged = {}
    parent = item.get("extends")
    if parent:
        if kind == "object":
            merged = {k: dict(v) for k, v in raw_attributes(schema_dir, dictionary, "object", parent, cache)[0].items()}
        else:
            parent_path = {"base_event": "base_event.json", "discovery": "discovery/discovery.json"}.get(parent)
            if parent_path is None:
                raise SchemaError(f"{path}: cannot resolve event parent {parent}")
            merged = {k: dict(v) for k, v in raw_attributes(schema_dir, dictionary, "event", parent_path, cache)[0].items()}
    attributes = item.get("attributes", {})
    for include in attributes.get("$include", []):
        profile = load_json(os.path.join(schema_dir, include))
        for attribute_name, attribute in profile.get("attributes", {}).items():
            entry = merged.setdefault(attribute_name, {})
            entry.update(attribute)
            entry["profile"] = profile["name"]
    for attribute_name, attribute in attributes.items():
        if attribute_name == "$include":
            continue
        entry = merged.setdefault(attribute_name, {})
        entry.update(attribute)
    cache[key] = (merged, item)
    return cache[key]


def resolved(dictionary, name, attribute):
    base = dictionary["attributes"].get(name, {})
    requirement = attribute.get("requirement", base.get("requirement", "optional"))
    attribute_type = attribute.get("type", base.get("type"))
    is_array = bool(attribute.get("is_array", base.get("is_array", False)))
    enum_keys = set(base.get("enum", {}) or {}) | set(attribute.get("enum", {}) or {})
    sibling = attribute.get("sibling", base.get("sibling"))
    return requirement, attribute_type, is_array, enum_keys, sibling


def cross_check(schema_dir, compiled):
    problems = []
    version = load_json(os.path.join(schema_dir, "version.json")).get("version")
    if version != compiled["version"]:
        problems.append(f"version.json says {version}, compiled schema says {compiled['version']}")
    dictionary = load_json(os.path.join(schema_dir, "dictionary.json"))
    for type_name, definition in dictionary["types"]["attributes"].items():
        compiled_type = compiled["types"].get(type_name)
        if compiled_type is None:
            problems.append(f"dictionary type {type_name} missing from the compiled schema")
        elif (definition.get("type") or None) != (compiled_type.get("type") or None):
            problems.append(f"type {type_name}: raw base {definition.get('type')}, compiled {compiled_type.get('type')}")
    categories = load_json(os.path.join(schema_dir, "categories.json"))["attributes"]
    klass = compiled["classes"][CLASS_NAME]
    category_uid = categories[klass["category"]]["uid"]
    cache = {}
    raw_class, raw_class_item = raw_attributes(schema_dir, dictionary, "event", "discovery/inventory_info.json", cache)
    if category_uid * 1000 + raw_class_item["uid"] != klass["uid"]:
        problems.append(f"class uid: raw {category_uid}*1000+{raw_class_item['uid']}, compiled {klass['uid']}")

    def compare(what, raw, compiled_attributes):
        raw = {name: dict(attribute) for name, attribute in raw.items()}
        # The compiler adds a datetime_t twin `<name>_dt` (profile "datetime") to every timestamp.
        for name in list(raw):
            if resolved(dictionary, name, raw[name])[1] == "timestamp_t":
                raw[f"{name}_dt"] = {"type": "datetime_t", "requirement": "optional", "profile": "datetime"}
        if set(raw) != set(compiled_attributes):
            problems.append(f"{what}: attribute names differ: raw-only {sorted(set(raw) - set(compiled_attributes))},"
                            f" compiled-only {sorted(set(compiled_attributes) - set(raw))}")
        for name in sorted(set(raw) & set(compiled_attributes)):
            requirement, attribute_type, is_array, enum_keys, sibling = resolved(dictionary, name, raw[name])
            compiled_attribute = compiled_attributes[name]
            expected_type = compiled_attribute["type"]
            if attribute_type == "object_t":
                attribute_type = raw[name].get("object_type") or dictionary["attributes"][name].get("object_type")
            facts = [
                ("requirement", requirement, compiled_attribute.get("requirement") or "optional"),
                ("type", attribute_type, expected_type),
                ("is_array", is_array, bool(compiled_attribute.get("is_array"))),
                ("enum", enum_keys, set(compiled_attribute.get("enum") or {})),
                ("sibling", sibling, compiled_attribute.get("sibling")),
                ("profile", raw[name].get("profile"), compiled_attribute.get("profile")),
            ]
            for fact, raw_value, compiled_value in facts:
                if raw_value != compiled_value:
                    problems.append(f"{what}.{name}: {fact} raw {raw_value!r}, compiled {compiled_value!r}")

    # The compiler generates the enums of the class's own identifiers.
    activity_keys = set(klass["attributes"]["activity_id"]["enum"])
    generated = {
        "class_uid": {str(klass["uid"])},
        "category_uid": {str(category_uid)},
        "type_uid": {str(klass["uid"] * 100 + int(key)) for key in activity_keys},
    }
    for name, keys in generated.items():
        if set(klass["attributes"][name].get("enum") or {}) != keys:
            problems.append(f"class {CLASS_NAME}.{name}: compiled enum is not the generated {sorted(keys)}")
        raw_class[name] = dict(raw_class[name], enum={key: {} for key in keys})
    compare(f"class {CLASS_NAME}", raw_class, klass["attributes"])
    for object_name in CHECKED_OBJECTS:
        raw_object, _ = raw_attributes(schema_dir, dictionary, "object", object_name, cache)
        compare(f"object {object_name}", raw_object, compiled["objects"][object_name]["attributes"])
    return problems


def swift_source(records):
    lines = [json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records]
    body = "\n".join(lines)
    if SWIFT_STRING_END in body:
        raise SchemaError("the data contains the Swift string delimiter")
    header = f"""\
// GENERATED by Scripts/generate-ocsf-schema.py from the OCSF 1.5.0 schema data
// (compiled/schema-1.5.0.json, cross-checked with the raw files). Do not edit by hand:
// change the script and run `python3 Scripts/generate-ocsf-schema.py` from the package root.
//
// One JSON record per line (the OCSF schema is Apache-2.0; only data is copied, no prose):
//   ["schema", version]
//   ["type", name, base type, {{max_len, range, regex, values}}?]
//   ["profile", name]
//   ["class", name, uid, caption, category uid, category caption, {{constraints}}]
//   ["object", name, {{constraints}}?]
//   ["a", name, type, requirement, {{array, profile, sibling, enum, deprecated (since)}}?]
// "a" records belong to the class or object record above them. A type that is not in a "type"
// record is an object name. The data is a string, not Swift literals, because the type checker
// is slow on a thousand nested literals; `OCSFSchema.v1_5_0` parses it once on first use.

extension OCSFSchema {{
    /// The records of the OCSF {records[0][1]} Device Inventory Info schema, as described above.
    static let generatedRecords: String = {SWIFT_STRING_DELIMITER}
"""
    return header + body + "\n" + SWIFT_STRING_END + "\n}\n"


def main():
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description="Generate the OCSF schema description the validator uses.")
    parser.add_argument("--schema-dir", default=os.path.join(package_root, "..", "shared", "ocsf-1.5.0"),
                        help="directory holding compiled/schema-1.5.0.json and the raw schema files")
    parser.add_argument("--output", default=os.path.join(package_root, "Sources", "OCSF", "Schema", "OCSFSchema+Generated.swift"),
                        help="Swift file to write, or '-' for stdout")
    arguments = parser.parse_args()
    try:
        compiled = load_json(os.path.join(arguments.schema_dir, "compiled", "schema-1.5.0.json"))
        problems = cross_check(arguments.schema_dir, compiled)
        if problems:
            raise SchemaError("the compiled schema disagrees with the raw files:\n  " + "\n  ".join(problems))
        source = swift_source(build_records(compiled))
    except SchemaError as error:
        print(f"generate-ocsf-schema: {error}", file=sys.stderr)
        return 1
    if arguments.output == "-":
        sys.stdout.write(source)
    else:
        os.makedirs(os.path.dirname(arguments.output), exist_ok=True)
        temporary = arguments.output + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(source)
        os.replace(temporary, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
