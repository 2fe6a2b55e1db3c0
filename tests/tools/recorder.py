"""A recording stand-in for an archive's write side, for the loaders' request
tests: a metadata POST is answered as an archive answers it (the object with
its key and URIs), any other write with 201 and the body; every request is
kept in order as (method, path, body bytes)."""
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def content_key(obj):
    """The same key for the same object, as an archive would give."""
    return hashlib.md5(json.dumps(obj, sort_keys=True).encode()).hexdigest()


class Recorder:
    def __init__(self, key_for=content_key):
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
                    root = self.path[:-len('archive/')]
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
