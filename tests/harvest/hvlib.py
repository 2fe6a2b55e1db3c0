"""Helpers of the esmond-ps-harvest tests: real esmond-ps-archive instances
(tests/http/harness.py) filled with esmond-sample-data --import, data added
through the archive's API with a token, the harvester run as a process, and
what the archives hold compared with what it delivered."""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import harness  # noqa: E402

BIN = os.environ.get("ESM_BIN") or os.path.join(HERE, "..", "..", "build", "bin")
HARVEST = os.path.join(BIN, "esmond-ps-harvest")
SAMPLE = os.path.join(BIN, "esmond-sample-data")
os.environ.setdefault("ESM_ARCHIVE", os.path.join(BIN, "esmond-ps-archive"))
harness.ARCHIVE_BIN = os.environ["ESM_ARCHIVE"]
# --import of a few thousand points before the listening line: slow in a
# sanitizer build on a loaded machine
harness.START_TIMEOUT = 120.0

DAY = 86400
# one day of sample data that ended at today's midnight, so that new points
# can follow it before now
START = (int(time.time()) // DAY - 1) * DAY
SINCE = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(START))


def sample_archive(tmp, pairs, seed, cleanup, days=1, start=START):
    """A started Archive holding esmond-sample-data's output; cleanup (a
    test's addCleanup or addClassCleanup) stops and removes it, even when
    the rest of the set-up fails."""
    out = tempfile.mkdtemp(prefix="sample-", dir=tmp)
    subprocess.run([SAMPLE, "--out", out, "--pairs", str(pairs), "--days", str(days),
                    "--start", str(start), "--seed", str(seed), "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    a = harness.Archive(import_dir=out).start()
    cleanup(a.cleanup)
    cleanup(a.stop)
    return a


def harvest(args, timeout=120, **kw):
    """Runs the harvester to its end; returns the CompletedProcess."""
    return subprocess.run([HARVEST] + args, capture_output=True, text=True, timeout=timeout, **kw)


def base_series(archive):
    """{(key, event-type): time-updated} of every base series written."""
    out = {}
    offset = 0
    while True:
        page = archive.list_metadata(limit=500, offset=offset).body
        if not page:
            return out
        for md in page:
            for et in md["event-types"]:
                if et["time-updated"] is not None:
                    out[(md["metadata-key"], et["event-type"])] = md
        offset += len(page)


def archive_points(archive, since=START):
    """{(url, key, event-type, ts): value} of every base point at or after since."""
    held = {}
    for (key, et) in base_series(archive):
        for p in archive.get_all_data(key, et, start=since, end=int(time.time()) + 3600, limit=10000):
            held[(archive.base, key, et, p["ts"])] = p["val"]
    return held


def delivered(out_dir):
    """Counter of (url, key, event-type, ts) over every NDJSON file, and the
    records by that identity; a line that is not JSON fails."""
    counts = collections.Counter()
    records = {}
    for root, _, files in os.walk(out_dir):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as f:
                data = f.read()
            assert not data or data.endswith("\n"), "torn line in %s" % name
            for line in data.splitlines():
                r = json.loads(line)
                ident = (r["archive"], r["metadata-key"], r["event-type"], r["ts"])
                counts[ident] += 1
                records[ident] = r
    return counts, records


def check_exactly_once(test, out_dir, archives):
    """Every point the archives hold since START is in the files once, with
    the archive's value, and nothing else is."""
    held = {}
    for a in archives:
        held.update(archive_points(a))
    counts, records = delivered(out_dir)
    doubled = [k for k, n in counts.items() if n > 1]
    test.assertEqual(doubled[:5], [], "%d points delivered more than once" % len(doubled))
    missing = sorted(set(held) - set(counts))
    test.assertEqual(missing[:5], [], "%d points never delivered" % len(missing))
    extra = sorted(set(counts) - set(held))
    test.assertEqual(extra[:5], [], "%d points delivered that the archives do not hold" % len(extra))
    wrong = [k for k in held if records[k]["val"] != held[k]]
    test.assertEqual(wrong[:5], [], "values differ")
    return len(held)


class Adder:
    """Adds data through an archive's API (bulk PUTs with its token)."""

    def __init__(self, archive):
        self.a = archive
        self.series = sorted(base_series(archive).items())

    def latency(self):
        """The (key, metadata) of the first powstream test."""
        return next((k, md) for (k, et), md in self.series
                    if et == "packet-count-sent" and md["tool-name"] == "pscheduler/powstream")

    def add_points(self, key, points):
        """points: [(ts, count)] of packet-count-sent and packet-count-lost."""
        self.a.put_points(key, "packet-count-sent", points)
        self.a.put_points(key, "packet-count-lost", [(ts, 0) for ts, _ in points])

    def new_points(self, after, n, step=60):
        key, _ = self.latency()
        self.add_points(key, [(after + i * step, 600) for i in range(1, n + 1)])

    def late_points(self, near, n):
        """Points between existing ones (ts + 7 s), before the newest."""
        key, _ = self.latency()
        self.add_points(key, [(near - i * 60 + 7, 601) for i in range(1, n + 1)])

    def new_test(self, first, n):
        md = self.a.create_metadata(harness.p2p_body(["packet-count-sent", "packet-count-lost"],
                                                     source="192.0.2.200", destination="192.0.2.201",
                                                     tool="pscheduler/powstream"))
        self.add_points(md["metadata-key"], [(first + i * 60, 600) for i in range(n)])
        return md["metadata-key"]
