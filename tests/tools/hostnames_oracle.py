#!/usr/bin/env python3
"""Compares esm_hostnames with Python's socket.getfqdn() on the same system
configuration: in private mount and network namespaces (root and unshare
needed, else the test is skipped), /etc/hosts, /etc/resolv.conf and
/etc/nsswitch.conf are replaced by test files and dns_responder.py answers
on 127.0.0.1:53. Usage: hostnames_oracle.py HOSTNAMES_CLI"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))

HOSTS = """\
127.0.0.1 localhost
192.0.2.1 fromhosts
192.0.2.20 short alias.example.net other.example.net
192.0.2.21 full.example.net x.example.net
192.0.2.22 one two
2001:db8::20 v6short v6.alias.example.net
192.0.2.23 first
192.0.2.23 second.example.net
192.0.2.24 MixedCase.Example.NET
"""

# Addresses Python and esm_hostnames must show alike. Not here on purpose:
# 0.0.0.0, :: and "" (Python shows this machine's name), host names (Python
# looks them up forward and back), whitespace around an address.
ADDRESSES = [
    '127.0.0.1', '192.0.2.1', '192.0.2.20', '192.0.2.21', '192.0.2.22', '2001:db8::20',
    '192.0.2.23', '192.0.2.24',
    '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.8', '192.0.2.9',
    '192.0.2.10', '2001:db8::1', '2001:DB8::1', '198.51.100.7', '203.0.113.7',
    '2001:db8::99', '::ffff:192.0.2.3', '::192.0.2.3', '::1', 'fe80::1%lo',
    '::ffff:192.0.2.1', '192.0.2.300', '192.0.2', 'ps1.example.net',
]


def inside(cli):
    tmp = tempfile.mkdtemp(prefix='esm-oracle-')
    files = {
        '/etc/hosts': HOSTS,
        '/etc/resolv.conf': 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n',
        '/etc/nsswitch.conf': 'hosts: files dns\n',
    }
    for target, text in files.items():
        path = os.path.join(tmp, os.path.basename(target))
        with open(path, 'w') as f:
            f.write(text)
        subprocess.run(['mount', '--bind', path, target], check=True)
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    responder = subprocess.Popen(
        [sys.executable, os.path.join(HERE, 'dns_responder.py'), '--port', '53'],
        stdout=subprocess.PIPE, text=True)
    try:
        line = responder.stdout.readline()
        if not line.startswith('listening on '):
            print('responder did not start:', line)
            return 1
        ours = subprocess.run([cli] + ADDRESSES, check=True, stdout=subprocess.PIPE,
                              text=True).stdout.split('\n')[:len(ADDRESSES)]
        failures = 0
        for addr, got in zip(ADDRESSES, ours):
            expected = socket.getfqdn(addr)
            ok = got == expected
            failures += not ok
            print('%-4s %-18r python %-24r esm %r' % ('ok' if ok else 'FAIL', addr, expected, got))
        return 1 if failures else 0
    finally:
        responder.terminate()
        responder.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) == 3 and sys.argv[2] == '--inside':
        return inside(sys.argv[1])
    if os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('ip'):
        print('skipped: needs root, unshare and ip')
        return SKIP
    probe = subprocess.run(['unshare', '-mn', 'true'], stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print('skipped: cannot make namespaces here')
        return SKIP
    return subprocess.run(['unshare', '-mn', sys.executable, os.path.abspath(__file__),
                           sys.argv[1], '--inside']).returncode


if __name__ == '__main__':
    sys.exit(main())
