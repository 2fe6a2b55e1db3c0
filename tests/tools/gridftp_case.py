#!/usr/bin/env python3
"""esmond-ps-load-gridftp against its samples, a recording server and a real
esmond-ps-archive (temp database). Names resolve through dns_responder.py
serving tests/data/samples/hosts.map.

  gridftp_case.py --bin DIR --dump PROG --samples DIR [--opts "-F -N -V"] SAMPLE   (gridftp/netlogger/x.log)
    1. the model (gridftp_oracle.py) agrees with what the original posted
       for the sample (expected/), where there is an expected file;
    2. the loader's requests to a recording server are the model's, in
       order, metadata once per distinct object; the exit status and the log
       name every line that could not be used;
    3. against a real archive: what is stored, read back through libesmond
       (archive_dump), is what the model says; a
       rerun reads nothing and changes nothing; a record appended later is
       the only one the next run reads.
  gridftp_case.py --bin DIR --example DIR
    the documented example: the requests (method, path, JSON body with its
    member order) and the log, against esmond-ps-load-gridftp-netlogger.txt.*.
"""
import argparse
import ipaddress
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gridftp_oracle as oracle  # noqa: E402
from recorder import Recorder, content_key, masked_log, request_differences, run_example  # noqa: E402
from run_case import start, stop  # noqa: E402

USER, KEY = 'loader', 'KEY'
PROG = 'esmond-ps-load-gridftp'


def fail(msg):
    sys.stderr.write('FAIL: ' + msg + '\n')
    sys.exit(1)


# ---- running the loader ----

def run_loader(a, url, log, extra, env, cwd=None):
    argv = [os.path.join(a.bin, PROG), '-U', url, '-u', USER, '-k', KEY, '-f', log] + extra
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, env=env, cwd=cwd)


def summary(err):
    m = re.search(r'event=main\.end id=\d+ records read (\d+) \((\d+) bytes\), stored (\d+), skipped (\d+), '
                  r'failed (\d+)', err)
    if not m:
        fail('no summary line in the log:\n' + err)
    return dict(zip(('read', 'bytes', 'stored', 'skipped', 'failed'), map(int, m.groups())))


def model_requests(items):
    """The requests in order, a metadata object posted once (the loader's cache)."""
    out, seen = [], {}
    for _, kind, posts in items:
        if kind != 'post':
            continue
        (_, md), (what, body) = oracle.requests(posts)
        ident = json.dumps(md)
        if ident not in seen:
            seen[ident] = content_key(md)
            out.append(('POST', '/perfsonar/archive/', md))
        key = seen[ident]
        if what == 'bulk':
            out.append(('PUT', '/perfsonar/archive/%s/' % key, body))
        else:
            out.append(('POST', '/perfsonar/archive/%s/failures/base' % key, body))
    return out


def check_requests(a, log, style, extra, items, env, cwd):
    rec = Recorder()
    run = run_loader(a, rec.url, log, ['-d', '-P'] + extra, env, cwd=cwd)
    rec.stop()
    err = run.stderr.decode(errors='replace')
    got = [(m, p, json.loads(b)) for m, p, b in rec.log]
    want = model_requests(items)
    for i, (g, w) in enumerate(zip(got, want)):
        # the same JSON documents, member order of the metadata included
        if (g[0], g[1]) != (w[0], w[1]) or json.dumps(g[2]) != json.dumps(w[2]):
            fail('request %d:\n  got  %s %s %s\n  want %s %s %s\n%s' % (i + 1, g[0], g[1], json.dumps(g[2]),
                                                                      w[0], w[1], json.dumps(w[2]), err))
    if len(got) != len(want):
        fail('%d requests, want %d\n%s' % (len(got), len(want), err))
    unusable = [(no, kind) for no, kind, _ in items if kind in ('bad', 'nometa')]
    want_status = 3 if unusable else 0
    if run.returncode != want_status:
        fail('exit status %d, want %d\n%s' % (run.returncode, want_status, err))
    if run.stdout:
        fail('unexpected stdout %r' % run.stdout[:200])
    for no, kind in unusable:
        if kind == 'bad' and not re.search(r'event=%s\.error .*(line %d - |not valid json)' % (
                'scan_and_load_json' if style == 'json' else 'scan_and_load_netlogger', no), err):
            fail('the log does not name line %d:\n%s' % (no, err))
    if sum(1 for _, k, _ in items if k == 'nometa') != err.count('could not generate metadata args for row'):
        fail('records without metadata not each logged:\n' + err)
    s = summary(err)
    want_counts = {'read': len(items), 'stored': sum(1 for _, k, _ in items if k == 'post'),
                   'skipped': sum(1 for _, k, _ in items if k == 'skip'), 'failed': len(unusable)}
    if {k: s[k] for k in want_counts} != want_counts:
        fail('summary %r, want %r' % (s, want_counts))
    loaded = sum(1 for _, k, _ in items if k in ('post', 'nometa'))
    if 'Loaded %d records' % loaded not in err:
        fail('no "Loaded %d records" line:\n%s' % (loaded, err))


# ---- against a real archive ----

IP_FIELDS = ('source', 'destination', 'measurement-agent')


def as_text(name, v):
    """A metadata value as the archive keeps it."""
    if name in IP_FIELDS:  # canonical as inet_ntop() writes it (::ffff:198.51.100.77)
        if ipaddress.ip_address(v).version == 6:
            return socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, v))
        return str(ipaddress.ip_address(v))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def identity(fields):
    return tuple(sorted(fields.items()))


def stored_content(base, dump):
    """{metadata identity: (event types, {event type: {ts: value}})} of everything stored, read
    back through libesmond (archive_dump)."""
    out = {}
    run = subprocess.run([dump, base], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if run.returncode != 0:
        fail('archive_dump: %s' % run.stderr.decode(errors='replace'))
    for line in run.stdout.decode().splitlines():
        md = json.loads(line)
        fields = {k: v for k, v in md['fields'].items() if k not in ('metadata-key', 'uri', 'url')}
        data = {et: {ts: v for ts, v in pts} for et, pts in md['data'].items() if pts}
        out[identity(fields)] = (sorted(md['event-types']), data)
    return out


def model_content(items):
    """What the archive must hold after the model's requests (esmond's rules:
    a numeric point is never replaced, so a bulk that repeats one is refused
    whole; other values are replaced)."""
    out = {}
    for _, kind, posts in items:
        if kind != 'post':
            continue
        fields = {k: as_text(k, v) for k, v in posts['metadata']}
        fields['subject-type'] = 'point-to-point'
        ets, data = out.setdefault(identity(fields), (sorted(posts['event_types']), {}))
        ts = posts['ts']
        if 'failure' in posts:
            data.setdefault('failures', {})[ts] = posts['failure']
            continue
        if any(e == 'throughput' and ts in data.get('throughput', {}) for e, _ in posts['values']):
            continue  # 409
        for e, v in posts['values']:
            data.setdefault(e, {})[ts] = float(math.trunc(v)) if e == 'throughput' else v
    return out


def content_diff(got, want):
    lines = []
    for k in sorted(set(got) | set(want), key=str):
        if got.get(k) != want.get(k):
            lines.append('metadata %s\n  stored %s\n  want   %s' % (dict(k), got.get(k), want.get(k)))
    return '\n'.join(lines)


def appended_record(style, ts):
    if style == 'json':
        return json.dumps({'event_type': 'Transfer-End', 'host': '127.0.0.1', 'dest': '198.51.100.99',
                           'cmd_type': 'RETR', 'start_timestamp': ts, 'end_timestamp': ts + 10, 'nbytes': 10 ** 9,
                           'nstreams': 1, 'prog': 'globus-gridftp-server', 'streams': []}) + '\n'
    t0, t1 = (time.strftime('%Y%m%d%H%M%S.000000', time.gmtime(t)) for t in (ts, ts + 10))
    return ('DATE=%s HOST=127.0.0.1 PROG=globus-gridftp-server NL.EVNT=FTP_INFO START=%s USER=u FILE=/x BUFFER=0 '
            'BLOCK=262144 NBYTES=1000000000 VOLUME=/ STREAMS=1 STRIPES=1 DEST=[198.51.100.99] TYPE=RETR CODE=226 '
            'retrans=0\n' % (t1, t0))


def check_archive(a, log, style, extra, items, env, tmp, hosts, priv):
    archive, base = start([os.path.join(a.bin, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                           '--listen', '127.0.0.1:0', '--token', USER + ':' + KEY], 'http://')
    try:
        url = 'http://' + base
        work = os.path.join(tmp, 'work')
        os.mkdir(work)
        mine = os.path.join(work, 'transfer.log')
        shutil.copyfile(log, mine)
        opts = ['-s', 'esmond', '-P'] + extra
        first = run_loader(a, url, mine, opts, env, cwd=work)
        err = first.stderr.decode(errors='replace')
        if first.returncode not in (0, 3):
            fail('exit status %d\n%s' % (first.returncode, err))
        got, want = stored_content(url, a.dump), model_content(items)
        if got != want:
            fail(content_diff(got, want) + '\n' + err)
        state = os.path.join(work, 'load_grid_ftp.json.pickle' if style == 'json' else 'load_grid_ftp.pickle')
        if not os.path.exists(state):
            fail('no state file written')
        again = run_loader(a, url, mine, opts, env, cwd=work)
        err2 = again.stderr.decode(errors='replace')
        s = summary(err2)
        if again.returncode != 0 or s['read'] != 0 or 'passes last record check' not in err2:
            fail('rerun: exit %d, %r\n%s' % (again.returncode, s, err2))
        if stored_content(url, a.dump) != got:
            fail('the rerun changed what is stored')
        # a record appended later is all the next run reads (with the old last line, had it no end yet)
        text = open(mine, encoding='utf-8', errors='surrogateescape').read()
        tail = 1 if text and not text.endswith('\n') else 0
        with open(mine, 'a', encoding='utf-8', errors='surrogateescape') as f:
            f.write('\n' * tail + appended_record(style, 1700000000))
        third = run_loader(a, url, mine, opts, env, cwd=work)
        err3 = third.stderr.decode(errors='replace')
        s = summary(err3)
        if s['read'] != 1 + tail:
            fail('after appending one record: %r\n%s' % (s, err3))
        grown = oracle.model(open(mine, encoding='utf-8', errors='surrogateescape').read(), style, hosts, priv)
        got = stored_content(url, a.dump)
        if got != model_content(grown):
            fail('after appending one record:\n' + content_diff(got, model_content(grown)) + err3)
    finally:
        stop(archive)


def sample_case(a):
    path = os.path.join(a.samples, a.sample)
    style = 'json' if '/json/' in a.sample or a.sample.endswith('.json.log') else 'netlogger'
    extra = a.opts.split() if a.opts else []
    if style == 'json':
        extra.append('-J')
    priv = {flag for opt, flag in (('-F', 'file'), ('-N', 'user'), ('-V', 'volume')) if opt in extra}
    hosts = oracle.read_hosts(os.path.join(a.samples, 'hosts.map'))
    text = open(path, encoding='utf-8', errors='surrogateescape').read()
    items = oracle.model(text, style, hosts, priv)

    name = os.path.splitext(os.path.basename(a.sample))[0]
    suffix = ''.join('-' + o.lstrip('-') for o in a.opts.split()) if a.opts else ''
    exp = os.path.join(a.samples, 'expected', 'gridftp-' + style, name + ('.with' + suffix if suffix else '') + '.json')
    if os.path.exists(exp):
        problems = oracle.check_against_original(items, json.load(open(exp)), style, hosts)
        if problems:
            fail('the model disagrees with the original:\n' + '\n'.join(problems))

    with tempfile.TemporaryDirectory() as tmp:
        dns, port = start([sys.executable, os.path.join(HERE, 'dns_responder.py'), '--hosts',
                           os.path.join(a.samples, 'hosts.map')], 'udp://')
        try:
            env = dict(os.environ, ESMOND_DNS_SERVERS=port, TZ='UTC')
            check_requests(a, path, style, extra, items, env, tmp)
            check_archive(a, path, style, extra, items, env, tmp, hosts, priv)
        finally:
            stop(dns)
    return 0


def example_case(a):
    ex = a.example
    run, log, want = run_example(os.path.join(ex, 'esmond-ps-load-gridftp-netlogger.txt.requests'),
                                 [os.path.join(a.bin, PROG), '-u', 'user', '-k', 'apikey', '-d', '-f',
                                  'inputs/gridftp-netlogger.log'], cwd=ex)
    if run.returncode != 0 or run.stdout:
        fail('exit %d, stdout %r\n%s' % (run.returncode, run.stdout, run.stderr.decode()))
    diff = request_differences(log, want)
    if diff:
        fail(diff)
    want_err = open(os.path.join(ex, 'esmond-ps-load-gridftp-netlogger.txt.stderr.norm'), 'rb').read()
    want_err += b'ts=<TS> event=main.end id=<ID> records read 2 (537 bytes), stored 2, skipped 0, failed 0\n'
    if masked_log(run.stderr) != want_err:
        fail('log %r, want %r' % (masked_log(run.stderr), want_err))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--samples')
    ap.add_argument('--opts', default='')
    ap.add_argument('--example')
    ap.add_argument('--dump', help='archive_dump, which reads an archive through libesmond')
    ap.add_argument('sample', nargs='?')
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    return example_case(a) if a.example else sample_case(a)


if __name__ == '__main__':
    sys.exit(main())
