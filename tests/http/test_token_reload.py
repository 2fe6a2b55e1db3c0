"""Tokens on a single host: SIGHUP reads --token-file again (a bad file keeps
the tokens in use; requests in flight go on), blank keys are refused, and a
token file open to others gets a warning."""

import os
import signal
import tempfile
import threading
import time
import unittest

from harness import Archive, R, p2p_body, run_archive

OLD = "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0"
NEW = "n3wn3wn3wn3wn3wn3wn3wn3wn3wn3wn3wn3wn3wn"


class Tmp(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text, mode=0o600, name="tokens"):
        """Replaces the file atomically, as an operator's tool would."""
        path = os.path.join(self.tmp.name, name)
        with open(path + ".new", "w") as f:
            f.write(text)
        os.chmod(path + ".new", mode)
        os.rename(path + ".new", path)
        return path

    def start(self, path, tokens=("x:cli-key-stays",)):
        a = Archive(tokens=list(tokens), extra_args=["--token-file", path]).start()
        self.addCleanup(a.cleanup)
        return a

    def status(self, a, key):
        st, _, _ = a.post(R + "/archive/", p2p_body(["throughput"]), auth="Token " + key)
        return st

    def hup(self, a, expect):
        """SIGHUP, then wait for the server's line about it."""
        before = a.stderr_text().count("SIGHUP received")
        a.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while a.stderr_text().count("SIGHUP received") == before:
            self.assertLess(time.monotonic(), deadline, "no SIGHUP line: " + a.stderr_text())
            time.sleep(0.02)
        line = [l for l in a.stderr_text().splitlines() if "SIGHUP received" in l][-1]
        self.assertIn(expect, line)
        self.assertTrue(a.alive())
        return line


class Reload(Tmp):

    def test_sighup_swaps_the_file_tokens(self):
        path = self.write("loader:%s\n" % OLD)
        a = self.start(path)
        self.assertEqual(self.status(a, OLD), 201)
        self.assertEqual(self.status(a, NEW), 401)
        self.write("# rotated\nloader:%s\nother:%s\n" % (NEW, "k2"))
        self.assertIn("3 tokens in use", self.hup(a, "tokens in use"))
        self.assertEqual(self.status(a, OLD), 401)
        self.assertEqual(self.status(a, NEW), 201)
        st, _, _ = a.post(R + "/archive/", p2p_body(["throughput"]), auth="ApiKey other:k2")
        self.assertEqual(st, 201)
        # --token pairs stay through reloads
        self.assertEqual(self.status(a, "cli-key-stays"), 201)
        a.stop()

    def test_a_bad_file_keeps_the_tokens_in_use(self):
        path = self.write("loader:%s\n" % OLD)
        a = self.start(path)
        for bad, why in [("loader:%s\nbroken %s\n" % (NEW, NEW), "line 2"),
                         ("loader:   \n", "the key is blank"),
                         (None, "cannot read --token-file")]:
            if bad is None:
                os.unlink(path)
            else:
                self.write(bad)
            line = self.hup(a, "keeping the tokens in use")
            self.assertIn(why, line)
            self.assertNotIn(NEW, a.stderr_text())
            self.assertEqual(self.status(a, OLD), 201)
            self.assertEqual(self.status(a, NEW), 401)
        self.write("loader:%s\n" % NEW)
        self.hup(a, "2 tokens in use")
        self.assertEqual(self.status(a, NEW), 201)
        a.stop()

    def test_sighup_without_a_token_file_changes_nothing(self):
        a = Archive(tokens=["x:" + OLD]).start()
        self.addCleanup(a.cleanup)
        self.hup(a, "no --token-file")
        self.assertEqual(self.status(a, OLD), 201)
        a.stop()

    def test_requests_in_flight_survive_reloads(self):
        """Writers with a key in every version of the file never see a 401
        while the file changes and SIGHUPs arrive; SIGTERM still stops."""
        path = self.write("keep:%s\nloader:%s\n" % (OLD, OLD[::-1]))
        a = self.start(path)
        results, stop = [], threading.Event()

        def writer():
            while not stop.is_set():
                results.append(self.status(a, OLD))

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i in range(20):
                self.write("keep:%s\nround:%d%s\n" % (OLD, i, NEW))
                a.proc.send_signal(signal.SIGHUP)
                time.sleep(0.03)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertGreater(len(results), 20)
        self.assertEqual(set(results), {201})
        self.hup(a, "3 tokens in use")
        self.assertEqual(self.status(a, "19" + NEW), 201)
        a.stop()


class BlankKeys(Tmp):

    def refused(self, args, why):
        p = run_archive(["--db", os.path.join(self.tmp.name, "db"), "--listen", "127.0.0.1:0"] + args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(why, p.stderr)
        self.assertNotIn("listening", p.stdout)
        return p

    def test_blank_tokens_on_the_command_line(self):
        for value, why in [("loader:", "the key is blank"), ("loader:    ", "the key is blank"),
                           (":" + NEW, "the user is blank"), ("   :" + NEW, "the user is blank"),
                           ("loader:a key", "spaces or control bytes"), ("loader:\tx", "spaces or control bytes")]:
            p = self.refused(["--token", value], why)
            self.assertNotIn(NEW, p.stderr)

    def test_blank_tokens_in_a_file(self):
        for text, why in [("ok:fine\nloader:   \n", "line 2: a token wants USER:KEY, both not blank"),
                          ("  \t :%s\n" % NEW, "line 1"), ("u:%s \x01\n" % NEW, "spaces or control bytes")]:
            p = self.refused(["--token-file", self.write(text)], why)
            self.assertNotIn(NEW, p.stderr)

    def test_blanks_around_a_pair_are_dropped(self):
        a = self.start(self.write("   loader:%s  \t\r\n" % NEW))
        self.assertEqual(self.status(a, NEW), 201)
        a.stop()


class OpenFileWarning(Tmp):

    def test_a_file_open_to_others_is_served_with_a_warning(self):
        for mode in (0o644, 0o640, 0o606):
            path = self.write("loader:%s\n" % NEW, mode)
            a = self.start(path)
            self.assertIn("warning: --token-file %s is open to group or others (mode %04o)" % (path, mode),
                          a.stderr_text())
            self.assertEqual(self.status(a, NEW), 201)
            # and again on each reload
            self.hup(a, "tokens in use")
            self.assertEqual(a.stderr_text().count("is open to group or others"), 2)
            self.assertNotIn(NEW, a.stderr_text())
            a.stop()

    def test_a_private_file_gets_no_warning(self):
        for mode in (0o600, 0o400):
            a = self.start(self.write("loader:%s\n" % NEW, mode))
            self.assertNotIn("warning", a.stderr_text())
            a.stop()


if __name__ == "__main__":
    unittest.main()
