"""An archive that is down, one that answers 500 and one that trickles a
byte at a time, beside real archives: the real ones are harvested
completely, each bad one is named on stderr with its reason, exit 3; only
bad archives: exit 1."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import hvlib

CANNED = os.path.join(hvlib.HERE, "..", "lib", "canned_server.py")


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-harvest-faults-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.good = [hvlib.sample_archive(cls.tmp, 2, s, cls.addClassCleanup) for s in (7, 8)]
        cls.canned = subprocess.Popen([sys.executable, CANNED], stdout=subprocess.PIPE, text=True)
        cls.addClassCleanup(cls.canned.wait)
        cls.addClassCleanup(cls.canned.kill)
        line = cls.canned.stdout.readline().strip()
        cls.canned_base = line.split("listening on ", 1)[1]
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        cls.down = "http://127.0.0.1:%d" % s.getsockname()[1]
        s.close()  # nothing listens there any more

    def test_bad_archives_do_not_stop_the_others(self):
        bad = {self.down: "connect", self.canned_base + "/error_text": "HTTP 500",
               self.canned_base + "/drip": "archive-timeout"}
        urls = [self.good[0].base] + list(bad) + [self.good[1].base]
        out = os.path.join(self.tmp, "out")
        # 20 s is ample for the real archives, even under ASan; --timeout 60 leaves
        # the drip to the archive's time (its 5 B/s trips the 1 KiB/s floor after --timeout)
        args = ["--state", os.path.join(self.tmp, "state"), "--out", out, "--since", hvlib.SINCE,
                "--archive-timeout", "20", "--timeout", "60", "-j", "4"]
        for u in urls:
            args += ["--url", u]
        r = hvlib.harvest(args)
        self.assertEqual(r.returncode, 3, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), len(urls), r.stderr)
        for url, line in zip(urls, lines):
            if url in bad:
                self.assertIn("%s: failed: " % url, line)
                self.assertIn(bad[url].lower(), line.lower())
            else:
                self.assertIn("%s: harvested: " % url, line)
        hvlib.check_exactly_once(self, out, self.good)

    def test_only_bad_archives_exit_1(self):
        r = hvlib.harvest(["--state", os.path.join(self.tmp, "s1"), "--out", os.path.join(self.tmp, "o1"),
                           "--url", self.down, "--url", self.canned_base + "/error_text"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 2, r.stderr)


if __name__ == "__main__":
    unittest.main()
