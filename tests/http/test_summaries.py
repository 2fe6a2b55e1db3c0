"""Summaries (esmond-rest-api §11, §16 item 8, 'computed correctly'):
esmond's client data set against derived/expected_summaries.json,
statistics against the reference vectors, the worked values of §11.3 and
§19, bulk aggregation, histogram re-posts, bin alignment."""

import copy
import unittest

import refmodel
from harness import ArchiveCase, R, bulk_body, load_json, p2p_body

CLIENT_BODIES = load_json("esmond", "derived", "perfsonar_client_metadata.post-bodies.json")
EXPECTED = load_json("esmond", "derived", "expected_summaries.json")
VECTORS = load_json("esmond", "derived", "statistics_vectors.json")
CLIENT = load_json("esmond", "extracted", "test_client_payloads.json")
DATA = load_json("esmond", "extracted", "test_api_payloads.json")[
    "PSArchiveResourceDataTest.setUp"]

URL_NAME = {"aggregation": "aggregations", "average": "averages", "statistics": "statistics"}
ALL = {"time-start": 0, "time-end": 2000000000, "limit": 100000}


def with_summaries(body, extra):
    """Copy of a metadata body with summaries added: {et: [(type, window)]}."""
    body = copy.deepcopy(body)
    for et in body["event-types"]:
        have = {(s["summary-type"], str(s["summary-window"])) for s in et["summaries"]}
        for st, w in extra.get(et["event-type"], []):
            if (st, str(w)) not in have:
                et["summaries"].append({"summary-type": st, "summary-window": str(w)})
    return body


class Base(ArchiveCase):

    ARCHIVE_KWARGS = {"max_body": 64 * 1024 * 1024}

    def new_key(self, et, summaries):
        """A new metadata object with one event type and these summaries."""
        return self.a.create_metadata(p2p_body([(et, summaries)]))["metadata-key"]

    def assert_series(self, got, exp, what=""):
        m = refmodel.mismatch(got, exp)
        self.assertIsNone(m, what)

    def summary(self, key, et, st, w, **q):
        params = dict(ALL)
        params.update(q)
        return self.a.get_data(key, et, URL_NAME[st], w, **params)

    def base(self, key, et, **q):
        params = dict(ALL)
        params.update(q)
        return self.a.get_data(key, et, **params)


class ClientDataSet(Base):
    """perfsonar_client_metadata bodies with added summaries + derived/bulk."""

    FILES = {"histogram_owdelay_minute_data.json": 0, "histogram_ttl_data.json": 0,
             "packet_count_lost_data.json": 0, "packet_count_sent_data.json": 0,
             "packet_duplicates_data.json": 0, "throughput_data.json": 1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        counts = [("aggregation", 86400), ("average", 86400)]
        owamp = with_summaries(CLIENT_BODIES[0], {
            "histogram-owdelay": [("aggregation", 3600), ("aggregation", 86400),
                                  ("statistics", 0), ("statistics", 3600),
                                  ("statistics", 86400)],
            "histogram-ttl": [("aggregation", 86400), ("statistics", 0),
                              ("statistics", 86400)],
            "packet-count-lost": counts, "packet-count-sent": counts,
            "packet-duplicates": counts})
        iperf = with_summaries(CLIENT_BODIES[1], {"throughput": counts})
        cls.keys = [cls.a.create_metadata(owamp)["metadata-key"],
                    cls.a.create_metadata(iperf)["metadata-key"]]
        cls.bulk = {}
        for name, idx in cls.FILES.items():
            body = load_json("esmond", "derived", "bulk",
                             name.replace(".json", ".bulk.json"))
            cls.bulk[name] = body
            r = cls.a.bulk_put(cls.keys[idx], body, timeout=120)
            if r.status != 201:
                raise AssertionError("bulk PUT of %s failed: %r" % (name, r))

    def points(self, name):
        return [(item["ts"], item["val"][0]["val"]) for item in self.bulk[name]["data"]]

    def test_expected_summaries(self):
        n = 0
        for name, spec in EXPECTED.items():
            key = self.keys[self.FILES[name]]
            for series, exp in spec.items():
                if series == "event_type":
                    continue
                url_name, w = series.split("/")
                st = {v: k for k, v in URL_NAME.items()}[url_name]
                with self.subTest(file=name, series=series):
                    got = self.summary(key, spec["event_type"], st, int(w))
                    self.assertEqual([p["ts"] for p in got], [p["ts"] for p in exp])
                    self.assert_series(got, exp, "%s %s" % (name, series))
                    n += 1
        self.assertEqual(n, sum(len(v) - 1 for v in EXPECTED.values()))

    def test_histogram_aggregates_have_integer_counts(self):
        got = self.summary(self.keys[0], "histogram-owdelay", "aggregation", 3600)
        self.assertTrue(got)
        for p in got:
            self.assertTrue(all(type(c) is int for c in p["val"].values()))

    def test_statistics_window_0(self):
        for name, et in (("histogram_owdelay_minute_data.json", "histogram-owdelay"),
                         ("histogram_ttl_data.json", "histogram-ttl")):
            with self.subTest(et):
                exp = [{"ts": ts, "val": refmodel.hist_stats(h)}
                       for ts, h in self.points(name)]
                got = self.summary(self.keys[0], et, "statistics", 0)
                self.assertEqual(len(got), 1440)
                self.assert_series(got, exp, et)

    def test_statistics_of_windows(self):
        for name, et, w in (("histogram_owdelay_minute_data.json", "histogram-owdelay", 3600),
                            ("histogram_owdelay_minute_data.json", "histogram-owdelay", 86400),
                            ("histogram_ttl_data.json", "histogram-ttl", 86400)):
            with self.subTest(et=et, window=w):
                binned = refmodel.bins(self.points(name), w)
                exp = [{"ts": b, "val": refmodel.hist_stats(refmodel.hist_sum(hs))}
                       for b, hs in sorted(binned.items())]
                got = self.summary(self.keys[0], et, "statistics", w)
                self.assert_series(got, exp, "%s statistics/%d" % (et, w))

    def test_mode_ascending(self):
        got = self.summary(self.keys[0], "histogram-owdelay", "statistics", 0)
        multi = [p for p in got if len(p["val"].get("mode", [])) > 1]
        self.assertTrue(multi, "data set has no multi-valued mode")
        for p in multi:
            self.assertEqual(p["val"]["mode"], sorted(p["val"]["mode"]))

    def test_client_results_window(self):
        """Recipe A step 4 of the esmond data README (TestResults)."""
        tr = CLIENT["TestResults"]
        start, end = tr["q_start_ms"] // 1000, tr["q_end_ms"] // 1000
        for check in tr["checks"]:
            if len(check["path"]) > 3:
                continue        # stored summary rows: not loadable through the API
            et = check["path"][1].replace("_", "-")
            key = self.keys[self.FILES[check["file"]]]
            with self.subTest(et):
                got = self.a.get_all_data(key, et, start=start, end=end, limit=1000)
                self.assertEqual(len(got), check["count"])
                self.assertEqual(got[0]["ts"], check["first_ts_ms"] // 1000)
                self.assertEqual(got[-1]["ts"], check["last_ts_ms"] // 1000)
                self.assertEqual(got[0]["val"], check["first_val"])
                self.assertEqual(got[-1]["val"], check["last_val"])


class StatisticsVectors(Base):

    def test_reference_vectors_window_0(self):
        key = self.new_key("histogram-rtt", [("statistics", 0)])
        pts = [(1398900000 + 60 * i, v["histogram"]) for i, v in enumerate(VECTORS)]
        self.a.put_points(key, "histogram-rtt", pts)
        got = {p["ts"]: p["val"] for p in self.summary(key, "histogram-rtt", "statistics", 0)}
        for (ts, _), v in zip(pts, VECTORS):
            with self.subTest(v["name"]):
                self.assertIn(ts, got)
                self.assertIsNone(refmodel.mismatch(got[ts], v["statistics"]), got[ts])
                if got[ts]:
                    self.assertEqual(got[ts]["mode"], sorted(got[ts]["mode"]))

    def test_empty_zero_and_non_finite_histograms(self):
        key = self.new_key("histogram-rtt", [
            ("statistics", 0), ("statistics", 3600), ("aggregation", 3600)])
        cases = [{}, {"1": 0, "2": 0}, {"inf": 1}, {"nan": 3, "1": 2}, {"-inf": 1},
                 {" 1e3 ": 2}]
        t0 = 1398902400
        for i, h in enumerate(cases):
            with self.subTest(h):
                ts = t0 + 3600 * i
                r = self.a.post_point(key, "histogram-rtt", ts, h)
                self.assertEqual(r.status, 201, r)
                got = self.summary(key, "histogram-rtt", "statistics", 0, time=ts)
                self.assertEqual(len(got), 1)
                exp = refmodel.hist_stats(h)
                self.assertIsNone(refmodel.mismatch(got[0]["val"], exp), got)
                got = self.summary(key, "histogram-rtt", "statistics", 3600, time=ts)
                self.assertIsNone(refmodel.mismatch(got, [{"ts": ts, "val": exp}]), got)
        self.assertEqual(refmodel.hist_stats({" 1e3 ": 2})["mean"], 1000.0)

    def test_appendix_b_transcript(self):
        body = {"subject-type": "point-to-point", "source": "10.1.1.1",
                "destination": "10.1.1.2", "measurement-agent": "10.1.1.1",
                "tool-name": "pscheduler/powstream", "input-source": "host1.example.net",
                "input-destination": "host2.example.net", "time-duration": "60",
                "sample-bucket-width": "0.0001",
                "event-types": [
                    {"event-type": "failures"},
                    {"event-type": "packet-loss-rate", "summaries": [
                        {"summary-type": "aggregation", "summary-window": 3600}]},
                    {"event-type": "histogram-owdelay", "summaries": [
                        {"summary-type": "aggregation", "summary-window": 86400},
                        {"summary-type": "statistics", "summary-window": 86400},
                        {"summary-type": "statistics", "summary-window": 0}]}]}
        key = self.a.create_metadata(body)["metadata-key"]
        self.assertEqual(self.a.create_metadata(body)["metadata-key"], key)
        hist = {"34.5": "30", "34.3": "440", "34.6": "7", "34.4": "123"}
        r = self.a.bulk_put(key, {"data": [{"ts": 1397807372, "val": [
            {"event-type": "packet-loss-rate",
             "val": {"numerator": "0", "denominator": "600"}},
            {"event-type": "histogram-owdelay", "val": hist}]}]})
        self.assertEqual((r.status, r.raw), (201, b'""'))
        self.assertEqual(self.a.get(R + "/archive/%s/packet-loss-rate/base?time-start="
                                    "1397800000&time-end=1397900000&limit=1000" % key).body,
                         [{"ts": 1397807372, "val": 0.0}])
        ints = {k: int(v) for k, v in hist.items()}
        self.assertEqual(self.a.get(R + "/archive/%s/histogram-owdelay/aggregations/86400"
                                    "?time=1397779200" % key).body,
                         [{"ts": 1397779200, "val": ints}])
        exp_stats = {"mode": [34.3], "mean": 34.333999999999996, "minimum": 34.3,
                     "maximum": 34.6, "percentile-25": 34.3, "median": 34.3,
                     "percentile-75": 34.4, "percentile-95": 34.5,
                     "variance": 0.003944000000000112,
                     "standard-deviation": 0.06280127387243122}
        got = self.a.get(R + "/archive/%s/histogram-owdelay/statistics/0?time=1397807372"
                         % key).body
        self.assertIsNone(refmodel.mismatch(got, [{"ts": 1397807372, "val": exp_stats}]), got)
        got = self.a.get(R + "/archive/%s/histogram-owdelay/statistics/86400?time=1397779200"
                         % key).body
        self.assertIsNone(refmodel.mismatch(got, [{"ts": 1397779200, "val": exp_stats}]), got)
        self.assertEqual(self.summary(key, "packet-loss-rate", "aggregation", 3600),
                         [{"ts": 1397804400, "val": 0.0}])
        found = self.a.get(R + "/archive/?source=10.1.1.1&event-type=histogram-owdelay"
                           "&time-range=86400").body
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["metadata-key"], key)
        self.assertEqual(found[0]["metadata-count-total"], 1)
        self.assertIsNone(found[0]["metadata-previous-page"])
        self.assertIsNone(found[0]["metadata-next-page"])


class Arithmetic(Base):

    def test_worked_values_integer(self):
        key = self.new_key("throughput", [("average", 86400), ("aggregation", 86400)])
        vals = DATA["int_data"]
        self.assertEqual(self.a.post_point(key, "throughput", 1398965989, vals[0]).status, 201)
        self.a.put_points(key, "throughput",
                          [(1398965989 + k * 7200, v) for k, v in enumerate(vals)][1:])
        self.assertEqual(self.summary(key, "throughput", "average", 86400),
                         [{"ts": 1398902400, "val": 6575755000.0}])
        got = self.summary(key, "throughput", "aggregation", 86400)
        self.assertEqual(got, [{"ts": 1398902400, "val": 26303020000.0}])
        self.assertIs(type(got[0]["val"]), float)

    def test_worked_values_float_in_one_bulk(self):
        key = self.new_key("time-error-estimates", [("average", 86400), ("aggregation", 86400)])
        self.a.put_points(key, "time-error-estimates",
                          [(1398965989 + 60 * k, v) for k, v in enumerate(DATA["float_data"])])
        self.assert_series(self.summary(key, "time-error-estimates", "average", 86400),
                           [{"ts": 1398902400, "val": 0.002}])
        self.assert_series(self.summary(key, "time-error-estimates", "aggregation", 86400),
                           [{"ts": 1398902400, "val": 0.01}])

    def test_float_summaries_use_quantised_values(self):
        key = self.new_key("ntp-offset", [("average", 3600), ("aggregation", 3600)])
        self.a.post_point(key, "ntp-offset", 1398902400, 0.0029)
        self.a.post_point(key, "ntp-offset", 1398902460, 0.123456)
        self.assert_series(self.summary(key, "ntp-offset", "aggregation", 3600),
                           [{"ts": 1398902400, "val": 0.1262}])
        self.assert_series(self.summary(key, "ntp-offset", "average", 3600),
                           [{"ts": 1398902400, "val": 0.0631}])

    def test_percentage_aggregation_weights_by_denominator(self):
        key = self.new_key("packet-loss-rate", [("aggregation", 3600), ("aggregation", 86400)])
        perc = DATA["perc_post_data"]
        self.a.post_point(key, "packet-loss-rate", 1398902400, perc[0])
        self.a.put_points(key, "packet-loss-rate",
                          [(1398902460, perc[1]), (1398906000, perc[2]),
                           (1398906060, perc[3])])
        self.assert_series(self.summary(key, "packet-loss-rate", "aggregation", 3600),
                           [{"ts": 1398902400, "val": 54 / 300},
                            {"ts": 1398906000, "val": 16 / 50}])
        self.assert_series(self.summary(key, "packet-loss-rate", "aggregation", 86400),
                           [{"ts": 1398902400, "val": 70 / 350}])

    def test_bin_alignment(self):
        key = self.new_key("packet-count-sent", [
            ("aggregation", 300), ("aggregation", 3600), ("aggregation", 86400),
            ("average", 300)])
        t = 1398902400
        pts = [(t - 1, 1), (t, 2), (t + 299, 4), (t + 300, 8), (t + 3599, 16),
               (t + 3600, 32), (t + 86399, 64), (t + 86400, 128)]
        self.a.put_points(key, "packet-count-sent", pts)
        for w in (300, 3600, 86400):
            with self.subTest(window=w):
                exp = [{"ts": b, "val": float(sum(v))}
                       for b, v in sorted(refmodel.bins(pts, w).items())]
                self.assertEqual(self.summary(key, "packet-count-sent", "aggregation", w),
                                 exp)
                self.assertTrue(all(p["ts"] % w == 0 for p in exp))
        exp = [{"ts": b, "val": sum(v) / len(v)}
               for b, v in sorted(refmodel.bins(pts, 300).items())]
        self.assert_series(self.summary(key, "packet-count-sent", "average", 300), exp)
        # the example of esmond-rest-api §11.2
        self.assertEqual(refmodel.bin_start(1398965989, 86400), 1398902400)

    def test_unregistered_summaries_not_computed(self):
        key = self.new_key("throughput", [("average", 3600)])
        self.a.put_points(key, "throughput", [(1398902400, 5)])
        self.assertEqual(len(self.summary(key, "throughput", "average", 3600)), 1)
        for st, w in (("average", 300), ("aggregation", 3600), ("average", 86400)):
            with self.subTest(st=st, w=w):
                self.assertEqual(self.summary(key, "throughput", st, w), [])


class HistogramAggregation(Base):

    def test_bulk_sums_all_points_of_a_bin(self):
        key = self.new_key("histogram-owdelay", [("aggregation", 86400), ("statistics", 86400)])
        hists = DATA["hist_data"]
        self.a.put_points(key, "histogram-owdelay",
                          [(1398965989 + 600 * i, h) for i, h in enumerate(hists)])
        more = {"41.00": 4, "60": 1}
        self.assertEqual(self.a.post_point(key, "histogram-owdelay", 1398970000, more).status,
                         201)
        total = refmodel.hist_sum(hists + [more])
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 86400),
                         [{"ts": 1398902400, "val": total}])
        self.assert_series(self.summary(key, "histogram-owdelay", "statistics", 86400),
                           [{"ts": 1398902400, "val": refmodel.hist_stats(total)}])

    def test_two_bulk_requests_into_one_bin(self):
        key = self.new_key("histogram-owdelay", [("aggregation", 3600)])
        h = [{"1": 1}, {"1": 2, "2": 1}, {"3": 5}, {"1": 1, "3": 1}]
        self.a.put_points(key, "histogram-owdelay", [(1398902400, h[0]), (1398902460, h[1])])
        self.a.put_points(key, "histogram-owdelay", [(1398902520, h[2]), (1398902580, h[3])])
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 3600),
                         [{"ts": 1398902400, "val": refmodel.hist_sum(h)}])

    def test_repost_replaces_histogram_in_aggregates(self):
        key = self.new_key("histogram-owdelay",
                           [("aggregation", 3600), ("statistics", 3600), ("statistics", 0)])
        t1, t2 = 1398902400, 1398902460
        h1, h2, h1b = {"10": 5, "20": 5}, {"20": 1, "30": 2}, {"10": 1, "20": 1, "40": 7}
        self.a.post_point(key, "histogram-owdelay", t1, h1)
        self.a.post_point(key, "histogram-owdelay", t2, h2)
        self.assertEqual(self.a.post_point(key, "histogram-owdelay", t1, h1b).status, 201)
        total = refmodel.hist_sum([h1b, h2])
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 3600),
                         [{"ts": t1, "val": total}])
        self.assert_series(self.summary(key, "histogram-owdelay", "statistics", 3600),
                           [{"ts": t1, "val": refmodel.hist_stats(total)}])
        self.assert_series(self.summary(key, "histogram-owdelay", "statistics", 0, time=t1),
                           [{"ts": t1, "val": refmodel.hist_stats(h1b)}])
        # the same through a bulk re-send
        self.a.put_points(key, "histogram-owdelay", [(t2, {"30": 1})])
        total = refmodel.hist_sum([h1b, {"30": 1}])
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 3600),
                         [{"ts": t1, "val": total}])

    def test_repost_drops_buckets_no_longer_present(self):
        key = self.new_key("histogram-owdelay", [("aggregation", 3600), ("statistics", 3600)])
        t1 = 1398902400
        self.a.post_point(key, "histogram-owdelay", t1, {"5": 3, "50": 1})
        self.a.post_point(key, "histogram-owdelay", t1, {"5": 3})
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 3600),
                         [{"ts": t1, "val": {"5": 3}}])
        self.assert_series(self.summary(key, "histogram-owdelay", "statistics", 3600),
                           [{"ts": t1, "val": refmodel.hist_stats({"5": 3})}])

    def test_statistics_without_aggregation_use_full_bin(self):
        key = self.new_key("histogram-owdelay", [("statistics", 3600)])
        h = [{"10": 3}, {"20": 1}, {"10": 1, "30": 2}]
        self.a.post_point(key, "histogram-owdelay", 1398902400, h[0])
        self.a.put_points(key, "histogram-owdelay", [(1398902500, h[1]), (1398902600, h[2])])
        self.assert_series(self.summary(key, "histogram-owdelay", "statistics", 3600),
                           [{"ts": 1398902400, "val": refmodel.hist_stats(refmodel.hist_sum(h))}])
        self.assertEqual(self.summary(key, "histogram-owdelay", "aggregation", 3600), [])

    def test_bucket_keys_compared_as_strings(self):
        key = self.new_key("histogram-rtt", [("aggregation", 3600)])
        self.a.put_points(key, "histogram-rtt", [(1398902400, {"41.00": 1, "41.0": 2}),
                                                 (1398902401, {"41.00": 3})])
        self.assertEqual(self.summary(key, "histogram-rtt", "aggregation", 3600),
                         [{"ts": 1398902400, "val": {"41.00": 4, "41.0": 2}}])

    def test_non_numeric_bucket_makes_bin_statistics_empty(self):
        key = self.new_key("histogram-rtt", [("aggregation", 86400), ("statistics", 86400)])
        self.a.put_points(key, "histogram-rtt", [(1398965989, {"41.00": 98})])
        self.assertNotEqual(self.summary(key, "histogram-rtt", "statistics", 86400)[0]["val"],
                            {})
        self.assertEqual(self.a.post_point(key, "histogram-rtt", 1398966989,
                                           {"test": 100}).status, 201)
        self.assertEqual(self.summary(key, "histogram-rtt", "statistics", 86400),
                         [{"ts": 1398902400, "val": {}}])
        self.assertEqual(self.summary(key, "histogram-rtt", "aggregation", 86400),
                         [{"ts": 1398902400, "val": {"41.00": 98, "test": 100}}])


if __name__ == "__main__":
    unittest.main()
