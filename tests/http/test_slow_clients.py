"""Slow clients cannot starve the others (issue 12 item 2): one address keeps
at most 256 connections, and a request's headers must all arrive within 10 s
however slowly they trickle (libmicrohttpd's idle timer restarts per byte)."""

import select
import socket
import time
import unittest

from harness import R2, ArchiveCase

SLOW = 1100         # connections from 127.0.0.1 (about what starved the archive), a byte a second
PER_ADDRESS = 256
DEADLINE = 10       # seconds for the headers
SLACK = 3           # the archive checks deadlines every 0.25 s; the machine is shared
HEADER = b"GET " + R2.encode() + b"/archive/ HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100


class SlowClients(ArchiveCase):

    def good_get(self):
        """One request from another loopback address: 127.0.0.2."""
        with socket.create_connection(("127.0.0.1", self.a.port), timeout=5,
                                      source_address=("127.0.0.2", 0)) as s:
            s.sendall(b"GET " + R2.encode() + b"/archive/ HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            return s.recv(12)

    def test_slow_headers_are_cut_and_others_served(self):
        t0 = time.monotonic()
        slow = [socket.create_connection(("127.0.0.1", self.a.port), timeout=5)
                for _ in range(SLOW)]
        opened = {s: 0 for s in slow}  # socket -> bytes sent
        closed_at = {}
        good = []
        try:
            while opened and time.monotonic() - t0 < DEADLINE + SLACK:
                for s in list(opened):
                    try:
                        s.send(HEADER[opened[s]:opened[s] + 1])
                        opened[s] += 1
                    except OSError:
                        closed_at[s] = time.monotonic() - t0
                        del opened[s]
                end = time.monotonic() + 1
                while opened and time.monotonic() < end:
                    poll = select.poll()  # select() stops at fd 1024
                    by_fd = {s.fileno(): s for s in opened}
                    for fd in by_fd:
                        poll.register(fd, select.POLLIN)
                    for fd, _ in poll.poll(200):
                        s = by_fd[fd]
                        try:
                            data = s.recv(4096)
                        except OSError:
                            data = b""
                        if not data:
                            closed_at[s] = time.monotonic() - t0
                            del opened[s]
                good.append(self.good_get())
        finally:
            for s in slow:
                s.close()
        self.assertEqual(len(opened), 0, "%d slow connections still open after %d s"
                         % (len(opened), DEADLINE + SLACK))
        early = [t for t in closed_at.values() if t < DEADLINE / 2]
        self.assertEqual(len(early), SLOW - PER_ADDRESS)  # refused at once
        self.assertGreaterEqual(len(good), 3)  # one a round (a round lasts 1 s and more)
        self.assertEqual(set(good), {b"HTTP/1.1 200"})


if __name__ == "__main__":
    unittest.main()
