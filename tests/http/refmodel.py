"""Small executable models of doc/esmond-rest-api.md, used to derive expected values:
histogram statistics (esmond-rest-api §11.4), bin alignment (§11.2),
metadata search over wire-format objects (§7), and a tolerant comparison
of JSON values (floats with relative tolerance, `mode` as a set)."""

import ipaddress
import math

REL_TOL = 1e-9
ABS_TOL = 1e-12


# -- statistics ------------------------------------------------------------------

def _bucket_value(key):
    try:
        x = float(key)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def hist_stats(hist):
    """Statistics of a histogram {bucket: count} as the archive must store
    them; {} for non-numeric buckets, empty or zero-count histograms."""
    items = []
    for k, c in hist.items():
        x = _bucket_value(k)
        if x is None:
            return {}
        items.append((x, c))
    n = sum(c for _, c in items)
    if not items or n == 0:
        return {}
    mean = sum(x * c for x, c in items) / n          # member order
    ordered = sorted(items, key=lambda xc: xc[0])
    variance = sum(c * (x - mean) ** 2 for x, c in ordered) / n
    top = max(c for _, c in items)
    stats = {"minimum": ordered[0][0], "maximum": ordered[-1][0],
             "mean": mean, "mode": [x for x, c in items if c == top],
             "variance": variance, "standard-deviation": math.sqrt(variance)}
    pending = []
    for p in (25, 50, 75, 95):
        r = p / 100.0 * (n + 1)
        k = math.floor(r)
        pending.append({"name": "median" if p == 50 else "percentile-%d" % p,
                        "k": k, "d": r - k, "v": None})
    cum = 0
    for x, c in ordered:
        cum += c
        while pending and cum >= pending[0]["k"]:
            q = pending[0]
            if q["v"] is not None:
                q["v"] += q["d"] * (x - q["v"])
            elif q["k"] == 0 or (cum >= n and q["k"] >= n) or q["k"] + q["d"] < cum:
                q["v"] = x
            else:
                q["v"] = x          # provisional; finished at the next bucket
                break
            stats[q["name"]] = q["v"]
            pending.pop(0)
    return stats


def hist_sum(hists):
    out = {}
    for h in hists:
        for k, c in h.items():
            out[k] = out.get(k, 0) + int(c)
    return out


def bin_start(ts, window):
    return ts // window * window if window else ts


def bins(points, window):
    """[(ts, val)] -> {bin start: [vals]}"""
    out = {}
    for ts, v in points:
        out.setdefault(bin_start(ts, window), []).append(v)
    return out


# -- comparison ------------------------------------------------------------------

def mismatch(got, exp, path="val"):
    """None when got matches exp, else a description.  Floats compare with a
    relative tolerance; a `mode` member compares as a set."""
    if isinstance(exp, bool) or exp is None or isinstance(exp, str):
        return None if got == exp and type(got) is type(exp) else \
            "%s: got %r, expected %r" % (path, got, exp)
    if isinstance(exp, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return "%s: got %r, expected number %r" % (path, got, exp)
        if math.isclose(got, exp, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return None
        return "%s: got %r, expected %r" % (path, got, exp)
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return "%s: got %r, expected object" % (path, got)
        if set(got) != set(exp):
            return "%s: members %s, expected %s" % (path, sorted(got),
                                                     sorted(exp))
        for k in exp:
            if k == "mode" and isinstance(exp[k], list):
                if not isinstance(got[k], list) or \
                        sorted(map(float, got[k])) != sorted(map(float, exp[k])):
                    return "%s.mode: got %r, expected (as a set) %r" % (
                        path, got[k], exp[k])
                continue
            m = mismatch(got[k], exp[k], "%s.%s" % (path, k))
            if m:
                return m
        return None
    if isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            return "%s: got %r, expected %r" % (path, got, exp)
        for i, (g, e) in enumerate(zip(got, exp)):
            m = mismatch(g, e, "%s[%d]" % (path, i))
            if m:
                return m
        return None
    raise TypeError(exp)


# -- metadata search ---------------------------------------------------------------

SUBJECT_IP = ("source", "destination", "measurement-agent")
SUBJECT_STR = ("input-source", "input-destination", "tool-name",
               "subject-type", "metadata-key")
NOT_FREEFORM = set(SUBJECT_IP + SUBJECT_STR + (
    "event-type", "summary-type", "summary-window", "time", "time-start",
    "time-end", "time-range", "dns-match-rule", "limit", "offset", "format"))


def canon_ip(text):
    return str(ipaddress.ip_address(text))


def time_interval(q, now):
    """esmond-rest-api §7.3 for metadata search: (begin, end or None) or None for no filter."""
    g = {k: int(q[k]) for k in ("time", "time-start", "time-end", "time-range")
         if k in q}
    if "time" in g:
        return g["time"], g["time"]
    if "time-start" in g and "time-end" in g:
        return g["time-start"], g["time-end"]
    if "time-start" in g and "time-range" in g:
        return g["time-start"], g["time-start"] + g["time-range"]
    if "time-end" in g and "time-range" in g:
        return g["time-end"] - g["time-range"], g["time-end"]
    if "time-start" in g:
        return g["time-start"], None
    if "time-end" in g:
        return 0, g["time-end"]
    if "time-range" in g:
        return now - g["time-range"], None
    return None


def _rows(md):
    for et in md["event-types"]:
        yield et["event-type"], "base", 0, et["time-updated"]
        for s in et["summaries"]:
            yield (et["event-type"], s["summary-type"],
                   int(s["summary-window"]), s["time-updated"])


def matches(md, q, now=0):
    """Does wire-format metadata md match query q (IP fields given as
    literals)?  Implements the one-row rule of esmond-rest-api §7.2."""
    for f in SUBJECT_IP:
        if f in q and (f not in md or canon_ip(md[f]) != canon_ip(q[f])):
            return False
    for f in SUBJECT_STR:
        if f in q and md.get(f) != q[f]:
            return False
    for k, v in q.items():
        if k not in NOT_FREEFORM and md.get(k) != v:
            return False
    interval = time_interval(q, now)
    row_filter = interval is not None or any(
        k in q for k in ("event-type", "summary-type", "summary-window"))
    if not row_filter:
        return True
    for et, st, w, tu in _rows(md):
        if "event-type" in q and et != q["event-type"]:
            continue
        if "summary-type" in q and st != q["summary-type"]:
            continue
        if "summary-window" in q and w != int(q["summary-window"]):
            continue
        if interval is not None:
            if tu is None or tu < interval[0] or \
                    (interval[1] is not None and tu > interval[1]):
                continue
        return True
    return False


def search(objects, q, now=0):
    return sorted((m["metadata-key"] for m in objects if matches(m, q, now)))
