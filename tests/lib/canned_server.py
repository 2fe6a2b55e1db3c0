#!/usr/bin/env python3
"""Canned-response HTTP server for the transport tests: quirks no real archive
shows on demand (stalls, truncated bodies, 503s, redirects, gzip).

Usage: canned_server.py [--tls CERT KEY]
Prints "listening on http(s)://127.0.0.1:PORT" once it accepts connections.
The scenario is the first path segment; the rest of the path names a counter
so that each test has its own attempt count (see /count)."""

import gzip
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
connections = 0
attempts = {}  # path without query -> requests seen


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible

    def setup(self):
        global connections
        super().setup()
        with lock:
            connections += 1
            self.conn_no = connections

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=()):
        self.send(status, json.dumps(obj), headers=headers)

    def handle_any(self):
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        with lock:
            attempts[parts.path] = attempts.get(parts.path, 0) + 1
            self.attempt = attempts[parts.path]
        scenario = parts.path.strip("/").split("/")[0]
        route = getattr(self, "do_" + scenario.replace("-", "_"), None)
        if route is None:
            self.send_json(404, {"detail": "Not found."})
        else:
            route(parts.path, query)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

    # ---- scenarios ----

    def do_conn(self, path, q):
        self.send_json(200, {"conn": self.conn_no, "connections": connections})

    def do_count(self, path, q):
        self.send_json(200, {"count": attempts.get(q.get("p", ""), 0)})

    def do_gzip(self, path, q):
        text = json.dumps({"gz": "a" * 5000})
        if "gzip" not in self.headers.get("Accept-Encoding", ""):
            self.send_json(400, {"detail": "gzip not accepted"})
            return
        self.send(200, gzip.compress(text.encode()), headers=[("Content-Encoding", "gzip")])

    def do_badgzip(self, path, q):
        self.send(200, b"this is not gzip data", headers=[("Content-Encoding", "gzip")])

    def do_charset(self, path, q):
        self.send(200, '{"ok": true}', ctype="application/json; charset=utf-8")

    def do_fail_then_ok(self, path, q):
        """?n=N failures with ?code=C (default 503), optional ?ra=Retry-After."""
        if self.attempt <= int(q.get("n", "1")):
            headers = [("Retry-After", q["ra"])] if "ra" in q else []
            self.send_json(int(q.get("code", "503")), {"detail": "attempt %d" % self.attempt}, headers)
        else:
            self.send_json(200, {"attempt": self.attempt})

    def do_stall(self, path, q):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.flush()
        time.sleep(10)
        self.close_connection = True

    def do_slow_drip(self, path, q):
        body = b'"abcdef"'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            time.sleep(0.25)

    def do_trickle(self, path, q):
        """2 bytes a second of a 1000-byte body, for at most 12 s."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.close_connection = True
        try:
            for _ in range(24):
                self.wfile.write(b"  ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass  # the client gave up

    def do_drip(self, path, q):
        """A byte every 0.2 s for up to 2 minutes (10 MiB announced, under the
        client's page cap): only a total budget ends it."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(10 << 20))
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            self.close_connection = True

    def do_truncated(self, path, q):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b'[{"ts": 1,')
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    def do_huge(self, path, q):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(600 << 20))
        self.end_headers()
        self.wfile.write(b"[")
        self.close_connection = True

    def do_notjson(self, path, q):
        self.send(200, "hello, <b>not</b> json\n", ctype="text/plain")

    def do_redirect(self, path, q):
        self.send(301, "<html>moved</html>", ctype="text/html", headers=[("Location", "/notjson")])

    def do_error_detail(self, path, q):
        self.send_json(int(q.get("code", "404")), {"detail": q.get("msg", "Not found.")})

    def do_error_legacy(self, path, q):
        self.send_json(400, {"error": "legacy failure"})

    def do_error_text(self, path, q):
        page = "<html>\n<body>\n" + "Server\tError " * 40 + "\n</body></html>\n"
        self.send(500, page, ctype="text/html")

    def do_echo_headers(self, path, q):
        self.send_json(200, {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": self.body.decode("utf-8", "replace"),
        })

    # ---- archives that page differently (the iterator tests) ----
    # The scenario is the client's script alias: /<alias>/perfsonar/archive/...

    def metadata_page(self, q, alias, actual, shown_total, cap):
        """actual objects exist; element 0 shows shown_total (None: no
        member); pages hold at most cap items whatever the limit asked."""
        limit = min(int(q.get("limit", "1500")), cap)
        offset = int(q.get("offset", "0"))
        page = [self.metadata(alias, i) for i in range(offset, min(offset + limit, actual))]
        if page and shown_total is not None:
            page[0]["metadata-count-total"] = shown_total
        self.send_json(200, page)

    @staticmethod
    def metadata(alias, i):
        key = "%032x" % (i + 1)
        uri = "/%s/perfsonar/archive/%s/" % (alias, key)
        return {"metadata-key": key, "subject-type": "point-to-point", "source": "10.0.0.1",
                "destination": "10.0.0.2", "tool-name": "canned", "uri": uri,
                "event-types": [{"event-type": "throughput", "base-uri": uri + "throughput/base",
                                 "time-updated": None, "summaries": []}]}

    def do_nototal(self, path, q):
        self.metadata_page(q, "nototal", 2500, None, 10000)

    def do_approx(self, path, q):  # the total overstates what exists
        self.metadata_page(q, "approx", 2500, 3000, 10000)

    def do_lowtotal(self, path, q):  # the total understates what exists
        self.metadata_page(q, "lowtotal", 2500, 1200, 10000)

    def do_capped(self, path, q):  # pages smaller than the limit asked for
        self.metadata_page(q, "capped", 2500, 2500, 700)

    # Servers that ignore offset: every page would come back for ever.

    def do_repeat(self, path, q):  # the same full page whatever the offset
        self.metadata_page(dict(q, offset="0"), "repeat", 2500, 2500, 10000)

    def do_liar(self, path, q):  # short pages, offset ignored, a total that promises more
        self.metadata_page(dict(q, offset="0"), "liar", 2500, 2500, 700)

    def do_cycle(self, path, q):  # two pages in turn
        self.metadata_page(dict(q, offset=str(int(q.get("offset", "0")) % 2000)), "cycle", 5000, 5000, 10000)

    def do_garbage(self, path, q):
        self.send(200, "<html>not a list</html>", ctype="text/html")

    def do_pages(self, path, q):
        """Page texts as odd servers write them: pretty-printed, with a bad
        second point, with text after the list, empty."""
        bodies = {"pretty": '[\n  {"ts": 1, "val": 1.5},\r\n\t{"ts": 2, "val": [1, 2]}\n]\n',
                  "badpoint": '[{"ts": 1, "val": 1}, {"ts": 2}]',
                  "trailing": '[{"ts": 1, "val": 1}] x',
                  "nocomma": '[{"ts": 1, "val": 1} {"ts": 2, "val": 2}]',
                  "empty": ' [ ] '}
        self.send(200, bodies[path.rsplit("/", 1)[-1]])

    def do_stuck(self, path, q):
        """A series that ignores time-start: the same full page every time
        (ts 1..limit), or with time-start the page ending at 1.5e18 and then
        LLONG_MAX."""
        limit = int(q.get("limit", "1000"))
        if path.endswith("/max"):
            last = 2 ** 63 - 1 if int(q.get("time-start", "0")) > 1500000000000000000 else 1500000000000000000
            self.send_json(200, [{"ts": last - limit + 1 + i, "val": i} for i in range(limit)])
            return
        self.send_json(200, [{"ts": 1 + i, "val": i} for i in range(limit)])

    def do_bigpoints(self, path, q):
        """3000 points of ~1 KB (ts 1..3000), paged as asked; with /huge one
        point of 100 KB each."""
        limit = int(q.get("limit", "1000"))
        start = max(int(q.get("time-start", "1")), 1)
        size = 100000 if path.endswith("/huge") else 1000
        self.send_json(200, [{"ts": ts, "val": "x" * size} for ts in range(start, min(start + limit, 3001))])

    def do_ignorelimit(self, path, q):  # 1500 points whatever the limit
        self.send_json(200, [{"ts": 1 + i, "val": i} for i in range(1500)])

    def do_elmond(self, path, q):
        """elmond (perfSONAR 5): integer summary windows, base URIs ending in
        /base/0, pages capped at 10000; 25,000 points at ts 1000 + 10 i."""
        key = "e1" * 16
        uri = "/elmond/perfsonar/archive/%s/" % key
        if path.endswith("/archive/") or path.endswith("/archive"):
            self.send_json(200, [{
                "metadata-key": key, "subject-type": "point-to-point", "source": "10.0.0.1",
                "destination": "10.0.0.2", "tool-name": "pscheduler/iperf3", "uri": uri,
                "metadata-count-total": 1,
                "event-types": [{"event-type": "throughput", "base-uri": uri + "throughput/base/0",
                                 "time-updated": 1700000000,
                                 "summaries": [{"summary-type": "average", "summary-window": 86400,
                                                "uri": uri + "throughput/averages/86400",
                                                "time-updated": 1700000000}]}]}])
        elif path == uri + "throughput/base/0":
            start = max(int(q.get("time-start", "0")), 1000)
            end = int(q.get("time-end", str(10 ** 12)))
            limit = min(int(q.get("limit", "1500")), 10000)
            if end < start:
                self.send_json(400, {"detail": "Requested start time must be less than end time"})
                return
            first = (start - 1000 + 9) // 10
            pts = [{"ts": 1000 + 10 * i, "val": float(i)}
                   for i in range(first, 25000) if 1000 + 10 * i <= end][:limit]
            self.send_json(200, pts)
        else:
            self.send_json(404, {"detail": "Not found."})


def exit_with_parent():
    """A test that dies leaves no server behind."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print("listening on %s://127.0.0.1:%d" % (scheme, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
