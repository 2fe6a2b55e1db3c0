#!/usr/bin/env python3
"""Checks the man pages under doc/man/ against the code:

    check_man.py SOURCE_DIR SCDOC

- every public function of include/esmond/esmond.h is declared in the
  SYNOPSIS of exactly one section-3 page, with the header's signature, and no
  page declares a function the header does not have;
- libesmond(3) names every other section-3 page under SEE ALSO;
- every program the build makes (add_executable or a foreach over esmond-*
  names; benchmark helpers esmond-bench-* aside) has a page;
- every page builds with scdoc, without warnings.
"""
import glob
import os
import re
import subprocess
import sys

HEADER = 'include/esmond/esmond.h'
FUNC = re.compile(r'\b(esm_[a-z0-9_]+)\s*\(')


def squash(decl):
    """One declaration on one line, spaces normalised."""
    d = re.sub(r'\s+', ' ', decl).strip()
    d = re.sub(r'\s*([(),*])\s*', r'\1', d)
    return re.sub(r'\*(?=[a-z_])', '* ', d)


def declarations(c_text):
    """{function name: normalised declaration} of the function prototypes in
    C text (typedefs and function-pointer types left out)."""
    text = re.sub(r'/\*.*?\*/', ' ', c_text, flags=re.S)
    text = re.sub(r'^\s*#.*$', ' ', text, flags=re.M)
    text = re.sub(r'\{[^{}]*\}', ';', text)  # struct/enum bodies
    out = {}
    for stmt in text.split(';'):
        stmt = stmt.strip()
        if not stmt or stmt.startswith(('typedef', 'extern "C"', '}')) or '(*' in stmt:
            continue
        m = FUNC.search(stmt)
        if m and stmt.endswith(')'):
            out.setdefault(m.group(1), []).append(squash(stmt))
    return out


def synopsis_blocks(scd_text):
    """The literal blocks of the SYNOPSIS section of a page."""
    m = re.search(r'^# SYNOPSIS\n(.*?)(?=^# )', scd_text, flags=re.S | re.M)
    return re.findall(r'^```\n(.*?)^```', m.group(1), flags=re.S | re.M) if m else []


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: check_man.py SOURCE_DIR SCDOC')
    root, scdoc = sys.argv[1], sys.argv[2]
    errors = []
    with open(os.path.join(root, HEADER)) as f:
        public = {name: decls[0] for name, decls in declarations(f.read()).items()}
    if len(public) < 50:
        errors.append('%s: only %d functions found; is the parser broken?' % (HEADER, len(public)))

    pages = sorted(glob.glob(os.path.join(root, 'doc/man/*.scd')))
    documented = {}
    lib_pages = []
    for path in pages:
        name = os.path.basename(path)[:-len('.scd')]
        with open(path) as f:
            text = f.read()
        if name.endswith('.3'):
            lib_pages.append(name[:-2])
            for block in synopsis_blocks(text):
                for fn, decls in declarations(block).items():
                    for d in decls:
                        documented.setdefault(fn, []).append(name)
                        if fn not in public:
                            errors.append('%s: declares %s, which %s does not have' % (name, fn, HEADER))
                        elif d != public[fn]:
                            errors.append('%s: %s differs from %s:\n  page:   %s\n  header: %s'
                                          % (name, fn, HEADER, d, public[fn]))
        r = subprocess.run([scdoc], stdin=open(path, 'rb'), capture_output=True)
        if r.returncode != 0 or r.stderr:
            errors.append('%s: scdoc fails: %s' % (name, r.stderr.decode(errors='replace').strip()))
        elif not r.stdout.startswith(b'.\\"') and b'.TH' not in r.stdout:
            errors.append('%s: scdoc wrote no man page' % name)

    for fn in sorted(public):
        where = documented.get(fn, [])
        if len(where) != 1:
            errors.append('%s is documented in %d man pages (%s), not in exactly one'
                          % (fn, len(where), ', '.join(where) or 'none'))

    with open(os.path.join(root, 'doc/man/libesmond.3.scd')) as f:
        see_also = f.read().split('# SEE ALSO', 1)[-1]
    for page in lib_pages:
        if page != 'libesmond' and '*%s*(3)' % page not in see_also:
            errors.append('libesmond.3: SEE ALSO lacks %s(3)' % page)

    programs = set()
    for cm in glob.glob(os.path.join(root, '**/CMakeLists.txt'), recursive=True):
        if '/build' in cm[len(root):] or '/tests/' in cm[len(root):]:
            continue
        with open(cm) as f:
            for line in f:
                if re.match(r'\s*(add_executable|foreach)\(', line):
                    programs |= set(re.findall(r'\besmond-[a-z0-9-]+', line))
    programs = {p for p in programs if not p.startswith('esmond-bench-')}  # benchmark helpers
    if len(programs) < 8:
        errors.append('only %d programs found in the CMake files: %s' % (len(programs), sorted(programs)))
    for prog in sorted(programs):
        if not os.path.exists(os.path.join(root, 'doc/man/%s.1.scd' % prog)):
            errors.append('%s has no man page doc/man/%s.1.scd' % (prog, prog))

    for e in errors:
        print(e)
    print('%d public functions, %d pages (%d in section 3), %d programs, %d problems'
          % (len(public), len(pages), len(lib_pages), len(programs), len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
