"""Runs scripts/demo.sh itself against an already-built build directory
(--no-build --build-dir BUILD) and checks its exit status, that every step
appears in order with its output, that it cleans up after itself, and that
--keep leaves an archive that answers until it is stopped by the printed PID.

    python3 -m unittest -v test_demo     (env ESM_DEMO, ESM_BUILD_DIR)
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.environ.get("ESM_DEMO") or os.path.join(HERE, "..", "..", "scripts", "demo.sh")
BUILD = os.environ.get("ESM_BUILD_DIR") or os.path.join(HERE, "..", "..", "build")
RUN_TIMEOUT = 600

# Every step's header (after "==> "), in order, and a pattern its output must match.
STEPS = [
    ("Installing dependencies and building: skipped (--no-build)",
     r"^programs: .*esmond-ps-archive .*esmond-ps-get-endpoints"),
    ("Generating one day of sample data from ",
     r"^esmond-sample-data: wrote 9 metadata objects, [1-9]\d* points"),
    ("Importing it and starting esmond-ps-archive on 127.0.0.1",
     r"^imported 9 metadata, [1-9]\d* points, [1-9]\d* computed summaries.*\n"
     r"listening on http://127\.0\.0\.1:\d+ \(pid \d+\)$"),
    ("Metadata: GET ", r"^[0-9a-f]{32}  pscheduler/iperf3 "),
    ("The tests, through esmond-ps-get-endpoints:",
     r"^tool_name: pscheduler/powstream$"),
    ("Throughput ", r"^event_type: throughput\n(.*\n){3}timestamp: .*\nvalue: \d+\.\d+$"),
    ("Hourly one-way delay statistics",
     r"^source,destination,event_type,.*\n(.*,histogram-owdelay,.*,statistics,3600,.*\n){4}"),
    ("And the raw REST API, one packet trace with curl:",
     r"^ts \d+:\n +1  \S+ +\d+\.\d{3} ms"),
    ("Loading a GridFTP transfer log",
     r"records read [1-9]\d* \(\d+ bytes\), stored [1-9]\d*, skipped \d+, failed 0\n"
     r"(.*\n)*tool_name: gridftp$"),
    ("Run again, it reads only what is new (nothing):",
     r"records read 0 \(0 bytes\), stored 0, skipped 0, failed 0$"),
]
STOP_STEP = ("Stopping the archive (pid ", r"^stopped \(exit status 0\); the demo is done$")
KEEP_STEP = ("The archive keeps running",
             r"^URL: +(http://127\.0\.0\.1:\d+/esmond/perfsonar/archive/)\n"
             r"Database: .*\nStop it: +kill (\d+) && rm -rf (\S+)$")


def run_demo(tmpdir, *args):
    env = dict(os.environ, TMPDIR=tmpdir)
    return subprocess.run(["bash", DEMO, "--no-build", "--build-dir", BUILD, *args],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=RUN_TIMEOUT,
                          encoding="utf-8", errors="replace")


def sections(output):
    """[(header, body)] of the lines after each "==> " header."""
    parts = re.split(r"^==> (.*)$", output, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def alive(pid):
    """Running (a zombie waiting for a parent that does not reap is not)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class DemoTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="esm-demo-test.")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def check_steps(self, output, steps):
        got = sections(output)
        self.assertEqual(len(got), len(steps), "steps shown:\n%s" % output)
        for (header, body), (want, pattern) in zip(got, steps):
            self.assertTrue(header.startswith(want), "%r is not step %r" % (header, want))
            self.assertRegex(body, re.compile(pattern, re.M), "output of step %r" % want)

    def test_demo_runs_every_step_and_cleans_up(self):
        r = run_demo(self.tmp)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.check_steps(r.stdout, STEPS + [STOP_STEP])
        pid = int(re.search(r"listening on \S+ \(pid (\d+)\)", r.stdout).group(1))
        self.assertFalse(alive(pid), "the archive still runs after the demo")
        self.assertEqual(os.listdir(self.tmp), [], "the demo left files behind")

    def test_keep_leaves_the_archive_running(self):
        r = run_demo(self.tmp, "--keep")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.check_steps(r.stdout, STEPS + [KEEP_STEP])
        m = re.search(KEEP_STEP[1], sections(r.stdout)[-1][1], re.M)
        url, pid, kept_dir = m.group(1), int(m.group(2)), m.group(3)
        self.addCleanup(lambda: alive(pid) and os.kill(pid, signal.SIGKILL))

        with urllib.request.urlopen(url, timeout=30) as resp:
            tools = {md["tool-name"] for md in json.load(resp)}
        self.assertEqual(tools, {"pscheduler/iperf3", "pscheduler/powstream",
                                 "pscheduler/traceroute", "gridftp"})
        self.assertTrue(os.path.isfile(os.path.join(kept_dir, "archive.db")))

        os.kill(pid, signal.SIGTERM)  # the printed stop command, by PID
        deadline = time.monotonic() + 30
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pid), "the kept archive did not stop on SIGTERM")


if __name__ == "__main__":
    unittest.main()
