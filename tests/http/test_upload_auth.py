"""A write without valid credentials is answered 401 before its body is read,
so unauthenticated uploads cost the archive no memory (issue 12 item 1: 20
connections uploading 60 MiB each held 1.24 GB before each got its 401)."""

import socket
import threading
import unittest

from harness import R2, ArchiveCase

MIB = 1 << 20
ANSWER_WITHIN = 10  # seconds; before the fix the 401 waited for the whole body


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for %d" % pid)


class UploadAuth(ArchiveCase):

    def head(self, method, path, auth, length):
        h = "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" % (method, path)
        if auth:
            h += "Authorization: %s\r\n" % auth
        h += "Content-Length: %d\r\n\r\n" % length
        return h.encode()

    def read_answer(self, s):
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = s.recv(65536)  # raises socket.timeout when no answer comes
            if not chunk:
                break
            raw += chunk
        return raw

    def test_refused_before_the_body(self):
        cases = [("POST", R2 + "/archive/", None, "Authentication credentials were not provided."),
                 ("POST", R2 + "/archive/", "Token wrong", "Invalid token."),
                 ("PUT", R2 + "/archive/abc/", "ApiKey u:wrong", "Invalid API key."),
                 ("POST", R2 + "/archive/abc/throughput/base", None,
                  "Authentication credentials were not provided.")]
        for method, path, auth, detail in cases:
            with self.subTest(method=method, auth=auth):
                with socket.create_connection(("127.0.0.1", self.a.port),
                                              timeout=ANSWER_WITHIN) as s:
                    s.sendall(self.head(method, path, auth, 60 * MIB))  # and no body
                    raw = self.read_answer(s)
                self.assertTrue(raw.startswith(b"HTTP/1.1 401 "), raw[:200])
                self.assertIn(('{"detail":"%s"}' % detail).encode(), raw)

    def test_unauthenticated_uploads_are_not_buffered(self):
        before = vm_hwm_kib(self.a.proc.pid)
        body = b" " * MIB
        answers = []

        def upload():
            try:
                with socket.create_connection(("127.0.0.1", self.a.port),
                                              timeout=ANSWER_WITHIN) as s:
                    s.sendall(self.head("POST", R2 + "/archive/", "Token wrong", 60 * MIB))
                    try:
                        for _ in range(60):
                            s.sendall(body)
                    except OSError:
                        pass  # the archive closed the connection after its 401
                    answers.append(self.read_answer(s)[:12])
            except OSError as e:
                answers.append(repr(e))

        threads = [threading.Thread(target=upload) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        grown_mib = (vm_hwm_kib(self.a.proc.pid) - before) / 1024
        self.assertLess(grown_mib, 64, "the archive buffered unauthenticated uploads")
        self.assertIn(b"HTTP/1.1 401", answers)
        # still serving
        self.assertEqual(self.a.get(R2 + "/archive/").status, 200)


if __name__ == "__main__":
    unittest.main()
