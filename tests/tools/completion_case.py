#!/usr/bin/env python3
"""The bash completion script (contrib/bash-completion, as the build made
it), run by bash itself: COMP_WORDS/COMP_CWORD set, _esmond called, COMPREPLY
read.

  - -e/--event-type offers the original's types (esmond-ps-get-endpoints -L)
    plus the rest of the catalog (src/common/event_types.c), nothing else;
    prefixes and --event-type=VALUE narrow it
  - each program's options: every option of its --help is offered, and
    every option offered is one the program takes (it is run with it)
  - values: output formats, summary types, files after --key-file, nothing
    after options that take free text; after a flag, files again

  completion_case.py --bin DIR --script FILE --catalog src/common/event_types.c
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

PROGS = ['esmond-ps-get-endpoints', 'esmond-ps-get-metadata', 'esmond-ps-get', 'esmond-ps-get-bulk',
         'esmond-ps-pipe', 'esmond-ps-load-gridftp', 'esmond-ps-archive', 'esmond-sample-data', 'esmond-ps-harvest']
# options beyond the originals, not in their --help
HIDDEN = {
    'query': ['--insecure', '--ca-file', '--user', '--key', '--key-file', '--script-alias', '--version'],
    'loader': ['--timeout', '--insecure', '--ca-file', '--key-file', '--version'],
}
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        sys.stderr.write('FAIL: %s\n' % what)


def complete(script, words, cword=None):
    """COMPREPLY for the command line `words` (the last word is the one completed)."""
    cword = len(words) - 1 if cword is None else cword
    body = ('source "$1"; COMP_CWORD=$2; shift 2; COMP_WORDS=("$@"); _esmond "$1" "${COMP_WORDS[COMP_CWORD]}"; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(['bash', '--norc', '--noprofile', '-c', body, 'bash', script, str(cword)] + words,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    check(r.returncode == 0 and not r.stderr, 'bash failed on %s: %r' % (words, r.stderr))
    return [w for w in r.stdout.decode().split('\n') if w]


def help_options(binary):
    """The options named at the start of --help's option lines."""
    out = subprocess.run([binary, '--help'], stdout=subprocess.PIPE, timeout=30).stdout.decode()
    found = set()
    for line in out.split('\n'):
        if re.match(r'^  +-', line):
            spec = re.split(r' {2,}', line.strip())[0]
            found |= set(re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', spec))
    return found


def takes(binary, opt):
    """Whether the program knows the option (a missing value or a later check is fine)."""
    r = subprocess.run([binary, opt], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env={'PATH': os.environ.get('PATH', '/usr/bin'), 'TZ': 'UTC'}, timeout=30)
    err = r.stderr.decode(errors='replace')
    return 'no such option' not in err and 'unknown option' not in err, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--script', required=True)
    ap.add_argument('--catalog', required=True)
    a = ap.parse_args()
    s = a.script

    listed = subprocess.run([os.path.join(a.bin, 'esmond-ps-get-endpoints'), '-L'], stdout=subprocess.PIPE,
                            timeout=30).stdout.decode().split()
    originals = set(listed[3:])  # after "Valid event types:"
    check(len(originals) == 33, '-L lists %d types' % len(originals))
    catalog = set(re.findall(r'^    \{"([a-z0-9-]+)", ESM_DT_', open(a.catalog).read(), re.M))
    check(len(catalog) > 33, 'catalog parsed: %d' % len(catalog))
    want = originals | catalog
    for words in (['esmond-ps-get', '-e', ''], ['esmond-ps-get-bulk', '--event-type', ''],
                  ['esmond-ps-get-endpoints', '-s', 'h', '-e', '']):
        got = complete(s, words)
        check(set(got) == want and len(got) == len(want), '%s: %s' % (words, sorted(set(got) ^ want)))
    check(complete(s, ['esmond-ps-get', '-e', 'thr']) == ['throughput', 'throughput-subintervals'], '-e thr')
    check(complete(s, ['esmond-ps-get', '--event-type=packet-loss']) == ['packet-loss-rate', 'packet-loss-rate-bidir'],
          '--event-type=packet-loss')
    check(complete(s, ['esmond-ps-get', '--event-type', '=', 'histogram-tt']) ==
          ['histogram-ttl', 'histogram-ttl-reverse'], '--event-type = histogram-tt (COMP_WORDBREAKS)')
    check(complete(s, ['esmond-ps-get', '--event-type', '=']) and
          set(complete(s, ['esmond-ps-get', '--event-type', '='])) == want, '--event-type = ""')

    for prog in PROGS:
        binary = os.path.join(a.bin, prog)
        offered = complete(s, [prog, '-'])
        check(len(offered) == len(set(offered)), '%s offers an option twice' % prog)
        missing = help_options(binary) - set(offered)
        check(not missing, '%s: options of --help not offered: %s' % (prog, sorted(missing)))
        kind = 'loader' if prog in ('esmond-ps-pipe', 'esmond-ps-load-gridftp') else \
            'query' if prog.startswith('esmond-ps-get') else None
        for opt in HIDDEN.get(kind, ['--version']):
            check(opt in offered, '%s: %s not offered' % (prog, opt))
        for opt in offered:
            ok, err = takes(binary, opt)
            check(ok, '%s does not take %s: %s' % (prog, opt, err.strip()[-200:]))
        check(complete(s, [prog, '--ver']) == ['--version'] or prog != 'esmond-sample-data' and
              '--version' in complete(s, [prog, '--ver']), '%s --ver' % prog)

    check(complete(s, ['esmond-ps-get', '-o', '']) == ['human', 'json', 'csv'], '-o')
    check(complete(s, ['esmond-ps-get-bulk', '--output-format=j']) == ['json'], '--output-format=j')
    check(complete(s, ['esmond-ps-get', '-T', 'a']) == ['aggregation', 'average'], '-T a')
    check(complete(s, ['esmond-ps-get', '-d', '']) == [], '-d (a host) offers nothing')
    check(complete(s, ['esmond-ps-pipe', '-k', '']) == [], '-k offers nothing')
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, 'loader.key'), 'w').close()
        os.mkdir(os.path.join(tmp, 'logs'))
        key = os.path.join(tmp, 'loader.key')
        check(complete(s, ['esmond-ps-load-gridftp', '--key-file', os.path.join(tmp, 'loa')]) == [key],
              '--key-file completes files')
        check(complete(s, ['esmond-ps-load-gridftp', '-f', os.path.join(tmp, 'l')]) ==
              sorted([key, os.path.join(tmp, 'logs')]), '-f completes files')
        check(complete(s, ['esmond-ps-load-gridftp', '-l', os.path.join(tmp, 'l')]) == [os.path.join(tmp, 'logs')],
              '-l completes directories')
        # -d is a flag of the GridFTP loader (a host elsewhere): what follows is a file again
        check(complete(s, ['esmond-ps-load-gridftp', '-d', os.path.join(tmp, 'loa')]) == [key], '-d then a file')
        check(complete(s, ['esmond-ps-archive', '--token-file', os.path.join(tmp, 'loa')]) == [key], '--token-file')
    if FAILS:
        sys.exit('%d checks failed' % len(FAILS))
    print('ok')


if __name__ == '__main__':
    main()
