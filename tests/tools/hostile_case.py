#!/usr/bin/env python3
"""The query tools against a hostile archive: terminal control characters in
what the server sends (ESC sequences, BEL, CR/LF inside a field, TAB, DEL, C1
controls, invalid UTF-8).

Scenarios:
  archive  a real esmond-ps-archive importing tests/data/hostile: human output
           of esmond-ps-get-metadata (-M), esmond-ps-get-endpoints and
           esmond-ps-get holds no raw control byte and shows each value
           escaped as escape() below writes it; json and csv output (and
           esmond-ps-get-bulk's files) keep the server's text byte for byte.
  canned   what a real archive refuses, from a canned server: a metadata key,
           uri and event type with control bytes (esmond-ps-get-bulk's
           progress lines), an error detail with C1 controls and a redirect
           whose Location holds ESC and invalid UTF-8 (error lines on stderr).
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = ['-S', '2014-04-01', '-E', '2014-05-01']
PAIR = ['-s', '192.0.2.1', '-d', '192.0.2.2']


def escape(text):
    """The terminal-safe form of server text (bytes or str), as Python's
    repr() writes the characters concerned; each invalid UTF-8 byte as \\xNN."""
    if isinstance(text, str):
        text = text.encode('utf-8', 'surrogatepass')
    out = []
    for ch in text.decode('utf-8', 'surrogateescape'):
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append('\\x%02x' % (o - 0xDC00))
        elif ch in '\n\r\t':
            out.append(repr(ch)[1:-1])
        elif o < 0x20 or 0x7F <= o <= 0x9F:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    return ''.join(out).encode()


def raw_controls(data):
    """Control characters in data other than the line ends, and invalid UTF-8."""
    bad = []
    for ch in data.decode('utf-8', 'surrogateescape'):
        o = ord(ch)
        if (o < 0x20 and ch != '\n') or 0x7F <= o <= 0x9F or 0xDC80 <= o <= 0xDCFF:
            bad.append(ch)
    return bad


def check(cond, what):
    if not cond:
        sys.exit('FAIL: ' + what)


def run(bin_dir, tool, args, cwd=None):
    r = subprocess.run([os.path.join(bin_dir, tool)] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ='UTC'), cwd=cwd, timeout=120)
    return r.returncode, r.stdout, r.stderr


def check_human(name, out, lines):
    """out holds no raw control byte and every line of lines (bytes) whole."""
    check(not raw_controls(out), '%s: raw control characters %r in %r' % (name, raw_controls(out), out))
    got = out.split(b'\n')
    for line in lines:
        check(line in got, '%s: no line %r in %r' % (name, line, out))


def start_archive(bin_dir, tmp, content):
    proc = subprocess.Popen([os.path.join(bin_dir, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                             '--import', content, '--listen', '127.0.0.1:0'], stdout=subprocess.PIPE,
                            stderr=open(os.path.join(tmp, 'archive.log'), 'wb'))
    line = proc.stdout.readline().decode().strip()
    if not line.startswith('listening on http://'):
        proc.kill()
        proc.wait()
        sys.exit('archive did not start: %r' % line)
    return proc, line[len('listening on '):]


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def scenario_archive(a, tmp):
    archive, url = start_archive(a.bin, tmp, a.data)
    try:
        base = url + '/esmond/perfsonar/archive/'
        md = get_json(base + '?time-start=1396310400&time-end=1398902400')[0]
        failures = get_json(url + md['event-types'][0]['base-uri'] + '?time-start=0')
        common = ['--url', url, '--ip'] + WINDOW
        hostile = [k for k, v in md.items() if isinstance(v, str) and raw_controls(k.encode() + v.encode())]
        check(len(hostile) >= 5, 'the data set lost its hostile fields: %r' % hostile)

        status, out, err = run(a.bin, 'esmond-ps-get-metadata', common + ['-M'])
        check(status == 0 and err == b'', 'get-metadata -M: %d %r' % (status, err))
        check_human('get-metadata -M', out, [escape(k.replace('-', '_')) + b': ' + escape(md[k]) for k in hostile])

        status, out, err = run(a.bin, 'esmond-ps-get-endpoints', common)
        check(status == 0 and err == b'', 'get-endpoints: %d %r' % (status, err))
        check_human('get-endpoints', out, [b'tool_name: ' + escape(md['tool-name'])])

        status, out, err = run(a.bin, 'esmond-ps-get', common + PAIR + ['-e', 'failures'])
        check(status == 0 and err == b'', 'get -e failures: %d %r' % (status, err))
        check_human('get -e failures', out, [b'tool: ' + escape(md['tool-name'])] +
                    [b'msg: ' + escape(p['val']['error']) for p in failures])

        # json and csv are data: the server's text exactly
        status, out, err = run(a.bin, 'esmond-ps-get-metadata', common + ['-M', '-o', 'json'])
        check(status == 0, 'get-metadata -M -o json: %d %r' % (status, err))
        row = json.loads(out)[0]
        for k in hostile:
            check(row[k.replace('-', '_')] == md[k], 'json %s: %r, server %r' % (k, row.get(k), md[k]))
        status, out, err = run(a.bin, 'esmond-ps-get-metadata', common + ['-o', 'csv'])
        check(status == 0, 'get-metadata -o csv: %d %r' % (status, err))
        row = list(csv.DictReader(io.StringIO(out.decode(), newline='')))[0]
        for k in ('tool-name', 'input-source', 'input-destination'):
            check(row[k.replace('-', '_')] == md[k], 'csv %s: %r, server %r' % (k, row[k.replace('-', '_')], md[k]))
        status, out, err = run(a.bin, 'esmond-ps-get', common + PAIR + ['-e', 'failures', '-o', 'csv'])
        check(status == 0, 'get -o csv: %d %r' % (status, err))
        rows = list(csv.DictReader(io.StringIO(out.decode(), newline='')))
        check([r['msg'] for r in rows] == [p['val']['error'] for p in failures], 'csv msg: %r' % rows)
        check(md['tool-name'].encode() in out, 'csv: the raw tool name is not in %r' % out)
        status, out, err = run(a.bin, 'esmond-ps-get', common + PAIR + ['-e', 'failures', '-o', 'json'])
        check(status == 0, 'get -o json: %d %r' % (status, err))
        check([r['msg'] for r in json.loads(out)] == [p['val']['error'] for p in failures], 'json msg: %r' % out)

        out_dir = os.path.join(tmp, 'bulk')
        os.mkdir(out_dir)
        status, out, err = run(a.bin, 'esmond-ps-get-bulk', common + ['-e', 'failures', '-D', out_dir, '-o', 'json'])
        check(status == 0 and err == b'', 'get-bulk: %d %r' % (status, err))
        (name,) = os.listdir(out_dir)
        rows = json.load(open(os.path.join(out_dir, name)))
        check([r['msg'] for r in rows] == [p['val']['error'] for p in failures] and
              rows[0]['tool'] == md['tool-name'], 'get-bulk file: %r' % rows)
    finally:
        archive.terminate()
        archive.wait(timeout=10)
    print('archive: %d hostile fields escaped in human output, kept in json and csv' % len(hostile))


KEY = 'K\x1b]0;owned\x07\x9b'
URI = '/esmond/perfsonar/archive/k/\x1b[2J\u009b/'
EVENT = 'throughput\x1b[2J\r\n  * writing /etc/passwd'
DETAIL = 'failing \u009b2J \u0085 on purpose'
LOCATION = b'/elsewhere/\x1b[2J\xff\xfe'


class Canned:
    """The listing of one test whose key, uri and event type hold control
    bytes; its throughput series is empty, its failures series answers 500
    with DETAIL; anything under /redirect/ is redirected to LOCATION."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, fmt, *args):
                pass

            def send(self, status, body, headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split('?')[0]
                if path.startswith('/redirect/'):
                    self.send_response(302)
                    self.send_header('Location', LOCATION.decode('latin-1'))  # the bytes as they are
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                elif path == '/esmond/perfsonar/archive/':
                    md = {'metadata-key': KEY, 'uri': URI, 'subject-type': 'point-to-point',
                          'source': '192.0.2.1', 'destination': '192.0.2.2', 'measurement-agent': '192.0.2.1',
                          'tool-name': 'bwctl/iperf3', 'input-source': 'a', 'input-destination': 'b',
                          'event-types': [
                              {'event-type': EVENT, 'base-uri': '/esmond/perfsonar/archive/k/t/base',
                               'time-updated': 1, 'summaries': []},
                              {'event-type': 'failures', 'base-uri': '/esmond/perfsonar/archive/k/f/base',
                               'time-updated': 1, 'summaries': []}]}
                    self.send(200, json.dumps([md]).encode())
                elif path.endswith('/f/base'):
                    self.send(500, json.dumps({'detail': DETAIL}).encode())
                else:
                    self.send(200, b'[]')

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def scenario_canned(a, tmp):
    server = Canned()
    try:
        common = ['--url', server.url, '--ip'] + WINDOW
        out_dir = os.path.join(tmp, 'bulk')
        os.mkdir(out_dir)
        status, out, err = run(a.bin, 'esmond-ps-get-bulk', common + ['-D', out_dir, '-o', 'json', '-j', '1'])
        check(status == 1, 'get-bulk: status %d, %r %r' % (status, out, err))
        check_human('get-bulk stdout', out, [b' <Metadata/' + escape(KEY) + b': uri:' + escape(URI) + b'>',
                                             b'  * processing ' + escape(EVENT), b'  * processing failures'])
        check_human('get-bulk stderr', err, [])
        check(escape(DETAIL) in err, 'get-bulk stderr: no %r in %r' % (escape(DETAIL), err))

        status, out, err = run(a.bin, 'esmond-ps-get-endpoints', ['--url', server.url + '/redirect', '--ip'])
        check(status == 1, 'get-endpoints (redirect): status %d, %r %r' % (status, out, err))
        check_human('redirect stderr', err, [])
        check(b'redirected to' in err and b'\\xff\\xfe' in err and b'\\x1b[2J' in err,
              'redirect stderr: %r' % err)
    finally:
        server.stop()
    print('canned: get-bulk lines and error lines escaped')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--data', default=os.path.join(HERE, '..', 'data', 'hostile'))
    ap.add_argument('scenario', choices=['archive', 'canned'])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        globals()['scenario_' + a.scenario](a, tmp)
    return 0


if __name__ == '__main__':
    sys.exit(main())
