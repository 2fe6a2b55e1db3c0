"""Error details quote the request, whose bytes need not be UTF-8: the JSON
body stays valid UTF-8, each ill-formed byte read as U+FFFD (issue 12 item 6)."""

import json
import socket
import unittest

from harness import R2, ArchiveCase

BAD = "\ufffd"


class ErrorText(ArchiveCase):

    def detail(self, path, status=400):
        r = self.a.get(path)
        self.assertEqual(r.status, status, path)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        text = r.raw.decode("utf-8")  # raises on ill-formed bytes
        self.assertIsInstance(r.body, dict, text)
        return r.body["detail"]

    def test_every_quoting_path(self):
        cases = [
            ("/archive/?source=%ff", "Unable to find address for host " + BAD),
            ("/archive/?destination=a%ffb", "Unable to find address for host a%sb" % BAD),
            ("/archive/?source=1.2.3.4&dns-match-rule=%fe%ff",
             "Invalid dns-match-rule parameter " + BAD * 2),
            ("/archive/abc/packet-loss-rate/%ff/60", "Invalid summary type '%s'" % BAD),
        ]
        for path, exp in cases:
            with self.subTest(path):
                self.assertEqual(self.detail(R2 + path), exp)

    def test_ill_formed_sequences(self):
        # overlong, surrogate, above U+10FFFF, lone continuation, truncated
        for raw, exp in (("%c0%af", BAD * 2), ("%ed%a0%80", BAD * 3),
                         ("%f4%90%80%80", BAD * 4), ("%80x", BAD + "x"),
                         ("%e2%82", BAD * 2)):
            with self.subTest(raw):
                self.assertEqual(self.detail(R2 + "/archive/?source=" + raw),
                                 "Unable to find address for host " + exp)

    def test_well_formed_text_is_kept(self):
        self.assertEqual(self.detail(R2 + "/archive/?source=%c3%a9%e2%82%ac%f0%9f%98%80"),
                         "Unable to find address for host \u00e9\u20ac\U0001f600")

    def test_detail_cut_inside_a_character(self):
        # the host is quoted up to 200 bytes: the cut leaves half a character
        d = self.detail(R2 + "/archive/?source=x" + "%c3%a9" * 400)
        self.assertEqual(d, "Unable to find address for host x" + "\u00e9" * 99 + BAD)

    def test_method_bytes(self):
        with socket.create_connection(("127.0.0.1", self.a.port), timeout=10) as s:
            s.sendall(b"G\xe9T " + R2.encode() + b"/archive/ HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Token " + self.a.token.encode() +
                      b"\r\nConnection: close\r\n\r\n")
            raw = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertIn(b" 405 ", head.split(b"\r\n")[0])
        self.assertEqual(json.loads(body.decode("utf-8"))["detail"],
                         'Method "G%sT" not allowed.' % BAD)


if __name__ == "__main__":
    unittest.main()
