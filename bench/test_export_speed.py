#!/usr/bin/env python3
"""Runs bench/export_speed.sh itself on a one-pair, one-day archive: every run
row is printed with its figures and request count, and the comparison with
the original Python tools (ESM_PY_TOOLS) works and catches a differing output.
The original is not part of the project, so the "Python" tools here are
wrappers around our own, called with 4.2.1's spelling of the options (which
ours accept); a wrapper that changes the output must make the bench fail.

    python3 -m unittest -v test_export_speed     (env ESM_BIN: the built programs)
"""

import os
import re
import stat
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "export_speed.sh")
BIN = os.environ.get("ESM_BIN") or os.path.join(HERE, "..", "build", "bin")
# the archive bench at the end, as small as it goes
INGEST_ARGS = "--no-baseline --pairs 1 --days 1 --seconds 1"
ROWS = ["large_get_json", "large_get_csv", "large_get_human",
        "large_bulk_json_j1", "large_bulk_json_j4", "large_bulk_csv_j1", "large_bulk_csv_j4",
        "small_bulk_json_j1", "small_bulk_json_j4", "small_bulk_csv_j1", "small_bulk_csv_j4"]
NUM = r"\d+\.\d\d"


def write_wrappers(folder, tail=""):
    """esmond-ps-get and esmond-ps-get-bulk in FOLDER running ours; TAIL is
    appended to the shell line (say, a pipe that alters the output)."""
    for tool in ("esmond-ps-get", "esmond-ps-get-bulk"):
        path = os.path.join(folder, tool)
        with open(path, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\n"%s" "$@"%s\n' % (os.path.join(os.path.abspath(BIN), tool), tail))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def run_bench(tmpdir, py_tools=None):
    env = dict(os.environ, ESM_BIN=os.path.abspath(BIN), TMPDIR=tmpdir, ESM_INGEST_ARGS=INGEST_ARGS)
    env.pop("ESM_BASE_BIN", None)
    env.pop("ESM_PY_TOOLS", None)
    if py_tools:
        env["ESM_PY_TOOLS"] = py_tools
    return subprocess.run(["bash", SCRIPT, "1", "1", "1"], stdin=subprocess.DEVNULL,
                          capture_output=True, env=env, timeout=600, encoding="utf-8",
                          errors="replace")


class ExportSpeed(unittest.TestCase):
    def test_every_run_reported_against_python(self):
        with tempfile.TemporaryDirectory() as tmp:
            py = os.path.join(tmp, "py")
            os.mkdir(py)
            write_wrappers(py)
            r = run_bench(tmp, py)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("py_usr/ours", r.stdout)
            for row in ROWS:
                # wall cpu rss requests floor_w floor_c wall/fl py_usr/ours
                m = re.search(r"^%s +%s +%s +\d+\.\d +(\d+) +%s +%s +%s +%s$"
                              % (row, NUM, NUM, NUM, NUM, NUM, NUM), r.stdout, re.M)
                self.assertIsNotNone(m, "no figures for %s in:\n%s" % (row, r.stdout))
                self.assertGreater(int(m.group(1)), 0, row)
            m = re.search(r"^yajl alone on these (\d+) bytes of pages: \d+\.\d{3} s CPU, %sx the json floor$"
                          % NUM, r.stdout, re.M)
            self.assertIsNotNone(m, r.stdout)
            self.assertGreater(int(m.group(1)), 1000)
            self.assertRegex(r.stdout, r"archive ingest \(bench/archive_ingest\.sh\):\n")
            self.assertRegex(r.stdout, r"points/s")
            self.assertEqual(os.listdir(tmp), ["py"], "the bench left files behind")

    def test_python_output_that_differs_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            py = os.path.join(tmp, "py")
            os.mkdir(py)
            write_wrappers(py, " | sed 1d")
            r = run_bench(tmp, py)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("our output differs from the Python tool's", r.stderr)

    def test_missing_python_tool_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = run_bench(tmp, os.path.join(tmp, "nowhere"))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("esmond-ps-get is not there", r.stderr)


if __name__ == "__main__":
    unittest.main()
