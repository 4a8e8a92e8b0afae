#!/usr/bin/env python3
"""A second, independent ESET -> Sekoia.io connector, written against the client contract of
Conformance/CLIENTS.md (Python 3 standard library only) to prove that `eset-conformance
--connector-command` certifies any client, and can fail one.

Simple on purpose: one password grant, the device groups and the devices page by page, the
mapping of reference_mapper.py, pushes of 100 events, task polls. It does NOT retry (429, 5xx,
broken bodies), does NOT re-authenticate, does NOT de-duplicate devices across pages and does
NOT understand ESET's 202 "request cached" answer: the scorecard shows what that costs.

    eset-conformance --connector-command 'python3 Scripts/conformance/reference_connector.py' \
        --capabilities Scripts/conformance/reference_connector.capabilities.json

Exit status: 0 everything delivered, 1 failure (nothing after the failure was delivered),
2 some devices had no usable uuid (the others were delivered).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # run from a checkout: leave no __pycache__ behind
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_mapper import group_map, map_device  # noqa: E402

PAGE_SIZE = 100
BATCH_SIZE = 100
TASK_POLLS = 50
MAX_BODY = 32 << 20  # every server is an adversary: no answer is read without a bound


class Failure(Exception):
    """A reason to stop, without any secret in it."""


def settings():
    env = os.environ
    missing = [name for name in ("ESET_REGION", "ESET_USERNAME", "ESET_PASSWORD", "ESET_BASE_URL",
                                 "SEKOIA_URL", "SEKOIA_API_KEY", "SEKOIA_CONNECTOR_UUID") if not env.get(name)]
    if missing:
        raise Failure("missing environment variable(s): " + ", ".join(missing))
    timeout = min(30.0, float(env.get("CONFORMANCE_TIMEOUT") or 30))
    profile = "ocsf-strict" if "--profile=ocsf-strict" in sys.argv[1:] else "sekoia"
    return env, timeout, profile


def request(method, url, timeout, headers=None, body=None):
    """One HTTP call; any status other than 200/202 is a failure (no retry, by design)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            body = answer.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise Failure(f"{method} {urllib.parse.urlsplit(url).path}: the answer is larger than {MAX_BODY} bytes")
            return answer.status, body
    except urllib.error.HTTPError as error:
        raise Failure(f"{method} {urllib.parse.urlsplit(url).path} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise Failure(f"{method} {urllib.parse.urlsplit(url).path} failed: {type(error).__name__}") from None


def token(env, timeout):
    url = f"{env['ESET_BASE_URL']}/{env['ESET_REGION']}.business-account.iam.eset.systems/oauth/token"
    form = urllib.parse.urlencode({"grant_type": "password", "username": env["ESET_USERNAME"],
                                   "password": env["ESET_PASSWORD"]}).encode()
    _, body = request("POST", url, timeout, {"Content-Type": "application/x-www-form-urlencoded"}, form)
    try:
        return json.loads(body)["access_token"]
    except (ValueError, KeyError, TypeError):
        raise Failure("the token answer holds no access_token") from None


def listing(env, timeout, access, path, key):
    """Every element of a paged list, following nextPageToken until it is empty or missing."""
    host = f"{env['ESET_BASE_URL']}/{env['ESET_REGION']}.device-management.eset.systems"
    elements, token_value, seen = [], "", set()
    while True:
        query = {"pageSize": PAGE_SIZE}
        if token_value:
            query["pageToken"] = token_value
        _, body = request("GET", f"{host}{path}?{urllib.parse.urlencode(query)}", timeout,
                          {"Authorization": f"Bearer {access}", "3rd-integration": "reference-connector"})
        try:
            page = json.loads(body)
        except ValueError:
            raise Failure(f"GET {path}: the answer is not JSON") from None
        elements.extend(page.get(key) or [])
        token_value = page.get("nextPageToken") or ""
        if not token_value:
            return elements
        if token_value in seen:
            raise Failure(f"GET {path}: the API sent a page token a second time")
        seen.add(token_value)


def push(env, timeout, events):
    base = env["SEKOIA_URL"].rstrip("/")
    headers = {"Authorization": f"Bearer {env['SEKOIA_API_KEY']}", "Content-Type": "application/json"}
    for start in range(0, len(events), BATCH_SIZE):
        body = json.dumps({"version": 1, "items": events[start:start + BATCH_SIZE]}).encode()
        _, answer = request("POST", f"{base}/api/v2/asset-management/asset-connector/{env['SEKOIA_CONNECTOR_UUID']}",
                            timeout, headers, body)
        task = (json.loads(answer or b"{}") or {}).get("task_id")
        if not task:
            continue
        for poll in range(TASK_POLLS):
            _, status_body = request("GET", f"{base}/api/v1/tasks/{task}", timeout, headers)
            status = json.loads(status_body).get("status")
            if status == "FINISHED":
                break
            if status not in ("PENDING", "RUNNING"):
                raise Failure(f"Sekoia.io task ended {status}")
            time.sleep(min(0.05 * (poll + 1), 1.0))
        else:
            raise Failure("Sekoia.io task still pending after the last poll")


def with_now(value, profile):
    """The mapper writes "$now" where M13 falls back to the moment of mapping: fill it in."""
    if value == "$now":
        # The published table writes epoch seconds as a float; ocsf-strict integer milliseconds.
        return int(time.time() * 1000) if profile == "ocsf-strict" else time.time()
    if isinstance(value, dict):
        return {key: with_now(item, profile) for key, item in value.items()}
    if isinstance(value, list):
        return [with_now(item, profile) for item in value]
    return value


def main():
    try:
        env, timeout, profile = settings()
        access = token(env, timeout)
        groups = group_map(listing(env, timeout, access, "/v1/device_groups", "deviceGroups"))
        devices = listing(env, timeout, access, "/v1/devices", "devices")
        events, rejected = [], 0
        for index, device in enumerate(devices):
            try:
                events.append(with_now(map_device(device, groups, profile)[0], profile))
            except (ValueError, TypeError, AttributeError):
                rejected += 1
                print(f"rejected: device index {index} has no usable uuid", file=sys.stderr)
        push(env, timeout, events)
    except Failure as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    print(f"delivered {len(events)} event(s), rejected {rejected}", file=sys.stderr)
    return 2 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
