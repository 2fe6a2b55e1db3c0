"""Command line interface of esmond-ps-archive (README.md, esmond-ps-archive)."""

import os
import signal
import socket
import time
import unittest

from harness import Archive, R, p2p_body, run_archive


class CliOptions(unittest.TestCase):

    def test_help_exits_0_on_stdout(self):
        p = run_archive(["--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--listen", p.stdout)
        self.assertIn("--db", p.stdout)

    def test_version_exits_0_on_stdout(self):
        p = run_archive(["--version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\d")

    def test_unknown_option_is_usage_error_2(self):
        p = run_archive(["--no-such-option"])
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.strip(), "usage error must go to stderr")
        self.assertNotIn("listening", p.stdout)

    def test_missing_option_value_is_an_error(self):
        p = run_archive(["--db"])
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr.strip())


class CliServing(unittest.TestCase):

    def test_exactly_one_listening_line_with_real_port(self):
        a = Archive()
        with a:
            self.assertNotEqual(a.port, 0)
            with socket.create_connection(("127.0.0.1", a.port), timeout=5):
                pass
            self.assertEqual(a.get(R + "/archive/").status, 200)
        # after a clean exit the whole of stdout is that single line
        self.assertEqual(a.stdout_lines,
                         ["listening on http://127.0.0.1:%d" % a.port])

    def test_sigterm_exits_0(self):
        a = Archive()
        with a:
            a.get(R + "/archive/")
            self.assertEqual(a.stop(signal.SIGTERM), 0)

    def test_sigint_exits_0(self):
        a = Archive()
        with a:
            a.get(R + "/archive/")
            self.assertEqual(a.stop(signal.SIGINT), 0)

    def test_one_log_line_per_request_on_stderr(self):
        with Archive() as a:
            a.get(R + "/archive/")

            def lines():
                return a.stderr_text().count("\n")

            deadline = time.monotonic() + 3
            before = lines()
            while time.monotonic() < deadline:     # let the first line settle
                time.sleep(0.1)
                if lines() == before:
                    break
                before = lines()
            a.get(R + "/archive/")
            a.get("/no/such/route")
            a.post(R + "/archive/", {}, auth=None)
            a.head(R + "/archive/")
            deadline = time.monotonic() + 3
            while lines() < before + 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)
            self.assertEqual(lines(), before + 4, a.stderr_text()[-2000:])

    def test_data_survives_restart_on_same_db(self):
        a = Archive()
        with a:
            md = a.create_metadata(p2p_body(["throughput"]))
            key = md["metadata-key"]
            a.put_points(key, "throughput", [(1000, 5)])
            db = a.db
            a.stop()
            with Archive(db=db) as b:
                r = b.get(R + "/archive/%s/" % key)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body["metadata-key"], key)
                self.assertEqual(b.get_data(key, "throughput", **{"time": 1000}),
                                 [{"ts": 1000, "val": 5.0}])

    def test_start_fails_cleanly_on_unusable_db_path(self):
        p = run_archive(["--db", "/nonexistent-dir/x/archive.db",
                         "--listen", "127.0.0.1:0", "--token", "u:k"],
                        timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr.strip())
        self.assertNotIn("listening", p.stdout)


if __name__ == "__main__":
    unittest.main()
