#!/usr/bin/env python3
"""esmond-ps-get-bulk against a real esmond-ps-archive holding a generated
data set (esmond-sample-data: several tests, every event type of each, series
longer than a page), read through a recording proxy.

Scenarios:
  requests  the request log of -j 1 is, in order, the listing and then one
            series read per (metadata, event type) as 4.2.1 read it: limit
            1000, the -S/-E window, and a next page (time-start = last ts + 1)
            only after a full one. -j 4 makes the same requests, in any order,
            over at most 5 connections.
  parallel  stdout and the files of -j 1 and -j 8 are byte-identical (json
            and csv); under -v every request of -j 8 is one whole trace line,
            the same lines as -j 1.
  error     one series answered with 500: -j 1 and -j 4 print the same lines
            and the same error, exit 1 and leave the same files, no
            temporary ones.
  signal    SIGTERM while series are being read: no temporary file is left.
  pipe      stdout closed early (as by "| head -1") while a series is read:
            one error line, status 1, no temporary file.
  disk-full -D on a small tmpfs (skipped, status 77, where mount is not
            permitted), and file-size: under RLIMIT_FSIZE (EFBIG, SIGXFSZ
            left at its default): the files before the one that does not fit
            are whole and kept, that one is named with the real error, status
            1, no temporary file.
"""
import argparse
import http.client
import resource
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PAGE = 1000
START, END = '2023-11-01', '2024-01-01'  # wider than the data, and than a week of one-minute tests
START_TS, END_TS = 1698796800, 1704067200


class Proxy:
    """Forwards GETs to the archive; keeps (path, query, connection, points
    in the answer, last ts) per request. fail: a path answered with 500;
    stall: a path whose answer waits until release is set."""

    def __init__(self, archive, fail=None, stall=None):
        self.log, self.lock = [], threading.Lock()
        self.stalled, self.release = threading.Event(), threading.Event()
        proxy = self
        host, port = urlsplit(archive).netloc.split(':')

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, fmt, *args):
                pass

            def setup(self):
                super().setup()
                self.upstream = http.client.HTTPConnection(host, int(port), timeout=60)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == stall:
                    proxy.stalled.set()
                    proxy.release.wait(60)
                if parts.path == fail:
                    status, body = 500, b'{"detail": "failing on purpose"}'
                else:
                    self.upstream.request('GET', self.path)
                    r = self.upstream.getresponse()
                    status, body = r.status, r.read()
                points = json.loads(body) if status == 200 else None
                last = points[-1]['ts'] if points and 'ts' in points[-1] else None
                with proxy.lock:
                    proxy.log.append((parts.path, dict(parse_qsl(parts.query)), id(self.connection),
                                      len(points) if isinstance(points, list) else None, last))
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a tool that ends early closes its connections

        self.server = Server(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def start_archive(bin_dir, tmp):
    data = os.path.join(tmp, 'gen')
    subprocess.run([os.path.join(bin_dir, 'esmond-sample-data'), '--out', data, '--pairs', '2', '--days', '2'],
                   check=True, stdout=subprocess.DEVNULL)
    err = open(os.path.join(tmp, 'archive.log'), 'wb')
    proc = subprocess.Popen([os.path.join(bin_dir, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                             '--import', data, '--listen', '127.0.0.1:0'], stdout=subprocess.PIPE, stderr=err)
    line = proc.stdout.readline().decode().strip()
    if not line.startswith('listening on http://'):
        proc.kill()
        sys.exit('archive did not start: %r' % line)
    url = line[len('listening on '):]
    conn = http.client.HTTPConnection(urlsplit(url).netloc, timeout=60)
    conn.request('GET', '/esmond/perfsonar/archive/?time-start=%d&time-end=%d' % (START_TS, END_TS))
    metadata = json.loads(conn.getresponse().read())
    conn.close()
    return proc, url, metadata


def bulk(bin_dir, url, out, jobs, fmt='json', wait=True, stdout=subprocess.PIPE, preexec_fn=None, extra=()):
    os.makedirs(out, exist_ok=True)
    argv = [os.path.join(bin_dir, 'esmond-ps-get-bulk'), '--url', url, '--ip', '-S', START, '-E', END,
            '-D', out, '-o', fmt, '-j', str(jobs), *extra]
    env = dict(os.environ, TZ='UTC')
    if not wait:
        return subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)
    run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300,
                         preexec_fn=preexec_fn)
    return run.returncode, run.stdout.replace(out.encode(), b'$OUT'), run.stderr.replace(out.encode(), b'$OUT')


def files(top):
    return {name: open(os.path.join(top, name), 'rb').read() for name in sorted(os.listdir(top))}


def series_paths(metadata):
    """The base-uri of every (metadata, event type), in the listing's order."""
    return [et['base-uri'] for md in metadata for et in md['event-types']]


def check(cond, what):
    if not cond:
        sys.exit('FAIL: ' + what)


def check_series_reads(log, paths):
    """log (without the listing): for each path, the first page with the
    window, then pages only after full ones, each from the last ts + 1."""
    by_path = {}
    for path, query, _, n, last in log:
        check(path in paths, 'a request outside the series: %s %r' % (path, query))
        by_path.setdefault(path, []).append((query, n, last))
    check(sorted(by_path) == sorted(paths), 'series read: %d of %d' % (len(by_path), len(paths)))
    pages = 0
    for path, reads in by_path.items():
        want_start = START_TS
        for i, (query, n, last) in enumerate(reads):
            want = {'limit': str(PAGE), 'time-start': str(want_start), 'time-end': str(END_TS)}
            check(query == want, '%s request %d: %r, want %r' % (path, i, query, want))
            check(n is not None, '%s: no list of points' % path)
            more = i + 1 < len(reads)
            check(more == (n == PAGE), '%s page %d of %d points, then %s' % (path, i, n, 'more' if more else 'none'))
            want_start = (last or 0) + 1
        pages += len(reads) - 1
    return pages


def scenario_requests(a, url, metadata, tmp):
    paths = series_paths(metadata)
    logs = {}
    for jobs in (1, 4):
        proxy = Proxy(url)
        try:
            status, out, err = bulk(a.bin, proxy.url, os.path.join(tmp, 'j%d' % jobs), jobs)
        finally:
            proxy.stop()
        check(status == 0, '-j %d: status %d: %s' % (jobs, status, err))
        log = proxy.log
        check(log[0][0] == '/esmond/perfsonar/archive/' and all(r[0] != log[0][0] for r in log[1:]),
              '-j %d: the listing is not one first request' % jobs)
        pages = check_series_reads(log[1:], paths)
        check(pages > 0, 'no series longer than a page: the test would not see paging')
        connections = len(set(r[2] for r in log))
        check(connections <= jobs + 1, '-j %d: %d connections' % (jobs, connections))
        logs[jobs] = [(p, sorted(q.items())) for p, q, _, _, _ in log]
    order = [paths.index(p) for p, _ in logs[1][1:]]
    check(order == sorted(order), '-j 1 reads the series out of the listing order')
    check(sorted(logs[1]) == sorted(logs[4]), '-j 4 requests differ from -j 1')
    print('requests: %d series, %d requests (%d next pages), same with -j 4' % (len(paths), len(logs[1]),
                                                                              len(logs[1]) - 1 - len(paths)))


def scenario_parallel(a, url, metadata, tmp):
    for fmt in ('json', 'csv'):
        got = {}
        for jobs in (1, 8):
            out = os.path.join(tmp, '%s-j%d' % (fmt, jobs))
            status, stdout, stderr = bulk(a.bin, url, out, jobs, fmt)
            check(status == 0 and stderr == b'', '-j %d -o %s: status %d: %s' % (jobs, fmt, status, stderr))
            got[jobs] = (stdout, files(out))
        check(got[1][0] == got[8][0], '-o %s: stdout of -j 8 differs from -j 1' % fmt)
        check(got[1][1] == got[8][1], '-o %s: files of -j 8 differ from -j 1' % fmt)
        check(len(got[1][1]) >= len(series_paths(metadata)) // 2, '-o %s: only %d files' % (fmt, len(got[1][1])))
        print('parallel -o %s: %d files, %d bytes, stdout %d bytes: identical' % (
            fmt, len(got[1][1]), sum(map(len, got[1][1].values())), len(got[1][0])))
    # -v from 8 threads: each request one whole "GET URL" line, the same ones as -j 1
    traces = {}
    for jobs in (1, 8, 8, 8):
        out = os.path.join(tmp, 'v-j%d' % jobs)
        shutil.rmtree(out, ignore_errors=True)
        status, _, stderr = bulk(a.bin, url, out, jobs, 'csv', extra=('-v',))
        lines = stderr.decode().splitlines()
        check(status == 0, '-v -j %d: status %d' % (jobs, status))
        bad = [l for l in lines if not re.fullmatch(r'GET http://\S+', l)]
        check(not bad, '-v -j %d: trace lines broken or mixed: %r' % (jobs, bad[:3]))
        check(sorted(lines) == traces.setdefault(1, sorted(lines)), '-v -j %d: other requests than -j 1' % jobs)
    print('parallel -v: %d trace lines, whole and the same at -j 8' % len(traces[1]))


def scenario_error(a, url, metadata, tmp):
    failing = series_paths(metadata)[len(series_paths(metadata)) // 2]
    got = {}
    for jobs in (1, 4):
        proxy = Proxy(url, fail=failing)
        out = os.path.join(tmp, 'err-j%d' % jobs)
        try:
            status, stdout, stderr = bulk(a.bin, proxy.url, out, jobs)
        finally:
            proxy.stop()
        stderr = stderr.replace(proxy.url.encode(), b'$URL')
        got[jobs] = status, stdout, stderr, files(out)
        written = got[jobs][3]
        check(status == 1, '-j %d: status %d' % (jobs, status))
        check(stderr.startswith(b'esmond-ps-get-bulk: ') and b'failing on purpose' in stderr,
              '-j %d: stderr %r' % (jobs, stderr))
        check(not [n for n in written if n.startswith('.')], '-j %d: temporary files left: %r' % (jobs, written))
        check(stdout.endswith(b'  * processing %s\n' % failing.rstrip('/').split('/')[-2].encode()),
              '-j %d: stdout does not end at the failing series' % jobs)
    check(got[1] == got[4], '-j 4 ends otherwise than -j 1')
    print('error: status 1, %d files kept, no temporary file, -j 1 and -j 4 alike' % len(got[1][3]))


def scenario_signal(a, url, metadata, tmp):
    stalled = series_paths(metadata)[3]
    proxy = Proxy(url, stall=stalled)
    out = os.path.join(tmp, 'sig')
    try:
        proc = bulk(a.bin, proxy.url, out, 4, wait=False)
        check(proxy.stalled.wait(60), 'the stalled series was never asked for')
        time.sleep(0.3)  # the other readers are busy with their series too
        temps = [n for n in os.listdir(out) if n.startswith('.esmond-ps-get-bulk.')]
        check(temps, 'no temporary file while a series is read')
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        proxy.stop()
    check(proc.returncode == -signal.SIGTERM, 'status %d after SIGTERM' % proc.returncode)
    left = [n for n in os.listdir(out) if n.startswith('.')]
    check(not left, 'temporary files left after SIGTERM: %r' % left)
    print('signal: %d temporary files removed' % len(temps))


def scenario_pipe(a, url, metadata, tmp):
    stalled = series_paths(metadata)[0]
    proxy = Proxy(url, stall=stalled)
    out = os.path.join(tmp, 'pipe')
    r, w = os.pipe()
    try:
        proc = bulk(a.bin, proxy.url, out, 4, wait=False, stdout=w)
        os.close(w)
        check(proxy.stalled.wait(60), 'the first series was never asked for')
        reader = os.fdopen(r, 'rb')
        first = reader.readline()  # what "| head -1" reads, then it is gone
        temps = [n for n in os.listdir(out) if n.startswith('.esmond-ps-get-bulk.')]
        check(temps, 'no temporary file while the first series is read')
        reader.close()
        proxy.release.set()
        _, err = proc.communicate(timeout=120)
    finally:
        proxy.stop()
    check(first == b'\n', 'first line %r' % first)
    check(proc.returncode == 1, 'status %d after stdout closed (stderr %r)' % (proc.returncode, err))
    check(err == b'esmond-ps-get-bulk: cannot write standard output: Broken pipe\n', 'stderr %r' % err)
    left = [n for n in os.listdir(out) if n.startswith('.')]
    check(not left, 'temporary files left after stdout closed: %r' % left)
    print('pipe: status 1, one line, %d temporary files removed' % len(temps))


LIMIT = 256 * 1024  # what the first two files of the listing need, and less than the third


def written(stdout):
    """The file names of the "  * writing $OUT/NAME" lines, in order."""
    return [line.split(b'$OUT/', 1)[1].decode() for line in stdout.split(b'\n') if line.startswith(b'  * writing ')]


def scenario_full(a, url, tmp, limited_run):
    """limited_run(out) -> (status, stdout, stderr, the error text expected)."""
    status, stdout, stderr = bulk(a.bin, url, os.path.join(tmp, 'whole'), 1)
    check(status == 0, 'unlimited run: status %d: %r' % (status, stderr))
    names = written(stdout)
    whole = files(os.path.join(tmp, 'whole'))
    sizes = [len(whole[n]) for n in names]
    check(sizes[0] + sizes[1] + 8192 < LIMIT < sizes[2], 'the data set no longer fits the test: %r' % sizes[:3])
    status, stdout, stderr, why, out = limited_run()
    got = files(out)
    check(status == 1, 'status %d (%r)' % (status, stderr))
    check(not [n for n in got if n.startswith('.')], 'temporary files left: %r' % list(got))
    check(got == {n: whole[n] for n in names[:2]}, 'files kept: %r, want the whole %r' % (list(got), names[:2]))
    want = b'esmond-ps-get-bulk: cannot write $OUT/%s: %s\n' % (names[2].encode(), why)
    check(stderr == want, 'stderr %r, want %r' % (stderr, want))
    return names[2]


def scenario_disk_full(a, url, metadata, tmp):
    out = os.path.join(tmp, 'small')
    os.mkdir(out)
    mount = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%d' % LIMIT, 'tmpfs', out],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if mount.returncode != 0:
        print('SKIP: cannot mount a tmpfs (%s)' % mount.stdout.decode().strip())
        sys.exit(77)
    try:
        def limited():
            return bulk(a.bin, url, out, 1) + (b'No space left on device', out)
        name = scenario_full(a, url, tmp, limited)
    finally:
        subprocess.run(['umount', out], check=True)
    print('disk-full: 2 files kept, %s named with ENOSPC' % name)


def scenario_file_size(a, url, metadata, tmp):
    out = os.path.join(tmp, 'limited')

    def limited():
        cap = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
        return bulk(a.bin, url, out, 1, preexec_fn=cap) + (b'File too large', out)
    name = scenario_full(a, url, tmp, limited)
    print('file-size: 2 files kept, %s named with EFBIG' % name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('scenario', choices=['requests', 'parallel', 'error', 'signal', 'pipe', 'disk-full',
                                             'file-size'])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive, url, metadata = start_archive(a.bin, tmp)
        try:
            globals()['scenario_' + a.scenario.replace('-', '_')](a, url, metadata, tmp)
        finally:
            archive.terminate()
            archive.wait(timeout=10)
    return 0


if __name__ == '__main__':
    sys.exit(main())
