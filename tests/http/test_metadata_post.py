"""Metadata creation (esmond-rest-api §6, §12.1, §16 item 4, §18):
validation messages, identity/de-duplication rules, rendering of values."""

import copy
import json
import re
import unittest

from harness import ArchiveCase, R, R2, load_json, p2p_body

PAYLOADS = load_json("esmond", "extracted", "test_api_payloads.json")
POST_DATA = PAYLOADS["PSArchiveResourceTest.setUp"]["post_data"]


def _base(test_id=None, **over):
    """A valid metadata body; `over` replaces or adds members verbatim."""
    extra = {"test_id": test_id} if test_id else {}
    body = p2p_body(["packet-retransmits",
                     ("throughput", [("average", 86400)])], **extra)
    body.update(over)
    return body


class MetadataPost(ArchiveCase):

    def post(self, body, prefix=R):
        return self.a.post(prefix + "/archive/", body)

    def key_of(self, body):
        r = self.post(body)
        self.assertEqual(r.status, 201, r)
        return r.body["metadata-key"]

    def assert_400(self, body, detail=None):
        r = self.post(body)
        self.assertEqual(r.status, 400, "%r -> %r" % (body, r))
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertIsInstance(r.detail, str, r)
        if detail is not None:
            self.assertEqual(r.detail, detail)
        return r

    # -- the reference scenario (test_post_metadata_list) -----------------------

    def test_reference_post_data(self):
        body = copy.deepcopy(POST_DATA)
        r = self.a.post(R2 + "/archive/", body)
        self.assertEqual(r.status, 201, r)
        md = r.body
        key = md["metadata-key"]
        self.assertRegex(key, r"^[A-Za-z0-9_-]+$")
        host = "127.0.0.1:%d" % self.a.port
        uri = "/perfsonar/archive/%s/" % key
        self.assertEqual(md["uri"], uri)
        self.assertEqual(md["url"], "http://%s%s" % (host, uri))
        self.assertEqual(r.header("Location"), "http://%s%s" % (host, uri))
        expected_fields = {k: v for k, v in POST_DATA.items() if k != "event-types"}
        expected_fields["time-interval"] = "7200"
        expected_fields["time-duration"] = "20"
        for k, v in expected_fields.items():
            self.assertEqual(md[k], v, k)
        self.assertEqual(set(md) - set(expected_fields),
                         {"metadata-key", "event-types", "uri", "url"})
        self.assertEqual(md["event-types"], [
            {"base-uri": uri + "packet-retransmits/base",
             "event-type": "packet-retransmits", "time-updated": None,
             "summaries": []},
            {"base-uri": uri + "throughput/base", "event-type": "throughput",
             "time-updated": None, "summaries": [
                 {"uri": uri + "throughput/averages/86400",
                  "summary-type": "average", "summary-window": "86400",
                  "time-updated": None}]}])
        # idempotent re-post, also through the other prefix
        r2 = self.a.post(R2 + "/archive/", body)
        self.assertEqual(r2.status, 201)
        self.assertEqual(r2.body["metadata-key"], key)
        self.assertEqual(r2.body["uri"], uri)
        r3 = self.a.post(R + "/archive/", body)
        self.assertEqual(r3.body["metadata-key"], key)
        # GET returns the same object
        g = self.a.get(uri)
        self.assertEqual(g.status, 200)
        self.assertEqual(g.body, md)

    def test_network_element_subject(self):
        body = {"subject-type": "network-element", "source": "10.9.9.9",
                "measurement-agent": "10.9.9.9", "tool-name": "ntp",
                "input-source": "ntp.example.net",
                "event-types": [{"event-type": "ntp-offset"}]}
        r = self.post(body)
        self.assertEqual(r.status, 201, r)
        md = r.body
        self.assertEqual(md["subject-type"], "network-element")
        self.assertNotIn("destination", md)
        self.assertNotIn("input-destination", md)
        self.assertEqual(md["source"], "10.9.9.9")
        self.assertEqual(self.key_of(body), md["metadata-key"])

    def test_event_types_null_means_empty(self):
        r = self.post(_base(**{"event-types": None}))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["event-types"], [])

    def test_event_types_and_summaries_sorted(self):
        body = p2p_body([("throughput", [("average", 86400), ("aggregation", 3600),
                                         ("average", 300)]),
                         "failures", "packet-retransmits"])
        md = self.post(body).body
        self.assertEqual([e["event-type"] for e in md["event-types"]],
                         ["failures", "packet-retransmits", "throughput"])
        self.assertEqual([(s["summary-type"], s["summary-window"])
                          for s in md["event-types"][2]["summaries"]],
                         [("aggregation", "3600"), ("average", "300"),
                          ("average", "86400")])

    # -- rendering of free-form values --------------------------------------------

    def test_free_form_values_rendered_like_python_str(self):
        raw = ('{"subject-type":"point-to-point","source":"10.3.3.1",'
               '"destination":"10.3.3.2","measurement-agent":"10.3.3.1",'
               '"tool-name":"t","input-source":"a","input-destination":"b",'
               '"event-types":[{"event-type":"failures"}],'
               '"p-int":20,"p-float":20.0,"p-exp":1e2,"p-true":true,'
               '"p-false":false,"p-tenth":0.1,"p-neg":-5,"p-big":1e16,'
               '"p-small":1.5e-05,"p-str":"Mixed Case","p-numstr":"007",'
               '"p-bigint":9007199254740993,"p-half":2.50}')
        r = self.post(raw.encode())
        self.assertEqual(r.status, 201, r)
        expected = {"p-int": "20", "p-float": "20.0", "p-exp": "100.0",
                    "p-true": "True", "p-false": "False", "p-tenth": "0.1",
                    "p-neg": "-5", "p-big": "1e+16", "p-small": "1.5e-05",
                    "p-str": "Mixed Case", "p-numstr": "007",
                    "p-bigint": "9007199254740993", "p-half": "2.5"}
        for k, v in expected.items():
            with self.subTest(k):
                self.assertEqual(r.body.get(k), v)
        # also as stored (GET)
        g = self.a.get(r.body["uri"]).body
        for k, v in expected.items():
            self.assertEqual(g.get(k), v)

    def test_non_ascii_free_form_value(self):
        md = self.post(_base(note="h\u00e9llo \u2603")).body
        self.assertEqual(md["note"], "h\u00e9llo \u2603")
        r = self.a.get(R + "/archive/?note=h%C3%A9llo+%E2%98%83")
        self.assertEqual([m["metadata-key"] for m in r.body], [md["metadata-key"]])

    def test_free_form_key_case_preserved(self):
        md = self.post(_base(**{"My-Param": "X"})).body
        self.assertEqual(md.get("My-Param"), "X")

    def test_non_scalar_free_form_values_400(self):
        for v in (None, [1, 2], {"a": 1}, []):
            with self.subTest(v):
                self.assert_400(_base(**{"extra": v}))

    def test_reserved_free_form_keys_400(self):
        for k in ("uri", "url", "metadata-count-total", "metadata-previous-page",
                  "metadata-next-page", "format", "limit", "offset", "time",
                  "time-start", "time-end", "time-range", "dns-match-rule"):
            with self.subTest(k):
                self.assert_400(_base(**{k: "1"}))

    # -- identity -------------------------------------------------------------------

    def test_identity_case_insensitive(self):
        body = _base(**{"ip-transport-protocol": "tcp"})
        k1 = self.key_of(body)
        b2 = copy.deepcopy(body)
        b2["tool-name"] = body["tool-name"].upper()
        b2["ip-transport-protocol"] = "TCP"
        b2["input-source"] = body["input-source"].upper()
        self.assertEqual(self.key_of(b2), k1)
        b3 = copy.deepcopy(body)
        del b3["ip-transport-protocol"]
        b3["IP-Transport-Protocol"] = "tcp"
        self.assertEqual(self.key_of(b3), k1)

    def test_identity_ignores_member_and_event_type_order(self):
        body = _base()
        k1 = self.key_of(body)
        b2 = dict(reversed(list(copy.deepcopy(body).items())))
        b2["event-types"] = list(reversed(b2["event-types"]))
        self.assertEqual(self.key_of(b2), k1)

    def test_identity_numbers_like_python_str(self):
        k_int = self.key_of(_base(test_id="num-1", **{"time-duration": 20}))
        k_str = self.key_of(_base(test_id="num-1", **{"time-duration": "20"}))
        k_float = self.key_of(_base(test_id="num-1", **{"time-duration": 20.0}))
        self.assertEqual(k_int, k_str)
        self.assertNotEqual(k_int, k_float)

    def test_identity_summary_window_int_or_string(self):
        b1 = p2p_body([("throughput", [("average", 60)])], test_id="win-1")
        b2 = copy.deepcopy(b1)
        b2["event-types"][0]["summaries"][0]["summary-window"] = 60
        self.assertEqual(self.key_of(b1), self.key_of(b2))

    def test_duplicate_summaries_deduplicated(self):
        single = p2p_body([("throughput", [("average", 3600)])], test_id="dup-1")
        double = copy.deepcopy(single)
        double["event-types"][0]["summaries"].append(
            {"summary-type": "average", "summary-window": 3600})
        k1 = self.key_of(single)
        r = self.post(double)
        self.assertEqual(r.status, 201)
        self.assertEqual(r.body["metadata-key"], k1)
        self.assertEqual(len(r.body["event-types"][0]["summaries"]), 1)

    def test_duplicate_summaries_in_new_object_listed_once(self):
        body = p2p_body([("throughput", [("average", 7200), ("average", "7200")])])
        r = self.post(body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.body["event-types"][0]["summaries"]), 1)

    def test_base_summary_entries_ignored(self):
        plain = p2p_body(["throughput"], test_id="base-1")
        with_base = p2p_body([("throughput", [("base", 0)])], test_id="base-1")
        self.assertEqual(self.key_of(plain), self.key_of(with_base))
        md = self.post(with_base).body
        self.assertEqual(md["event-types"][0]["summaries"], [])

    def test_repost_of_get_response_maps_to_same_key(self):
        md = self.post(_base()).body
        again = {k: v for k, v in md.items()
                 if k not in ("metadata-key", "uri", "url")}
        self.assertEqual(self.key_of(again), md["metadata-key"])

    def test_changes_create_new_objects(self):
        body = _base()
        k1 = self.key_of(body)
        variants = []
        b = copy.deepcopy(body); b["extra-param"] = "1"; variants.append(b)
        b = copy.deepcopy(body); b["event-types"].append({"event-type": "failures"})
        variants.append(b)
        b = copy.deepcopy(body); b["event-types"][1]["summaries"].append(
            {"summary-type": "aggregation", "summary-window": "86400"}); variants.append(b)
        b = copy.deepcopy(body); b["event-types"][1]["summaries"] = []; variants.append(b)
        b = copy.deepcopy(body); b["destination"] = "10.0.0.99"; variants.append(b)
        keys = [self.key_of(v) for v in variants]
        self.assertNotIn(k1, keys)
        self.assertEqual(len(set(keys)), len(keys))

    def test_ipv6_literals_canonical(self):
        b1 = p2p_body(["failures"], source="2001:DB8:0::1",
                      destination="2001:0db8:0000:0000:0000:0000:0000:0002",
                      agent="2001:db8::1", test_id="v6-1")
        r = self.post(b1)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["source"], "2001:db8::1")
        self.assertEqual(r.body["destination"], "2001:db8::2")
        self.assertEqual(r.body["measurement-agent"], "2001:db8::1")
        b2 = p2p_body(["failures"], source="2001:db8::1", destination="2001:db8::2",
                      test_id="v6-1")
        self.assertEqual(self.key_of(b2), r.body["metadata-key"])

    # -- validation (esmond-rest-api §18) ----------------------------------------------

    def test_validation_messages(self):
        def without(k):
            b = _base()
            del b[k]
            return b

        def ets(value):
            return _base(**{"event-types": value})

        def summ(s, et="throughput"):
            return ets([{"event-type": et, "summaries": [s]}])

        cases = [
            (without("subject-type"), "Missing subject-type field in request"),
            (without("event-types"), "Missing event-types field in request"),
            (_base(**{"subject-type": "bogus"}), "Invalid subject type bogus"),
            (_base(**{"metadata-key": "abc"}), "metadata-key is not allowed to be specified"),
            (ets("throughput"), "event_types must be a list"),
            (ets({"event-type": "throughput"}), "event_types must be a list"),
            (ets([{}]), "No event-type defined"),
            (ets([{"summaries": []}]), "No event-type defined"),
            (ets([{"event-type": "bogus"}]), "Invalid event-type bogus"),
            (ets([{"event-type": "streams-retransmits"}]),
             "Invalid event-type streams-retransmits"),
            (summ({"summary-window": "60"}), "Summary must contain summary-type"),
            (summ({"summary-type": "bogus", "summary-window": "60"}),
             "Invalid summary type 'bogus'"),
            (summ({"summary-type": "statistics", "summary-window": "60"}),
             "Summary type statistics not allowed for event-type throughput"),
            (summ({"summary-type": "average", "summary-window": "60"}, "packet-loss-rate"),
             "Summary type average not allowed for event-type packet-loss-rate"),
            (summ({"summary-type": "average", "summary-window": "60"}, "histogram-rtt"),
             "Summary type average not allowed for event-type histogram-rtt"),
            (summ({"summary-type": "aggregation", "summary-window": "60"}, "failures"),
             "Summary type aggregation not allowed for event-type failures"),
            (summ({"summary-type": "aggregation", "summary-window": "60"},
                  "throughput-subintervals"),
             "Summary type aggregation not allowed for event-type throughput-subintervals"),
            (summ({"summary-type": "average"}), "Summary must contain summary-window"),
            (summ({"summary-type": "average", "summary-window": "abc"}),
             "Summary window must be an integer"),
            (summ({"summary-type": "average", "summary-window": "1.5"}),
             "Summary window must be an integer"),
            (summ({"summary-type": "average", "summary-window": 1.5}),
             "Summary window must be an integer"),
        ]
        for body, detail in cases:
            with self.subTest(detail=detail, body=json.dumps(body)[-150:]):
                self.assert_400(body, detail)

    def test_bad_summary_windows_400(self):
        for w in (None, [], {}, True, -60, "-60", ""):
            with self.subTest(w):
                self.assert_400(_base(**{"event-types": [
                    {"event-type": "throughput",
                     "summaries": [{"summary-type": "average", "summary-window": w}]}]}))

    def test_bad_summary_and_event_type_shapes_400(self):
        for ets in ([5], ["throughput"], [{"event-type": 5}],
                    [{"event-type": "throughput", "summaries": 5}],
                    [{"event-type": "throughput", "summaries": [5]}]):
            with self.subTest(ets):
                self.assert_400(_base(**{"event-types": ets}))

    def test_subject_fields_required(self):
        for field in ("source", "destination", "measurement-agent", "tool-name",
                      "input-source", "input-destination"):
            with self.subTest(field):
                b = _base()
                del b[field]
                self.assert_400(b)
        ne = {"subject-type": "network-element", "source": "10.9.9.8",
              "measurement-agent": "10.9.9.8", "tool-name": "ntp",
              "input-source": "x", "event-types": []}
        for field in ("source", "measurement-agent", "tool-name", "input-source"):
            with self.subTest(ne=field):
                b = dict(ne)
                del b[field]
                self.assert_400(b)

    def test_destination_on_network_element_400(self):
        ne = {"subject-type": "network-element", "source": "10.9.9.7",
              "measurement-agent": "10.9.9.7", "tool-name": "ntp",
              "input-source": "x", "event-types": []}
        self.assert_400(dict(ne, destination="10.9.9.6"))
        self.assert_400(dict(ne, **{"input-destination": "y"}))

    def test_address_fields_must_be_ip_literals(self):
        for field in ("source", "destination", "measurement-agent"):
            for bad in ("host.example.net", "999.1.1.1", "10.0.0", "", 5, None,
                        "2001:db8::1::2"):
                with self.subTest(field=field, value=bad):
                    self.assert_400(_base(**{field: bad}))

    def test_body_must_be_json_object(self):
        for raw in (b"[]", b"\"text\"", b"5", b"null", b"{bad json", b"",
                    b'{"subject-type": "point-to-point", "x": NaN}',
                    b'{"subject-type": "point-to-point", "x": Infinity}'):
            with self.subTest(raw):
                self.assert_400(raw)

    def test_nan_literal_as_free_form_value_400(self):
        raw = json.dumps(_base())[:-1] + ', "p": NaN}'
        self.assert_400(raw.encode())

    def test_content_type_required(self):
        for ctype in (None, "text/plain"):
            with self.subTest(ctype):
                r = self.a.post(R + "/archive/", _base(), content_type=ctype)
                self.assertIn(r.status, (400, 415), r)
                self.assertEqual(r.header("Content-Type"), "application/json")
                self.assertIsInstance(r.detail, str)

    def test_content_type_with_charset_accepted(self):
        r = self.a.post(R + "/archive/", _base(),
                        content_type="application/json; charset=utf-8")
        self.assertEqual(r.status, 201, r)

    def test_rejected_post_creates_nothing(self):
        before = self.a.list_metadata(limit=100000).body
        self.assert_400(_base(**{"source": "not-an-ip"}))
        self.assert_400(_base(**{"event-types": [{"event-type": "bogus"}]}))
        after = self.a.list_metadata(limit=100000).body
        self.assertEqual(len(after), len(before))


if __name__ == "__main__":
    unittest.main()
