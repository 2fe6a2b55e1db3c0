"""esmond-ps-harvest against real archives over several runs: new points,
a new test and late points inside the overlap added between runs, every
point in the files exactly once; the checkpoint's lock; SIGTERM."""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import hvlib


class Runs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-harvest-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.archives = [hvlib.sample_archive(cls.tmp, 2, s, cls.addClassCleanup) for s in (1, 2, 3)]

    def run_harvest(self, state, out, *extra):
        args = ["--state", state, "--out", out, "--since", hvlib.SINCE, "-j", "2"]
        for a in self.archives:
            args += ["--url", a.base]
        r = hvlib.harvest(args + list(extra))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), len(self.archives), r.stderr)
        for a, line in zip(self.archives, lines):
            self.assertIn("%s: harvested: " % a.base, line)
        return r

    def test_runs_deliver_every_point_once(self):
        state, out = os.path.join(self.tmp, "state"), os.path.join(self.tmp, "out")
        self.run_harvest(state, out)
        first = hvlib.check_exactly_once(self, out, self.archives)
        self.assertGreater(first, 30000)

        # unchanged archives: only the listings are read
        r = self.run_harvest(state, out)
        for line in r.stderr.splitlines():
            self.assertIn(": 0 series, 0 points", line)
            self.assertIn(", 1 requests", line)

        end = hvlib.START + hvlib.DAY
        adders = [hvlib.Adder(a) for a in self.archives]
        adders[0].new_points(end, 30)
        adders[1].new_test(end, 20)
        adders[2].late_points(end - 60, 10)
        self.run_harvest(state, out)
        self.assertEqual(hvlib.check_exactly_once(self, out, self.archives), first + 2 * 30 + 2 * 20 + 2 * 10)

        # late points of a series whose checkpoint moved on, and new ones after
        adders[0].late_points(end + 30 * 60, 5)
        adders[0].new_points(end + 30 * 60, 3)
        r = self.run_harvest(state, out)
        self.assertIn(": 2 series, 16 points", r.stderr.splitlines()[0])
        hvlib.check_exactly_once(self, out, self.archives)

        # the checkpoint file is what the man page says
        name = next(n for n in os.listdir(state) if n.endswith(".json"))
        with open(os.path.join(state, name), encoding="utf-8") as f:
            st = json.load(f)
        self.assertEqual(st["version"], 1)
        self.assertIn(st["archive"], [a.base for a in self.archives])
        self.assertEqual(os.path.getsize(os.path.join(out, name[:-5], st["output"]["file"])),
                         st["output"]["length"])
        for s in st["series"]:
            self.assertTrue(all(s["last"] - 3600 <= t <= s["last"] for t in s["seen"]), s)

    def test_lock_keeps_a_second_run_out(self):
        state = os.path.join(self.tmp, "locked")
        os.makedirs(state)
        with open(os.path.join(state, "lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            r = hvlib.harvest(["--state", state, "--out", os.path.join(self.tmp, "o2"), "--url",
                               self.archives[0].base])
        self.assertEqual(r.returncode, 1)
        self.assertIn("another run is using this --state", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "o2")))

    def test_sigterm_stops_with_consistent_checkpoints(self):
        state, out = os.path.join(self.tmp, "term-state"), os.path.join(self.tmp, "term-out")
        args = [hvlib.HARVEST, "--state", state, "--out", out, "--since", hvlib.SINCE, "-j", "1"]
        for a in self.archives:
            args += ["--url", a.base]
        p = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        if p.returncode == 0:
            self.skipTest("the run ended before the signal")
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        self.assertTrue("stopped" in err, err)
        self.run_harvest(state, out)
        hvlib.check_exactly_once(self, out, self.archives)

    def test_archives_file_and_option_errors(self):
        listing = os.path.join(self.tmp, "archives.txt")
        with open(listing, "w") as f:
            f.write("# the archives\n\n  %s  # first\n%s\n" % (self.archives[0].base, self.archives[1].base))
        r = hvlib.harvest(["--state", os.path.join(self.tmp, "af"), "--out", os.path.join(self.tmp, "afo"),
                           "--archives", listing, "-e", "path-mtu", "--since", hvlib.SINCE])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([line.split(": ")[1] for line in r.stderr.splitlines()],
                         [self.archives[0].base, self.archives[1].base])
        for args, why in [([], "--state DIR is required"),
                          (["--state", "x"], "give one of --out DIR, --out - and --amqp URL"),
                          (["--state", "x", "--out", "-"], "no archives"),
                          (["--state", "x", "--out", "-", "-u", "http://h", "--overlap", "-1"], "--overlap"),
                          (["--state", "x", "--out", "-", "-u", "http://h", "-e", "nonsense"], "-e/--event-type"),
                          (["--state", "x", "--out", "-", "-u", "http://h", "-F", "nocolon"], "KEY:VALUE"),
                          (["--state", "x", "--out", "-", "-u", "http://h", "--since", "not a date"], "--since"),
                          (["--state", "x", "--amqp", "amqp://h"], "--exchange")]:
            r = hvlib.harvest(args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(why, r.stderr)
            self.assertFalse(os.path.exists("x"))

    def test_stdout(self):
        r = hvlib.harvest(["--state", os.path.join(self.tmp, "so"), "--out", "-", "--since", hvlib.SINCE,
                           "--url", self.archives[0].base, "-e", "throughput"])
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        held = {k[3]: v for k, v in hvlib.archive_points(self.archives[0]).items() if k[2] == "throughput"}
        self.assertEqual({row["ts"]: row["val"] for row in rows}, held)
        self.assertEqual(len(rows), len(held))
        self.assertEqual(sorted(rows[0]), sorted(["archive", "metadata-key", "source", "destination",
                                                  "measurement-agent", "input-source", "input-destination",
                                                  "tool-name", "event-type", "summary-type", "summary-window",
                                                  "ts", "val"]))


if __name__ == "__main__":
    unittest.main()
