#!/usr/bin/env python3
"""Fails when a file of the repository cites a section of doc/esmond-rest-api.md
that does not exist, or points at documents outside the project.

    check_refs.py SOURCE_DIR

- Every "§N" or "§N.M" anywhere must be a numbered heading of the document;
  "§N rule K", "§N step K" and "§N item K" must name a numbered list entry K
  of that section.
- A file other than the document that uses "§" must name the document
  ("esmond-rest-api"), so that a reader knows where the section is.
- Nothing may refer to the design and specification documents the project was
  started from, which live outside the repository (a user's clone has none of
  them): the patterns in OUTSIDE below; doc/ describes what the project relies on.
"""
import os
import re
import subprocess
import sys

DOC = 'doc/esmond-rest-api.md'
SELF = 'tests/docs/check_refs.py'

HEADING = re.compile(r'^#{2,4} (\d+(?:\.\d+)*)\.? ', re.M)
LIST_ENTRY = re.compile(r'^\s*(\d+)\. ', re.M)
CITE = re.compile(r'§(\d+(?:\.\d+)*)(?:\s+(?:rule|step|item)s?\s+(\d+)(?:\s*(?:-|and)\s*(\d+))?)?')
OUTSIDE = [
    (re.compile(r'DESIGN(?:\.md| §)'), 'the design document outside the project'),
    (re.compile(r'\bspec\s+§|\bspec\.md\b|esmond-archive-api|input-formats\.md|\.\./spec/'),
     'the specification outside the project'),
    (re.compile(r'\berrata\b', re.I), "the specification's errata"),
    (re.compile(r'\bAppendix [A-Z]\b'), "the specification's appendices"),
    (re.compile(r'\.\./shared|/work/shared|\bshared/(?:data|examples|spec)\b'), 'files beside the project'),
]


def repo_files(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True, capture_output=True).stdout
        return [f for f in out.decode().split('\0') if f]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (a release tarball)
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(('.git', 'build'))]
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files


def sections(text):
    """{number: body text up to the next heading}."""
    found = list(HEADING.finditer(text))
    out = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[m.group(1)] = text[m.end():end]
    return out


def check_file(path, text, secs, is_doc):
    errors = []
    for m in CITE.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        num, first, last = m.group(1), m.group(2), m.group(3)
        if num not in secs:
            errors.append('%s:%d: §%s is not a section of %s' % (path, line, num, DOC))
            continue
        entries = {int(e) for e in LIST_ENTRY.findall(secs[num])}
        for k in (first, last):
            if k and int(k) not in entries:
                errors.append('%s:%d: §%s has no numbered entry %s' % (path, line, num, k))
    if not is_doc and '§' in text and 'esmond-rest-api' not in text:
        errors.append('%s: cites sections (§) without naming %s' % (path, DOC))
    for pattern, what in OUTSIDE:
        for m in pattern.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            errors.append('%s:%d: "%s" refers to %s' % (path, line, m.group(0), what))
    return errors


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: check_refs.py SOURCE_DIR')
    root = sys.argv[1]
    with open(os.path.join(root, DOC), encoding='utf-8') as f:
        secs = sections(f.read())
    if len(secs) < 19:
        sys.exit('%s: only %d numbered sections found' % (DOC, len(secs)))
    errors, checked = [], 0
    for rel in sorted(repo_files(root)):
        if rel == SELF:
            continue
        try:
            with open(os.path.join(root, rel), 'rb') as f:
                data = f.read()
        except (IsADirectoryError, FileNotFoundError):
            continue
        if b'\0' in data:  # binary
            continue
        checked += 1
        errors += check_file(rel, data.decode('utf-8', 'replace'), secs, rel == DOC)
    for e in errors:
        print(e)
    print('%d files checked, %d sections in %s, %d problems' % (checked, len(secs), DOC, len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
