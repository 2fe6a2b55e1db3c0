#!/usr/bin/env python3
"""A GridFTP transfer log in netlogger style (KEY=VALUE fields), of about
SIZE megabytes, the same bytes for the same arguments:

    gridftp_log.py OUT [--mb 100] [--seed 1]

One server (HOST=127.0.0.1, so no name lookups) with a transfer every few
seconds: RETR and STOR to 200 remote IPv4 hosts, files of a few
thousand sizes, 1 to 8 streams, mostly CODE=226 with a few failures, and a
fifth of the lines directory listings, as busy data transfer nodes write them.
"""
import argparse
import random
import time


def stamp(t, us):
    return time.strftime('%Y%m%d%H%M%S', time.gmtime(t)) + '.%06d' % us


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--mb', type=float, default=100)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    dests = ['198.51.100.%d' % i for i in range(1, 151)] + ['203.0.113.%d' % i for i in range(1, 51)]
    sizes = [rng.choice([1, 4, 64, 256, 1024, 4096]) * rng.randrange(1, 4000) * 1024 for _ in range(3000)]
    limit = int(a.mb * 1024 * 1024)
    t = 1700000000
    n = 0
    with open(a.out, 'w') as f:
        while f.tell() < limit:
            t += rng.randrange(1, 8)
            n += 1
            kind = rng.choice(['RETR'] * 5 + ['STOR'] * 3 + ['LIST', 'NLST'])
            streams = rng.choice([1, 1, 2, 4, 8])
            nbytes = rng.choice(sizes) if kind in ('RETR', 'STOR') else rng.randrange(100, 5000)
            dur_us = max(1, int(nbytes * 8 / rng.uniform(1e8, 9e9) * 1e6))
            start_us = rng.randrange(1000000)
            end = t * 1000000 + start_us + dur_us
            code = 226 if rng.random() < 0.97 else rng.choice([426, 451, 530])
            retrans = ','.join(str(rng.randrange(0, 200)) for _ in range(streams))
            f.write('DATE=%s HOST=127.0.0.1 PROG=globus-gridftp-server NL.EVNT=FTP_INFO START=%s USER=u%d '
                    'FILE=/data/project%d/run%d/file%d.dat BUFFER=0 BLOCK=262144 NBYTES=%d VOLUME=/ STREAMS=%d '
                    'STRIPES=1 DEST=[%s] TYPE=%s CODE=%d TASKID=%08x-4803-11e6-b2b5-22000b97daec retrans=%s\n'
                    % (stamp(end // 1000000, end % 1000000), stamp(t, start_us), rng.randrange(40),
                       rng.randrange(10), rng.randrange(100), n, nbytes, streams, rng.choice(dests), kind, code,
                       rng.getrandbits(32), retrans))


if __name__ == '__main__':
    main()
