#!/usr/bin/env python3
"""Generates Sources/ESETMock/Contract/OpenAPIDigest+Generated.swift from ESET's OpenAPI descriptions.

The mock's contract test and `eset-mock lint` need, for each of the nine operations of "ESET
Connect - Device Management" and "ESET Connect - OAuth": method, path, parameters with their
schemas, the request body's media type and schema, and every declared response with its
headers, media type and schema; plus every component schema those reach. This script extracts
exactly that (no descriptions, titles or examples), replaces `#/components/schemas/NAME` by
`NAME`, checks that every reference resolves, and writes one record per line into a Swift
string literal, so the product needs no description files at run time.

Usage (from the package root):
    python3 Scripts/generate-openapi-digest.py [--spec-dir ../shared/eset-openapi] [--output FILE|-]

Python 3 standard library only. Exit status 0 on success, 1 when the descriptions are inconsistent.
"""

import argparse
import json
import os
import sys

import generator_support
from generator_support import SWIFT_STRING_DELIMITER, SWIFT_STRING_END

SOURCES = [("device-management", "device-management.json"), ("iam", "business-account.json")]
SCHEMA_KEYS = ["type", "format", "enum", "items", "properties", "additionalProperties", "required",
               "minimum", "maximum", "minLength", "maxLength", "pattern", "readOnly", "$ref"]
REF_PREFIX = "#/components/schemas/"


class DigestError(Exception):
    pass


def load_json(path):
    return generator_support.load_json(path, DigestError)


def schema(node, where):
    """The schema keywords the validator reads, references shortened to the component name."""
    if not isinstance(node, dict):
        raise DigestError(f"{where}: a schema must be an object")
    result = {}
    for key in SCHEMA_KEYS:
        if key not in node:
            continue
        value = node[key]
        if key == "$ref":
            if not value.startswith(REF_PREFIX):
                raise DigestError(f"{where}: unsupported reference {value}")
            value = value[len(REF_PREFIX):]
        elif key == "items":
            value = schema(value, where + ".items")
        elif key == "properties":
            value = {name: schema(sub, f"{where}.{name}") for name, sub in sorted(value.items())}
        elif key == "additionalProperties" and isinstance(value, dict):
            value = schema(value, where + ".additionalProperties")
        result[key] = value
    return result


def refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value)
            else:
                refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def media(content, where):
    """(media type, schema or None) of a content map with at most one entry."""
    if not content:
        return None, None
    if len(content) != 1:
        raise DigestError(f"{where}: more than one media type")
    media_type, body = next(iter(content.items()))
    return media_type, (schema(body["schema"], where) if "schema" in body else None)


def digest(spec_dir):
    operations = []
    schemas = {}
    for service, file_name in SOURCES:
        document = load_json(os.path.join(spec_dir, file_name))
        for name, node in document.get("components", {}).get("schemas", {}).items():
            if name in schemas:
                raise DigestError(f"{file_name}: schema {name} is defined twice")
            schemas[name] = schema(node, f"{file_name}#{name}")
        for path, item in sorted(document["paths"].items()):
            for method, operation in sorted(item.items()):
                where = f"{file_name} {method.upper()} {path}"
                record = {"id": operation["operationId"], "service": service, "method": method.upper(), "path": path}
                parameters = []
                for parameter in operation.get("parameters", []):
                    parameters.append({
                        "name": parameter["name"], "in": parameter["in"],
                        "required": bool(parameter.get("required", False)),
                        "schema": schema(parameter.get("schema", {}), f"{where} {parameter['name']}"),
                    })
                record["parameters"] = parameters
                if "requestBody" in operation:
                    body = operation["requestBody"]
                    media_type, body_schema = media(body.get("content", {}), where + " requestBody")
                    record["requestBody"] = {"required": bool(body.get("required", False)),
                                             "mediaType": media_type, "schema": body_schema}
                responses = {}
                for status, response in sorted(operation["responses"].items()):
                    media_type, body_schema = media(response.get("content", {}), f"{where} {status}")
                    headers = {name: schema(header.get("schema", {}), f"{where} {status} {name}")
                               for name, header in sorted(response.get("headers", {}).items())}
                    entry = {"headers": headers}
                    if media_type:
                        entry["mediaType"] = media_type
                        entry["schema"] = body_schema
                    responses[status] = entry
                record["responses"] = responses
                operations.append(record)
    found = set()
    refs(operations, found)
    refs(schemas, found)
    missing = sorted(name for name in found if name not in schemas)
    if missing:
        raise DigestError(f"unresolved references: {', '.join(missing)}")
    return operations, schemas


def swift_source(operations, schemas):
    lines = ['{"operations": [']
    for index, operation in enumerate(operations):
        comma = "," if index < len(operations) - 1 else ""
        lines.append(json.dumps(operation, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append('], "schemas": {')
    names = sorted(schemas)
    for index, name in enumerate(names):
        comma = "," if index < len(names) - 1 else ""
        lines.append(json.dumps(name) + ":" + json.dumps(schemas[name], sort_keys=True, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append("}}")
    text = "\n".join(lines)
    if SWIFT_STRING_END in text:
        raise DigestError("the digest contains the Swift string delimiter")
    return (
        "// Generated by Scripts/generate-openapi-digest.py from ESET's OpenAPI descriptions\n"
        "// (../shared/eset-openapi: device-management.json, business-account.json). Do not edit:\n"
        "// regenerate with `python3 Scripts/generate-openapi-digest.py`.\n\n"
        "extension OpenAPIContract {\n"
        "    /// The operations and component schemas of the two descriptions, one record per line.\n"
        f"    static let digestJSON = {SWIFT_STRING_DELIMITER}\n"
        f"{text}\n"
        f"{SWIFT_STRING_END}\n"
        "}\n"
    )


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec-dir", default=os.path.join(root, "..", "shared", "eset-openapi"))
    parser.add_argument("--output", default=os.path.join(root, "Sources", "ESETMock", "Contract", "OpenAPIDigest+Generated.swift"))
    arguments = parser.parse_args()
    try:
        operations, schemas = digest(arguments.spec_dir)
    except DigestError as error:
        print(f"generate-openapi-digest: {error}", file=sys.stderr)
        return 1
    source = swift_source(operations, schemas)
    if arguments.output == "-":
        sys.stdout.write(source)
    else:
        with open(arguments.output, "w", encoding="utf-8") as handle:
            handle.write(source)
        print(f"wrote {len(operations)} operations and {len(schemas)} schemas to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
