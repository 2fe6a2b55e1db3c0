#!/usr/bin/env python3
"""Ingests a replay-layout directory into an esmond archive through the REST
API, as a bulk loader would: one metadata POST per test, then bulk PUTs of
up to --items time stamps each (every event type of a time stamp in one item).
Bodies are built before the clock starts, so the figure is the archive's.

    bulk_ingest.py URL DIR [--no-summaries] [--items N]
Prints "points P requests R seconds S points/s X client-cpu C", C being the
seconds of CPU this client spent sending (its own share of S). The write key comes from
the environment (ESMOND_KEY), never from the command line."""

import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

# Fields of a served metadata object that a POST does not carry.
SERVED_ONLY = ("url", "metadata-key", "uri")


def post_body(md, summaries):
    body = {k: v for k, v in md.items() if k not in SERVED_ONLY and k != "event-types"}
    body["event-types"] = [
        {"event-type": et["event-type"],
         "summaries": [{"summary-type": s["summary-type"], "summary-window": s["summary-window"]}
                       for s in et["summaries"]] if summaries else []}
        for et in md["event-types"]]
    return body


def load_points(directory, key, event_type):
    path = os.path.join(directory, "data", key, event_type, "base.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def items_of(directory, md):
    """{ts: [{"event-type", "val"}...]} with values in the shape a PUT takes:
    a loss rate is sent as the lost and sent counts of the same run."""
    key = md["metadata-key"]
    types = [et["event-type"] for et in md["event-types"]]
    counts = {et: {p["ts"]: p["val"] for p in load_points(directory, key, et)}
              for et in ("packet-count-lost", "packet-count-sent") if et in types}
    by_ts = {}
    for et in types:
        for p in load_points(directory, key, et):
            val = p["val"]
            if et == "packet-loss-rate":
                sent = counts.get("packet-count-sent", {}).get(p["ts"])
                lost = counts.get("packet-count-lost", {}).get(p["ts"])
                if not sent:
                    continue
                val = {"numerator": int(lost), "denominator": int(sent)}
            by_ts.setdefault(p["ts"], []).append({"event-type": et, "val": val})
    return by_ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("directory")
    ap.add_argument("--no-summaries", action="store_true")
    ap.add_argument("--items", type=int, default=1000)
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.url)
    if u.hostname not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("bulk_ingest.py: loopback archives only")
    headers = {"Content-Type": "application/json"}
    if os.environ.get("ESMOND_KEY"):
        headers["Authorization"] = "Token " + os.environ["ESMOND_KEY"]
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)

    def send(method, path, body):
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        text = r.read()
        if r.status != 201:
            sys.exit("bulk_ingest.py: %s %s: %d %s" % (method, path, r.status, text[:200]))
        return text

    with open(os.path.join(args.directory, "metadata.json")) as f:
        metadata = json.load(f)
    bodies, points = [], 0
    for md in metadata:
        made = json.loads(send("POST", "/esmond/perfsonar/archive/",
                               json.dumps(post_body(md, not args.no_summaries))))
        path = "/esmond/perfsonar/archive/%s/" % made["metadata-key"]
        by_ts = items_of(args.directory, md)
        stamps = sorted(by_ts)
        for i in range(0, len(stamps), args.items):
            data = [{"ts": ts, "val": by_ts[ts]} for ts in stamps[i:i + args.items]]
            points += sum(len(d["val"]) for d in data)
            bodies.append((path, json.dumps({"data": data}, separators=(",", ":")).encode()))
    t0, c0 = time.monotonic(), time.process_time()
    for path, body in bodies:
        send("PUT", path, body)
    secs, cpu = time.monotonic() - t0, time.process_time() - c0
    print("points %d requests %d seconds %.2f points/s %.0f client-cpu %.2f"
          % (points, len(bodies), secs, points / secs, cpu))


if __name__ == "__main__":
    main()
