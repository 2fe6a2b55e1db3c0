#!/usr/bin/env python3
"""Tests esmond-sample-data: valid replay layout, byte-identical reruns, pair
data independent of --pairs, time span, option validation, refusal to write
into a non-empty directory.

Usage: test_sample_data.py PATH/TO/esmond-sample-data
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_replay.py")

failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(gen, *args):
    return subprocess.run([gen, *args], capture_output=True, text=True)


def tree(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for fn in files:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def check(root):
    return subprocess.run([sys.executable, CHECK, "--sample", root], capture_output=True, text=True)


def main():
    gen = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")

        r = run(gen, "--out", a)
        expect(r.returncode == 0, f"default run failed: {r.stderr}")
        c = check(a)
        expect(c.returncode == 0, f"check_replay found problems:\n{c.stdout}")
        meta = json.load(open(os.path.join(a, "metadata.json")))
        expect(len(meta) == 9, f"3 pairs should give 9 metadata objects, got {len(meta)}")
        tools = sorted({m["tool-name"] for m in meta})
        expect(tools == ["pscheduler/iperf3", "pscheduler/powstream", "pscheduler/traceroute"],
               f"tools {tools}")
        expect(sum(":" in m["source"] for m in meta) == 3, "one pair (three tests) should be IPv6")

        # same options, same bytes
        r = run(gen, "--out", b)
        expect(r.returncode == 0 and tree(a) == tree(b), "a second run does not give the same bytes")

        # a pair's data do not depend on --pairs
        one = os.path.join(tmp, "one")
        r = run(gen, "--out", one, "--pairs", "1")
        t1, t3 = tree(one), tree(a)
        expect(r.returncode == 0 and all(t3.get(k) == v for k, v in t1.items() if k != "metadata.json"),
               "--pairs 1 data differ from the first pair of --pairs 3")

        # time span and seed
        c2 = os.path.join(tmp, "c")
        start, days = 1400000000, 2
        r = run(gen, "--out", c2, "--pairs", "2", "--days", str(days), "--start", str(start), "--seed", "7")
        expect(r.returncode == 0 and check(c2).returncode == 0, "run with --days/--start/--seed is not valid")
        meta2 = json.load(open(os.path.join(c2, "metadata.json")))
        expect(not {m["metadata-key"] for m in meta2} & {m["metadata-key"] for m in meta},
               "another seed should give other metadata keys")
        for m in meta2:
            for et in m["event-types"]:
                p = os.path.join(c2, "data", m["metadata-key"], et["event-type"], "base.json")
                if not os.path.exists(p):
                    continue
                pts = json.load(open(p))
                expect(start <= pts[0]["ts"] and pts[-1]["ts"] < start + days * 86400,
                       f"{p}: points outside the requested span")
                if et["event-type"] == "packet-count-sent":
                    expect(len(pts) > days * 1440 * 0.97, f"{p}: {len(pts)} latency runs for {days} days")

        # the checker is not vacuous: out-of-order points are reported
        p = os.path.join(b, "data", meta[0]["metadata-key"], "path-mtu", "base.json")
        pts = json.load(open(p))
        pts[0], pts[1] = pts[1], pts[0]
        json.dump(pts, open(p, "w"))
        expect(check(b).returncode == 1, "check_replay accepted out-of-order points")

        # bad options: exit 2, a message naming the problem, nothing written
        bad = [
            (["--pairs", "abc"], "--pairs"), (["--pairs", "0"], "--pairs"), (["--pairs", "-1"], "--pairs"),
            (["--pairs", "101"], "--pairs"), (["--days", "0"], "--days"), (["--days", "1.5"], "--days"),
            (["--days", ""], "--days"), (["--start", "-5"], "--start"), (["--start", "0"], "--start"),
            (["--seed", "x"], "--seed"), (["--seed", "18446744073709551616"], "--seed"),
            (["--bogus"], "--bogus"), (["--pairs"], "--pairs"), (["extra"], "extra"),
        ]
        for args, word in bad:
            d = os.path.join(tmp, "bad")
            r = run(gen, "--out", d, *args) if args != ["--pairs"] else run(gen, "--out", d, "--pairs")
            expect(r.returncode == 2 and word in r.stderr and not os.path.exists(d),
                   f"{args}: exit {r.returncode}, stderr {r.stderr!r}")
        r = run(gen)
        expect(r.returncode == 2 and "--out" in r.stderr, f"missing --out: exit {r.returncode}")

        # a non-empty directory is refused; --force replaces an earlier output
        r = run(gen, "--out", a)
        expect(r.returncode == 1 and "not empty" in r.stderr, f"non-empty --out: exit {r.returncode}")
        r = run(gen, "--out", b, "--force")
        expect(r.returncode == 0 and tree(a) == tree(b), "--force did not give a fresh output")
        open(os.path.join(b, "notes.txt"), "w").write("mine")
        r = run(gen, "--out", b, "--force")
        expect(r.returncode == 1 and os.path.exists(os.path.join(b, "notes.txt")),
               "--force must leave foreign files alone and fail")

        r = run(gen, "--help")
        expect(r.returncode == 0 and "--out" in r.stdout, "--help")

    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("all sample data checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
