"""Data pages are streamed (issue 12 item 5: a few concurrent reads of a large
page took the archive to 2.2 GB): a page of tens of MB goes out in parts, so
readers that stop part way pin little memory; the body is the same bytes as
the page built whole, and a read that fails part way is a broken transfer,
never a short valid page."""

import json
import os
import shutil
import socket
import tempfile
import unittest
import urllib.parse

from harness import Archive, R, p2p_body, parse_link

MIB = 1 << 20
N = 16000            # histograms of BINS bins: a page of about 24 MB
BINS = 150
T0 = 1400000000
READERS = 6
GROWTH_MIB = 32      # what the readers may cost the archive together
ET = "histogram-owdelay"


def hist(i):
    return {"%d.%02d" % (b // 100, b % 100): (i * 7 + b) % 97 + 1
            for b in range(i % 50, i % 50 + BINS)}


def page_bytes(first, last):
    """The page of points first..last-1 as the archive writes it."""
    return json.dumps([{"ts": T0 + i, "val": hist(i)} for i in range(first, last)],
                      separators=(",", ":")).encode()


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s for %d" % (field, pid))


def open_get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
               % path).encode())
    return s


def read_some(s, n=None):
    """Reads until n bytes came (n None: any number) or the archive closed
    the connection."""
    got = []
    size = 0
    while n is None or size < n:
        chunk = s.recv(65536 if n is None else min(65536, n - size))
        if not chunk:
            break
        got.append(chunk)
        size += len(chunk)
    return b"".join(got)


def parse(raw):
    """(status line, {header: value}, body, complete) of an HTTP/1.1 answer;
    complete tells whether a chunked body ended with its last chunk."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip()
               for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") != "chunked":
        return lines[0], headers, rest, len(rest) == int(headers["content-length"])
    body = []
    while True:
        size_line, crlf, rest = rest.partition(b"\r\n")
        if not crlf:
            return lines[0], headers, b"".join(body), False
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return lines[0], headers, b"".join(body), rest == b"\r\n"
        if len(rest) < size + 2:
            body.append(rest[:size])
            return lines[0], headers, b"".join(body), False
        body.append(rest[:size])
        rest = rest[size + 2:]


class StreamedPages(unittest.TestCase):
    """One database of N large histograms, loaded by one archive process and
    served by a fresh one, so that the load's memory peak is not counted."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-streamed-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.db = os.path.join(cls.tmp, "archive.db")
        with Archive(db=cls.db, max_body=256 * MIB) as a:
            cls.key = a.create_metadata(p2p_body([ET]))["metadata-key"]
            for start in range(0, N, 4000):
                a.put_points(cls.key, ET, [(T0 + i, hist(i))
                                           for i in range(start, min(N, start + 4000))])
        cls.whole = page_bytes(0, N)
        # In a sanitizer build, ASan's quarantine keeps freed blocks (256 MB by
        # default) and would count as growth: what is measured is memory in use.
        saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + \
            "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        try:
            cls.a = Archive(db=cls.db).start()
        finally:
            if saved is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = saved
        cls.addClassCleanup(cls.a.cleanup)
        cls.addClassCleanup(cls.a.stop)

    def path(self, **params):
        return self.a.data_path(self.key, ET, **dict({"time-start": 0}, **params))

    def test_readers_that_stop_part_way_pin_little_memory(self):
        self.a.get(self.path(limit=10))  # the database opened, statements prepared
        pid = self.a.proc.pid
        before = vm_kib(pid, "VmRSS")
        readers = [open_get(self.a.port, self.path(limit=100000)) for _ in range(READERS)]
        try:
            starts = [read_some(s, MIB) for s in readers]  # then they stop reading
            paused_hwm = vm_kib(pid, "VmHWM")
            answers = [parse(start + read_some(s))
                       for start, s in zip(starts, readers)]
        finally:
            for s in readers:
                s.close()
        grown_mib = (vm_kib(pid, "VmHWM") - before) / 1024
        self.assertLess(grown_mib, GROWTH_MIB,
                        "%d readers of a %.0f MB page grew the archive by %.0f MiB (%.0f MiB while paused)"
                        % (READERS, len(self.whole) / 1e6, grown_mib, (paused_hwm - before) / 1024))
        for status, headers, body, complete in answers:
            self.assertEqual(status, "HTTP/1.1 200 OK")
            self.assertEqual(headers.get("transfer-encoding"), "chunked")  # streamed
            self.assertTrue(complete)
            self.assertEqual(len(body), len(self.whole))
            self.assertTrue(body == self.whole, "streamed page differs from the page built whole")

    def test_pages_and_links_as_when_built_whole(self):
        base = urllib.parse.urlsplit(self.path()).path
        # (parameters, first and last point, Link header as {rel: (limit, offset)})
        cases = [({}, 0, 1500, {"next": ("1500", "1500")}),
                 ({"offset": 1500}, 1500, 3000, {"next": ("1500", "3000"), "prev": ("1500", None)}),
                 ({"limit": 100000, "offset": 3}, 3, N, {"prev": ("100000", None)}),
                 ({"limit": N - 1}, 0, N - 1, {}),
                 ({"time-end": T0 + 99}, 0, 100, {})]
        for params, first, last, links in cases:
            with self.subTest(params):
                r = self.a.get(self.path(**params), timeout=120)
                self.assertEqual(r.status, 200)
                self.assertTrue(r.raw == page_bytes(first, last), "page %r differs" % params)
                got = {}
                for rel, url in parse_link(r.header("Link")).items():
                    p = urllib.parse.urlsplit(url)
                    self.assertEqual(p.path, base)
                    q = dict(urllib.parse.parse_qsl(p.query))
                    got[rel] = (q.get("limit"), q.get("offset"))
                self.assertEqual(got, links)

    def test_page_within_the_first_part_goes_whole(self):
        """A page under 1 MiB (here ~0.7 MB, the size of the usual 1,000-point
        histogram page) is sent whole, with its length: streaming it in small
        parts made the common page ~20% slower."""
        r = self.a.get(self.path(limit=500))
        self.assertEqual(r.status, 200)
        self.assertGreater(len(r.raw), 512 * 1024)
        self.assertIsNone(r.header("Transfer-Encoding"))
        self.assertEqual(r.header("Content-Length"), str(len(r.raw)))
        self.assertTrue(r.raw == page_bytes(0, 500))

    def test_head_of_a_streamed_page(self):
        g = self.a.get(self.path())
        h = self.a.head(self.path())
        self.assertEqual(g.header("Transfer-Encoding"), "chunked")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.raw, b"")
        self.assertEqual(h.header("Content-Type"), "application/json")
        self.assertEqual(h.header("Link"), g.header("Link"))

    def test_failure_part_way_is_a_broken_transfer(self):
        """A database that goes bad under a read (its second half overwritten)
        cuts the transfer: no last chunk, so no client takes it for a page."""
        db = os.path.join(self.tmp, "broken.db")
        shutil.copyfile(self.db, db)
        with Archive(db=db) as a:
            s = open_get(a.port, a.data_path(self.key, ET, limit=100000, **{"time-start": 0}))
            with s:
                start = read_some(s, MIB)
                size = os.path.getsize(db)
                with open(db, "r+b") as f:
                    f.seek(size // 2)
                    f.write(b"\xff" * (size - size // 2))
                status, headers, body, complete = parse(start + read_some(s))
            self.assertEqual(status, "HTTP/1.1 200 OK")
            self.assertEqual(headers.get("transfer-encoding"), "chunked")
            self.assertFalse(complete, "a page read from a broken database ended as a valid page")
            self.assertLess(len(body), len(self.whole))
            self.assertTrue(self.whole.startswith(body))
            self.assertEqual(a.get(R + "/archive/").status, 200)  # still serving
            self.assertIn("(response cut: reading the data failed)", a.stderr_text())


if __name__ == "__main__":
    unittest.main()
