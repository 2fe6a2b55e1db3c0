#!/usr/bin/env python3
"""A small UDP DNS responder for the host-name tests: answers PTR queries on
127.0.0.1 from a fixed table, prints "listening on udp://127.0.0.1:PORT" when
ready, and writes what it saw to a stats file so a test can count queries.

Table (addresses as written below, IPv6 normalised):
  192.0.2.1     ps1.example.net
  192.0.2.2     two PTRs: short, long.example.net
  192.0.2.3     two PTRs: long.example.net, short
  192.0.2.4     plain (one name without a dot)
  192.0.2.5     two PTRs: a.example.net, b.example.net
  192.0.2.8     SERVFAIL
  192.0.2.9     NXDOMAIN
  192.0.2.10    never answered
  192.0.2.6     up/../evil.example.net (a name that is no safe file name)
  192.0.2.11    l{63}.o{63}.n{63}.g11.example.net, and 192.0.2.12 the same
                with g12: 207-byte names (two make a file name longer than NAME_MAX)
  2001:db8::1   v6.example.net
  198.51.100.N  hN.slow.example.net, answered after --slow-ms (200 ms)
  anything else NXDOMAIN

With --hosts FILE it also answers A and AAAA queries from FILE, whose lines
read "name IPv4 IPv6" with "-" for none (tests/data/samples/hosts.map): a
listed name without an address of the asked type gets an empty answer, an
unlisted name NXDOMAIN, and names starting with "silent." are never answered.

Stats file, rewritten (atomically) on each query before it is answered:
  total N            queries received
  peak N             most slow queries waiting for their answer at once
  query QNAME N      one line per name asked
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys
import threading
import time

A, PTR, AAAA, IN = 1, 12, 28, 1
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3

TABLE = {
    '192.0.2.1': ['ps1.example.net'],
    '192.0.2.2': ['short', 'long.example.net'],
    '192.0.2.3': ['long.example.net', 'short'],
    '192.0.2.4': ['plain'],
    '192.0.2.5': ['a.example.net', 'b.example.net'],
    '192.0.2.8': SERVFAIL,
    '192.0.2.9': NXDOMAIN,
    '192.0.2.10': None,  # dropped
    '192.0.2.6': ['up/../evil.example.net'],
    '192.0.2.11': ['.'.join(['l' * 63, 'o' * 63, 'n' * 63, 'g11.example.net'])],
    '192.0.2.12': ['.'.join(['l' * 63, 'o' * 63, 'n' * 63, 'g12.example.net'])],
    '2001:db8::1': ['v6.example.net'],
}
SLOW = ipaddress.ip_network('198.51.100.0/24')


def read_name(msg, pos):
    """Reads an uncompressed question name; returns (name, next position)."""
    labels = []
    while True:
        n = msg[pos]
        pos += 1
        if n == 0:
            return '.'.join(labels), pos
        if n & 0xC0:
            raise ValueError('compressed question name')
        labels.append(msg[pos:pos + n].decode('ascii'))
        pos += n


def encode_name(name):
    out = b''
    for label in name.rstrip('.').split('.'):
        out += bytes([len(label)]) + label.encode('ascii')
    return out + b'\0'


def address_of(qname):
    """The address a reverse name stands for, or None."""
    labels = qname.lower().split('.')
    try:
        if labels[-2:] == ['in-addr', 'arpa'] and len(labels) == 6:
            return str(ipaddress.IPv4Address('.'.join(reversed(labels[:4]))))
        if labels[-2:] == ['ip6', 'arpa'] and len(labels) == 34:
            hexdigits = ''.join(reversed(labels[:32]))
            return str(ipaddress.IPv6Address(int(hexdigits, 16)))
    except ValueError:
        pass
    return None


class Responder:
    def __init__(self, sock, stats_path, slow_ms, hosts):
        self.sock = sock
        self.hosts = hosts
        self.stats_path = stats_path
        self.slow_ms = slow_ms
        self.lock = threading.Lock()
        self.counts = {}
        self.total = 0
        self.waiting = 0
        self.peak = 0

    def write_stats(self):
        if not self.stats_path:
            return
        tmp = self.stats_path + '.tmp'
        with open(tmp, 'w') as f:
            f.write('total %d\npeak %d\n' % (self.total, self.peak))
            for name, n in sorted(self.counts.items()):
                f.write('query %s %d\n' % (name, n))
        os.replace(tmp, self.stats_path)

    def answer(self, query, qend, rcode, names, peer, qtype=PTR):
        """names: PTR targets, or for A/AAAA the packed addresses."""
        qid, flags = struct.unpack('!HH', query[:4])
        flags = 0x8000 | (flags & 0x7900) | 0x0080 | rcode  # QR, opcode and RD copied, RA
        msg = struct.pack('!HHHHHH', qid, flags, 1, len(names), 0, 0) + query[12:qend]
        for name in names:
            rdata = encode_name(name) if qtype == PTR else name
            msg += struct.pack('!HHHIH', 0xC00C, qtype, IN, 60, len(rdata)) + rdata
        self.sock.sendto(msg, peer)

    def answer_address(self, query, qend, qname, qtype, peer):
        if qname.lower().startswith('silent.'):
            return
        entry = self.hosts.get(qname.lower().rstrip('.'))
        if entry is None:
            self.answer(query, qend, NXDOMAIN, [], peer, qtype)
            return
        addr = entry[0 if qtype == A else 1]
        packed = [socket.inet_pton(socket.AF_INET if qtype == A else socket.AF_INET6, addr)] if addr else []
        self.answer(query, qend, NOERROR, packed, peer, qtype)

    def answer_later(self, query, qend, names, peer):
        time.sleep(self.slow_ms / 1000.0)
        with self.lock:
            self.waiting -= 1
        self.answer(query, qend, NOERROR, names, peer)

    def serve(self):
        while True:
            query, peer = self.sock.recvfrom(4096)
            try:
                qname, pos = read_name(query, 12)
                qtype, _ = struct.unpack('!HH', query[pos:pos + 4])
            except (ValueError, IndexError, struct.error, UnicodeDecodeError):
                continue
            qend = pos + 4
            if qtype in (A, AAAA) and self.hosts:
                with self.lock:
                    self.total += 1
                    self.counts[qname.lower()] = self.counts.get(qname.lower(), 0) + 1
                    self.write_stats()
                self.answer_address(query, qend, qname, qtype, peer)
                continue
            addr = address_of(qname) if qtype == PTR else None
            slow = addr is not None and ipaddress.ip_address(addr) in SLOW
            with self.lock:
                self.total += 1
                key = qname.lower()
                self.counts[key] = self.counts.get(key, 0) + 1
                if slow:
                    self.waiting += 1
                    self.peak = max(self.peak, self.waiting)
                self.write_stats()
            if slow:
                names = ['h%s.slow.example.net' % addr.split('.')[-1]]
                threading.Thread(target=self.answer_later,
                                 args=(query, qend, names, peer), daemon=True).start()
                continue
            entry = TABLE.get(addr, NXDOMAIN)
            if entry is None:
                continue
            if isinstance(entry, int):
                self.answer(query, qend, entry, [], peer)
            else:
                self.answer(query, qend, NOERROR, entry, peer)


def read_hosts(path):
    """{name: (IPv4 or None, IPv6 or None)} from a hosts.map file."""
    table = {}
    for line in open(path):
        fields = line.split('#', 1)[0].split()
        if len(fields) == 3:
            table[fields[0].lower()] = tuple(None if f == '-' else f for f in fields[1:])
    return table


def exit_with_parent(parent):
    """Ends the responder when the test that started it is gone (crashed)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stats', help='file to write query counts to')
    parser.add_argument('--slow-ms', type=int, default=200,
                        help='delay of answers for 198.51.100.0/24 (ms)')
    parser.add_argument('--port', type=int, default=0, help='UDP port (0: any free one)')
    parser.add_argument('--hosts', help='name/IPv4/IPv6 table for A and AAAA answers')
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', args.port))
    responder = Responder(sock, args.stats, args.slow_ms, read_hosts(args.hosts) if args.hosts else {})
    with responder.lock:
        responder.write_stats()
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print('listening on udp://127.0.0.1:%d' % sock.getsockname()[1], flush=True)
    responder.serve()


if __name__ == '__main__':
    sys.exit(main())
