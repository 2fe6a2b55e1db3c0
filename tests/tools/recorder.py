"""A recording stand-in for an archive's write side, for the loaders' request
tests: a metadata POST is answered as an archive answers it (the object with
its key and URIs), any other write with 201 and the body; every request is
kept in order as (method, path, body bytes). With mount ('/esmond/perfsonar/'),
the URIs answered are under that mount point whatever path the POST came to,
as an archive behind a proxy that rewrites paths answers."""
import hashlib
import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def content_key(obj):
    """The same key for the same object, as an archive would give."""
    return hashlib.md5(json.dumps(obj, sort_keys=True).encode()).hexdigest()


class Recorder:
    def __init__(self, key_for=content_key, mount=None):
        log = self.log = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, fmt, *args):
                pass

            def answer(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                log.append((self.command, self.path, body))
                obj = json.loads(body)
                if self.command == 'POST' and self.path.endswith('/archive/'):
                    key = key_for(obj)
                    root = mount or self.path[:-len('archive/')]
                    obj = dict(obj, **{'metadata-key': key, 'uri': '%sarchive/%s/' % (root, key)})
                    for et in obj['event-types']:
                        et['base-uri'] = '%sarchive/%s/%s/base' % (root, key, et['event-type'])
                out = json.dumps(obj).encode()
                self.send_response(201)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_PUT = answer

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---- the examples: tests/data/*-example/*.requests and *.stderr.norm ----

LOG_STAMP = re.compile(rb'ts=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (event=\S+) id=\d+')


def masked_log(stderr):
    """Log lines with time stamps and ids masked, as in *.stderr.norm."""
    return LOG_STAMP.sub(rb'ts=<TS> \1 id=<ID>', stderr)


def example_requests(path):
    """[(method, path, body object)] of a .requests file."""
    lines = open(path).read().splitlines()
    return [(lines[i].split()[0], lines[i].split()[1], json.loads(lines[i + 1].split('body: ', 1)[1]))
            for i in range(0, len(lines), 2)]


def example_keys(want):
    """The metadata keys the example's archive gave, in order: each from the
    path of the first request after its metadata POST."""
    keys = []
    for i, (method, path, _) in enumerate(want):
        if method == 'POST' and path.endswith('/archive/') and i + 1 < len(want):
            keys.append(re.search(r'/archive/([0-9a-f]+)/', want[i + 1][1]).group(1))
    return keys


def request_differences(got, want):
    """What differs between recorded requests and the example's: method, path
    and body as the same JSON document (member order and value types
    included). None when they agree."""
    got = [(m, p, json.loads(b)) for m, p, b in got]
    if len(got) != len(want):
        return '%d requests, want %d: %r' % (len(got), len(want), [(m, p) for m, p, _ in got])
    for (gm, gp, gb), (wm, wp, wb) in zip(got, want):
        if (gm, gp) != (wm, wp):
            return 'request %s %s, want %s %s' % (gm, gp, wm, wp)
        if json.dumps(gb) != json.dumps(wb):
            return '%s %s body:\n%s\nwant:\n%s' % (gm, gp, json.dumps(gb), json.dumps(wb))
    return None


def run_example(requests_path, argv, stdin=None, cwd=None):
    """Runs a loader (argv without its -U URL) against a recorder that answers
    with the example's keys. Returns (the run, its requests, the example's)."""
    want = example_requests(requests_path)
    keys = iter(example_keys(want))
    rec = Recorder(key_for=lambda body: next(keys))
    try:
        run = subprocess.run(argv[:1] + ['-U', rec.url] + argv[1:], stdin=stdin, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)
    finally:
        rec.stop()
    return run, rec.log, want
