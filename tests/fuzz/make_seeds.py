#!/usr/bin/env python3
"""Raw seed inputs for the fuzz targets, made from tests/data: make_seeds.py OUT
writes OUT/<target>/<n> files. The committed corpora are these seeds
minimized with libFuzzer (README, "Fuzzing"):
    build-fuzz/tests/fuzz_T -merge=1 tests/fuzz/corpus/T OUT/T"""
import glob
import json
import os
import struct
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def files(*patterns):
    for p in patterns:
        yield from sorted(glob.glob(os.path.join(DATA, p), recursive=True))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def numbers(v):
    """Every JSON number inside v."""
    if isinstance(v, bool):
        return
    if isinstance(v, (int, float)):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from numbers(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from numbers(x)


def replay_series():
    """(key, event type, summary path) of every data file of the replay archive."""
    for path in files("replay/data/*/*/**/*.json"):
        rel = os.path.relpath(path, os.path.join(DATA, "replay", "data"))[: -len(".json")]
        key, et, rest = rel.split(os.sep, 2)
        yield key, et, rest.replace(os.sep, "/"), path


# A state file of esmond-ps-load-gridftp, as tools/loaders/gridftp_state.h lays it out.
GRIDFTP_STATE = {"format": "esmond-ps-load-gridftp state", "version": 1, "style": "netlogger",
                 "log": "/var/log/gridftp-transfer.log", "device": 2049, "inode": 1234567,
                 "offset": 600, "line": 2, "head": {"length": 600, "fnv1a64": "cbf29ce484222325"},
                 "last_record": {"offset": 300, "length": 300, "fnv1a64": "af63bd4c8601b7df",
                                 "text": "DATE=20140410010101.000000"},
                 "saved": "2026-12-01T19:33:02Z"}


def request(method, path, body=b"", auth="", ctype=""):
    return f"{method} {path}\n{auth}\n{ctype}\n".encode() + body


def request_seeds():
    keys = [m["metadata-key"] for m in json.loads(read(os.path.join(DATA, "replay/metadata.json")))]
    token = "Token secret"
    out = [request("GET", "/archive/"), request("OPTIONS", "/archive/")]
    for q in ["source=198.129.254.38&destination=198.124.238.66&event-type=histogram-rtt",
              "event-type=throughput&summary-type=aggregation&summary-window=86400",
              "time-range=86400&limit=2&offset=1", "time-start=1391000000&time-end=1392000000",
              "tool-name=bwctl/iperf3&input-source=lbl-pt1.es.net&format=json",
              "subject-type=point-to-point&measurement-agent=2001:400:201:1150::3",
              "time=1391615950", "ip-transport-protocol=tcp&bw-parallel-streams=2"]:
        out.append(request("GET", "/archive/?" + q))
    for k in keys:
        out.append(request("GET", f"/archive/{k}/"))
    for key, et, summary, path in replay_series():
        out.append(request("GET", f"/archive/{key}/{et}/"))
        out.append(request("GET", f"/archive/{key}/{et}/{summary}?time-start=1391000000&limit=3"))
        out.append(request("GET", f"/archive/{key}/{et}/{summary.split('/')[0]}"))
        points = json.loads(read(path))[:3]
        if summary == "base" and points:
            out.append(request("POST", f"/archive/{key}/{et}/base", json.dumps(points[0]).encode(), token,
                               "application/json"))
            bulk = {"data": [{"ts": p["ts"] + 1, "val": [{"event-type": et, "val": p["val"]}]} for p in points]}
            out.append(request("PUT", f"/archive/{key}/", json.dumps(bulk).encode(), "ApiKey fuzz:secret",
                               "application/json"))
    for path in files("esmond/derived/*post-bodies.json"):
        for body in json.loads(read(path)):
            out.append(request("POST", "/archive/", json.dumps(body).encode(), token, "application/json"))
    return out


def main():
    out = sys.argv[1]
    seeds = {
        "gridftp": [read(p) for p in files("samples/gridftp/**/*.log", "samples/gridftp/**/*.json",
                                           "golden-inputs/*.log", "gridftp-example/inputs/*")]
        + [json.dumps(GRIDFTP_STATE).encode()],
        "pipe": [read(p) for p in files("samples/bwctl/*", "samples/iperf3/*", "samples/pscheduler/*",
                                        "pipe-example/inputs/*")],
        "request": request_seeds(),
    }
    texts, doubles = [], set()
    for path in files("esmond/**/*.json", "replay/**/*.json"):
        v = json.loads(read(path))
        doubles.update(float(x) for x in numbers(v))
        items = v if isinstance(v, list) else list(v.values())
        texts += [t for t in (json.dumps(x, ensure_ascii=False).encode() for x in items[:20]) if len(t) <= 4096]
    seeds["pytext"] = texts
    seeds["pyfloat"] = [struct.pack("<d", d) for d in sorted(doubles)]
    for target, inputs in seeds.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for i, data in enumerate(inputs):
            with open(os.path.join(out, target, str(i)), "wb") as f:
                f.write(data)
        print(f"{target}: {len(inputs)} seeds")


main()
