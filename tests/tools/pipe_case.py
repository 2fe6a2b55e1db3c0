#!/usr/bin/env python3
"""One esmond-ps-pipe case against a real esmond-ps-archive (temp database).

  pipe_case.py --bin DIR --dump PROG --samples DIR SAMPLE     (e.g. bwctl/bwctl-iperf3-tcp-1stream.txt)
    feeds the sample on stdin, then reads back through libesmond (archive_dump)
    what was stored and compares it with what the original posted for it
    (expected/bwctl/*.json) or, where the original failed, with the values the
    input's own iperf3 JSON / pScheduler result states. Inputs that hold no
    result must fail with a logged reason, a non-zero status and nothing
    stored. Every accepted sample is sent twice: the second run meets 409s
    and must still succeed without storing anything twice.
  pipe_case.py --bin DIR --example DIR
    runs the documented example against a recording server and compares the
    request lines and bodies with esmond-ps-pipe-iperf3-tcp.txt.requests and
    the log with .stderr.norm.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from recorder import masked_log, request_differences, run_example  # noqa: E402
from run_case import start, stop  # noqa: E402

AGENT = '192.0.2.99'  # the agent the expected/ files show
USER, KEY = 'loader', 'KEY'

# Samples the original handled, or that we handle now (tolerant parser), and
# the expected/ file whose posts the stored data must equal.
SAME_AS = {
    'bwctl-err-double-verbose-prefix': 'bwctl-iperf3-tcp-1stream',
    'bwctl-err-local-sender': 'bwctl-iperf3-tcp-1stream',
    'bwctl-err-no-verbose': 'bwctl-iperf3-tcp-1stream',
    'bwctl-err-stdout-only': 'bwctl-iperf3-tcp-1stream',
    'bwctl-err-timestamp-utc-suffix': 'bwctl-iperf3-tcp-1stream',
    'bwctl-iperf3-tcp-1stream': 'bwctl-iperf3-tcp-1stream',
    'bwctl-iperf3-tcp-2streams-omit2': 'bwctl-iperf3-tcp-2streams-omit2',
    'bwctl-iperf3-tcp-4streams-hostnames': 'bwctl-iperf3-tcp-4streams-hostnames',
    'bwctl-iperf3-udp-1stream': 'bwctl-iperf3-udp-1stream',
}
# Inputs that hold no usable result: (sample name part, text the log must show).
FAILS = {
    'bwctl-err-iperf3-connect-refused': 'Connection refused',
    'bwctl-err-tool-killed-no-json': 'killed',
    'bwctl-err-truncated-json': 'cut short',
    'iperf3-3.12-error-connection-refused': 'Connection refused',
    'failed-run': 'Connection refused',
    # rates that are text or negative (the original dropped the one and stored the other)
    'iperf3-3.12-tcp-bps-not-a-number': 'end.sum_received.bits_per_second is not a number',
    'iperf3-3.12-tcp-negative-throughput': 'intervals[].streams[].bits_per_second is negative',
    'pscheduler-tcp-bps-not-a-number': 'intervals[].streams[].throughput-bits is not a number',
    'pscheduler-tcp-negative-throughput': 'summary.throughput-bits is negative',
    # the docs elided the host names (ps1/ps2.example.net): nothing resolves them
    'docs-archiver-input-tcp-1stream-reverse': 'cannot find the address of ps',
}


def num_str(v):
    """The archive keeps metadata parameters as text."""
    if isinstance(v, float):
        return repr(v)
    return str(v)


# ---- oracle: what an iperf3 -J document says (the original's extraction, UDP streams fixed) ----

def iperf3_docs(text):
    dec = json.JSONDecoder()
    docs = []
    pos = 0
    for m in re.finditer(r'^\{', text, re.M):
        if m.start() < pos:
            continue
        try:
            d, end = dec.raw_decode(text, m.start())
        except ValueError:
            continue
        docs.append(d)
        pos = end
    return docs


def iperf3_expect(doc, tool_name, input_src=None, input_dst=None):
    ts = doc['start']['test_start']
    conn = doc['start']['connected'][0]
    udp = ts['protocol'] == 'UDP'
    local, remote = conn['local_host'], conn['remote_host']
    if 'connecting_to' not in doc['start']:  # the server's (receiver's) document: the test ran remote -> local
        local, remote = remote, local
    multi = ts['num_streams'] > 1
    md = {'subject-type': 'point-to-point', 'source': local, 'destination': remote,
          'tool-name': tool_name, 'measurement-agent': AGENT,
          'input-source': input_src or local, 'input-destination': input_dst or remote,
          'ip-transport-protocol': ts['protocol'], 'time-duration': ts['duration'],
          'bw-parallel-streams': ts['num_streams'], 'bw_ignore_first_seconds': ts['omit']}
    end = doc['end']
    vals = {'throughput': end['sum']['bits_per_second'] if udp else end['sum_received']['bits_per_second'],
            'throughput-subintervals': [{'start': i['sum']['start'], 'duration': i['sum']['seconds'],
                                         'val': i['sum']['bits_per_second']} for i in doc['intervals']],
            'packet-retransmits-subintervals': [{'start': i['sum']['start'], 'duration': i['sum']['seconds'],
                                                 'val': i['sum'].get('retransmits')} for i in doc['intervals']]}
    if udp:
        vals['packet-count-lost'] = end['sum']['lost_packets']
        vals['packet-count-sent'] = end['sum']['packets']
        vals['packet-loss-rate'] = {'numerator': end['sum']['lost_packets'], 'denominator': end['sum']['packets']}
    else:
        vals['packet-retransmits'] = end['sum_sent'].get('retransmits')
    if multi:
        vals['streams-packet-retransmits'] = [None if udp else s['sender'].get('retransmits') for s in end['streams']]
        vals['streams-throughput'] = [s['udp' if udp else 'receiver']['bits_per_second'] for s in end['streams']]
        vals['streams-packet-retransmits-subintervals'] = [
            [{'start': s['start'], 'duration': s['seconds'], 'retransmits': s.get('retransmits')} for s in i['streams']]
            for i in doc['intervals']]
        vals['streams-throughput-subintervals'] = [
            [{'start': s['start'], 'duration': s['seconds'], 'throughput': s['bits_per_second']} for s in i['streams']]
            for i in doc['intervals']]
    return md, doc['start']['timestamp']['timesecs'], vals


def expectation(samples, rel):
    """(metadata fields, ts, {event type: value}) the archive must hold, or None if the input must fail."""
    name = os.path.splitext(os.path.basename(rel))[0]
    if name in FAILS:
        return None
    if name in SAME_AS:
        e = json.load(open(os.path.join(samples, 'expected', 'bwctl', SAME_AS[name] + '.json')))
        md = dict(e['posts'][0]['payload'])
        md.pop('event-types')
        bulk = e['posts'][1]['payload']['data'][0]
        return md, bulk['ts'], {v['event-type']: v['val'] for v in bulk['val']}
    text = open(os.path.join(samples, rel), encoding='utf-8', errors='replace').read()
    if rel.startswith('bwctl/'):
        # the sender's (client's) document: bwctl -x prints the receiver's first
        doc = [d for d in iperf3_docs(text) if 'connecting_to' in d['start']][0]
        a = re.search(r'Using (\S+) as the address for remote sender', text)
        b = re.search(r'Using (\S+) as the address for remote receiver', text)
        return iperf3_expect(doc, 'bwctl/iperf3', a and a.group(1), b and b.group(1))
    if rel.startswith('iperf3/'):
        return iperf3_expect(iperf3_docs(text)[0], 'iperf3')
    return None  # pScheduler: checked by pscheduler_check()


# ---- archive access ----

def stored(url, dump):
    """[(metadata fields, {event type: [points]})] for everything in the archive, read back
    through libesmond (archive_dump)."""
    run = subprocess.run([dump, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if run.returncode != 0:
        fail('archive_dump: %s' % run.stderr.decode(errors='replace'))
    out = []
    for line in run.stdout.decode().splitlines():
        md = json.loads(line)
        out.append((md['fields'], {et: [{'ts': ts, 'val': v} for ts, v in md['data'][et]]
                                   for et in md['event-types']}))
    return out


def fail(msg):
    sys.stderr.write('FAIL: ' + msg + '\n')
    sys.exit(1)


def run_tool(bindir, url, stdin_path, extra=()):
    argv = [os.path.join(bindir, 'esmond-ps-pipe'), '-U', url, '-s', 'esmond', '-u', USER, '-k', KEY,
            '--agent', AGENT] + list(extra)
    with open(stdin_path, 'rb') as f:
        return subprocess.run(argv, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)


INTEGER_TYPES = {'throughput', 'packet-retransmits', 'packet-count-lost', 'packet-count-sent'}


def same_value(et, stored_val, want):
    """Integer event types hold whole numbers (esmond's data types): a real value is stored without its fraction."""
    if et == 'packet-loss-rate' and isinstance(want, dict):  # a percentage is read back as the fraction
        return stored_val == (want['numerator'] / want['denominator'] if want['denominator'] else stored_val)
    if et in INTEGER_TYPES and isinstance(want, float) and stored_val is not None:
        return abs(stored_val - want) < 1
    return stored_val == want


def compare_stored(got, md_want, ts, vals):
    if len(got) != 1:
        fail('%d metadata objects stored, want 1' % len(got))
    md, data = got[0]
    vals = {k: v for k, v in vals.items() if not (k in INTEGER_TYPES and v is None)}  # nulls are not sent
    for k, v in md_want.items():
        if md.get(k) != num_str(v):
            fail('metadata %s: stored %r, want %r' % (k, md.get(k), num_str(v)))
    if not set(vals) <= set(data):
        fail('event types: stored %s, want %s' % (sorted(data), sorted(vals)))
    for et in set(data) - set(vals):
        if data[et]:
            fail('%s: stored %r, want nothing' % (et, data[et]))
    for et, v in vals.items():
        pts = data[et]
        if len(pts) != 1 or pts[0]['ts'] != ts:
            fail('%s: stored points %r, want one at %d' % (et, [p['ts'] for p in pts], ts))
        if not same_value(et, pts[0]['val'], v):
            fail('%s: stored %s, want %s' % (et, json.dumps(pts[0]['val'])[:400], json.dumps(v)[:400]))


def pscheduler_check(path, got):
    d = json.load(open(path))
    r = d.get('result', d)
    if len(got) != 1:
        fail('%d metadata objects stored, want 1' % len(got))
    md, data = got[0]
    spec = d['test']['spec']
    if spec.get('dest') and md['input-destination'] != spec['dest']:
        fail('input-destination %r, want %r' % (md['input-destination'], spec['dest']))
    tp = data['throughput']
    if len(tp) != 1 or not same_value('throughput', tp[0]['val'], r['summary']['summary']['throughput-bits']):
        fail('throughput %r, want %r' % (tp, r['summary']['summary']['throughput-bits']))
    n = len(r['intervals'])
    if len(data['throughput-subintervals'][0]['val']) != n:
        fail('throughput-subintervals: %d stored, want %d' % (len(data['throughput-subintervals'][0]['val']), n))
    want_types = {'throughput', 'throughput-subintervals', 'packet-retransmits-subintervals'}
    udp = spec.get('udp', False)
    want_types |= {'packet-count-lost', 'packet-count-sent', 'packet-loss-rate'} if udp else {'packet-retransmits'}
    if len(r['summary']['streams']) > 1:
        want_types |= {'streams-packet-retransmits', 'streams-packet-retransmits-subintervals', 'streams-throughput',
                       'streams-throughput-subintervals'}
        st = [s['throughput-bits'] for s in r['summary']['streams']]
        if data['streams-throughput'][0]['val'] != st:
            fail('streams-throughput %r, want %r' % (data['streams-throughput'][0]['val'], st))
    if set(data) != want_types:
        fail('event types %s, want %s' % (sorted(data), sorted(want_types)))


def sample_case(a):
    path = os.path.join(a.samples, a.sample)
    want = expectation(a.samples, a.sample)
    name = os.path.splitext(os.path.basename(a.sample))[0]
    extra = a.extra.split()
    if extra:
        name += ' with ' + a.extra  # the options give what the input lacks: no longer a failing input
    with tempfile.TemporaryDirectory() as tmp:
        archive, base = start([os.path.join(a.bin, 'esmond-ps-archive'), '--db', os.path.join(tmp, 'db'),
                               '--listen', '127.0.0.1:0', '--token', USER + ':' + KEY], 'http://')
        try:
            url = 'http://' + base
            run = run_tool(a.bin, url, path, extra)
            err = run.stderr.decode(errors='replace')
            if name in FAILS:
                if run.returncode == 0:
                    fail('exit status 0 for an input without a result\n' + err)
                if FAILS[name] not in err or 'event=main.fatal' not in err:
                    fail('the log does not say why (%r):\n%s' % (FAILS[name], err))
                if stored(url, a.dump):
                    fail('something was stored for a failed input')
                return 0
            if run.returncode != 0 or 'event=main.exit' not in err:
                fail('exit status %d\n%s' % (run.returncode, err))
            if run.stdout:
                fail('unexpected stdout %r' % run.stdout[:200])
            got = stored(url, a.dump)
            if want:
                compare_stored(got, *want)
            else:
                pscheduler_check(path, got)
            again = run_tool(a.bin, url, path, extra)  # 409s: already stored counts as stored
            if again.returncode != 0:
                fail('second run: exit %d\n%s' % (again.returncode, again.stderr.decode(errors='replace')))
            if stored(url, a.dump) != got:
                fail('second run changed what is stored')
        finally:
            stop(archive)
    return 0


# ---- request recording for the documented example ----

def example_case(a):
    ex = a.example
    with open(os.path.join(ex, 'inputs', 'bwctl-iperf3-tcp.txt'), 'rb') as f:
        run, log, want = run_example(os.path.join(ex, 'esmond-ps-pipe-iperf3-tcp.txt.requests'),
                                     [os.path.join(a.bin, 'esmond-ps-pipe'), '-u', 'user', '-k', 'apikey'], stdin=f)
    if run.returncode != 0:
        fail('exit %d\n%s' % (run.returncode, run.stderr.decode()))
    want_out = open(os.path.join(ex, 'esmond-ps-pipe-iperf3-tcp.txt'), 'rb').read()
    if run.stdout != want_out:
        fail('stdout %r, want %r' % (run.stdout, want_out))
    want_err = open(os.path.join(ex, 'esmond-ps-pipe-iperf3-tcp.txt.stderr.norm'), 'rb').read()
    if masked_log(run.stderr) != want_err:
        fail('log %r, want %r' % (masked_log(run.stderr), want_err))
    diff = request_differences(log, want)
    if diff:
        fail(diff)
    # the values' JSON text: reals as Python writes them
    raw = [b for m, p, b in log if m == 'PUT'][0].decode()
    for tok in ('1997333333.5', '"start":0.0', '"duration":2.0', '2000001000.0'):
        if tok not in raw.replace(' ', ''):
            fail('PUT body lacks %s: %s' % (tok, raw[:300]))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--samples')
    ap.add_argument('--example', help='the shared examples directory')
    ap.add_argument('--dump', help='archive_dump, which reads an archive through libesmond')
    ap.add_argument('--extra', default='', help='more options for esmond-ps-pipe')
    ap.add_argument('sample', nargs='?')
    a = ap.parse_args()
    return example_case(a) if a.example else sample_case(a)


if __name__ == '__main__':
    sys.exit(main())
