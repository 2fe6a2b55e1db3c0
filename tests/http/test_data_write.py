"""Data writes (esmond-rest-api §10, §12.2-§12.6, §16 items 2, 7 and 9, §18):
the data_tests scenarios of esmond's test_api.py, per-type validation and
normalisation, 409 duplicates, bulk validation and atomicity, time-updated."""

import json
import re
import time
import unittest

import refmodel
from harness import ArchiveCase, R, R2, bulk_body, load_json, p2p_body

PAYLOADS = load_json("esmond", "extracted", "test_api_payloads.json")
DATA = PAYLOADS["PSArchiveResourceDataTest.setUp"]
API_LIST = load_json("esmond", "derived", "perfsonar_api_metadata.expected-list.json")
API_BODIES = load_json("esmond", "derived", "perfsonar_api_metadata.post-bodies.json")
NUMERIC = {"throughput", "time-error-estimates", "packet-loss-rate"}

CT_MSG = "Must post content-type: application/json header and json-formatted payload."


class WriteCase(ArchiveCase):
    """One archive for the class, with write/read helpers."""

    def new_key(self, event_types, **kw):
        return self.a.create_metadata(p2p_body(event_types, **kw))["metadata-key"]

    def assert_status(self, r, status, detail=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        if status >= 400:
            self.assertIsInstance(r.detail, str, r)
        if detail is not None:
            self.assertEqual(r.detail.rstrip(), detail.rstrip())

    def read(self, key, et, **q):
        q.setdefault("time-start", 0)
        return self.a.get_data(key, et, **q)


class ReferenceScenarios(WriteCase):
    """data_tests of test_api_payloads.json against freshly posted copies of
    the fixture objects f6b732e9... and 67a3c298... (the cases of esmond's test_api.py, esmond-rest-api §11.3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keymap = {}
        for i, m in enumerate(API_LIST):
            if m["metadata-key"][:8] in ("f6b732e9", "67a3c298"):
                md = cls.a.create_metadata(API_BODIES[i], prefix=R2)
                cls.keymap[m["metadata-key"]] = md["metadata-key"]

    def url(self, path):
        for old, new in self.keymap.items():
            path = path.replace(old, new)
        return path

    def normalised(self, t, i):
        v = DATA[t["data"]][i]
        if t["data"] == "int_data":
            return float(v)
        if t["data"] == "perc_post_data":
            return DATA["perc_expected_data"][i]
        return v

    def run_scenario(self, et, expected=None):
        """Run the data_test of event type et; then, when `expected` names a
        member of it ("expected", ...), check the series that member lists.
        Returns (the scenario, the base points read back)."""
        t = self.scenario(et)
        base = self.url(t["base_url"])
        bulk = self.url(t["bulk_url"])
        values = DATA[t["data"]]
        start, step = t["start"], t["interval"]
        for bad in t.get("invalid_values_expect_400", []):
            with self.subTest(invalid=bad):
                self.assert_status(self.a.post(base, {"ts": start, "val": bad}), 400)
        r = self.a.post(base, {"ts": start, "val": values[0]})
        self.assert_status(r, 201)
        self.assertEqual(r.raw, b'""')
        got = self.a.get(base + "?time=%d" % start).body
        self.assertIsNone(refmodel.mismatch(got, [{"ts": start, "val": self.normalised(t, 0)}]),
                          got)
        if et in NUMERIC:
            r = self.a.post(base, {"ts": start, "val": values[0]})
            self.assert_status(r, 409, "Time series value already exists with event "
                               "type %s at time %d" % (et, start))
        body = {"data": [{"ts": start + i * step, "val": [
            {"event-type": et, "val": values[i]}]} for i in range(1, len(values))]}
        self.assert_status(self.a.put(bulk, body), 201)
        last = start + (len(values) - 1) * step
        got = self.a.get(base + "?time-start=%d&time-end=%d" % (start, last)).body
        exp = [{"ts": start + i * step, "val": self.normalised(t, i)}
               for i in range(len(values))]
        self.assertIsNone(refmodel.mismatch(got, exp), got)
        if expected is not None:
            self.check_expected(t[expected])
        return t, got

    def scenario(self, et):
        return [t for t in PAYLOADS["data_tests"] if t["event_type"] == et][0]

    def check_expected(self, expected):
        for path, exp in expected.items():
            got = self.a.get(self.url(path)).body
            self.assertIsNone(refmodel.mismatch(got, exp), "%s: %r" % (path, got))

    def test_integer_throughput(self):
        t, got = self.run_scenario("throughput")
        self.assertTrue(all(type(p["val"]) is float for p in got))
        self.check_expected(t["expected"])

    def test_float_time_error_estimates(self):
        self.run_scenario("time-error-estimates", "expected")

    def test_json_failures(self):
        self.run_scenario("failures")

    def test_percentage_packet_loss_rate(self):
        self.run_scenario("packet-loss-rate", "expected")

    def test_subinterval_throughput_subintervals(self):
        self.run_scenario("throughput-subintervals")

    def test_histogram_rtt_correct_aggregation(self):
        t, _ = self.run_scenario("histogram-rtt", "expected_correct_aggregation")
        agg = self.a.get(self.url(list(t["expected_correct_aggregation"])[0])).body
        self.assertTrue(all(type(c) is int for c in agg[0]["val"].values()))
        then = t["then"]
        base = self.url(t["base_url"])
        self.assert_status(self.a.post(base, then["post"]), then["expect_status"])
        stats_path = [p for p in t["expected_correct_aggregation"] if "statistics" in p][0]
        self.assertEqual(self.a.get(self.url(stats_path)).body,
                         then["expected_statistics_86400"])


class Validation(WriteCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.a.create_metadata(p2p_body([
            "throughput", "time-error-estimates", "packet-loss-rate",
            "histogram-rtt", "throughput-subintervals", "failures",
            "pscheduler-raw"]))["metadata-key"]
        cls.ts = 1400000000

    def next_ts(self):
        type(self).ts += 10
        return self.ts

    def post(self, et, val, ts=None, **kw):
        ts = self.next_ts() if ts is None else ts
        return ts, self.a.post(R + "/archive/%s/%s/base" % (self.key, et),
                               {"ts": ts, "val": val}, **kw)

    def roundtrip(self, et, val):
        ts, r = self.post(et, val)
        self.assert_status(r, 201)
        got = self.read(self.key, et, time=ts)
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["ts"], ts)
        return got[0]["val"]

    def rejected(self, et, val, detail=None):
        ts, r = self.post(et, val)
        self.assert_status(r, 400, detail)
        self.assertEqual(self.read(self.key, et, time=ts), [])

    # -- integer -------------------------------------------------------------------

    def test_integer_normalisation(self):
        for val, exp in ((5978580000, 5978580000.0), ("1000000000", 1000000000.0),
                         (1.9, 1.0), (-1.9, -1.0), (" 42 ", 42.0), (-5, -5.0),
                         (0, 0.0), (7.0, 7.0)):
            with self.subTest(val):
                got = self.roundtrip("throughput", val)
                self.assertIs(type(got), float)
                self.assertEqual(got, exp)

    def test_integer_invalid(self):
        for val in ("bad input", "1.5", "1e3", "abc", ""):
            with self.subTest(val):
                self.rejected("throughput", val, "Value must be an integer")
        for val in (None, {}, [], [1], {"a": 1}):
            with self.subTest(val):
                self.rejected("throughput", val)

    # -- float -----------------------------------------------------------------------

    def test_float_quantisation(self):
        for val, exp in ((0.123456, 0.1234), (0.0029, 0.0028), (0.001, 0.001),
                         ("2.5", 2.5), (-0.00015, -0.0001), (1e-05, 0.0),
                         (123456.78919, 123456.7891), (3, 3.0), (-2.71828, -2.7182),
                         (1.0000999, 1.0)):
            with self.subTest(val):
                got = self.roundtrip("time-error-estimates", val)
                self.assertIs(type(got), float)
                self.assertEqual(got, exp)

    def test_float_invalid(self):
        self.rejected("time-error-estimates", "bad input",
                      "Value must be a floating point number")
        for val in ("nan", "NaN", "inf", "-inf", "Infinity", None, {}, [], ""):
            with self.subTest(val):
                self.rejected("time-error-estimates", val)
        for raw in ("NaN", "Infinity", "-Infinity"):
            with self.subTest(raw):
                ts = self.next_ts()
                r = self.a.post(R + "/archive/%s/time-error-estimates/base" % self.key,
                                ('{"ts": %d, "val": %s}' % (ts, raw)).encode())
                self.assert_status(r, 400)
                self.assertEqual(self.read(self.key, "time-error-estimates", time=ts), [])

    # -- percentage ------------------------------------------------------------------

    def test_percentage_values(self):
        for val, exp in (({"numerator": 4, "denominator": 100}, 0.04),
                         ({"numerator": "0", "denominator": "600"}, 0.0),
                         ({"numerator": 15, "denominator": 10}, 1.5),
                         ({"numerator": 1, "denominator": 3}, 1 / 3)):
            with self.subTest(val):
                got = self.roundtrip("packet-loss-rate", val)
                self.assertIs(type(got), float)
                self.assertTrue(abs(got - exp) <= 1e-12 * max(1, abs(exp)), got)

    def test_percentage_messages(self):
        cases = [({}, "Missing required field 'numerator'"),
                 ({"numerator": 10}, "Missing required field 'denominator'"),
                 ({"denominator": 10}, "Missing required field 'numerator'"),
                 ({"numerator": "bad", "denominator": "bad"},
                  "The field 'numerator' must be an integer"),
                 ({"numerator": 10, "denominator": "bad"},
                  "The field 'denominator' must be an integer"),
                 ({"numerator": 10, "denominator": 0},
                  "The field 'denominator' must be greater than 0"),
                 ({"numerator": 10, "denominator": -3},
                  "The field 'denominator' must be greater than 0"),
                 ({"numerator": -1, "denominator": 10},
                  "The field 'numerator' cannot be negative"),
                 ({"numerator": "bad", "denominator": 10},
                  "The field 'numerator' must be an integer"),
                 ({"numerator": None, "denominator": 10},
                  "The field 'numerator' must be an integer"),
                 ({"numerator": 1, "denominator": [1]},
                  "The field 'denominator' must be an integer")]
        for val, detail in cases:
            with self.subTest(val):
                self.rejected("packet-loss-rate", val, detail)
        for val in ("bad input", None, 5, [], [1, 2]):
            with self.subTest(val):
                self.rejected("packet-loss-rate", val)

    # -- histogram ---------------------------------------------------------------------

    def test_histogram_values(self):
        self.assertEqual(self.roundtrip("histogram-rtt", {"59": "600"}), {"59": 600})
        self.assertEqual(self.roundtrip("histogram-rtt", {"1": 2.7, "2": "30"}),
                         {"1": 2, "2": 30})
        got = self.roundtrip("histogram-rtt", {"41.00": 1, "41.0": 2, "41": 3})
        self.assertEqual(got, {"41.00": 1, "41.0": 2, "41": 3})
        self.assertTrue(all(type(c) is int for c in got.values()))

    def test_histogram_invalid(self):
        self.rejected("histogram-rtt", {"41.0": "bad", "42.2": 20},
                      "Value of histogram must be an integer")
        for val in ("bad input", 5):
            with self.subTest(val):
                self.rejected("histogram-rtt", val, "Invalid histogram provided")
        for val in (None, [1, 2], [0], {"a": None}, {"a": [1]}, {"a": {}}):
            with self.subTest(val):
                self.rejected("histogram-rtt", val)

    # -- subinterval --------------------------------------------------------------------

    def test_subinterval_values(self):
        for val in (DATA["subint_data"][0],
                    [{"start": 0.0, "duration": 1.000232, "val": 9.41e9}],
                    [{"start": "0", "duration": "1", "val": None, "extra": "kept"}]):
            with self.subTest(val):
                self.assertEqual(self.roundtrip("throughput-subintervals", val), val)

    def test_subinterval_messages(self):
        et = "throughput-subintervals"
        for field, val in (("start", [{"duration": 1, "val": 1}]),
                           ("duration", [{"start": 1, "val": 1}]),
                           ("val", [{"duration": 1, "start": 1}])):
            with self.subTest(field):
                self.rejected(et, val, "Interval must contain '%s' field at position 1"
                              % field)
        self.rejected(et, [{"start": 0, "duration": 1, "val": 1}, {"start": 1, "val": 1}],
                      "Interval must contain 'duration' field at position 2")
        for val in ([{"duration": "bad", "start": 1, "val": 1}],
                    [{"duration": 1, "start": "bad", "val": 1}],
                    [{"duration": None, "start": 1, "val": 1}]):
            with self.subTest(val):
                self.rejected(et, val,
                              "Subinterval 'start' and 'duration' must be floating point numbers")
        for val in ("bad input", {}, [{}], [], 5, None, [5], [[]]):
            with self.subTest(val):
                self.rejected(et, val)

    # -- json -----------------------------------------------------------------------------

    def test_json_values_round_trip(self):
        for val in ({"error": "error1"}, None, "text", 5, 1.5, [1, [2, {"a": None}]],
                    True, {"nested": {"k": [1.0, "x"]}}, "h\u00e9llo \u2603"):
            with self.subTest(val):
                got = self.roundtrip("failures", val)
                self.assertEqual(got, val)
                self.assertIs(type(got), type(val))

    def test_json_number_nature_kept(self):
        ts = self.next_ts()
        r = self.a.post(R + "/archive/%s/pscheduler-raw/base" % self.key,
                        ('{"ts": %d, "val": {"a": 1.0, "b": 1, "c": 1e3}}' % ts).encode())
        self.assert_status(r, 201)
        got = self.read(self.key, "pscheduler-raw", time=ts)[0]["val"]
        self.assertEqual(got, {"a": 1.0, "b": 1, "c": 1000.0})
        self.assertIs(type(got["a"]), float)
        self.assertIs(type(got["b"]), int)
        self.assertIs(type(got["c"]), float)

    def test_nan_in_json_value_400(self):
        ts = self.next_ts()
        r = self.a.post(R + "/archive/%s/failures/base" % self.key,
                        ('{"ts": %d, "val": {"x": NaN}}' % ts).encode())
        self.assert_status(r, 400)

    # -- number rendering (esmond-rest-api §13) --------------------------------------------

    def test_python_float_rendering(self):
        cases = [("throughput", 5978580000, b"5978580000.0"),
                 ("throughput", 0, b"0.0"),
                 ("throughput", 10 ** 16, b"1e+16"),
                 ("throughput", 123456789012345678, b"1.2345678901234568e+17"),
                 ("time-error-estimates", 0.0029, b"0.0028"),
                 ("time-error-estimates", 41.097, b"41.097"),
                 ("time-error-estimates", 0.0001, b"0.0001"),
                 ("packet-loss-rate", {"numerator": 1, "denominator": 3},
                  b"0.3333333333333333"),
                 ("packet-loss-rate", {"numerator": 7, "denominator": 150},
                  b"0.04666666666666667")]
        for et, val, text in cases:
            with self.subTest(et=et, val=val):
                ts, r = self.post(et, val)
                self.assert_status(r, 201)
                r = self.a.get(self.a.data_path(self.key, et, time=ts))
                m = re.search(rb'"val"\s*:\s*([^,}\]]+)', r.raw)
                self.assertIsNotNone(m, r.raw)
                self.assertEqual(m.group(1).strip(), text)

    # -- ts / val members -------------------------------------------------------------------

    def test_ts_and_val_members(self):
        base = R + "/archive/%s/throughput/base" % self.key
        self.assert_status(self.a.post(base, {"val": 1}), 400,
                           "Required field ts not provided in request")
        self.assert_status(self.a.post(base, {"ts": self.next_ts()}), 400,
                           "Required field val not provided in request")
        for bad in ("abc", "1.5e9", None, [], {}, ""):
            with self.subTest(ts=bad):
                self.assert_status(self.a.post(base, {"ts": bad, "val": 1}), 400,
                                   "Time must be a unix timestamp")
        ts = self.next_ts()
        self.assert_status(self.a.post(base, {"ts": str(ts), "val": "7"}), 201)
        self.assertEqual(self.read(self.key, "throughput", time=ts), [{"ts": ts, "val": 7.0}])
        ts = self.next_ts()
        self.assert_status(self.a.post(base, {"ts": ts + 0.7, "val": 8, "extra": 1}), 201)
        self.assertEqual(self.read(self.key, "throughput", time=ts), [{"ts": ts, "val": 8.0}])

    # -- request format ------------------------------------------------------------------------

    def test_content_type_and_payload_messages(self):
        base = R + "/archive/%s/throughput/base" % self.key
        body = {"ts": self.next_ts(), "val": 1}
        for ctype in (None, "text/plain", "application/x-www-form-urlencoded"):
            with self.subTest(ctype):
                self.assert_status(self.a.post(base, body, content_type=ctype), 400, CT_MSG)
        self.assert_status(self.a.post(base, b""), 400, "No data payload POSTed.")
        self.assert_status(self.a.post(base, b"not json"), 400,
                           "POST data payload could not be decoded to a JSON object - "
                           "given: not json")
        for raw in (b"[1]", b"5", b"\"s\"", b"null"):
            with self.subTest(raw):
                self.assert_status(self.a.post(base, raw), 400)
        self.assert_status(self.a.post(base, body,
                                       content_type="application/json; charset=utf-8"), 201)
        self.assert_status(self.a.put(R + "/archive/%s/" % self.key, {"data": []},
                                      content_type="text/plain"), 400, CT_MSG)

    def test_route_errors(self):
        k = self.key
        body = {"ts": self.next_ts(), "val": 1}
        self.assert_status(self.a.post(R + "/archive/%s/bogus/base" % k, body), 400,
                           "Invalid event type bogus")
        self.assert_status(self.a.post(R + "/archive/%s/throughput/aggregations/86400" % k,
                                       body), 400,
                           "Only base summary-type allowed for writing. Cannot use aggregations")
        self.assert_status(self.a.post(R + "/archive/%s/throughput/averages/3600" % k,
                                       body), 400,
                           "Only base summary-type allowed for writing. Cannot use averages")
        self.assert_status(self.a.post(R + "/archive/%s/throughput/" % k, body), 405)
        self.assert_status(self.a.post(R + "/archive/ffffffffffffffffffffffffffffffff/"
                                       "throughput/base", body), 404, "Not found.")
        self.assert_status(self.a.put(R + "/archive/ffffffffffffffffffffffffffffffff/",
                                      bulk_body({"throughput": [(1, 1)]})), 404, "Not found.")
        self.assert_status(self.a.post(R + "/archive/%s/packet-count-sent/base" % k, body),
                           400)
        self.assertEqual(self.read(k, "packet-count-sent"), [])
        self.assertEqual(self.read(k, "throughput", time=body["ts"]), [])

    def test_overwrite_for_non_numeric_types(self):
        ts = self.next_ts()
        for et, v1, v2 in (("failures", {"error": "a"}, {"error": "b"}),
                           ("histogram-rtt", {"1": 1}, {"2": 2}),
                           ("throughput-subintervals",
                            [{"start": 0, "duration": 1, "val": 1}],
                            [{"start": 0, "duration": 2, "val": 2}])):
            with self.subTest(et):
                self.assert_status(self.post(et, v1, ts=ts)[1], 201)
                self.assert_status(self.post(et, v2, ts=ts)[1], 201)
                self.assertEqual(self.read(self.key, et, time=ts), [{"ts": ts, "val": v2}])

    def test_409_for_numeric_types(self):
        for et, v in (("throughput", 1), ("time-error-estimates", 0.5),
                      ("packet-loss-rate", {"numerator": 1, "denominator": 2})):
            with self.subTest(et):
                ts = self.next_ts()
                self.assert_status(self.post(et, v, ts=ts)[1], 201)
                first = self.read(self.key, et, time=ts)
                other = 2 if et == "throughput" else (
                    0.25 if et == "time-error-estimates" else
                    {"numerator": 1, "denominator": 4})
                r = self.post(et, other, ts=ts)[1]
                self.assert_status(r, 409, "Time series value already exists with event "
                                   "type %s at time %d" % (et, ts))
                self.assertEqual(self.read(self.key, et, time=ts), first)
                r = self.a.bulk_put(self.key, bulk_body({et: [(ts, v)]}))
                self.assert_status(r, 409)


class Bulk(WriteCase):

    def setUp(self):
        self.key = self.new_key([("throughput", [("aggregation", 86400)]),
                                 ("histogram-rtt", [("aggregation", 86400)]),
                                 "failures", "packet-loss-rate"])
        self.put_url = R + "/archive/%s/" % self.key

    def md(self):
        return self.a.get(self.put_url).body

    def test_mixed_event_types_per_timestamp(self):
        body = {"data": [{"ts": 1397807404, "val": [
            {"event-type": "throughput", "val": "8446270000"},
            {"event-type": "failures", "val": {"error": "x"}},
            {"event-type": "packet-loss-rate", "val": {"numerator": "0", "denominator": "600"}},
            {"event-type": "histogram-rtt", "val": {"34.5": "30"}}]}]}
        self.assert_status(self.a.bulk_put(self.key, body), 201)
        ts = 1397807404
        self.assertEqual(self.read(self.key, "throughput", time=ts),
                         [{"ts": ts, "val": 8446270000.0}])
        self.assertEqual(self.read(self.key, "failures", time=ts),
                         [{"ts": ts, "val": {"error": "x"}}])
        self.assertEqual(self.read(self.key, "packet-loss-rate", time=ts),
                         [{"ts": ts, "val": 0.0}])
        self.assertEqual(self.read(self.key, "histogram-rtt", time=ts),
                         [{"ts": ts, "val": {"34.5": 30}}])

    def test_legacy_bulk_post(self):
        r = self.a.post(self.put_url, bulk_body({"throughput": [(1397807404, 5)]}))
        self.assert_status(r, 201)
        self.assertEqual(r.raw, b'""')
        self.assertEqual(self.read(self.key, "throughput"), [{"ts": 1397807404, "val": 5.0}])

    def test_bulk_messages(self):
        cases = [({}, "Request must contain 'data' element"),
                 ({"data": 5}, "The 'data' element must be an array"),
                 ({"data": {"ts": 1}}, "The 'data' element must be an array"),
                 ({"data": [{"val": []}]}, "Missing ts field in provided data list at position 1"),
                 ({"data": [{"ts": 1, "val": []}, {"val": []}]},
                  "Missing ts field in provided data list at position 2"),
                 ({"data": [{"ts": 1}]}, "Missing val field in provided data list at position 1"),
                 ({"data": [{"ts": 1, "val": 5}]},
                  "'val' field must be an array in provided data list at position 1"),
                 ({"data": [{"ts": 1, "val": {"event-type": "failures"}}]},
                  "'val' field must be an array in provided data list at position 1"),
                 ({"data": [{"ts": 1, "val": [{"val": 1}]}]},
                  "Missing event-type field at data item 1 in value 1"),
                 ({"data": [{"ts": 1, "val": [{"event-type": "failures", "val": 1},
                                              {"event-type": "failures"}]}]},
                  "Missing val field at data item 1 in value 2"),
                 ({"data": [{"ts": 1, "val": []},
                            {"ts": 2, "val": [{"event-type": "failures"}]}]},
                  "Missing val field at data item 2 in value 1")]
        for body, detail in cases:
            with self.subTest(detail):
                self.assert_status(self.a.bulk_put(self.key, body), 400, detail)

    def test_bulk_item_validation_400(self):
        for item in ({"ts": "abc", "val": [{"event-type": "failures", "val": 1}]},
                     {"ts": None, "val": [{"event-type": "failures", "val": 1}]},
                     {"ts": 1, "val": [{"event-type": "bogus", "val": 1}]},
                     {"ts": 1, "val": [{"event-type": "packet-count-sent", "val": 1}]},
                     {"ts": 1, "val": [{"event-type": "throughput", "val": "x"}]},
                     {"ts": 1, "val": [{"event-type": "packet-loss-rate", "val": {}}]},
                     {"ts": 1, "val": [{"event-type": "histogram-rtt", "val": [1]}]},
                     {"ts": 1, "val": [5]}, {"ts": 1, "val": [None]}, 5, None):
            with self.subTest(item):
                self.assert_status(self.a.bulk_put(self.key, {"data": [item]}), 400)

    def assert_nothing_stored(self, before):
        for et in ("throughput", "failures", "histogram-rtt", "packet-loss-rate"):
            self.assertEqual(self.read(self.key, et), before.get(et, []), et)
        for ts in (1398902400,):
            agg = self.a.get_data(self.key, "histogram-rtt", "aggregations", 86400,
                                  time=ts)
            self.assertEqual(agg, before.get("hagg", []))
            agg = self.a.get_data(self.key, "throughput", "aggregations", 86400, time=ts)
            self.assertEqual(agg, before.get("tagg", []))

    def snapshot(self):
        s = {et: self.read(self.key, et) for et in
             ("throughput", "failures", "histogram-rtt", "packet-loss-rate")}
        s["hagg"] = self.a.get_data(self.key, "histogram-rtt", "aggregations", 86400,
                                    time=1398902400)
        s["tagg"] = self.a.get_data(self.key, "throughput", "aggregations", 86400,
                                    time=1398902400)
        return s

    def test_atomic_on_400(self):
        self.a.put_points(self.key, "throughput", [(1398965989, 10)])
        self.a.put_points(self.key, "histogram-rtt", [(1398965989, {"1": 1})])
        before = self.snapshot()
        tu_before = self.md()["event-types"]
        body = {"data": [
            {"ts": 1398966000, "val": [{"event-type": "throughput", "val": 5},
                                       {"event-type": "failures", "val": {"e": 1}},
                                       {"event-type": "histogram-rtt", "val": {"1": 5}}]},
            {"ts": 1398966060, "val": [{"event-type": "packet-loss-rate",
                                        "val": {"numerator": 1, "denominator": 0}}]}]}
        self.assert_status(self.a.bulk_put(self.key, body), 400,
                           "The field 'denominator' must be greater than 0")
        self.assert_nothing_stored(before)
        self.assertEqual(self.md()["event-types"], tu_before)

    def test_atomic_on_409_with_stored_point(self):
        self.a.put_points(self.key, "throughput", [(1398965989, 10)])
        before = self.snapshot()
        body = {"data": [
            {"ts": 1398966000, "val": [{"event-type": "throughput", "val": 5},
                                       {"event-type": "histogram-rtt", "val": {"1": 5}},
                                       {"event-type": "failures", "val": {"e": 1}}]},
            {"ts": 1398965989, "val": [{"event-type": "throughput", "val": 11}]}]}
        self.assert_status(self.a.bulk_put(self.key, body), 409,
                           "Time series value already exists with event type throughput "
                           "at time 1398965989")
        self.assert_nothing_stored(before)

    def test_duplicate_within_one_request_409(self):
        before = self.snapshot()
        for et, v in (("throughput", 5),
                      ("packet-loss-rate", {"numerator": 1, "denominator": 2})):
            with self.subTest(et):
                body = {"data": [
                    {"ts": 1398966000, "val": [{"event-type": et, "val": v},
                                               {"event-type": "failures", "val": 1}]},
                    {"ts": 1398966000, "val": [{"event-type": et, "val": v}]}]}
                self.assert_status(self.a.bulk_put(self.key, body), 409)
                body = {"data": [{"ts": 1398966000, "val": [
                    {"event-type": et, "val": v}, {"event-type": et, "val": v}]}]}
                self.assert_status(self.a.bulk_put(self.key, body), 409)
        self.assert_nothing_stored(before)

    def test_bulk_409_on_resend(self):
        body = bulk_body({"throughput": [(1398966000, 1), (1398966060, 2)]})
        self.assert_status(self.a.bulk_put(self.key, body), 201)
        self.assert_status(self.a.bulk_put(self.key, body), 409)
        self.assertEqual([p["val"] for p in self.read(self.key, "throughput")], [1.0, 2.0])
        agg = self.a.get_data(self.key, "throughput", "aggregations", 86400,
                              time=1398902400)
        self.assertEqual(agg, [{"ts": 1398902400, "val": 3.0}])

    def test_repeated_histogram_in_one_request_last_wins(self):
        body = {"data": [{"ts": 1398966000, "val": [
            {"event-type": "histogram-rtt", "val": {"1": 1}}]},
            {"ts": 1398966000, "val": [{"event-type": "histogram-rtt", "val": {"2": 2}}]}]}
        r = self.a.bulk_put(self.key, body)
        self.assert_status(r, 201)
        self.assertEqual(self.read(self.key, "histogram-rtt"),
                         [{"ts": 1398966000, "val": {"2": 2}}])
        agg = self.a.get_data(self.key, "histogram-rtt", "aggregations", 86400,
                              time=1398902400)
        self.assertEqual(agg, [{"ts": 1398902400, "val": {"2": 2}}])


class TimeUpdated(WriteCase):

    def test_time_updated_set_on_write(self):
        key = self.new_key([("throughput", [("average", 3600), ("aggregation", 86400)]),
                            "failures"])
        md = self.a.get(R + "/archive/%s/" % key).body
        for et in md["event-types"]:
            self.assertIsNone(et["time-updated"])
            for s in et["summaries"]:
                self.assertIsNone(s["time-updated"])
        before = int(time.time())
        self.a.put_points(key, "throughput", [(1000, 1)])
        after = int(time.time())
        md = self.a.get(R + "/archive/%s/" % key).body
        ets = {e["event-type"]: e for e in md["event-types"]}
        tu = ets["throughput"]["time-updated"]
        self.assertIs(type(tu), int)
        self.assertTrue(before <= tu <= after, (before, tu, after))
        self.assertEqual([s["time-updated"] for s in ets["throughput"]["summaries"]],
                         [tu, tu])
        self.assertIsNone(ets["failures"]["time-updated"])
        # a rejected write leaves it alone
        time.sleep(1.1)
        self.assertEqual(self.a.post_point(key, "throughput", 1000, 2).status, 409)
        self.assertEqual(self.a.post_point(key, "throughput", 1001, "x").status, 400)
        md2 = self.a.get(R + "/archive/%s/" % key).body
        self.assertEqual(md2["event-types"], md["event-types"])
        # a later write moves it forward
        self.assertEqual(self.a.post_point(key, "throughput", 1001, 2).status, 201)
        md3 = self.a.get(R + "/archive/%s/" % key).body
        tu3 = [e for e in md3["event-types"] if e["event-type"] == "throughput"][0][
            "time-updated"]
        self.assertGreater(tu3, tu)


if __name__ == "__main__":
    unittest.main()
