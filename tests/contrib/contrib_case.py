#!/usr/bin/env python3
"""contrib/: the systemd units and the logrotate snippet, checked without
booting systemd.

  units      systemd-analyze verify accepts the units and the timer (their
             /usr/bin/ programs pointed at the build); `systemd-analyze
             security --offline` rates both services "OK" or better; no key
             on a command line; every hardening option asked for is there
  loader     the loader service's ExecStart, run as systemd would run it
             (its Environment= values, STATE_DIRECTORY, the key as a
             credential file of mode 0400), stores a log in a real
             esmond-ps-archive; then a real logrotate run of the snippet
             whose prerotate runs that command: the records written before
             the rotation are stored by it, the rotated log stays
             uncompressed (delaycompress), the next run reads the new log

  contrib_case.py --bin DIR --contrib DIR SCENARIO   (status 77: tool missing)
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
from gridftp_runs import make_log  # noqa: E402
from run_case import start, stop  # noqa: E402

USER, KEY = 'gridftp', 'c0ntr1b-l0ader-key-never-on-a-command-line'
HARDENING = ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
             'PrivateDevices=yes', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'SystemCallFilter=@system-service',
             'CapabilityBoundingSet=', 'MemoryDenyWriteExecute=yes', 'UMask=0077']
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        sys.stderr.write('FAIL: %s\n' % what)


def need(tool):
    if not shutil.which(tool):
        print('skipped: %s is not installed' % tool)
        sys.exit(77)


def unit_settings(path):
    """Key=value lines of a unit file (the last one wins, as for systemd's single-value keys)."""
    out = {}
    for line in open(path):
        m = re.match(r'^([A-Za-z]+)=(.*)$', line.rstrip('\n'))
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def scenario_units(bindir, contrib, tmp):
    need('systemd-analyze')
    names = ['esmond-ps-archive.service', 'esmond-ps-load-gridftp.service', 'esmond-ps-load-gridftp.timer']
    for name in names:
        text = open(os.path.join(contrib, 'systemd', name)).read()
        with open(os.path.join(tmp, name), 'w') as f:
            f.write(text.replace('/usr/bin/esmond-', os.path.join(bindir, 'esmond-')))
    r = subprocess.run(['systemd-analyze', 'verify', '--man=no'] + [os.path.join(tmp, n) for n in names],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    check(r.returncode == 0 and not r.stdout.strip(), 'systemd-analyze verify: %s' % r.stdout.decode())
    for name in names[:2]:
        r = subprocess.run(['systemd-analyze', 'security', '--offline=yes', os.path.join(tmp, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        m = re.search(r'Overall exposure level for \S+: ([\d.]+) (\w+)', r.stdout.decode())
        check(m and float(m.group(1)) <= 2.0, '%s exposure: %s' % (name, m and m.group(0)))
        s = unit_settings(os.path.join(contrib, 'systemd', name))
        lines = ['%s=%s' % (k, v) for k, vs in s.items() for v in vs]
        for want in HARDENING:
            check(want in lines, '%s lacks %s' % (name, want))
        exec_start = ' '.join(s['ExecStart'])
        check(not re.search(r'(^| )(-k|--key|--token)( |=|$)', exec_start) and 'KEY' not in exec_start,
              '%s: a key on the command line: %s' % (name, exec_start))
    archive = unit_settings(os.path.join(contrib, 'systemd', names[0]))
    check(archive['ExecReload'] == ['/bin/kill -HUP $MAINPID'], 'archive reload is SIGHUP')
    check('--token-file ${CONFIGURATION_DIRECTORY}/tokens' in archive['ExecStart'][0], 'archive token file')
    check(archive['User'] == ['esmond-archive'] and 'esmond-archive' in
          open(os.path.join(contrib, 'systemd', 'esmond-ps-archive.sysusers.conf')).read(), 'archive user')
    loader = unit_settings(os.path.join(contrib, 'systemd', names[1]))
    check(loader['DynamicUser'] == ['yes'] and loader['LoadCredential'] == ['key:/etc/esmond-ps-load-gridftp/key'],
          'loader user and credential')
    timer = unit_settings(os.path.join(contrib, 'systemd', names[2]))
    check(timer['OnUnitInactiveSec'] == ['5min'], 'timer period')


def loader_command(bindir, contrib, tmp, opts):
    """The loader service's ExecStart as systemd would expand it here."""
    s = unit_settings(os.path.join(contrib, 'systemd', 'esmond-ps-load-gridftp.service'))
    env = dict(e.split('=', 1) for e in s['Environment'])
    env.update(GRIDFTP_LOADER_OPTS=opts, STATE_DIRECTORY=os.path.join(tmp, 'state'),
               CREDENTIALS_DIRECTORY=os.path.join(tmp, 'creds'), GRIDFTP_LOG=os.path.join(tmp, 'gridftp-transfer.log'))
    words = []
    for w in shlex.split(s['ExecStart'][0]):
        if re.fullmatch(r'\$[A-Z_]+', w):  # $VAR: split into words, as systemd does
            words += env[w[1:]].split()
        else:
            words.append(re.sub(r'\$\{([A-Z_]+)\}', lambda m: env[m.group(1)], w))
    words[0] = words[0].replace('/usr/bin/', bindir + '/')
    return words, env


def scenario_loader(bindir, contrib, tmp):
    need('logrotate')
    os.mkdir(os.path.join(tmp, 'state'), 0o700)
    os.mkdir(os.path.join(tmp, 'creds'), 0o700)
    key = os.path.join(tmp, 'creds', 'key')
    with open(key, 'w') as f:
        f.write('%s:%s\n' % (USER, KEY))
    os.chmod(key, 0o400)  # as systemd leaves a credential
    proc, base = start([os.path.join(bindir, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                        '--listen', '127.0.0.1:0', '--token', USER + ':' + KEY], 'http://')
    try:
        cmd, env = loader_command(bindir, contrib, tmp, '-s esmond')
        check(env['ESMOND_URL'].startswith('http://127.0.0.1:'), 'the unit\'s default archive: %s' % env['ESMOND_URL'])
        run_env = {'PATH': os.environ.get('PATH', '/usr/bin'), 'ESMOND_URL': 'http://' + base, 'TZ': 'UTC'}
        log = env['GRIDFTP_LOG']

        def run_loader(what, want):
            r = subprocess.run(cmd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            err = r.stderr.decode(errors='replace')
            check(r.returncode == 0 and want in err and KEY not in err, '%s: %d %s' % (what, r.returncode, err))

        make_log(log, 0, 30)
        run_loader('first run', 'records read 30 ')
        make_log(log, 30, 12, 'a')  # written after the last timer run
        # the snippet, pointed at the temp log; prerotate runs the service's command
        snippet = open(os.path.join(contrib, 'logrotate', 'esmond-ps-load-gridftp')).read()
        check('delaycompress' in snippet and 'systemctl start esmond-ps-load-gridftp.service' in snippet,
              'snippet: delaycompress, the service started before rotation')
        out = os.path.join(tmp, 'prerotate.out')
        body = ' '.join(shlex.quote(w) for w in cmd)
        conf = re.sub(r'prerotate\n.*?endscript', 'prerotate\n        ESMOND_URL=%s %s 2>%s\n    endscript'
                      % (run_env['ESMOND_URL'], body, out), snippet, flags=re.S)
        conf = conf.replace('/var/log/gridftp-transfer.log', log)
        conf = conf.replace('create 0640 root adm', 'create 0640')
        with open(os.path.join(tmp, 'logrotate.conf'), 'w') as f:
            f.write(conf)
        r = subprocess.run(['logrotate', '-s', os.path.join(tmp, 'logrotate.state'), '-f',
                            os.path.join(tmp, 'logrotate.conf')], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=120)
        check(r.returncode == 0, 'logrotate: %s' % r.stdout.decode())
        pre = open(out).read() if os.path.exists(out) else ''
        check('records read 12 ' in pre and 'failed 0' in pre and 'stored 0,' not in pre, 'prerotate stored the new records: %s' % pre)
        check(os.path.exists(log + '.1') and os.path.getsize(log) == 0, 'rotated, not compressed yet')
        make_log(log, 42, 5)
        run_loader('after rotation', 'records read 5 ')
        run_loader('nothing new', 'records read 0 ')
    finally:
        stop(proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--contrib', required=True)
    ap.add_argument('scenario', choices=['units', 'loader'])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        globals()['scenario_' + a.scenario](os.path.abspath(a.bin), os.path.abspath(a.contrib), tmp)
    if FAILS:
        sys.exit('%d checks failed' % len(FAILS))
    print('ok')


if __name__ == '__main__':
    main()
