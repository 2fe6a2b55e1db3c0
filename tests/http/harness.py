"""Test harness for the HTTP-level tests of esmond-ps-archive.

An `Archive` starts the real server binary (env ESM_ARCHIVE) on an ephemeral
loopback port with a temporary SQLite database and talks to it with
http.client.  Every request opens its own connection with a timeout, so a
hung server fails a test instead of hanging the suite.

    with Archive() as a:
        md = a.create_metadata(p2p_body(["throughput"]))
        a.put_points(md["metadata-key"], "throughput", [(60, 6000)])
        st, hdrs, body = a.get(R + "/archive/")

A test class that shares one archive between its tests derives from
`ArchiveCase` (below) instead of starting and stopping one itself.
"""

import copy
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ARCHIVE_BIN = os.environ.get("ESM_ARCHIVE") or os.path.join(
    HERE, "..", "..", "build", "bin", "esmond-ps-archive")
TEST_DATA = os.environ.get("ESM_TEST_DATA") or os.path.join(HERE, "..", "data")
REPLAY_DIR = os.path.join(TEST_DATA, "replay")
ESMOND_DIR = os.path.join(TEST_DATA, "esmond")

R = "/esmond/perfsonar"      # toolkit prefix (API root)
R2 = "/perfsonar"            # prefix without the /esmond mount point
USER = "tester"
TOKEN = "0123456789abcdef0123456789abcdef01234567"

LISTEN_RE = re.compile(r"^listening on http://127\.0\.0\.1:(\d+)$")
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def load_json(*parts):
    """Load a JSON file below ESM_TEST_DATA."""
    with open(os.path.join(TEST_DATA, *parts), encoding="utf-8") as f:
        return json.load(f)


class Response:
    """status, headers (http.client.HTTPMessage), body (parsed JSON, or the
    raw bytes when the body is not JSON) and raw (the bytes).  Unpacks as
    (status, headers, body)."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.body = raw
        if raw:
            try:
                self.body = json.loads(raw.decode("utf-8"),
                                       parse_constant=_reject_constant)
            except (ValueError, UnicodeDecodeError):
                self.body = raw

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def header(self, name):
        return self.headers.get(name)

    @property
    def detail(self):
        return self.body.get("detail") if isinstance(self.body, dict) else None

    def __repr__(self):
        return "<Response %s %r>" % (self.status, self.raw[:300])


def _reject_constant(name):
    raise ValueError("non-finite JSON literal %s in response" % name)


def run_archive(args, timeout=60):
    """Run the binary to completion; returns subprocess.CompletedProcess."""
    return subprocess.run([ARCHIVE_BIN] + list(args), capture_output=True,
                          text=True, timeout=timeout)


class Archive:
    """A running esmond-ps-archive.  Keyword arguments:
    db          database path (default: a file in the archive's temp dir);
                pass the same path to a second Archive to restart on it
    import_dir  start with --import DIR
    tokens      list of "USER:KEY" (default: the harness token)
    max_body    --max-body BYTES
    extra_args  more command line arguments
    """

    def __init__(self, db=None, import_dir=None, tokens=None, max_body=None,
                 extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="esm-http-")
        self.db = db or os.path.join(self.tmp, "archive.db")
        self.token = TOKEN
        self.tokens = tokens or ["%s:%s" % (USER, TOKEN)]
        self.import_dir = import_dir
        self.max_body = max_body
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.base = None
        self.stdout_lines = []
        self.returncode = None
        self._stderr_path = os.path.join(self.tmp, "stderr.log")
        self._listening = threading.Event()

    # -- process -----------------------------------------------------------

    def command(self):
        cmd = [ARCHIVE_BIN, "--db", self.db, "--listen", "127.0.0.1:0"]
        for t in self.tokens:
            cmd += ["--token", t]
        if self.import_dir:
            cmd += ["--import", self.import_dir]
        if self.max_body is not None:
            cmd += ["--max-body", str(self.max_body)]
        return cmd + self.extra_args

    def start(self):
        """Start and wait for the listening line; on failure the process and
        the temp dir are cleaned up and RuntimeError carries its stderr."""
        try:
            return self._start()
        except BaseException:
            self.cleanup()
            raise

    def _start(self):
        if not os.access(ARCHIVE_BIN, os.X_OK):
            raise RuntimeError("server binary not found: %s (set ESM_ARCHIVE)"
                               % ARCHIVE_BIN)
        self._stderr_file = open(self._stderr_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self._stderr_file)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None:
                self._listening.wait(0.5)   # let the reader drain stdout
                raise RuntimeError(
                    "esmond-ps-archive exited early with status %s\n"
                    "stdout: %r\nstderr:\n%s" % (self.proc.returncode,
                                                 self.stdout_lines,
                                                 self.stderr_text()))
            if time.monotonic() > deadline:
                raise RuntimeError("no listening line within %ss; stdout %r\n"
                                   "stderr:\n%s" % (START_TIMEOUT,
                                                    self.stdout_lines,
                                                    self.stderr_text()))
        self.port = next(int(LISTEN_RE.match(line).group(1))
                         for line in self.stdout_lines if LISTEN_RE.match(line))
        self.base = "http://127.0.0.1:%d" % self.port
        return self

    def _read_stdout(self):
        for line in iter(self.proc.stdout.readline, b""):
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            self.stdout_lines.append(text)
            if LISTEN_RE.match(text):
                self._listening.set()
        self.proc.stdout.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT, check=True):
        """Signal the server (by PID) and wait for it; with check, raise
        AssertionError unless it exits with status 0 in time."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.returncode = "killed"
        self._stderr_file.close()
        if check and self.returncode != 0:
            raise AssertionError(
                "esmond-ps-archive did not exit 0 after signal %s: %s\n"
                "stderr (tail):\n%s" % (sig, self.returncode,
                                        self.stderr_text()[-3000:]))
        return self.returncode

    def stderr_text(self):
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "_stderr_file", None) is not None:
            self._stderr_file.close()
        if not os.environ.get("ESM_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        try:
            self.stop(check=exc_type is None)
        finally:
            self.cleanup()

    # -- HTTP ----------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, auth=None,
                content_type="application/json", timeout=30):
        """body: None (no body), bytes/str (sent as is) or any JSON value.
        auth: None (no header), True (Token), or a literal header value."""
        h = {}
        data = None
        if body is not None:
            if isinstance(body, bytes):
                data = body
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = json.dumps(body).encode("utf-8")
            if content_type:
                h["Content-Type"] = content_type
        if auth is True:
            h["Authorization"] = "Token " + self.token
        elif auth:
            h["Authorization"] = auth
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
            return Response(resp.status, resp.headers, raw)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, body=None, auth=True, **kw):
        return self.request("POST", path, body, auth=auth, **kw)

    def put(self, path, body=None, auth=True, **kw):
        return self.request("PUT", path, body, auth=auth, **kw)

    def delete(self, path, auth=True, **kw):
        return self.request("DELETE", path, auth=auth, **kw)

    # -- API helpers -----------------------------------------------------------

    def create_metadata(self, body, prefix=R):
        """POST metadata; asserts 201 and returns the metadata object."""
        r = self.post(prefix + "/archive/", body)
        if r.status != 201 or not isinstance(r.body, dict):
            raise AssertionError("metadata POST failed: %r" % (r,))
        return r.body

    def post_point(self, key, et, ts, val, prefix=R):
        return self.post("%s/archive/%s/%s/base" % (prefix, key, et),
                         {"ts": ts, "val": val})

    def bulk_put(self, key, body, prefix=R, **kw):
        return self.put("%s/archive/%s/" % (prefix, key), body, **kw)

    def put_points(self, key, et, points, prefix=R):
        """Bulk PUT [(ts, val), ...] for one event type; asserts 201."""
        r = self.bulk_put(key, bulk_body({et: points}), prefix)
        if r.status != 201:
            raise AssertionError("bulk PUT failed: %r" % (r,))
        return r

    def data_path(self, key, et, summary=None, window=None, prefix=R, **params):
        path = "%s/archive/%s/%s/" % (prefix, key, et)
        path += "base" if summary is None else "%s/%s" % (summary, window)
        return path + ("?" + urllib.parse.urlencode(params) if params else "")

    def get_data(self, key, et, summary=None, window=None, prefix=R, **params):
        """GET data points; asserts 200 and a JSON list."""
        r = self.get(self.data_path(key, et, summary, window, prefix, **params))
        if r.status != 200 or not isinstance(r.body, list):
            raise AssertionError("data GET failed: %r" % (r,))
        return r.body

    def get_all_data(self, key, et, summary=None, window=None, start=0,
                     end=None, limit=1000):
        """Page with the loop of esmond-rest-api §9.3 (time-start cursor)."""
        end = int(time.time()) if end is None else end
        out = []
        while start <= end:
            page = self.get_data(key, et, summary, window, **{
                "time-start": start, "time-end": end, "limit": limit})
            out += page
            if len(page) < limit:
                break
            start = page[-1]["ts"] + 1
        return out

    def list_metadata(self, prefix=R, **params):
        """GET the metadata list with query params; returns the Response."""
        q = "?" + urllib.parse.urlencode(params) if params else ""
        return self.get(prefix + "/archive/" + q)


class ArchiveCase(unittest.TestCase):
    """One Archive shared by the tests of a class, as cls.a.

    ARCHIVE_KWARGS  keyword arguments for Archive (e.g. max_body, tokens,
                    import_dir)
    import_data()   override to start on --import of a directory written for
                    the class (make_import_dir(cls.tmp, ...)); returns its
                    path, or None (the default) for no generated import
    cls.tmp         a temp dir of the class, removed after the archive stops

    Subclasses that set up more call super().setUpClass() first.  The stop
    and the removals are class cleanups, so they run even when the rest of a
    subclass's setUpClass fails; a server that does not exit 0 on SIGTERM is
    reported as an error of the class.
    """

    ARCHIVE_KWARGS = {}

    @classmethod
    def import_data(cls):
        return None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-%s-" % cls.__name__.lower())
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        kwargs = dict(cls.ARCHIVE_KWARGS)
        import_dir = cls.import_data()
        if import_dir is not None:
            kwargs["import_dir"] = import_dir
        cls.a = Archive(**kwargs).start()
        cls.addClassCleanup(cls.a.cleanup)
        cls.addClassCleanup(cls.a.stop)


# -- bodies --------------------------------------------------------------------

_counter = [0]


def unique():
    _counter[0] += 1
    return "%d-%d" % (os.getpid(), _counter[0])


def p2p_body(event_types, source="10.0.0.1", destination="10.0.0.2",
             agent=None, tool="pscheduler/test", **freeform):
    """A point-to-point metadata POST body.  event_types: names, or
    (name, [(summary-type, window), ...]) pairs.  A unique free-form
    parameter "test-id" keeps objects of different tests apart unless
    test_id=None is given."""
    ets = []
    for et in event_types:
        if isinstance(et, str):
            ets.append({"event-type": et})
        else:
            name, sums = et
            ets.append({"event-type": name, "summaries": [
                {"summary-type": st, "summary-window": str(w)}
                for st, w in sums]})
    body = {"subject-type": "point-to-point", "source": source,
            "destination": destination,
            "measurement-agent": agent or source, "tool-name": tool,
            "input-source": "src.example.net",
            "input-destination": "dst.example.net", "event-types": ets}
    test_id = freeform.pop("test_id", unique())
    if test_id is not None:
        body["test-id"] = test_id
    for k, v in freeform.items():
        body[k.replace("_", "-")] = v
    return body


def bulk_body(series):
    """{event-type: [(ts, val), ...]} -> bulk PUT body, one item per ts."""
    by_ts = {}
    for et, points in series.items():
        for ts, val in points:
            by_ts.setdefault(ts, []).append({"event-type": et, "val": val})
    return {"data": [{"ts": ts, "val": v} for ts, v in sorted(by_ts.items())]}


def make_import_dir(parent, metadata, files=None):
    """Write a replay-layout directory: metadata.json plus data files given as
    {"<key>/<et>/base.json": [points], ...}.  Returns its path."""
    d = tempfile.mkdtemp(prefix="import-", dir=parent)
    with open(os.path.join(d, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(metadata, f)
    os.makedirs(os.path.join(d, "data"))
    for rel, points in (files or {}).items():
        p = os.path.join(d, "data", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(points, f)
    return d


def sorted_object(md):
    """Copy of a metadata object with event types and summaries in a fixed
    order, for order-insensitive comparison."""
    md = copy.deepcopy(md)
    md["event-types"].sort(key=lambda e: e["event-type"])
    for e in md["event-types"]:
        e["summaries"].sort(key=lambda s: (s["summary-type"], int(s["summary-window"])))
    return md


def parse_link(value):
    """Link header -> {rel: url}."""
    return {rel: url for url, rel in
            re.findall(r'<([^>]*)>\s*;\s*rel="?(\w+)"?', value or "")}


def strip_host(url):
    """Absolute URL -> path?query."""
    p = urllib.parse.urlsplit(url)
    return p.path + ("?" + p.query if p.query else "")
