#!/usr/bin/env python3
"""Checks a directory in the replay layout (tests/data/replay/README.md).

Usage: check_replay.py [--sample] DIR

Always checked: metadata.json is a list of complete esmond metadata objects in
REST wire format, sorted by key, with event types sorted by name and summaries
by (type, window); every data file belongs to a registered event type or
summary and is a JSON array of {"ts", "val"} points with strictly ascending
integer ts and a value of the shape its event type's data type demands.

With --sample, the stricter promises of esmond-sample-data are checked too:
lowercase hex keys, base files only, time-updated equal to the last base ts
(null when there is no data), loss rate = lost / sent at the same ts, and the
histograms holding the packets that were not lost.

Exit status 0 when everything holds; otherwise every problem found is printed
and the status is 1.
"""
import ipaddress
import json
import os
import re
import sys

PREFIX = "/esmond/perfsonar/archive/"
HOST = "http://archive.example.net"
FIXED = ["url", "metadata-key", "subject-type", "event-types", "source", "destination",
         "measurement-agent", "tool-name", "input-source", "input-destination"]
SUMMARY_URL = {"aggregation": "aggregations", "average": "averages", "statistics": "statistics"}

DATA_TYPES = {
    "failures": "json", "histogram-owdelay": "histogram", "histogram-rtt": "histogram",
    "histogram-ttl": "histogram", "histogram-ttl-reverse": "histogram", "ntp-delay": "float",
    "ntp-dispersion": "float", "ntp-jitter": "float", "ntp-offset": "float",
    "ntp-polling-interval": "float", "ntp-reach": "integer", "ntp-stratum": "integer",
    "ntp-wander": "float", "packet-count-lost": "integer", "packet-count-lost-bidir": "integer",
    "packet-count-sent": "integer", "packet-duplicates": "integer",
    "packet-duplicates-bidir": "integer", "packet-loss-rate": "percentage",
    "packet-loss-rate-bidir": "percentage", "packet-reorders": "integer",
    "packet-reorders-bidir": "integer", "packet-retransmits": "integer",
    "packet-retransmits-subintervals": "subinterval", "packet-rtt": "integer",
    "packet-rtt-subintervals": "subinterval", "packet-trace": "json", "path-mtu": "integer",
    "tcp-windowsize": "integer", "tcp-windowsize-subintervals": "subinterval",
    "throughput": "integer", "throughput-subintervals": "subinterval",
    "time-error-estimates": "float",
}

problems = []


def bad(where, msg):
    problems.append(f"{where}: {msg}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_address(where, field, value):
    try:
        canon = str(ipaddress.ip_address(value))
    except ValueError:
        return  # a host name is allowed by the API
    if canon != value:
        bad(where, f"{field} {value!r} is not in canonical form ({canon!r})")


def check_metadata(meta_list, sample):
    if not isinstance(meta_list, list) or not meta_list:
        bad("metadata.json", "not a non-empty JSON array")
        return {}
    registered = {}  # key -> {event type: (time-updated, {(url name, window)})}
    keys = []
    for i, m in enumerate(meta_list):
        where = f"metadata.json[{i}]"
        if not isinstance(m, dict):
            bad(where, "not an object")
            continue
        for f in FIXED + ["uri"]:
            if f not in m and not (f == "destination" or f == "input-destination"):
                bad(where, f"missing {f}")
        key = m.get("metadata-key", "")
        keys.append(key)
        where = f"metadata {key}"
        if sample and not re.fullmatch(r"[0-9a-f]{32}", key):
            bad(where, "key is not 32 lowercase hex digits")
        if m.get("uri") != f"{PREFIX}{key}/":
            bad(where, f"uri {m.get('uri')!r}")
        if m.get("url") != f"{HOST}{PREFIX}{key}/":
            bad(where, f"url {m.get('url')!r}")
        if m.get("subject-type") != "point-to-point" and sample:
            bad(where, "subject-type is not point-to-point")
        for f in ("source", "destination", "measurement-agent"):
            if f in m:
                check_address(where, f, m[f])
        if sample and m.get("measurement-agent") != m.get("source"):
            bad(where, "measurement-agent differs from source")
        free = [k for k in m if k not in FIXED and k != "uri"]
        for k in free:
            if not isinstance(m[k], str):
                bad(where, f"free-form parameter {k} is not a string")
        if list(m.keys())[-1] != "uri":
            bad(where, "uri is not the last member")
        if sample and free != sorted(free):
            bad(where, "free-form parameters are not sorted")
        ets = m.get("event-types", [])
        names = [e.get("event-type") for e in ets]
        if names != sorted(names) or len(set(names)) != len(names):
            bad(where, f"event types not sorted or repeated: {names}")
        regs = {}
        for e in ets:
            et = e.get("event-type")
            ew = f"{where} {et}"
            if list(e.keys()) != ["base-uri", "event-type", "time-updated", "summaries"]:
                bad(ew, f"members {list(e.keys())}")
            if e.get("base-uri") != f"{PREFIX}{key}/{et}/base":
                bad(ew, f"base-uri {e.get('base-uri')!r}")
            tu = e.get("time-updated")
            if tu is not None and not is_int(tu):
                bad(ew, f"time-updated {tu!r} is not an integer or null")
            sums = set()
            order = []
            for s in e.get("summaries", []):
                if list(s.keys()) != ["uri", "summary-type", "summary-window", "time-updated"]:
                    bad(ew, f"summary members {list(s.keys())}")
                st, win = s.get("summary-type"), s.get("summary-window")
                if st not in SUMMARY_URL or not isinstance(win, str) or not win.isdigit():
                    bad(ew, f"summary {st!r}/{win!r}")
                    continue
                if s.get("uri") != f"{PREFIX}{key}/{et}/{SUMMARY_URL[st]}/{win}":
                    bad(ew, f"summary uri {s.get('uri')!r}")
                stu = s.get("time-updated")
                if stu is not None and not is_int(stu):
                    bad(ew, f"summary time-updated {stu!r}")
                order.append((st, int(win)))
                sums.add((SUMMARY_URL[st], win))
            if sample and order != sorted(order):
                bad(ew, f"summaries not sorted: {order}")
            regs[et] = (tu, sums, [s.get("time-updated") for s in e.get("summaries", [])])
        registered[key] = regs
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        bad("metadata.json", "metadata not sorted by key or keys repeated")
    return registered


def check_value(where, et, v, summary):
    dt = DATA_TYPES.get(et)
    if summary:
        return  # summary values have other shapes (statistics objects, averages)
    if dt == "integer":
        if not isinstance(v, float) or v != int(v):
            bad(where, f"integer event type value {v!r} is not an integral float")
    elif dt in ("float", "percentage"):
        if not isinstance(v, float):
            bad(where, f"value {v!r} is not a float")
    elif dt == "histogram":
        if not isinstance(v, dict) or not all(isinstance(k, str) and is_int(c) and c >= 0
                                              for k, c in v.items()):
            bad(where, f"histogram {v!r}")
    elif dt == "subinterval":
        if not isinstance(v, list) or not v or not all(
                isinstance(x, dict) and {"start", "duration", "val"} <= x.keys() for x in v):
            bad(where, f"subintervals {str(v)[:80]}")
    elif et == "packet-trace":
        if not isinstance(v, list) or not v:
            bad(where, "packet-trace is not a non-empty array")
            return
        ttls = [h.get("ttl") for h in v]
        if ttls != sorted(ttls):
            bad(where, "packet-trace hops not sorted by ttl")
        for h in v:
            if h.get("success") == 1 and "ip" in h:
                check_address(where, "hop ip", h["ip"])
            elif h.get("success") == 0 and not (h.get("error-message") or h.get("error_message")):
                bad(where, f"failed hop without an error message: {h}")


def load_points(path, where, et, summary):
    try:
        with open(path, encoding="utf-8") as f:
            pts = json.load(f)
    except (OSError, ValueError) as e:
        bad(where, f"cannot load: {e}")
        return None
    if not isinstance(pts, list):
        bad(where, "not a JSON array")
        return None
    last = None
    for j, p in enumerate(pts):
        if not isinstance(p, dict) or set(p.keys()) != {"ts", "val"} or not is_int(p["ts"]):
            bad(where, f"point {j} is not {{ts, val}} with an integer ts: {str(p)[:80]}")
            return None
        if last is not None and p["ts"] <= last:
            bad(where, f"ts not strictly ascending at point {j} ({p['ts']} after {last})")
        last = p["ts"]
        check_value(f"{where} point {j}", et, p["val"], summary)
    return pts


def main(argv):
    sample = "--sample" in argv
    args = [a for a in argv if a != "--sample"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = args[0]
    try:
        with open(os.path.join(root, "metadata.json"), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        print(f"metadata.json: {e}", file=sys.stderr)
        return 1
    registered = check_metadata(meta, sample)
    base_points = {}  # (key, et) -> points
    n_files = n_points = 0
    data = os.path.join(root, "data")
    for dirpath, dirnames, filenames in os.walk(data):
        dirnames.sort()
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, data).split(os.sep)
            where = "data/" + "/".join(rel)
            if not fn.endswith(".json"):
                bad(where, "stray file")
                continue
            if len(rel) == 3 and rel[2] == "base.json":
                key, et, summary = rel[0], rel[1], None
            elif len(rel) == 4:
                key, et, summary = rel[0], rel[1], (rel[2], rel[3][:-5])
            else:
                bad(where, "path is not <key>/<event-type>/base.json or .../<summaries>/<window>.json")
                continue
            if key not in registered or et not in registered[key]:
                bad(where, "event type not registered in metadata.json")
                continue
            if summary is not None:
                if sample:
                    bad(where, "summary file written (the generator writes base data only)")
                if summary not in registered[key][et][1]:
                    bad(where, "summary not registered in metadata.json")
            pts = load_points(path, where, et, summary is not None)
            n_files += 1
            if pts is None:
                continue
            n_points += len(pts)
            if summary is None:
                base_points[(key, et)] = pts

    if sample:
        for key, regs in registered.items():
            for et, (tu, _, sum_tus) in regs.items():
                pts = base_points.get((key, et))
                want = pts[-1]["ts"] if pts else None
                if pts is not None and not pts:
                    bad(f"data/{key}/{et}/base.json", "empty file")
                if tu != want:
                    bad(f"metadata {key} {et}", f"time-updated {tu} but last base ts {want}")
                if any(s != tu for s in sum_tus):
                    bad(f"metadata {key} {et}", "summary time-updated differs from the event type's")
            check_latency_consistency(key, base_points)

    for p in problems[:50]:
        print(p)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more problems")
    print(f"{root}: {len(meta) if isinstance(meta, list) else 0} metadata objects, {n_files} data files, "
          f"{n_points} points, {len(problems)} problems")
    return 1 if problems else 0


def check_latency_consistency(key, base_points):
    sent = base_points.get((key, "packet-count-sent"))
    if not sent:
        return
    lost = {p["ts"]: p["val"] for p in base_points.get((key, "packet-count-lost"), [])}
    rate = {p["ts"]: p["val"] for p in base_points.get((key, "packet-loss-rate"), [])}
    hist = {p["ts"]: p["val"] for p in base_points.get((key, "histogram-owdelay"), [])}
    ttl = {p["ts"]: p["val"] for p in base_points.get((key, "histogram-ttl"), [])}
    where = f"data/{key}"
    for p in sent:
        ts, s = p["ts"], p["val"]
        if ts not in lost or ts not in rate or ts not in hist or ts not in ttl:
            bad(where, f"latency run at {ts} lacks some event types")
            return
        if rate[ts] != lost[ts] / s:
            bad(where, f"loss rate {rate[ts]} != {lost[ts]} / {s} at {ts}")
            return
        received = int(s - lost[ts])
        if sum(hist[ts].values()) != received or sum(ttl[ts].values()) != received:
            bad(where, f"histograms at {ts} do not hold the {received} received packets")
            return
        if not all(re.fullmatch(r"\d+\.\d\d", k) for k in hist[ts]):
            bad(where, f"histogram-owdelay bucket keys are not %.2f at {ts}")
            return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
