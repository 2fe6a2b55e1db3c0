#!/usr/bin/env python3
"""The client tools as an operator runs them, against a real esmond-ps-archive
(temp database, 127.0.0.1) that accepts one key:

  version   every tool answers --version with "PROG VERSION" (status 0);
            abbreviations of it stay errors
  env       ESMOND_URL is the archive when -u/--url/-U is absent (the
            loaders keep their default http://localhost:8000 without it);
            ESMOND_USER/ESMOND_KEY let both loaders write
  key-file  --key-file (KEY or USER:KEY) lets the loaders and the read tools
            send the key; a file open to group or others, a missing, empty
            or badly formed file, or a key given twice are refused
  secrets   the key never appears in any output: stdout, stderr, the
            loaders' log files, with -v, on errors (refused key, archive
            down, bad file)
  progress  esmond-ps-load-gridftp's progress line: drawn in place on a
            terminal (a pseudo-terminal as stderr), cleared before every log
            line and at the end; never on a file or a pipe, nor with -P
  bulk-progress  esmond-ps-get-bulk's progress line (series, points) on a
            terminal, cleared at the end, with -j 1 and -j 4; stdout and
            files the same as without a terminal
  stdout    the query tools with stdout on a closed pipe (EPIPE, SIGPIPE
            ignored) and on /dev/full (ENOSPC): one error line, status 1;
            esmond-ps-get-bulk leaves no temporary file

  operate_case.py --bin DIR --version VERSION SCENARIO
"""
import argparse
import os
import pty
import re
import select
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gridftp_runs import make_log  # noqa: E402
from run_case import start, stop  # noqa: E402

USER = 'operator'
KEY = 'k3y-5ecret-0f-the-0perator-do-not-print-1t'
TOOLS = ['esmond-ps-get-endpoints', 'esmond-ps-get-metadata', 'esmond-ps-get', 'esmond-ps-get-bulk',
         'esmond-ps-pipe', 'esmond-ps-load-gridftp']
ALL = TOOLS + ['esmond-ps-archive', 'esmond-sample-data']
CLEAR = b'\r\x1b[K'
BIN = VERSION = None
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        sys.stderr.write('FAIL: %s\n' % what)


def env_with(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith('ESMOND_')}
    env['TZ'] = 'UTC'
    env.update(extra)
    return env


def run(tool, args, env=None, stdin=b'', cwd=None):
    r = subprocess.run([os.path.join(BIN, tool)] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env or env_with(), cwd=cwd, timeout=120)
    return r.returncode, r.stdout.decode(errors='replace'), r.stderr.decode(errors='replace')


class Archive:
    def __init__(self, tmp):
        self.proc, base = start([os.path.join(BIN, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                                 '--listen', '127.0.0.1:0', '--token', USER + ':' + KEY], 'http://')
        self.url = 'http://' + base

    def __enter__(self):
        return self

    def __exit__(self, *a):
        stop(self.proc)


def key_file(tmp, text, mode=0o600, name='key'):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def pipe_input():
    return open(os.path.join(HERE, '..', 'data', 'samples', 'iperf3', 'iperf3-3.1.3-tcp-1stream.json'), 'rb').read()


def gridftp(tmp, url_args, extra=(), env=None, count=5, first=0):
    log = os.path.join(tmp, 'gridftp.log')
    make_log(log, first, count)
    return run('esmond-ps-load-gridftp', url_args + ['-s', 'esmond', '-f', log, '-d'] + list(extra), env=env,
               cwd=tmp)


# ---- scenarios ----

def scenario_version(tmp):
    for tool in ALL:
        st, out, err = run(tool, ['--version'])
        check(st == 0 and out == '%s %s\n' % (tool, VERSION) and err == '',
              '%s --version: %d %r %r' % (tool, st, out, err))
    for tool in TOOLS:
        st, out, err = run(tool, ['--help'])
        check(st == 0 and '--version' not in out, '%s --help must stay the original\'s' % tool)
        st, out, err = run(tool, ['--vers'])
        check(st == 2 and 'no such option: --vers' in err, '%s --vers is no abbreviation: %d %r' % (tool, st, err))


def scenario_env(tmp):
    with Archive(tmp) as a:
        st, out, err = run('esmond-ps-get-endpoints', ['--ip'], env=env_with(ESMOND_URL=a.url))
        check(st == 0 and err == '', 'get-endpoints with ESMOND_URL: %d %r' % (st, err))
        st, out, err = run('esmond-ps-get-endpoints', ['--ip'])
        check(st == 255 and out.startswith('--url is a required arg'), 'no URL at all is the original\'s check')
        # the option wins over the environment
        st, out, err = run('esmond-ps-get-endpoints', ['--ip', '-u', a.url],
                           env=env_with(ESMOND_URL='http://127.0.0.1:1'))
        check(st == 0, '--url wins over ESMOND_URL: %d %r' % (st, err))
        creds = env_with(ESMOND_URL=a.url, ESMOND_USER=USER, ESMOND_KEY=KEY)
        st, out, err = run('esmond-ps-pipe', ['-s', 'esmond'], env=creds, stdin=pipe_input())
        check(st == 0, 'pipe with ESMOND_URL/USER/KEY: %d %s' % (st, err))
        st, out, err = gridftp(tmp, [], env=creds)
        check(st == 0 and 'stored 5,' in err, 'load-gridftp with ESMOND_URL/USER/KEY: %d %s' % (st, err))
        st, out, err = gridftp(tmp, [], env=env_with(ESMOND_URL=a.url, ESMOND_USER=USER, ESMOND_KEY='wrong'))
        check(st == 1, 'load-gridftp with a wrong ESMOND_KEY: %d' % st)
        st, out, err = run('esmond-ps-pipe', ['-s', 'esmond', '-U', a.url], env=env_with(ESMOND_USER=USER),
                           stdin=pipe_input())
        check(st == 2 and 'both --user and --key args are required.' in err, 'pipe without a key: %d %r' % (st, err))
    # without ESMOND_URL the loaders keep the original's default
    st, out, err = gridftp(tmp, ['-u', USER, '-k', KEY, '--timeout', '2'])
    check('http://localhost:8000' in err, 'load-gridftp default URL: %r' % err)


def scenario_key_file(tmp):
    with Archive(tmp) as a:
        pair = key_file(tmp, '# the loader\n\n  %s:%s  \n' % (USER, KEY))
        alone = key_file(tmp, KEY + '\n', name='alone')
        st, out, err = run('esmond-ps-pipe', ['-U', a.url, '-s', 'esmond', '--key-file', pair], stdin=pipe_input())
        check(st == 0, 'pipe --key-file USER:KEY: %d %s' % (st, err))
        st, out, err = gridftp(tmp, ['-U', a.url, '--key-file', pair])
        check(st == 0 and 'stored 5,' in err, 'load-gridftp --key-file USER:KEY: %d %s' % (st, err))
        st, out, err = gridftp(tmp, ['-U', a.url, '-u', USER, '--key-file', alone])
        check(st == 0, 'load-gridftp -u with --key-file KEY: %d %s' % (st, err))
        st, out, err = gridftp(tmp, ['-U', a.url, '--key-file', alone], env=env_with(ESMOND_USER=USER))
        check(st == 0, 'load-gridftp ESMOND_USER with --key-file KEY: %d %s' % (st, err))
        st, out, err = run('esmond-ps-get-endpoints', ['--ip', '-u', a.url, '--key-file', alone])
        check(st == 0, 'get-endpoints --key-file (Token): %d %s' % (st, err))
        st, out, err = run('esmond-ps-get-endpoints', ['--ip', '-u', a.url, '--key-file',
                                                       key_file(tmp, 'wrong\n', name='wrong')])
        check(st == 1 and '401' in err, 'get-endpoints with a wrong key in the file: %d %r' % (st, err))
        refused = [
            ('open to group', key_file(tmp, KEY + '\n', 0o640, 'g'), 'is open to group or others (mode 0640)'),
            ('world readable', key_file(tmp, KEY + '\n', 0o644, 'o'), 'chmod 600'),
            ('group writable', key_file(tmp, KEY + '\n', 0o620, 'w'), 'mode 0620'),
            ('empty', key_file(tmp, '# nothing\n\n', name='empty'), 'holds no key'),
            ('empty key', key_file(tmp, USER + ':\n', name='nokey'), 'wants KEY or USER:KEY'),
            ('missing', os.path.join(tmp, 'absent'), 'cannot read --key-file'),
            ('directory', tmp, 'is not a regular file'),
        ]
        for what, path, msg in refused:
            for tool, args in [('esmond-ps-load-gridftp', ['-f', os.path.join(tmp, 'gridftp.log')]),
                               ('esmond-ps-pipe', []), ('esmond-ps-get-endpoints', ['--ip'])]:
                st, out, err = run(tool, ['-U' if 'get' not in tool else '-u', a.url, '--key-file', path] + args,
                                   stdin=pipe_input())
                check(st == 2 and msg in err and KEY not in out + err,
                      '%s --key-file %s: %d %r' % (tool, what, st, err))
            # esmond-ps-harvest: the archive is not harvested, nothing is written
            st, out, err = run('esmond-ps-harvest', ['--state', os.path.join(tmp, 'hv'), '--url', a.url,
                                                     '--out', '-', '--key-file', path])
            check(st == 1 and msg in err and out == '' and KEY not in err,
                  'esmond-ps-harvest --key-file %s: %d %r' % (what, st, err))
        st, out, err = gridftp(tmp, ['-U', a.url, '-k', KEY, '--key-file', pair])
        check(st == 2 and 'not both' in err, 'a key twice: %d %r' % (st, err))


def scenario_secrets(tmp):
    logdir = os.path.join(tmp, 'logs')
    os.mkdir(logdir)
    pair = key_file(tmp, '%s:%s\n' % (USER, KEY))
    bad_line = key_file(tmp, ':%s\n' % KEY, name='badline')
    with Archive(tmp) as a:
        runs = [
            ('esmond-ps-load-gridftp', ['-U', a.url, '-u', USER, '-k', KEY, '-v', '-s', 'esmond', '-d']),
            ('esmond-ps-load-gridftp', ['-U', a.url, '-u', USER, '-k', KEY + 'x', '-v', '-s', 'esmond', '-d']),
            ('esmond-ps-load-gridftp', ['-U', a.url, '--key-file', pair, '-v', '-s', 'esmond', '-d', '-l', logdir]),
            ('esmond-ps-load-gridftp', ['-U', 'http://127.0.0.1:1', '-u', USER, '-k', KEY, '-v', '-d']),
            ('esmond-ps-load-gridftp', ['-U', a.url, '-u', USER, '-k', KEY + ' space', '-v', '-d']),
            ('esmond-ps-load-gridftp', ['-U', a.url, '--key-file', bad_line, '-v']),
            ('esmond-ps-pipe', ['-U', a.url, '-u', USER, '-k', KEY, '-v', '-s', 'esmond']),
            ('esmond-ps-pipe', ['-U', a.url, '-u', USER, '-k', KEY + 'x', '-v', '-s', 'esmond', '-l', logdir]),
            ('esmond-ps-pipe', ['-U', 'http://127.0.0.1:1', '--key-file', pair, '-v']),
            ('esmond-ps-get-endpoints', ['--ip', '-u', a.url, '--user', USER, '--key', KEY, '-v']),
            ('esmond-ps-get-endpoints', ['--ip', '-u', a.url, '--key', KEY + 'x', '-v']),
            ('esmond-ps-get-endpoints', ['--ip', '-u', a.url, '--key', KEY + ' space', '-v']),
            ('esmond-ps-get', ['--ip', '-u', 'http://127.0.0.1:1', '--key-file', pair, '-v', '-s', '127.0.0.1',
                               '-d', '127.0.0.2', '-e', 'throughput']),
            ('esmond-ps-get-bulk', ['--ip', '-u', a.url, '--key-file', pair, '-v', '-o', 'json', '-D', tmp]),
        ]
        log = os.path.join(tmp, 'gridftp.log')
        make_log(log, 0, 3)
        for tool, args in runs:
            if tool == 'esmond-ps-load-gridftp':
                args = args + ['-f', log]
            st, out, err = run(tool, args, stdin=pipe_input(), cwd=tmp)
            check(KEY not in out + err, '%s %s prints the key:\n%s%s' % (tool, args, out, err))
            check(err or out or '-l' in args, '%s %s says nothing at all' % (tool, args))
            for name in os.listdir(logdir):
                check(KEY not in open(os.path.join(logdir, name), errors='replace').read(),
                      '%s %s writes the key into %s' % (tool, args, name))
        check(sorted(os.listdir(logdir)) == ['esmond-ps-load-gridftp.log', 'esmond-ps-pipe.log'],
              'the loaders wrote their logs: %s' % os.listdir(logdir))


def run_pty(args, cwd, tool='esmond-ps-load-gridftp'):
    """Runs tool with a pseudo-terminal as stderr (stdout a pipe); returns (status, terminal bytes, stdout)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([os.path.join(BIN, tool)] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env_with())
    os.close(slave)
    got = b''
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the tool closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    out = proc.stdout.read()
    proc.stdout.close()
    return proc.wait(timeout=60), got.replace(b'\r\n', b'\n'), out


def scenario_progress(tmp):
    log = os.path.join(tmp, 'gridftp.log')
    make_log(log, 0, 400)
    with Archive(tmp) as a:
        args = ['-U', a.url, '-s', 'esmond', '-u', USER, '-k', KEY, '-f', log, '-d']
        st, term, out = run_pty(args, tmp)
        check(st == 0 and out == b'', 'load-gridftp on a terminal: %d %r' % (st, out))
        draws = re.findall(rb'\r\x1b\[Krecords (\d+), (\d+) points, \d+ points/s, \d+:\d\d', term)
        check(draws, 'no progress line on the terminal:\n%r' % term[:2000])
        counts = [int(d) for d, _ in draws]
        check(counts == sorted(counts) and all(1 <= c <= 400 for c in counts), 'progress counts: %s' % counts)
        check(term.count(b'\r\x1b[Krecords') <= 2 + 4 * 120, 'redrawn too often')
        # every log line starts on a clean line: the progress line was cleared before it
        for m in re.finditer(rb'ts=', term):
            before = term[:m.start()]
            check(before == b'' or before.endswith(b'\n') or before.endswith(CLEAR),
                  'a log line written over the progress line: %r' % term[max(0, m.start() - 80):m.start() + 20])
        last_draw = term.rfind(b'\r\x1b[Krecords')
        check(term.find(CLEAR, last_draw + 1) > last_draw, 'the progress line is not cleared at the end')
        check(b'records read 400' in term and term.endswith(b'failed 0\n'), 'summary line: %r' % term[-300:])
        # -P: the original's switch for progress messages also silences the line
        st, term, out = run_pty(args + ['-P'], tmp)
        check(st == 0 and b'\x1b' not in term and b'\r' not in term, '-P still draws: %r' % term[:500])
        # a file and a pipe get no progress line
        with open(os.path.join(tmp, 'err'), 'wb') as f:
            st = subprocess.run([os.path.join(BIN, 'esmond-ps-load-gridftp')] + args, stderr=f,
                                stdout=subprocess.PIPE, cwd=tmp, env=env_with(), timeout=120).returncode
        text = open(os.path.join(tmp, 'err'), 'rb').read()
        check(st == 0 and b'records read 400' in text and b'\x1b' not in text and b'\r' not in text,
              'stderr a file: %d %r' % (st, text[:300]))
        st, out, err = run('esmond-ps-load-gridftp', args, cwd=tmp)
        check(st == 0 and 'records read 400' in err and '\x1b' not in err and '\r' not in err,
              'stderr a pipe: %d %r' % (st, err[:300]))


def files_of(d):
    return {n: open(os.path.join(d, n), 'rb').read() for n in sorted(os.listdir(d))}


def scenario_bulk_progress(tmp):
    log = os.path.join(tmp, 'gridftp.log')
    make_log(log, 0, 60)
    with Archive(tmp) as a:
        st, out, err = run('esmond-ps-load-gridftp', ['-U', a.url, '-s', 'esmond', '-u', USER, '-k', KEY,
                                                      '-f', log, '-d'], cwd=tmp)
        check(st == 0, 'loading the archive: %d %s' % (st, err[-300:]))
        for jobs in ('1', '4'):
            plain, tty = os.path.join(tmp, 'plain' + jobs), os.path.join(tmp, 'tty' + jobs)
            os.mkdir(plain)
            os.mkdir(tty)
            args = ['--url', a.url, '--ip', '-S', '2000-01-01', '-E', '2100-01-01', '-o', 'json', '-j', jobs]
            st0, out0, err0 = run('esmond-ps-get-bulk', args + ['-D', plain], cwd=tmp)
            check(st0 == 0 and '* writing' in out0 and err0 == '', 'get-bulk -j %s: %d %r' % (jobs, st0, err0))
            st, term, out = run_pty(args + ['-D', tty], tmp, 'esmond-ps-get-bulk')
            check(st == 0 and out.decode() == out0.replace(plain, tty),
                  'get-bulk -j %s on a terminal: stdout differs: %d %r' % (jobs, st, out[:300]))
            check(files_of(plain) == files_of(tty), 'get-bulk -j %s on a terminal: other files' % jobs)
            draws = re.findall(rb'\r\x1b\[Kseries (\d+), (\d+) points, \d+ points/s, \d+:\d\d', term)
            check(draws, 'get-bulk -j %s: no progress line on the terminal: %r' % (jobs, term[:500]))
            done = [int(d) for d, _ in draws]
            points = [int(p) for _, p in draws]
            check(done == sorted(done) and points == sorted(points) and points and points[-1] > 0,
                  'get-bulk -j %s progress counts: %s' % (jobs, draws))
            check(term.endswith(CLEAR), 'get-bulk -j %s: the line is not cleared at the end: %r' % (jobs, term[-80:]))


def scenario_stdout(tmp):
    replay = os.path.join(HERE, '..', 'data', 'replay')
    archive, base = start([os.path.join(BIN, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                           '--listen', '127.0.0.1:0', '--import', replay], 'http://')
    out_dir = os.path.join(tmp, 'bulk')
    os.mkdir(out_dir)
    common = ['--url', 'http://' + base, '--ip', '-S', '2014-02-04', '-E', '2014-02-06']
    pair = ['-s', '198.129.254.30', '-d', '198.124.252.141', '-e', 'throughput']
    runs = [('esmond-ps-get-endpoints', common), ('esmond-ps-get-metadata', common + ['-M']),
            ('esmond-ps-get', common + pair), ('esmond-ps-get-bulk', common + pair + ['-D', out_dir, '-o', 'json'])]
    try:
        for tool, args in runs:
            for target, why in (('pipe', 'Broken pipe'), ('/dev/full', 'No space left on device')):
                if target == 'pipe':
                    r, w = os.pipe()
                    os.close(r)  # no reader: every write fails
                else:
                    w = os.open(target, os.O_WRONLY)
                p = subprocess.run([os.path.join(BIN, tool)] + args, stdout=w, stderr=subprocess.PIPE,
                                   env=env_with(), timeout=120)
                os.close(w)
                want = ('%s: cannot write standard output: %s\n' % (tool, why)).encode()
                check(p.returncode == 1 and p.stderr == want,
                      '%s > %s: status %d, stderr %r' % (tool, target, p.returncode, p.stderr))
        left = os.listdir(out_dir)
        check(not [n for n in left if n.startswith('.')], 'get-bulk left temporary files: %r' % left)
    finally:
        stop(archive)


def main():
    global BIN, VERSION
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('scenario', choices=['version', 'env', 'key-file', 'secrets', 'progress', 'bulk-progress',
                                             'stdout'])
    args = ap.parse_args()
    BIN, VERSION = os.path.abspath(args.bin), args.version
    with tempfile.TemporaryDirectory() as tmp:
        globals()['scenario_' + args.scenario.replace('-', '_')](tmp)
    if FAILS:
        sys.exit('%d checks failed' % len(FAILS))
    print('ok')


if __name__ == '__main__':
    main()
