"""--token-file: write keys read from a file, and secrets never echoed."""

import os
import tempfile
import unittest

from harness import Archive, R, p2p_body, run_archive

SECRET = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"


class TokenFile(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text):
        path = os.path.join(self.tmp.name, "tokens")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_keys_from_file_allow_writes(self):
        path = self.write("# archive writers\n\n  loader:%s\nother:k2\n" % SECRET)
        with Archive(tokens=["x:unused"], extra_args=["--token-file", path]) as a:
            body = p2p_body(["throughput"])
            st, _, _ = a.post(R + "/archive/", body, auth="Token " + SECRET)
            self.assertEqual(st, 201)
            st, _, _ = a.post(R + "/archive/", body, auth="ApiKey other:k2")
            self.assertEqual(st, 201)
            st, _, _ = a.post(R + "/archive/", body, auth="Token not-in-file")
            self.assertEqual(st, 401)

    def test_malformed_line_is_reported_by_number_not_content(self):
        path = self.write("ok:key\n%s\n" % SECRET)
        p = run_archive(["--db", os.path.join(self.tmp.name, "db"), "--listen", "127.0.0.1:0",
                         "--token-file", path])
        self.assertEqual(p.returncode, 2)
        self.assertIn("line 2", p.stderr)
        self.assertNotIn(SECRET, p.stderr + p.stdout)

    def test_missing_file_is_an_error(self):
        p = run_archive(["--db", os.path.join(self.tmp.name, "db"), "--listen", "127.0.0.1:0",
                         "--token-file", os.path.join(self.tmp.name, "absent")])
        self.assertEqual(p.returncode, 2)
        self.assertIn("absent", p.stderr)

    def test_bad_token_option_does_not_echo_the_value(self):
        p = run_archive(["--db", os.path.join(self.tmp.name, "db"), "--listen", "127.0.0.1:0",
                         "--token", SECRET])
        self.assertEqual(p.returncode, 2)
        self.assertIn("USER:KEY", p.stderr)
        self.assertNotIn(SECRET, p.stderr + p.stdout)


if __name__ == "__main__":
    unittest.main()
