"""Summaries kept per request (a batch of bins read once, updated in memory,
written once): bulk PUTs in chunks that split bins across requests give byte
for byte the summaries the import computes from the whole base series, a
rejected request leaves every summary as it was, and loss rates and averages
over requests come out as Σlost / Σsent and Σ / count."""

import json
import random
import unittest

from harness import R, Archive, ArchiveCase, make_import_dir, p2p_body

START = 1700000000 - 1700000000 % 86400 + 86400 - 3 * 3600  # 3 h before a day boundary
MINUTES = 6 * 60
SUMMARIES = [
    ("histogram-owdelay", [("aggregation", 3600), ("aggregation", 86400), ("statistics", 0),
                           ("statistics", 3600), ("statistics", 86400)]),
    ("histogram-ttl", [("statistics", 3600)]),  # statistics without an aggregation
    ("packet-count-sent", [("aggregation", 3600), ("average", 3600), ("aggregation", 86400)]),
    ("throughput", [("average", 86400), ("aggregation", 3600)]),
    ("packet-loss-rate", [("aggregation", 3600), ("aggregation", 86400)]),
]


def series():
    """{event type: [(ts, PUT value)]}, one point a minute, deterministic."""
    rnd = random.Random(9)
    out = {et: [] for et, _ in SUMMARIES}
    for m in range(MINUTES):
        ts = START + 60 * m + 7
        centre = 40 + rnd.random() * 3
        owd = {}
        for _ in range(rnd.randint(1, 40)):
            b = "%.2f" % (centre + rnd.gauss(0, 0.3))
            owd[b] = owd.get(b, 0) + rnd.randint(1, 30)
        out["histogram-owdelay"].append((ts, owd))
        out["histogram-ttl"].append((ts, {str(rnd.randint(50, 53)): 600}))
        out["packet-count-sent"].append((ts, 600 + rnd.randint(0, 2)))
        out["throughput"].append((ts, float(rnd.randint(1, 10 ** 6) * 1000)))
        out["packet-loss-rate"].append((ts, {"numerator": rnd.choice([0, 0, 1, 5]), "denominator": 600}))
    return out


def chunks(points):
    """Bulk bodies of varying sizes, in time order."""
    sizes, i, n = [1, 7, 100, 3, 61, 250], 0, 0
    while i < len(points):
        size = sizes[n % len(sizes)]
        yield points[i:i + size]
        i, n = i + size, n + 1


class BatchedSummaries(ArchiveCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = series()
        cls.key = cls.a.create_metadata(p2p_body(SUMMARIES))["metadata-key"]
        by_ts = {}
        for et, points in cls.data.items():
            for ts, val in points:
                by_ts.setdefault(ts, []).append({"event-type": et, "val": val})
        for part in chunks(sorted(by_ts.items())):
            r = cls.a.bulk_put(cls.key, {"data": [{"ts": ts, "val": v} for ts, v in part]})
            if r.status != 201:
                raise AssertionError("bulk PUT failed: %r" % (r,))

    def summary_texts(self, a, key, types):
        out = {}
        for et, sums in SUMMARIES:
            if et not in types:
                continue
            for st, w in sums:
                name = {"aggregation": "aggregations", "average": "averages"}.get(st, st)
                r = a.get(a.data_path(key, et, name, w, **{"time-start": 0, "limit": 100000}))
                self.assertEqual(r.status, 200)
                out[(et, st, w)] = r.raw
        return out

    def test_equal_to_summaries_computed_from_base(self):
        """The import builds each summary from the whole base series in one
        pass; the batches must come to the same bytes."""
        types = ("histogram-owdelay", "histogram-ttl", "packet-count-sent", "throughput")
        md = self.a.get(R + "/archive/%s/" % self.key).body
        files = {}
        for et in types:
            files["%s/%s/base.json" % (self.key, et)] = [
                {"ts": ts, "val": float(v) if isinstance(v, int) else v} for ts, v in self.data[et]]
        with Archive(import_dir=make_import_dir(self.tmp, [md], files)) as imported:
            want = self.summary_texts(imported, self.key, types)
        got = self.summary_texts(self.a, self.key, types)
        self.assertEqual(sorted(got), sorted(want))
        for k in want:
            self.assertTrue(json.loads(want[k]), k)
            self.assertEqual(got[k], want[k], k)

    def test_numbers_over_requests(self):
        """Loss rates as Σlost / Σsent, averages as Σ / count, bins split over requests."""
        got = self.summary_texts(self.a, self.key, ("packet-loss-rate", "packet-count-sent"))
        for et, st, ratio in (("packet-loss-rate", "aggregation", lambda v: (v["numerator"], v["denominator"])),
                              ("packet-count-sent", "average", lambda v: (v, 1))):
            sums = {}
            for ts, v in self.data[et]:
                s = sums.setdefault(ts - ts % 3600, [0, 0])
                n, d = ratio(v)
                s[0] += n
                s[1] += d
            self.assertEqual(json.loads(got[(et, st, 3600)]),
                             [{"ts": b, "val": n / d} for b, (n, d) in sorted(sums.items())], et)

    def test_rejected_request_changes_no_summary(self):
        types = [et for et, _ in SUMMARIES]
        before = self.summary_texts(self.a, self.key, types)
        ts0, _ = self.data["packet-count-sent"][-1]
        body = {"data": [{"ts": ts0 + 30, "val": [{"event-type": "histogram-owdelay", "val": {"41.00": 5}},
                                                   {"event-type": "packet-count-sent", "val": 600}]},
                         {"ts": ts0, "val": [{"event-type": "packet-count-sent", "val": 600}]}]}
        self.assertEqual(self.a.bulk_put(self.key, body).status, 409)
        self.assertEqual(self.summary_texts(self.a, self.key, types), before)


if __name__ == "__main__":
    unittest.main()
