"""kill -9 at random moments over 24 runs, data added between them: the
files afterwards hold every point the archives hold exactly once."""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import hvlib

RUNS = 24


class Kill(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="esm-harvest-kill-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.archives = [hvlib.sample_archive(self.tmp, 3, s, self.addCleanup) for s in (4, 5, 6)]

    def test_kill_9_never_loses_or_doubles(self):
        rng = random.Random(int(os.environ.get("ESM_SEED", "13")))
        state, out = os.path.join(self.tmp, "state"), os.path.join(self.tmp, "out")
        urls = [u for a in self.archives for u in ("--url", a.base)]
        args = [hvlib.HARVEST, "--state", state, "--out", out, "--since", hvlib.SINCE, "-j", "1"] + urls
        # how long a whole harvest takes here, now: the kills fall within it
        t0 = time.monotonic()
        r = hvlib.harvest(["--state", os.path.join(self.tmp, "probe"), "--out", os.path.join(self.tmp, "probe-out"),
                           "--since", hvlib.SINCE, "-j", "1"] + urls)
        whole = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        adders = [hvlib.Adder(a) for a in self.archives]
        next_ts = hvlib.START + hvlib.DAY
        killed = 0
        for run in range(RUNS):
            if run > 2:  # new points, late points, now and then a new test
                next_ts += 1500  # after the last batch (at most 20 points a minute apart)
                rng.choice(adders).new_points(next_ts, rng.randint(1, 20))
                rng.choice(adders).late_points(next_ts, rng.randint(1, 8))
                if run % 6 == 5:
                    rng.choice(adders).new_test(next_ts, rng.randint(5, 30))
            t0 = time.monotonic()
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.005, 0.9 * whole))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            else:  # the runs get shorter as the harvest catches up: so do the kills
                whole = time.monotonic() - t0
            p.wait(timeout=60)
        # runs that were cut short must be most of them, else nothing was tested
        self.assertGreaterEqual(killed, RUNS // 3)
        r = hvlib.harvest(args[1:])
        self.assertEqual(r.returncode, 0, r.stderr)
        hvlib.check_exactly_once(self, out, self.archives)


if __name__ == "__main__":
    unittest.main()
