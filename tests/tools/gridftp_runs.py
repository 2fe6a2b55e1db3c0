#!/usr/bin/env python3
"""esmond-ps-load-gridftp over several runs, against a real esmond-ps-archive
(temp database) and generated logs whose records name 127.0.0.1 (no DNS):

  crash         kill -9 at random moments (22 runs killed, some twice); after
                each kill the state never names a record the archive lacks,
                and the run after it completes the archive exactly
  sigint        SIGINT stops after the current record: status 130, the state
                at the last record stored, the next run does the rest
  rotation      the log renamed (logrotate) with records written before the
                rename still unread: they are read from the old file first
  copytruncate  the same when the log was copied and truncated
  archive-down  nothing listens: status 1, no state; later every record
  rejected      a record the archive refuses is logged and skipped (status 3)
  foreign-state the original's pickle or an empty file (Python 3's broken
                pickle) at the state file's path: left untouched, the state
                kept beside it (FILE.json, -D deletes only that); neither
                ours: nothing done; an unusable state of ours or another
                log's: a warning and the log from its start
  once          identical metadata is posted once in a run
  write-paths   every write of a run (metadata, bulk PUT, failures POST) goes
                under --url and the script alias, also when the archive
                answers with URIs under another mount point
  unterminated  a last line still being written is left for the next run
  options       -S, -D, -p, -l, --timeout and the original's option errors

  gridftp_runs.py --bin DIR --dump PROG SCENARIO
"""
import argparse
import json
import os
import pickle
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gridftp_oracle as oracle  # noqa: E402
from gridftp_case import content_diff, model_content, stored_content, summary  # noqa: E402
from recorder import Recorder  # noqa: E402
from run_case import start, stop  # noqa: E402

USER, KEY = 'loader', 'KEY'
DUMP = None  # archive_dump (--dump): reads an archive through libesmond
PROG = 'esmond-ps-load-gridftp'
STATE = 'load_grid_ftp.pickle'


def fail(msg):
    sys.stderr.write('FAIL: ' + msg + '\n')
    sys.exit(1)


def stamp(t):
    return time.strftime('%Y%m%d%H%M%S', time.gmtime(int(t))) + '.%06d' % int(round((t % 1) * 1e6))


def record(i, rng=None, start=1600000000, kind=None):
    """Transfer line i: its own START second; a few byte counts, so metadata repeats."""
    rng = rng or random.Random(i)
    kind = kind or rng.choice(['RETR'] * 6 + ['STOR'] * 3 + ['LIST'])
    t0 = start + i * 60
    dur = rng.choice([0, 0.5, 2.25, 10, 33.3])
    code = rng.choice([226] * 8 + [426, 451])
    nbytes = rng.choice([10 ** 6, 2 ** 30, 5 * 10 ** 9])
    streams = rng.choice([1, 4])
    retrans = ','.join(str(rng.randrange(50)) for _ in range(streams))
    return ('DATE=%s HOST=127.0.0.1 PROG=globus-gridftp-server NL.EVNT=FTP_INFO START=%s USER=u%d '
            'FILE=/data/run %d/f=%d.dat BUFFER=0 BLOCK=262144 NBYTES=%d VOLUME=/ STREAMS=%d STRIPES=1 '
            'DEST=[198.51.100.%d] TYPE=%s CODE=%d TASKID=none retrans=%s\n'
            % (stamp(t0 + dur), stamp(t0), i % 3, i, i, nbytes, streams, 1 + i % 3, kind, code, retrans))


def make_log(path, first, count, mode='w'):
    with open(path, mode) as f:
        for i in range(first, first + count):
            f.write(record(i))


class Archive:
    def __init__(self, bindir, tmp, name='db'):
        self.proc, base = start([os.path.join(bindir, 'esmond-ps-archive'), '--db', os.path.join(tmp, name),
                                 '--listen', '127.0.0.1:0', '--token', USER + ':' + KEY], 'http://')
        self.url = 'http://' + base

    def stop(self):
        stop(self.proc)


class Ctx:
    def __init__(self, a, tmp):
        self.bin, self.tmp = a.bin, tmp
        self.log = os.path.join(tmp, 'gridftp.log')
        self.state = os.path.join(tmp, STATE)

    def argv(self, url, extra=()):
        return [os.path.join(self.bin, PROG), '-U', url, '-s', 'esmond', '-u', USER, '-k', KEY, '-P',
                '-f', self.log] + list(extra)

    def run(self, url, extra=(), timeout=300):
        r = subprocess.run(self.argv(url, extra), cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return r.returncode, r.stderr.decode(errors='replace')

    def model(self, text=None):
        if text is None:
            text = open(self.log).read()
        return model_content(oracle.model(text, 'netlogger', {}))


def read_state(path):
    return json.load(open(path)) if os.path.exists(path) else None


def check_complete(ctx, url, what):
    got, want = stored_content(url, DUMP), ctx.model()
    if got != want:
        fail('%s:\n%s' % (what, content_diff(got, want)))


def check_state_behind_archive(ctx, url, what):
    """Every record before the state's offset is in the archive, and the offset is at a line end."""
    st = read_state(ctx.state)
    if st is None:
        return 0
    data = open(ctx.log, 'rb').read()
    off = st['offset']
    if off and data[off - 1:off] != b'\n':
        fail('%s: the state offset %d is not at the end of a line' % (what, off))
    want = ctx.model(data[:off].decode())
    got = stored_content(url, DUMP)
    for ident, (ets, series) in want.items():
        if ident not in got:
            fail('%s: the state says line %d was dealt with, but metadata %s is not stored' % (what, st['line'],
                                                                                             dict(ident)))
        for et, points in series.items():
            for ts, val in points.items():
                if got[ident][1].get(et, {}).get(ts) != val:
                    fail('%s: state at line %d, but %s at %d is %r in the archive, want %r' % (
                        what, st['line'], et, ts, got[ident][1].get(et, {}).get(ts), val))
    return off


# ---- scenarios ----

def crash(a, tmp):
    rng = random.Random(20261201)
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 2000)  # long enough for several state saves (every 250 ms) in a run
    lines = open(ctx.log).read().count('\n')
    arch = Archive(a.bin, tmp, 'full.db')
    t0 = time.monotonic()
    code, err = ctx.run(arch.url)
    full = time.monotonic() - t0
    arch.stop()
    if code != 0:
        fail('a clean run: exit %d\n%s' % (code, err))
    os.unlink(ctx.state)
    kills = resumed = n = 0
    while kills < 22 and n < 80:  # a run may end before its kill: go on until 22 runs were killed
        n += 1
        arch = Archive(a.bin, tmp, 'db%d' % n)
        try:
            for attempt in range(2 if n % 3 == 0 else 1):  # every third: killed twice before completing
                p = subprocess.Popen(ctx.argv(arch.url), cwd=tmp, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, full * 0.9))
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    kills += 1
                p.wait()
                check_state_behind_archive(ctx, arch.url, 'run %d, kill %d' % (n, attempt + 1))
            st = read_state(ctx.state)
            code, err = ctx.run(arch.url)
            if code != 0:
                fail('run %d after the kill: exit %d\n%s' % (n, code, err))
            s = summary(err)
            at = st['line'] if st else 0
            resumed += 0 < at < lines
            if s['read'] != lines - at:
                fail('run %d: read %d records after the state at line %d, want %d' % (n, s['read'], at, lines - at))
            check_complete(ctx, arch.url, 'run %d: after the rerun' % n)
        finally:
            arch.stop()
            if os.path.exists(ctx.state):
                os.unlink(ctx.state)
    if kills < 20 or resumed < 5:
        fail('only %d runs killed before they ended, %d of them after a state was saved' % (kills, resumed))
    print('%d kills, %d reruns resumed from a saved state; a full run takes %.2f s' % (kills, resumed, full))


def sigint(a, tmp):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 400)
    arch = Archive(a.bin, tmp)
    try:
        p = subprocess.Popen(ctx.argv(arch.url), cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # wait for the first records to be stored, then interrupt
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not stored_content(arch.url, DUMP):
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        err = err.decode()
        if p.returncode != 130 or 'Got SIGINT - exiting.' not in err:
            fail('exit %d after SIGINT\n%s' % (p.returncode, err))
        s = summary(err)
        st = read_state(ctx.state)
        if not st or st['line'] >= 400 or st['line'] < 1:
            fail('the state after SIGINT: %r (summary %r)' % (st, s))
        if check_state_behind_archive(ctx, arch.url, 'after SIGINT') == 0:
            fail('no progress saved')
        # nothing posted beyond the state: the run stopped after the record it was on
        got = stored_content(arch.url, DUMP)
        upto = ctx.model(open(ctx.log).read()[:st['offset']])
        if got != upto:
            fail('the archive holds more or less than the state says:\n' + content_diff(got, upto))
        code, err = ctx.run(arch.url)
        if code != 0 or summary(err)['read'] != 400 - st['line']:
            fail('the run after SIGINT: exit %d\n%s' % (code, err))
        check_complete(ctx, arch.url, 'after the run that followed SIGINT')
    finally:
        arch.stop()


def rotated(a, tmp, copy):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 30)
    arch = Archive(a.bin, tmp)
    try:
        code, err = ctx.run(arch.url)
        if code != 0:
            fail('first run: exit %d\n%s' % (code, err))
        make_log(ctx.log, 30, 10, 'a')  # written after that run, before the rotation
        old = ctx.log + '.1'
        if copy:
            with open(ctx.log, 'rb') as f, open(old, 'wb') as g:
                g.write(f.read())
            open(ctx.log, 'w').close()  # copytruncate
            make_log(ctx.log, 40, 5, 'a')
        else:
            os.rename(ctx.log, old)
            make_log(ctx.log, 40, 5)
        # -S stops inside the old log: the state then names it, and the next run finishes it
        code, err = ctx.run(arch.url, ['-S'])
        first = summary(err)
        if code != 0 or 'finishing the rotated log %s' % old not in err or read_state(ctx.state)['log'] != old:
            fail('after the rotation, with -S: exit %d, state %r\n%s' % (code, read_state(ctx.state), err))
        code, err = ctx.run(arch.url)
        s = summary(err)
        if code != 0 or 'Maybe rotated' not in err or 'finishing the rotated log %s' % old not in err:
            fail('after the rotation: exit %d\n%s' % (code, err))
        if first['read'] + s['read'] != 15:
            fail('after the rotation %d + %d records read, want 10 from the old log and 5 new' % (first['read'],
                                                                                                s['read']))
        whole = open(old).read() + open(ctx.log).read()
        got, want = stored_content(arch.url, DUMP), ctx.model(whole)
        if got != want:
            fail('after the rotation:\n' + content_diff(got, want))
        code, err = ctx.run(arch.url)
        if code != 0 or summary(err)['read'] != 0:
            fail('the run after: exit %d\n%s' % (code, err))
    finally:
        arch.stop()


def archive_down(a, tmp):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 20)
    code, err = ctx.run('http://127.0.0.1:9', ['--timeout', '5'])
    if code != 1 or 'MetadataPost failed, abort processing' not in err or 'stopped early' not in err:
        fail('archive down: exit %d\n%s' % (code, err))
    st = read_state(ctx.state)
    if st and st['offset'] != 0:
        fail('archive down, yet the state moved: %r' % st)
    arch = Archive(a.bin, tmp)
    try:
        code, err = ctx.run(arch.url)
        if code != 0:
            fail('archive up: exit %d\n%s' % (code, err))
        check_complete(ctx, arch.url, 'once the archive is up')
        # a wrong key is as fatal: nothing is read past the first record
        make_log(ctx.log, 20, 5, 'a')
        argv = ctx.argv(arch.url)
        argv[argv.index(KEY)] = 'wrong'
        r = subprocess.run(argv, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        err = r.stderr.decode()
        if r.returncode != 1 or 'wrong' in err or read_state(ctx.state)['line'] != 20:
            fail('wrong key: exit %d, state %r\n%s' % (r.returncode, read_state(ctx.state), err))
    finally:
        arch.stop()


def rejected(a, tmp):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 3)
    with open(ctx.log, 'a') as f:
        f.write(record(3, kind='RETR').replace('DEST=[198.51.100.1]', 'DEST=[127.1]'))  # inet_aton: IPv4; archive: no
        f.write(record(4, kind='RETR'))
        f.write(record(5, kind='RETR').replace('DEST=[198.51.100.3]', 'DEST=[2001:DB8::5]'))  # HOST has no IPv6
    arch = Archive(a.bin, tmp)
    try:
        code, err = ctx.run(arch.url)
        s = summary(err)
        if code != 3 or not re.search(r'MetadataPost failed for the record on line 4, skipping it - ERR: .*400', err):
            fail('a rejected record: exit %d\n%s' % (code, err))
        if s['failed'] != 2 or s['read'] != 6 or 'no IPv6 address of 127.0.0.1' not in err:
            fail('summary %r\n%s' % (s, err))
        text = open(ctx.log).read().split('\n')
        got = stored_content(arch.url, DUMP)
        want = ctx.model('\n'.join(text[:3] + text[4:]))
        if got != want:
            fail('the other records:\n' + content_diff(got, want))
        if read_state(ctx.state)['line'] != 6:
            fail('the state does not go past the refused record')
    finally:
        arch.stop()


def original_pickle(line):
    """What esmond-client 4.2.1's loader pickled for its last netlogger record:
    LogEntryDataObject's dict (keys lower-cased, '.' as '_', values as text),
    with pickle.dump()'s default protocol of Python 2, 0."""
    data = {}
    for item in line.split():
        k, v = item.split('=')
        data[k.lower().replace('.', '_')] = v
    return pickle.dumps(data, protocol=0), data


def foreign_state(a, tmp):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 5)
    beside = ctx.state + '.json'
    arch = Archive(a.bin, tmp)
    try:
        # the original's pickle of its last record, and an empty file (Python 3's failed pickle write)
        pickled, data = original_pickle(record(2))
        for content, what in ((pickled, 'a pickle'), (b'', 'an empty file')):
            for f in (ctx.state, beside):
                if os.path.exists(f):
                    os.unlink(f)
            with open(ctx.state, 'wb') as f:
                f.write(content)
            before = os.stat(ctx.state)
            code, err = ctx.run(arch.url)
            if code != 0 or 'leaving it untouched, the state is kept in %s.json' % STATE not in err or \
                    summary(err)['read'] != 5:
                fail('%s as the state file: exit %d\n%s' % (what, code, err))
            st = read_state(beside)
            if st['format'] != 'esmond-ps-load-gridftp state' or st['line'] != 5 or st['log'] != os.path.realpath(
                    ctx.log):
                fail('the state written beside %s: %r' % (what, st))
            # the next run goes on from the state beside it
            make_log(ctx.log, 5, 1, 'a')
            code, err = ctx.run(arch.url)
            if code != 0 or summary(err)['read'] != 1 or read_state(beside)['line'] != 6:
                fail('the run after %s: exit %d\n%s' % (what, code, err))
            # -D deletes our state, never the original's
            code, err = ctx.run(arch.url, ['-D'])
            if code != 0 or os.path.exists(beside):
                fail('-D with %s: exit %d, %s left\n%s' % (what, code, beside, err))
            after = os.stat(ctx.state)
            if open(ctx.state, 'rb').read() != content or (after.st_ino, after.st_mtime_ns) != (
                    before.st_ino, before.st_mtime_ns):
                fail('%s was changed' % what)
            if content and pickle.loads(open(ctx.state, 'rb').read()) != data:
                fail('the original can no longer read its pickle')
            make_log(ctx.log, 0, 5)
        check_complete(ctx, arch.url, 'after the foreign state files')
        # the state beside it not ours either: nothing is read, posted or written
        with open(ctx.state, 'wb') as f:
            f.write(pickled)
        with open(beside, 'w') as f:
            f.write('{"something": "else"}')
        rec = Recorder()
        code, err = ctx.run(rec.url)
        rec.stop()
        if code != 1 or rec.log or 'is not a state file of this loader either' not in err or \
                open(beside).read() != '{"something": "else"}' or open(ctx.state, 'rb').read() != pickled:
            fail('neither state file ours: exit %d, %d requests\n%s' % (code, len(rec.log), err))
        os.unlink(beside)
        os.unlink(ctx.state)
        # our own state, unusable (a version we do not know): replaced
        with open(ctx.state, 'w') as f:
            f.write('{"format": "esmond-ps-load-gridftp state", "version": 99}')
        code, err = ctx.run(arch.url)
        if code != 0 or 'cannot be used' not in err or read_state(ctx.state).get('version') != 1 or \
                os.path.exists(beside):
            fail('an unusable state of ours: exit %d\n%s' % (code, err))
        # the state of another log: that log is not this one
        other = os.path.join(tmp, 'other.log')
        make_log(other, 100, 2)
        r = subprocess.run(ctx.argv(arch.url)[:-2] + ['-f', other], cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        err = r.stderr.decode()
        if r.returncode != 0 or 'does not contain last log entry' not in err or summary(err)['read'] != 2:
            fail('another log: exit %d\n%s' % (r.returncode, err))
        if 'finishing the rotated log' in err:
            fail('another log was taken for a rotation:\n' + err)
    finally:
        arch.stop()


def once(a, tmp):
    ctx = Ctx(a, tmp)
    with open(ctx.log, 'w') as f:
        for i in range(50):  # the same transfer, every minute
            f.write(record(0, kind='RETR').replace(stamp(1600000000), stamp(1600000000 + 60 * i)))
    rec = Recorder()
    code, err = ctx.run(rec.url, ['-d'])
    rec.stop()
    posts = [p for m, p, _ in rec.log if p.endswith('/archive/')]
    if code != 0 or len(posts) != 1 or len(rec.log) != 51:
        fail('exit %d, %d metadata posts, %d requests\n%s' % (code, len(posts), len(rec.log), err))


def write_paths(a, tmp):
    ctx = Ctx(a, tmp)
    with open(ctx.log, 'w') as f:
        for i, code in enumerate((226, 426, 226, 451)):
            f.write(re.sub(r'CODE=\d+', 'CODE=%d' % code, record(i, kind='RETR')))
    for alias, mount, root in (([], '/esmond/perfsonar/', '/perfsonar/archive/'),
                               (['-s', 'esmond'], '/other/perfsonar/', '/esmond/perfsonar/archive/'),
                               (['-s', '/a/b/'], '/perfsonar/', '/a/b/perfsonar/archive/')):
        rec = Recorder(mount=mount)
        argv = [os.path.join(a.bin, PROG), '-U', rec.url + '/', '-u', USER, '-k', KEY, '-P', '-d',
                '-f', ctx.log] + alias
        r = subprocess.run(argv, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        rec.stop()
        err = r.stderr.decode(errors='replace')
        kinds = sorted({(m, p.endswith('/failures/base')) for m, p, _ in rec.log})
        if r.returncode != 0 or kinds != [('POST', False), ('POST', True), ('PUT', False)]:
            fail('%s: exit %d, requests %r\n%s' % (alias, r.returncode, [(m, p) for m, p, _ in rec.log], err))
        stray = [(m, p) for m, p, _ in rec.log if not p.startswith(root)]
        if stray:
            fail('%s, archive answering under %s: writes outside %s: %r' % (alias, mount, root, stray))


def unterminated(a, tmp):
    ctx = Ctx(a, tmp)
    make_log(ctx.log, 0, 3)
    last = record(3, kind='RETR')
    with open(ctx.log, 'a') as f:
        f.write(last[:100])  # the server is still writing it
    arch = Archive(a.bin, tmp)
    try:
        code, err = ctx.run(arch.url)
        if code != 0 or 'line 4 does not end yet' not in err or summary(err)['read'] != 3:
            fail('a line being written: exit %d\n%s' % (code, err))
        with open(ctx.log, 'a') as f:
            f.write(last[100:])
        code, err = ctx.run(arch.url)
        if code != 0 or summary(err)['read'] != 1:
            fail('once written: exit %d\n%s' % (code, err))
        check_complete(ctx, arch.url, 'once the last line is written')
    finally:
        arch.stop()


def options(a, tmp):
    ctx = Ctx(a, tmp)
    prog = os.path.join(a.bin, PROG)

    def run(args, cwd=tmp):
        r = subprocess.run([prog] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    usage = 'Usage: %s [ -f filename | -v ]\n\n%s: error: ' % (PROG, PROG)
    for args, msg in ((['-U', 'http://x'], 'Filename is required.'),
                      (['-f', 'no/./such.log'], 'no/such.log does not exist'),
                      (['-l', 'nodir/', '-f', 'x'], 'nodir log path does not exist.'),
                      (['-f'], '-f option requires 1 argument'),
                      (['--bogus'], 'no such option: --bogus')):
        code, out, err = run(args)
        if code != 2 or err != usage + msg + '\n' or out:
            fail('%r: exit %d, stderr %r' % (args, code, err))
    make_log(ctx.log, 0, 6)
    arch = Archive(a.bin, tmp)
    try:
        state = os.path.join(tmp, 'my-state.json')
        logdir = os.path.join(tmp, 'logs')
        os.mkdir(logdir)
        code, out, err = run(ctx.argv(arch.url, ['-S', '-p', state, '-l', logdir])[1:])
        text = open(os.path.join(logdir, PROG + '.log')).read()
        if code != 0 or err or out or summary(text)['stored'] != 1 or read_state(state) is None:
            fail('-S -p -l: exit %d, stderr %r\n%s' % (code, err, text))
        if os.path.exists(ctx.state):
            fail('-p: the default state file was written')
        code, out, err = run(ctx.argv(arch.url, ['-p', state, '-D'])[1:])
        if code != 0 or os.path.exists(state):
            fail('-D: exit %d, state left: %s\n%s' % (code, os.path.exists(state), err))
        check_complete(ctx, arch.url, '-S then the rest')
        code, out, err = run(ctx.argv(arch.url, ['-d'])[1:])
        if code != 0 or os.path.exists(ctx.state) or os.path.exists(state):
            fail('-d wrote a state file\n' + err)
        code, out, err = run(ctx.argv(arch.url, ['--timeout', '-1'])[1:])
        if code != 2 or 'must not be negative' not in err:
            fail('--timeout -1: exit %d\n%s' % (code, err))
    finally:
        arch.stop()


SCENARIOS = {'crash': crash, 'sigint': sigint, 'rotation': lambda a, t: rotated(a, t, False),
             'copytruncate': lambda a, t: rotated(a, t, True), 'archive-down': archive_down,
             'rejected': rejected, 'foreign-state': foreign_state, 'once': once, 'write-paths': write_paths,
             'unterminated': unterminated,
             'options': options}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--dump', required=True, help='archive_dump, which reads an archive through libesmond')
    ap.add_argument('scenario', choices=sorted(SCENARIOS))
    a = ap.parse_args()
    global DUMP
    DUMP = os.path.abspath(a.dump)
    a.bin = os.path.abspath(a.bin)
    with tempfile.TemporaryDirectory() as tmp:
        SCENARIOS[a.scenario](a, tmp)
    return 0


if __name__ == '__main__':
    sys.exit(main())
