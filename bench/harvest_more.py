#!/usr/bin/env python3
"""Adds one more hour of data to archives made by bench/harvest.sh: for each
base series, the points of its last hour again one hour later (bulk PUTs
with the archive's token, one per test).
    harvest_more.py TOKEN URL..."""

import json
import sys
import urllib.error
import urllib.request

R = "/esmond/perfsonar/archive/"


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def add_hour(base, token):
    added = 0
    for md in get(base + R + "?limit=100000"):
        items = {}
        for et in md["event-types"]:
            last = et["time-updated"]
            if last is None or et["event-type"] == "packet-loss-rate":
                continue  # a GET shows the ratio, a PUT needs numerator and denominator
            points = get("%s%s?time-start=%d&time-end=%d&limit=100000" % (base, et["base-uri"], last - 3599, last))
            for p in points:
                items.setdefault(p["ts"] + 3600, []).append({"event-type": et["event-type"], "val": p["val"]})
                added += 1
        if not items:
            continue
        body = json.dumps({"data": [{"ts": ts, "val": v} for ts, v in sorted(items.items())]}).encode()
        req = urllib.request.Request(base + md["uri"], data=body, method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": "Token " + token})
        try:
            urllib.request.urlopen(req, timeout=120).read()
        except urllib.error.HTTPError as e:
            sys.exit("PUT %s: %s %s" % (md["uri"], e.code, e.read()[:300]))
    return added


if __name__ == "__main__":
    print(sum(add_hour(u, sys.argv[1]) for u in sys.argv[2:]))
