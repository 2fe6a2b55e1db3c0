#!/usr/bin/env python3
"""Runs one data-driven tool case (tests/data/tools/<case>/) and compares.

A case directory holds:
  tool          the program's name (in --bin)
  args          its arguments, one a line; $URL is the archive's base URL
  expected.out  stdout, byte for byte ("http://archive.example.net" stands
                for the archive's own scheme://host:port in url fields)
  expected.err  stderr, the same way (optional; when absent stderr must be empty)
  status        exit status
  import/       optional: the archive's content (replay layout) instead of
                tests/data/replay
  dns           optional, empty: start dns_responder.py and point the tool
                at it (ESMOND_DNS_SERVERS); else lookups go nowhere
  cwd           optional: the directory to run in (else a temporary one)
  files/        optional: the files the tool must leave under $OUT, an
                empty directory created for the run ($OUT in args; its path
                reads "$OUT" in stdout and stderr). When args use $OUT, what
                is under it must equal files/ exactly (none when files/ is
                absent): no stray, temporary or escaped files.
The archive (esmond-ps-archive, temp database, 127.0.0.1:0) is started once
for the case; the tool runs with TZ=UTC.
"""
import argparse
import os
import subprocess
import sys
import tempfile

# The archive accepts this key (cases reading with --key/--user); reads need none.
READ_KEY = 'read-0123456789abcdef'
HERE = os.path.dirname(os.path.abspath(__file__))
PLACEHOLDER_HOST = b'http://archive.example.net'


def start(cmd, prefix, env=None):
    """Starts a server that prints 'listening on PREFIX...' first; returns (proc, rest).
    Its stderr (a line per request) goes to a file: a pipe nobody reads fills up and stalls the server."""
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
    line = proc.stdout.readline().decode().strip()
    if not line.startswith('listening on ' + prefix):
        proc.kill()
        proc.wait()
        err.seek(0)
        sys.exit('server did not start: %r %s' % (line, err.read().decode(errors='replace')))
    return proc, line[len('listening on ' + prefix):]


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, 'rb') as f:
        return f.read()


def tree(top, prefix=None):
    """Files under top/out (or under top itself, named prefix/...) -> content."""
    base = os.path.join(top, 'out') if prefix is None else top
    found = {}
    for root, dirs, files in os.walk(base):
        for name in files:
            path = os.path.join(root, name)
            found['out/' + os.path.relpath(path, base)] = read(path)
    if prefix is None:
        # anything written beside out/ (an escape from -D) counts too
        for name in os.listdir(top):
            if name not in ('out', 'db', 'dns-stats') and not name.startswith('db'):
                found[name] = b'<outside -D>'
    return found


def show_diff(name, want, got):
    sys.stderr.write('--- %s differs\n--- expected:\n%r\n--- got:\n%r\n' % (name, want, got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True, help='directory of the tools and esmond-ps-archive')
    ap.add_argument('--replay', required=True)
    ap.add_argument('case')
    a = ap.parse_args()

    tool = read(os.path.join(a.case, 'tool')).decode().strip()
    args = read(os.path.join(a.case, 'args'), b'').decode().split('\n')
    if args and args[-1] == '':
        args.pop()
    content = os.path.join(a.case, 'import')
    if not os.path.isdir(content):
        content = a.replay

    env = dict(os.environ, TZ='UTC')
    env.pop('ESMOND_USER', None)
    env.pop('ESMOND_KEY', None)
    env['ESMOND_DNS_SERVERS'] = '127.0.0.1:9'  # nothing answers: lookups fail fast, names stay addresses
    servers = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            archive, base = start([os.path.join(a.bin, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                                   '--listen', '127.0.0.1:0', '--import', content,
                                   '--token', 'reader:' + READ_KEY], 'http://')
            servers.append(archive)
            url = 'http://' + base
            if os.path.exists(os.path.join(a.case, 'dns')):
                dns, port = start([sys.executable, os.path.join(HERE, 'dns_responder.py'),
                                   '--stats', os.path.join(tmp, 'dns-stats')], 'udp://')
                servers.append(dns)
                env['ESMOND_DNS_SERVERS'] = port
            out_dir = os.path.join(tmp, 'out')
            os.mkdir(out_dir)
            argv = [os.path.join(a.bin, tool)] + [x.replace('$URL', url).replace('$OUT', out_dir) for x in args]
            cwd = read(os.path.join(a.case, 'cwd'), b'').decode().strip() or tmp
            run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                                 timeout=120)
            got_files = tree(tmp) if any('$OUT' in x for x in args) else None
        finally:
            for s in servers:
                stop(s)

    out = run.stdout.replace(url.encode(), PLACEHOLDER_HOST).replace(out_dir.encode(), b'$OUT')
    err = run.stderr.replace(url.encode(), PLACEHOLDER_HOST).replace(out_dir.encode(), b'$OUT')
    ok = True
    if got_files is not None:
        want_files = tree(os.path.join(a.case, 'files'), prefix='out') if os.path.isdir(
            os.path.join(a.case, 'files')) else {}
        if got_files != want_files:
            show_diff('files under $OUT', want_files, got_files)
            ok = False
    want_out = read(os.path.join(a.case, 'expected.out'), b'')
    if out != want_out:
        show_diff('stdout', want_out, out)
        ok = False
    want_err = read(os.path.join(a.case, 'expected.err'), b'')
    if err != want_err:
        show_diff('stderr', want_err, err)
        ok = False
    want_status = int(read(os.path.join(a.case, 'status'), b'0').decode().strip())
    if run.returncode != want_status:
        sys.stderr.write('status: expected %d, got %d\n' % (want_status, run.returncode))
        ok = False
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
