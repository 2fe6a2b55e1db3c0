#!/usr/bin/env python3
"""The query tools against an archive that misbehaves in ways no real one
does, served from this process (the tool is its only child, so
RUSAGE_CHILDREN measures the tool alone).

Scenarios:
  huge-page   a series whose page ignores limit: 6 million points (about
              170 MB, generated as it is sent). esmond-ps-get ends with one
              error line and exit status 1, and its peak RSS stays under
              --rss-limit-mib (64 in ctest; the client reads at most 32 MiB
              of an answer; not checked in sanitized builds).
  repeating   a metadata search whose pages ignore offset: the same full
              page, total 2500. esmond-ps-get-metadata prints the first
              page's tests, then one error line, exit status 1; it does not
              loop for ever.
"""
import argparse
import json
import resource
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

ROOT = '/esmond/perfsonar/archive/'
POINTS = 6000000


def metadata(i):
    key = '%032x' % (i + 1)
    uri = ROOT + key + '/'
    return {'metadata-key': key, 'subject-type': 'point-to-point', 'source': '10.0.0.1',
            'destination': '10.0.0.2', 'tool-name': 'bwctl/iperf3', 'uri': uri,
            'event-types': [{'event-type': 'throughput', 'base-uri': uri + 'throughput/base',
                             'time-updated': 1, 'summaries': []}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def send_json(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        q = dict(parse_qsl(parts.query))
        if parts.path == ROOT:
            # offset ignored: always the first 1000 of 2500 (one for huge-page)
            page = [metadata(i) for i in range(min(int(q.get('limit', '1000')), self.server.tests))]
            page[0]['metadata-count-total'] = self.server.tests
            self.send_json(page)
        else:
            self.send_points(int(q.get('time-start', '1')))

    def send_points(self, ts):
        """POINTS points whatever the limit, chunked, 10000 at a time; every
        point at time-start, so the cursor check has nothing to say."""
        chunk = ('{"ts": %d, "val": 9.9e9}, ' % ts * 10000).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        self.close_connection = True
        try:
            self.write_chunk(b'[')
            for _ in range(POINTS // 10000 - 1):
                self.write_chunk(chunk)
            self.write_chunk(chunk[:-2] + b']')
            self.wfile.write(b'0\r\n\r\n')
        except OSError:
            pass  # the client gave up, as it should

    def write_chunk(self, data):
        self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))


def run(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=240)
    except subprocess.TimeoutExpired:
        sys.exit('FAIL: %s did not end within 240 s' % cmd[0])


def check_error(p, want):
    lines = p.stderr.decode(errors='replace').splitlines()
    if p.returncode != 1 or len(lines) != 1 or want not in lines[0]:
        sys.exit('FAIL: exit %d, stderr %r (want one line with %r)' % (p.returncode, lines[:5], want))
    print('error line: ' + lines[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--rss-limit-mib', type=int, help='the most esmond-ps-get may take (huge-page)')
    ap.add_argument('scenario', choices=['huge-page', 'repeating'])
    args = ap.parse_args()
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.tests = 1 if args.scenario == 'huge-page' else 2500
    url = 'http://127.0.0.1:%d' % server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.scenario == 'huge-page':
        p = run([args.bin + '/esmond-ps-get', '-u', url, '-s', '10.0.0.1', '-d', '10.0.0.2', '-e', 'throughput',
                 '-o', 'csv', '-S', '1970-01-01T00:00:01', '-E', '2030-01-01'])
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print('peak RSS of esmond-ps-get: %.1f MiB' % (rss / 1048576))
        check_error(p, 'limit=1&time-start=1&time-end=1893456000: the answer exceeds the limit of 33554432 bytes')
        if args.rss_limit_mib and rss >= args.rss_limit_mib << 20:
            sys.exit('FAIL: peak RSS %.1f MiB, want under %d MiB' % (rss / 1048576, args.rss_limit_mib))
    else:
        p = run([args.bin + '/esmond-ps-get-metadata', '-u', url, '-o', 'csv'])
        check_error(p, '&limit=1000&offset=1000: the page repeats the one at offset=0')
        rows = p.stdout.decode().splitlines()
        if len(rows) != 1 + 1000:  # the csv header and the first page's tests
            sys.exit('FAIL: %d lines of output' % len(rows))
    server.shutdown()
    print('ok')


if __name__ == '__main__':
    main()
