"""What esmond-ps-load-gridftp must send for a log: an independent Python
model of the original loader (esnet/esmond esmond-ps-load-gridftp) with the
fixes this project made:

- netlogger lines are split at KEY= boundaries (file names with spaces or
  '=' read whole), a "... Transfer stats: " prefix is accepted, and a bad
  line is reported and skipped instead of ending the run;
- values a record lacks are left out of the metadata (the original sent null);
- the host's address is looked up in DEST's family;
- JSON records: addresses for source/destination/measurement-agent, the four
  statistics event types registered, -F works, other cmd_types are skipped.

check_against_original() holds the model against what the original really
posted (tests/data/samples/expected/), so the model is not just our reading.
"""
import calendar
import datetime
import ipaddress
import json
import re
import socket

NETLOGGER_KEYS = ['DATE', 'HOST', 'PROG', 'NL.EVNT', 'START', 'USER', 'FILE', 'BUFFER', 'BLOCK', 'NBYTES', 'VOLUME',
                  'STREAMS', 'STRIPES', 'DEST', 'TYPE', 'CODE', 'TASKID', 'retrans', 'SHARE', 'SHAREE']
KEY_RE = re.compile(r'(?:^|(?<=\s))(%s)=' % '|'.join(re.escape(k) for k in NETLOGGER_KEYS), re.ASCII)
INT_KEYS = {'BUFFER', 'BLOCK', 'NBYTES', 'STREAMS', 'STRIPES', 'CODE'}
TIME_RE = re.compile(r'^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,6}))?$', re.ASCII)
INT_RE = re.compile(r'^[+-]?\d+$', re.ASCII)

NETLOGGER_TYPES = ['throughput', 'streams-packet-retransmits', 'failures']
JSON_TYPES = ['throughput', 'streams-packet-retransmits', 'iostat', 'mpstat', 'rusage', 'streams-tcpinfo']

FTP_CODES = {
    200: 'Command okay.', 202: 'Command not implemented, superfluous at this site.',
    211: 'System status, or system help reply.', 212: 'Directory status.', 213: 'File status.',
    214: 'Help message.', 215: 'NAME system type.', 220: 'Service ready for new user.',
    221: 'Service closing control connection.', 225: 'Data connection open; no transfer in progress.',
    226: 'Closing data connection.', 227: 'Entering Passive Mode (h1,h2,h3,h4,p1,p2).',
    230: 'User logged in, proceed.', 250: 'Requested file action okay, completed.', 257: '"PATHNAME" created.',
    331: 'User name okay, need password.', 332: 'Need account for login.',
    350: 'Requested file action pending further information.',
    421: 'Service not available, closing control connection.', 425: 'Cant open data connection.',
    426: 'Connection closed; transfer aborted.', 450: 'Requested file action not taken.',
    451: 'Requested action aborted: local error in processing.', 452: 'Requested action not taken.',
    500: 'Syntax error, command unrecognized.', 501: 'Syntax error in parameters or arguments.',
    502: 'Command not implemented.', 503: 'Bad sequence of commands.',
    504: 'Command not implemented for that parameter.', 530: 'Not logged in.',
    532: 'Need account for storing files.', 550: 'Requested action not taken.',
    551: 'Requested action aborted: page type unknown.', 552: 'Requested file action aborted.',
    553: 'Requested action not taken.',
}


class Bad(Exception):
    """A line that is not a usable record (the loader logs it and goes on)."""


class NoMetadata(Exception):
    """A transfer record whose metadata cannot be made (logged, skipped)."""


def read_hosts(path):
    table = {}
    for line in open(path):
        f = line.split('#', 1)[0].split()
        if len(f) == 3:
            table[f[0].lower()] = (None if f[1] == '-' else f[1], None if f[2] == '-' else f[2])
    return table


def lookup(hosts, name, family):
    try:
        addr = ipaddress.ip_address(name)
        if (addr.version == 4) == (family == socket.AF_INET):
            return name
        raise NoMetadata('no address of that family')
    except ValueError:
        pass
    entry = hosts.get(name.lower())
    addr = entry and entry[0 if family == socket.AF_INET else 1]
    if not addr:
        raise NoMetadata('no address of %s' % name)
    return addr


# ---- netlogger ----

def nl_time(v):
    m = TIME_RE.match(v)
    if not m:
        raise Bad('bad time %r' % v)
    frac = (m.group(7) or '').ljust(6, '0')
    try:
        return datetime.datetime(*[int(x) for x in m.groups()[:6]], int(frac or 0))
    except ValueError:
        raise Bad('bad time %r' % v)


def parse_netlogger(line):
    """{KEY: value} of a line (values parsed), or None for a blank line."""
    s = line.strip()
    if not s:
        return None
    if any(ord(c) < 0x20 and c != '\t' for c in s):
        raise Bad('binary data')
    found = list(KEY_RE.finditer(s))
    if not found:
        raise Bad('no KEY=value field')
    if found[0].start() > 0 and 'Transfer stats:' not in s[:found[0].start()]:
        raise Bad('text before the first field')
    rec = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(s)
        key, val = m.group(1), s[m.end():end].rstrip()
        if key in ('SHARE', 'SHAREE'):
            continue
        if key == 'FILE' and len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        if key in INT_KEYS:
            if not INT_RE.match(val):
                raise Bad('%s not an integer' % key)
            val = int(val)
        elif key in ('DATE', 'START'):
            val = nl_time(val)
        elif key == 'retrans':
            parts = val.split(',')
            if not all(INT_RE.match(p) for p in parts):
                raise Bad('bad retrans')
            val = [int(p) for p in parts]
        rec[key] = val
    if rec.get('TYPE') in ('RETR', 'STOR'):
        for k in ('START', 'DATE', 'NBYTES'):
            if k not in rec:
                raise Bad('no ' + k)
    return rec


def dest_family(dest):
    try:
        socket.inet_aton(dest)  # the original's permissive IPv4 test
        return socket.AF_INET
    except OSError:
        pass
    try:
        socket.inet_pton(socket.AF_INET6, dest)
        return socket.AF_INET6
    except OSError:
        raise NoMetadata('DEST %s is not an address' % dest)


def epoch(dt):
    return calendar.timegm(dt.utctimetuple())


def subject(retr, host, host_addr, dest, dest_addr):
    return [('source', host_addr if retr else dest_addr), ('destination', dest_addr if retr else host_addr),
            ('tool-name', 'gridftp'), ('measurement-agent', host_addr),
            ('input-source', host if retr else dest), ('input-destination', dest if retr else host)]


def netlogger_posts(rec, hosts, priv):
    if 'HOST' not in rec or 'DEST' not in rec:
        raise NoMetadata('no HOST or DEST')
    dest = rec['DEST'].lstrip('[').rstrip(']')
    host = rec['HOST']
    host_addr = lookup(hosts, host, dest_family(dest))
    md = subject(rec['TYPE'] == 'RETR', host, host_addr, dest, dest)
    for name, key in (('bw-parallel-streams', 'STREAMS'), ('bw-stripes', 'STRIPES'), ('gridftp-program', 'PROG'),
                      ('gridftp-block-size', 'BLOCK'), ('tcp-window-size', 'BUFFER'),
                      ('gridftp-bytes-transferred', 'NBYTES')):
        if key in rec:
            md.append((name, rec[key]))
    for flag, name, key in (('file', 'gridftp-file', 'FILE'), ('user', 'gridftp-user', 'USER'),
                            ('volume', 'gridftp-volume', 'VOLUME')):
        if flag in priv and key in rec:
            md.append((name, rec[key]))
    ts = epoch(rec['START'])
    if rec.get('CODE') == 226:
        vals = []
        seconds = (rec['DATE'] - rec['START']).total_seconds()
        if seconds:
            vals.append(('throughput', 8 * rec['NBYTES'] / seconds))
        vals.append(('streams-packet-retransmits', rec.get('retrans', [])))
        return {'metadata': md, 'event_types': NETLOGGER_TYPES, 'ts': ts, 'values': vals}
    code = rec.get('CODE')
    return {'metadata': md, 'event_types': NETLOGGER_TYPES, 'ts': ts,
            'failure': {'error': '%s %s' % (code, FTP_CODES.get(code))}}


# ---- JSON ----

def sanitize(obj):
    if not isinstance(obj, dict):
        return obj
    return {k.lower().replace('/', '_').replace('%', ''): v for k, v in obj.items()}


def json_time(v):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise Bad('timestamp not a number')
    try:
        return datetime.datetime.utcfromtimestamp(float(v))
    except ValueError:
        raise Bad('timestamp not a number')


def parse_json(line):
    s = line.strip()
    if not s:
        return None
    try:
        rec = json.loads(s)
    except ValueError:
        raise Bad('not valid json')
    if not isinstance(rec, dict):
        raise Bad('not an object')
    for k in ('ret_code', 'nbytes', 'nstreams', 'tcp_bufsize', 'globus_blocksize'):
        v = rec.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise Bad(k + ' not a number')
    if rec.get('event_type') == 'Transfer-End':
        for k in ('start_timestamp', 'end_timestamp'):
            if rec.get(k) is None:
                raise Bad('no ' + k)
            rec[k] = json_time(rec[k])
        if not isinstance(rec.get('nbytes'), int) or isinstance(rec.get('nbytes'), bool):
            raise Bad('nbytes not an integer')
    return rec


def json_posts(rec, hosts, priv):
    host = rec.get('host')
    host = host.strip() if isinstance(host, str) else None
    dest = rec.get('dest') if isinstance(rec.get('dest'), str) else None
    if not host or not dest:
        raise NoMetadata('no host or dest')
    bare = dest.lstrip('[').rstrip(']')
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(bare).version == 6 else socket.AF_INET
        dest_addr = bare
    except ValueError:
        try:
            dest_addr, family = lookup(hosts, bare, socket.AF_INET), socket.AF_INET
        except NoMetadata:
            dest_addr, family = lookup(hosts, bare, socket.AF_INET6), socket.AF_INET6
    host_addr = lookup(hosts, host, family)
    md = subject(rec['cmd_type'] == 'RETR', host, host_addr, dest, dest_addr)
    streams = rec.get('streams') if isinstance(rec.get('streams'), list) else []
    stripes = max([0] + [s.get('stripe', 0) for s in streams if isinstance(s.get('stripe', 0), int)]) + 1
    for name, value in (('bw-parallel-streams', rec.get('nstreams')), ('bw-stripes', stripes),
                        ('gridftp-program', rec.get('prog')), ('gridftp-block-size', rec.get('globus_blocksize')),
                        ('tcp-window-size', rec.get('tcp_bufsize')), ('gridftp-bytes-transferred', rec['nbytes'])):
        if value is not None:
            md.append((name, value))
    for flag, name, key in (('file', 'gridftp-file', 'file'), ('user', 'gridftp-user', 'user'),
                            ('volume', 'gridftp-volume', 'volume')):
        if flag in priv and isinstance(rec.get(key), str):
            md.append((name, rec[key]))
    start, end = rec['start_timestamp'], rec['end_timestamp']
    vals = []
    if (end - start).total_seconds():
        vals.append(('throughput', 8 * rec['nbytes'] / (end - start).total_seconds()))
    tcpinfo = [dict(s, TCPinfo=sanitize(s['TCPinfo'])) if isinstance(s.get('TCPinfo'), dict) else s for s in streams]
    vals += [('streams-packet-retransmits',
              [s['TCPinfo'].get('total_retrans') if isinstance(s.get('TCPinfo'), dict) else None for s in streams]),
             ('iostat', sanitize(rec.get('iostat', {}))), ('mpstat', sanitize(rec.get('mpstat', {}))),
             ('rusage', sanitize(rec.get('getrusage', {}))), ('streams-tcpinfo', tcpinfo)]
    return {'metadata': md, 'event_types': JSON_TYPES, 'ts': epoch(start), 'values': vals}


# ---- a whole log ----

def model(text, style, hosts, priv=()):
    """[(line number, kind, detail)] with kind 'post' (detail: the posts), 'skip', 'bad' or 'nometa'.
    A last line without its newline is left out (the loader leaves it for the next run)."""
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    elif lines:
        lines.pop()  # unterminated
    out = []
    for no, line in enumerate(lines, 1):
        try:
            rec = parse_json(line) if style == 'json' else parse_netlogger(line)
        except Bad as e:
            out.append((no, 'bad', str(e)))
            continue
        if rec is None:
            continue
        if style == 'json':
            transfer = rec.get('event_type') == 'Transfer-End' and rec.get('cmd_type') in ('RETR', 'STOR')
        else:
            transfer = rec.get('TYPE') in ('RETR', 'STOR')
        if not transfer:
            out.append((no, 'skip', None))
            continue
        try:
            out.append((no, 'post', (json_posts if style == 'json' else netlogger_posts)(rec, hosts, priv)))
        except NoMetadata as e:
            out.append((no, 'nometa', str(e)))
    return out


def requests(posts):
    """The requests a plan makes: [(kind, body)], kind 'metadata', 'bulk' or 'failure'."""
    md = dict([('subject-type', 'point-to-point')] + posts['metadata'][:6] +
              [('event-types', [{'event-type': e, 'summaries': []} for e in posts['event_types']])] +
              posts['metadata'][6:])
    out = [('metadata', md)]
    if 'failure' in posts:
        out.append(('failure', {'ts': posts['ts'], 'val': posts['failure']}))
    else:
        out.append(('bulk', {'data': [{'ts': posts['ts'], 'val': [{'event-type': e, 'val': v}
                                                                  for e, v in posts['values']]}]}))
    return out


def check_against_original(items, expected, style, hosts):
    """The model's requests for the records the original reached equal what
    it posted, our documented differences applied to the original's side.
    Returns a list of differences (empty: agreed)."""
    want = []
    gave_up = bool(expected.get('uncaught_exception'))
    for p in expected['posts']:
        if p['op'] == 'metadata-rejected':
            gave_up = True  # the original gave up the run here; we skip that record and go on
            break
        if p['op'] == 'metadata':
            md = {k: v for k, v in p['payload'].items() if v is not None}
            if style == 'json':
                md['event-types'] = [{'event-type': e, 'summaries': []} for e in JSON_TYPES]
            want.append(('metadata', md))
        elif p['op'] == 'bulk-put':
            want.append(('bulk', p['payload']))
        elif p['op'] == 'event-post':
            want.append(('failure', p['point']))
    if gave_up and want and want[-1][0] == 'metadata':
        want.pop()  # the metadata of the record the original crashed on: we refuse that record whole
    got = [r for _, kind, posts in items if kind == 'post' for r in requests(posts)]
    problems = []
    if len(got) < len(want):
        problems.append('the model makes %d requests, the original %d' % (len(got), len(want)))
    if not gave_up and len(got) != len(want):
        problems.append('the original finished with %d requests, the model makes %d' % (len(want), len(got)))
    for i, (w, g) in enumerate(zip(want, got)):
        if style == 'json' and w[0] == 'metadata':
            # the original sent names where archives need addresses: compare those through the hosts table
            w = (w[0], {k: (g[1][k] if k in ('source', 'destination', 'measurement-agent') and
                            resolves_to(hosts, v, g[1][k]) else v) for k, v in w[1].items()})
        if w[0] != g[0] or w[1] != g[1]:
            problems.append('request %d:\n  original %s\n  model    %s' % (i + 1, json.dumps(w), json.dumps(g)))
    return problems


def resolves_to(hosts, name, addr):
    bare = name.lstrip('[').rstrip(']')
    entry = hosts.get(bare.lower())
    return bare == addr or (entry is not None and addr in entry)
