#!/usr/bin/env python3
"""The deliberate differences from esmond-client 4.2.1 are documented in one
place a migrating user reads first, and what they say about dates holds.

  migration_docs.py SOURCE_DIR TIMEPARSE_CLI

- README.md has "Migrating from esmond-client 4.2.1" before the per-tool
  sections, with the stderr placement of notes and traces, the epoch-seconds
  rule, the extra log lines, what esmond-ps-pipe accepts and the state file;
  the per-tool sections point there instead of keeping a second list;
- each tool's man page has a DIFFERENCES FROM ESMOND-CLIENT 4.2.1 section and
  no other list of differences;
- the date examples the section gives read as it says (timeparse_cli, the
  parser the tools use).
"""
import calendar
import os
import re
import subprocess
import sys

TOOLS = ['get-endpoints', 'get-metadata', 'get', 'get-bulk', 'pipe', 'load-gridftp']
TITLE = '## Migrating from esmond-client 4.2.1'
POINTER = '(#migrating-from-esmond-client-421)'


def fail(msg):
    sys.stderr.write('FAIL: ' + msg + '\n')
    sys.exit(1)


def main():
    src, cli = sys.argv[1], sys.argv[2]
    readme = open(os.path.join(src, 'README.md')).read()
    if TITLE not in readme:
        fail('README.md has no section "%s"' % TITLE[3:])
    start = readme.index(TITLE)
    end = readme.index('\n## ', start + 1)
    section = readme[start:end]
    first_tool = min(readme.index('\n## esmond-ps-'), readme.index('\n## libesmond'))
    if start > first_tool:
        fail('the migration section comes after the tools\' sections')
    for topic in ('Notes and traces go to stderr', 'Epoch seconds', 'Extra log lines', 'What it accepts now',
                  'Going back to the original is safe', 'Guesses are refused'):
        if topic not in section:
            fail('the migration section lacks "%s"' % topic)
    if 'slice' in section:
        fail('the migration section mentions time slices')
    if 'Deliberate differences' in readme:
        fail('README.md keeps a second list of differences')
    for tool in ('esmond-ps-get-endpoints, esmond-ps-get-metadata', 'esmond-ps-pipe', 'esmond-ps-load-gridftp',
                 'esmond-ps-get', 'esmond-ps-get-bulk'):
        m = re.search(r'\n## %s\n(.*?)(?=\n## )' % re.escape(tool), readme, re.S)
        if not m or POINTER not in m.group(1):
            fail('the README section of %s does not point to the migration section' % tool)

    for tool in TOOLS:
        page = open(os.path.join(src, 'doc/man/esmond-ps-%s.1.scd' % tool)).read()
        m = re.search(r'\n# DIFFERENCES FROM ESMOND-CLIENT 4\.2\.1\n(.*?)(?=\n# )', page, re.S)
        if not m or m.group(1).count('\n- ') < 3:
            fail('esmond-ps-%s(1) has no DIFFERENCES FROM ESMOND-CLIENT 4.2.1 list' % tool)
        if 'Deliberate differences:' in page or 'Deliberate differences from the original:' in page:
            fail('esmond-ps-%s(1) keeps a second list of differences' % tool)

    # what the section says about dates, read by the tools' parser
    now = calendar.timegm((2024, 7, 10, 12, 0, 0))
    said = {'1391558400': 1391558400, '-1391558400': -1391558400,
            '20140429000000': calendar.timegm((2014, 4, 29, 0, 0, 0)),
            '201404291200': calendar.timegm((2014, 4, 29, 12, 0, 0)),
            '20140429': calendar.timegm((2014, 4, 29, 0, 0, 0)),
            '990101': calendar.timegm((1999, 1, 1, 0, 0, 0)),
            '2015-03-15 10:00 EST': 'error', '2015-03-15 10:00 UTC+3': 'error', 'Jan 45': 'error',
            '05.03.2015': 'error', '2015-03-15 10': 'error', '13pm': 'error', '24:00': 'error'}
    quoted = [t for t in said if t != '2015-03-15 10:00 EST']  # zone names are described, not quoted
    for text in quoted:
        if not re.search('`[^`]*%s[^`]*`' % re.escape(text.replace('2015-03-15 10:00 ', '')), section):
            fail('the example %r is not in the migration section' % text)
    lines = list(said)
    r = subprocess.run([cli, str(now)], input=''.join(t + '\n' for t in lines), capture_output=True, text=True,
                       check=True)
    for text, got in zip(lines, r.stdout.split('\n')):
        want = said[text]
        if got != str(want):
            fail('%r reads as %s, the README says %s' % (text, got, want))
    print('migration section, %d man pages and %d date examples checked' % (len(TOOLS), len(said)))


if __name__ == '__main__':
    main()
