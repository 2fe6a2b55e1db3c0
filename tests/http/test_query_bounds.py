"""Thousands of query parameters, or a query string too long for the
connection's memory, get a prompt 400 with a JSON detail (issue 12 item 4):
libmicrohttpd 0.9.75 never answered once its pool was exhausted."""

import socket
import unittest

from harness import R2, ArchiveCase

ANSWER_WITHIN = 10  # seconds; before the fix no answer came until the idle timeout


class QueryBounds(ArchiveCase):

    def raw_get(self, query):
        with socket.create_connection(("127.0.0.1", self.a.port),
                                      timeout=ANSWER_WITHIN) as s:
            s.sendall(("GET %s/archive/?%s HTTP/1.1\r\nHost: x\r\n"
                       "Connection: close\r\n\r\n" % (R2, query)).encode())
            raw = b""
            while True:
                chunk = s.recv(65536)  # raises socket.timeout when no answer comes
                if not chunk:
                    break
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), body

    def test_too_many_parameters(self):
        for query in ("&".join("p%d=1" % i for i in range(1001)),
                      "&".join("p%d=1" % i for i in range(5000)), "&" * 16000):
            with self.subTest(len(query)):
                status, body = self.raw_get(query)
                self.assertEqual(status, 400)
                self.assertEqual(body, b'{"detail":"Too many query parameters (more than 1000)"}')

    def test_query_too_long(self):
        for query in ("&".join("p%d=%s" % (i, "v" * 62) for i in range(1000)),
                      "source=" + "x" * 32762):
            with self.subTest(len(query)):
                status, body = self.raw_get(query)
                self.assertEqual(status, 400)
                self.assertEqual(
                    body, b'{"detail":"Query string too long (more than 32768 bytes)"}')

    def test_within_bounds_is_served(self):
        self.assertEqual(self.raw_get("&" * 999), (200, b"[]"))
        self.assertEqual(self.raw_get("source=1.2.3.4&x=" + "x" * 32747), (200, b"[]"))
        status, _ = self.raw_get("&".join("p%d=%s" % (i, "v" * 24) for i in range(1000)))
        self.assertEqual(status, 400)  # answered by the search: too many to match


if __name__ == "__main__":
    unittest.main()
