"""Data retrieval (esmond-rest-api §7.3 data variant, §9, §16 item 6): time filter
table with default [0, now] and open end now+3600, inclusive bounds,
ascending order, paging, limit edge cases, 200 [] for unknown series."""

import random
import time
import unittest
import urllib.parse

from harness import ArchiveCase, R, R2, p2p_body, parse_link, strip_host

HOUR = 3600


class DataRead(ArchiveCase):

    ARCHIVE_KWARGS = {"max_body": 64 * 1024 * 1024}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.a
        md = a.create_metadata(p2p_body([
            ("throughput", [("average", 3600)]), "failures", "packet-trace",
            ("histogram-rtt", [("statistics", 0)])]))
        cls.key = md["metadata-key"]
        # points relative to now: far past, recent past, now, near future,
        # far future (beyond now+3600)
        now = int(time.time())
        cls.now = now
        cls.rel = {"past": now - 7200, "recent": now - 300, "now": now,
                   "soon": now + 1800, "later": now + 7200}
        cls.val = {"past": 1, "recent": 2, "now": 3, "soon": 4, "later": 5}
        a.put_points(cls.key, "throughput",
                     [(cls.rel[n], cls.val[n]) for n in cls.rel])
        # 40 old points, written in shuffled order, for paging and bounds
        cls.old = [1400000000 + 60 * i for i in range(40)]
        shuffled = list(cls.old)
        random.Random(7).shuffle(shuffled)
        a.put_points(cls.key, "failures", [(t, {"error": "e%d" % t}) for t in shuffled])

    def tp(self, **params):
        return [p["ts"] for p in self.a.get_data(self.key, "throughput", **params)]

    def names(self, *names):
        return [self.rel[n] for n in names]

    def fail(self, **params):
        return [p["ts"] for p in self.a.get_data(self.key, "failures", **params)]

    # -- time filter table (esmond-rest-api §7.3) --------------------------------

    def test_no_parameters_means_zero_to_now(self):
        self.assertEqual(self.tp(), self.names("past", "recent", "now"))

    def test_time_start_only_open_end_is_now_plus_3600(self):
        got = self.tp(**{"time-start": self.now - 600})
        self.assertEqual(got, self.names("recent", "now", "soon"))

    def test_time_range_only(self):
        self.assertEqual(self.tp(**{"time-range": 600}),
                         self.names("recent", "now", "soon"))
        self.assertEqual(self.tp(**{"time-range": 3 * HOUR}),
                         self.names("past", "recent", "now", "soon"))

    def test_time_end_only_starts_at_zero(self):
        self.assertEqual(self.tp(**{"time-end": self.now + 3 * HOUR}),
                         self.names("past", "recent", "now", "soon", "later"))
        self.assertEqual(self.tp(**{"time-end": self.rel["recent"]}),
                         self.names("past", "recent"))

    def test_time_start_and_end(self):
        self.assertEqual(self.tp(**{"time-start": 0, "time-end": self.now + 10 * HOUR}),
                         self.names("past", "recent", "now", "soon", "later"))

    def test_bounds_inclusive(self):
        s, e = self.rel["recent"], self.rel["soon"]
        self.assertEqual(self.tp(**{"time-start": s, "time-end": e}),
                         self.names("recent", "now", "soon"))
        self.assertEqual(self.tp(**{"time-start": s + 1, "time-end": e - 1}),
                         self.names("now"))

    def test_time_exact(self):
        t = self.rel["past"]
        self.assertEqual(self.a.get_data(self.key, "throughput", time=t),
                         [{"ts": t, "val": 1.0}])
        self.assertEqual(self.tp(time=t + 1), [])
        self.assertEqual(self.tp(time=self.rel["later"]), self.names("later"))

    def test_time_start_with_range(self):
        s = self.rel["past"]
        self.assertEqual(self.tp(**{"time-start": s, "time-range": 6900}),
                         self.names("past", "recent"))
        self.assertEqual(self.tp(**{"time-start": s, "time-range": 6899}),
                         self.names("past"))

    def test_time_end_with_range(self):
        e = self.rel["now"]
        self.assertEqual(self.tp(**{"time-end": e, "time-range": 300}),
                         self.names("recent", "now"))
        self.assertEqual(self.tp(**{"time-end": e, "time-range": 299}),
                         self.names("now"))

    def test_start_and_end_ignore_range(self):
        self.assertEqual(self.tp(**{"time-start": self.rel["past"],
                                    "time-end": self.rel["now"], "time-range": 1}),
                         self.names("past", "recent", "now"))

    def test_time_wins_over_others(self):
        self.assertEqual(self.tp(**{"time": self.rel["now"], "time-start": 0,
                                    "time-end": self.now + 10 * HOUR}),
                         self.names("now"))

    def test_unused_parameters_not_validated(self):
        self.assertEqual(self.tp(**{"time": self.rel["now"], "time-start": "bad",
                                    "time-end": "x", "time-range": "y"}),
                         self.names("now"))

    def test_time_validation(self):
        for q in ({"time": "abc"}, {"time-start": "1.5"}, {"time-end": "1e3"},
                  {"time-range": "ten"}, {"time": ""}, {"time-start": "0x10"}):
            with self.subTest(q):
                r = self.a.get(self.a.data_path(self.key, "throughput", **q))
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.detail, "Time parameter must be an integer")
        r = self.a.get(self.a.data_path(self.key, "throughput",
                                        **{"time-start": 10, "time-end": 9}))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.detail, "Requested start time must be less than end time")
        self.assertEqual(self.tp(**{"time-start": self.rel["now"],
                                    "time-end": self.rel["now"]}), self.names("now"))
        self.assertEqual(self.tp(**{"time-start": -100, "time-end": self.rel["past"]}),
                         self.names("past"))

    # -- order, shape, paging ----------------------------------------------------------

    def test_ascending_order_whatever_the_write_order(self):
        got = self.a.get_data(self.key, "failures", **{"time-start": 0})
        self.assertEqual([p["ts"] for p in got], self.old)
        self.assertEqual(got[0], {"ts": self.old[0], "val": {"error": "e%d" % self.old[0]}})

    def test_integer_values_read_as_floats(self):
        r = self.a.get(self.a.data_path(self.key, "throughput", time=self.rel["past"]))
        self.assertIn(b"1.0", r.raw)
        self.assertIs(type(r.body[0]["val"]), float)
        self.assertIs(type(r.body[0]["ts"]), int)

    def test_limit_offset(self):
        q = {"time-start": 0}
        self.assertEqual(self.fail(limit=5, **q), self.old[:5])
        self.assertEqual(self.fail(limit=5, offset=5, **q), self.old[5:10])
        self.assertEqual(self.fail(limit=1, offset=39, **q), self.old[39:])
        self.assertEqual(self.fail(limit=10, offset=35, **q), self.old[35:])
        self.assertEqual(self.fail(limit=10, offset=40, **q), [])
        self.assertEqual(self.fail(offset=38, **q), self.old[38:])
        self.assertEqual(self.fail(limit=100, **q), self.old)
        self.assertEqual(self.fail(limit=3, **{"time-start": self.old[10]}),
                         self.old[10:13])

    def test_cursor_paging(self):
        got = self.a.get_all_data(self.key, "failures", start=0, limit=7)
        self.assertEqual([p["ts"] for p in got], self.old)

    def test_bad_limit_offset_400(self):
        for q in ({"limit": 0}, {"limit": -1}, {"limit": "abc"}, {"limit": "2.0"},
                  {"limit": ""}, {"offset": -1}, {"offset": "abc"},
                  {"limit": 5, "offset": "abc"}, {"limit": 5, "offset": "1.5"}):
            with self.subTest(q):
                r = self.a.get(self.a.data_path(self.key, "failures", **q))
                self.assertEqual(r.status, 400, r)
                self.assertIsInstance(r.detail, str)

    # -- routes --------------------------------------------------------------------------

    def test_unknown_series_are_empty(self):
        a, k = self.a, self.key
        for path in ("/archive/ffffffffffffffffffffffffffffffff/throughput/base",
                     "/archive/%s/packet-loss-rate/base" % k,
                     "/archive/%s/throughput/averages/86400" % k,
                     "/archive/%s/throughput/aggregations/3600" % k,
                     "/archive/%s/histogram-rtt/averages/86400" % k,
                     "/archive/%s/failures/statistics/0" % k):
            with self.subTest(path):
                r = a.get(R + path + "?time-start=0")
                self.assertEqual((r.status, r.body), (200, []))

    def test_invalid_path_segments_400(self):
        k = self.key
        cases = [("/archive/%s/bogus/base" % k, "Unsupported event type 'bogus' provided"),
                 ("/archive/%s/throughput/sums/3600" % k, "Invalid summary type 'sums'"),
                 ("/archive/%s/throughput/averages/abc" % k,
                  "Summary window parameter must be an integer"),
                 ("/archive/%s/throughput/averages/-3600" % k, None)]
        for path, detail in cases:
            with self.subTest(path):
                r = self.a.get(R + path)
                self.assertEqual(r.status, 400, r)
                if detail:
                    self.assertEqual(r.detail, detail)

    def test_summary_window_leading_zeros(self):
        q = {"time-start": 0, "time-end": self.now + 10 * HOUR}
        ref = self.a.get_data(self.key, "throughput", "averages", 3600, **q)
        self.assertTrue(ref)
        self.assertEqual(self.a.get_data(self.key, "throughput", "averages", "03600", **q),
                         ref)

    def test_base_window_route(self):
        t = self.rel["past"]
        self.assertEqual(self.a.get_data(self.key, "throughput", "base", 0, time=t),
                         [{"ts": t, "val": 1.0}])
        self.assertEqual(self.a.get_data(self.key, "throughput", "base", 60, time=t), [])

    def test_metadata_filters_ignored_on_data(self):
        t = self.rel["past"]
        self.assertEqual(self.tp(time=t, source="192.0.2.1", **{"tool-name": "x"}), [t])

    def test_short_prefix_and_trailing_slash(self):
        t = self.rel["past"]
        for path in ("%s/archive/%s/throughput/base?time=%d" % (R2, self.key, t),
                     "%s/archive/%s/throughput/base/?time=%d" % (R2, self.key, t)):
            with self.subTest(path):
                r = self.a.get(path)
                self.assertEqual(r.body, [{"ts": t, "val": 1.0}])

    def test_head_on_data(self):
        r = self.a.head(self.a.data_path(self.key, "throughput"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.raw, b"")
        self.assertEqual(r.header("Content-Type"), "application/json")


class DataPageSize(ArchiveCase):
    """Default page of 1500 points with a Link header, maximum 100000."""

    ARCHIVE_KWARGS = {"max_body": 64 * 1024 * 1024}
    N = 100001
    T0 = 1300000000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        md = cls.a.create_metadata(p2p_body(["packet-count-sent"]))
        cls.key = md["metadata-key"]
        for start in range(0, cls.N, 25000):
            pts = [(cls.T0 + i, i) for i in range(start, min(cls.N, start + 25000))]
            cls.a.put_points(cls.key, "packet-count-sent", pts)

    def test_default_page_1500_with_next_link(self):
        path = self.a.data_path(self.key, "packet-count-sent")
        r = self.a.get(path)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), 1500)
        self.assertEqual(r.body[0], {"ts": self.T0, "val": 0.0})
        self.assertEqual(r.body[-1]["ts"], self.T0 + 1499)
        nxt = parse_link(r.header("Link")).get("next")
        self.assertIsNotNone(nxt, r.header("Link"))
        p = urllib.parse.urlsplit(nxt)
        self.assertEqual(p.path, urllib.parse.urlsplit(path).path)
        q = dict(urllib.parse.parse_qsl(p.query))
        self.assertEqual((q.get("limit"), q.get("offset")), ("1500", "1500"))
        r2 = self.a.get(strip_host(nxt))
        self.assertEqual(r2.status, 200)
        self.assertEqual(r2.body[0]["ts"], self.T0 + 1500)
        self.assertEqual(len(r2.body), 1500)

    def test_link_keeps_time_filter(self):
        start = self.T0 + 100000 - 1600
        r = self.a.get(self.a.data_path(self.key, "packet-count-sent",
                                        **{"time-start": start}))
        self.assertEqual(len(r.body), 1500)
        nxt = parse_link(r.header("Link"))["next"]
        r2 = self.a.get(strip_host(nxt))
        self.assertEqual([p["ts"] for p in r2.body],
                         list(range(start + 1500, self.T0 + self.N)))

    def test_maximum_page_100000(self):
        for limit in (100000, 200000):
            with self.subTest(limit):
                got = self.a.get_data(self.key, "packet-count-sent", limit=limit,
                                      **{"time-start": 0})
                self.assertEqual(len(got), 100000)
                self.assertEqual(got[-1], {"ts": self.T0 + 99999, "val": 99999.0})
        got = self.a.get_data(self.key, "packet-count-sent", limit=10, offset=99995,
                              **{"time-start": 0})
        self.assertEqual([p["ts"] for p in got],
                         [self.T0 + i for i in range(99995, 100001)])


if __name__ == "__main__":
    unittest.main()
