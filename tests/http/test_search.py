"""Metadata search (esmond-rest-api §7, §8, §16 item 5) on the 16 objects of esmond's
perfsonar_api_metadata fixture, imported with their keys and time-updated
values from tests/data/replay/metadata.json."""

import json
import socket
import time
import unittest
import urllib.parse

import refmodel
from harness import (ArchiveCase, R, R2, load_json, make_import_dir, p2p_body,
                     parse_link, sorted_object, strip_host)

PAYLOADS = load_json("esmond", "extracted", "test_api_payloads.json")
SETUP = PAYLOADS["PSArchiveResourceTest.setUp"]
VECTORS = PAYLOADS["test_get_metadata_list"]["queries"]
API_LIST = load_json("esmond", "derived", "perfsonar_api_metadata.expected-list.json")
API_KEYS = [m["metadata-key"] for m in API_LIST]
REPLAY = load_json("replay", "metadata.json")
FIXTURE = [m for m in REPLAY if m["metadata-key"] in API_KEYS]
PAGING = ("metadata-count-total", "metadata-previous-page", "metadata-next-page")
PING_KEY = "67a3c298de0b4237abee56b879e03587"
DETAIL_KEY = "e99bbc44b7b041c7ad9e51dc6a053b8c"


def qs(query):
    return urllib.parse.urlencode(query)


class FixtureArchive(ArchiveCase):
    """An archive started on an import of the 16 fixture objects."""

    @classmethod
    def import_data(cls):
        return make_import_dir(cls.tmp, FIXTURE)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = "127.0.0.1:%d" % cls.a.port

    def search(self, query, prefix=R2, status=200):
        r = self.a.get(prefix + "/archive/" + ("?" + qs(query) if query else ""))
        self.assertEqual(r.status, status, "%s -> %r" % (query, r))
        if status == 200:
            self.assertIsInstance(r.body, list)
        return r

    def keys(self, query, prefix=R2):
        return [m["metadata-key"] for m in self.search(query, prefix).body]


class FixtureSearch(FixtureArchive):

    def test_reference_vectors(self):
        ran = 0
        for v in VECTORS:
            if v.get("needs_dns") or v.get("precondition"):
                continue
            ran += 1
            q = v["query"]
            with self.subTest(q):
                if v.get("expected_status") == 400:
                    self.search(q, status=400)
                    continue
                body = self.search(q).body
                self.assertEqual(len(body), v["expected_count"])
                if "expected_keys" in v:
                    self.assertEqual(sorted(m["metadata-key"] for m in body),
                                     v["expected_keys"])
                total = 16 if ("limit" in q or "offset" in q) else v["expected_count"]
                if body:
                    self.assertEqual(body[0]["metadata-count-total"], total)
        self.assertGreaterEqual(ran, 20)

    def test_full_list_equals_reference_rendering(self):
        r = self.search({})
        got = r.body
        self.assertEqual(len(got), 16)
        exp = json.loads(json.dumps(API_LIST).replace(
            "http://testserver/", "http://%s/" % self.host))
        self.assertEqual(got[0]["metadata-count-total"], 16)
        self.assertIsNone(got[0]["metadata-previous-page"])
        self.assertIsNone(got[0]["metadata-next-page"])
        self.assertIsNone(r.header("Link"))
        for g, e in zip(got, exp):
            self.assertEqual(sorted_object(g), sorted_object(e))

    def test_pagination_members_on_first_element_only(self):
        got = self.search({"limit": 5, "offset": 3}).body
        for k in PAGING:
            self.assertIn(k, got[0])
        for m in got[1:]:
            for k in PAGING:
                self.assertNotIn(k, m)

    def test_ordering(self):
        got = self.search({}).body
        keys = [m["metadata-key"] for m in got]
        self.assertEqual(keys, sorted(keys))
        for m in got:
            names = [e["event-type"] for e in m["event-types"]]
            self.assertEqual(names, sorted(names))
            for e in m["event-types"]:
                order = [(s["summary-type"], int(s["summary-window"]))
                         for s in e["summaries"]]
                self.assertEqual(order, sorted(order))

    def test_summary_window_is_string_time_updated_int(self):
        for m in self.search({}).body:
            for e in m["event-types"]:
                self.assertTrue(e["time-updated"] is None or
                                type(e["time-updated"]) is int)
                for s in e["summaries"]:
                    self.assertIsInstance(s["summary-window"], str)

    def test_metadata_detail(self):
        exp = json.loads(json.dumps(SETUP["md_detail"]).replace(
            "http://testserver/", "http://%s/" % self.host))
        r = self.a.get(R2 + "/archive/%s/" % DETAIL_KEY)
        self.assertEqual(r.status, 200)
        for k in PAGING:
            self.assertNotIn(k, r.body)
        self.assertEqual(sorted_object(r.body), sorted_object(exp))

    def test_event_type_detail(self):
        r = self.a.get(R2 + "/archive/%s/throughput/" % DETAIL_KEY)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, SETUP["et_detail"])
        r = self.a.get(R2 + "/archive/%s/histogram-rtt/" % DETAIL_KEY)
        self.assertEqual((r.status, r.body), (200, []))
        r = self.a.get(R2 + "/archive/%s/not-an-event-type/" % DETAIL_KEY)
        self.assertEqual((r.status, r.body), (200, []))

    def test_summary_detail(self):
        r = self.a.get(R2 + "/archive/%s/throughput/averages/" % DETAIL_KEY)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, SETUP["summ_detail"])
        r = self.a.get(R2 + "/archive/%s/histogram-rtt/statistics/" % PING_KEY)
        self.assertEqual([s["summary-window"] for s in r.body], ["0", "86400"])
        r = self.a.get(R2 + "/archive/%s/throughput/aggregations/" % DETAIL_KEY)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.detail, "Not found.")
        r = self.a.get(R2 + "/archive/%s/throughput/sums/" % DETAIL_KEY)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.detail, "Invalid summary type 'sums'")

    def test_unknown_key(self):
        r = self.a.get(R2 + "/archive/ffffffffffffffffffffffffffffffff/")
        self.assertEqual((r.status, r.detail), (404, "Not found."))
        # keys are case-sensitive
        r = self.a.get(R2 + "/archive/%s/" % DETAIL_KEY.upper())
        self.assertEqual(r.status, 404)
        self.assertEqual(self.search({"metadata-key": "nope"}).body, [])

    def test_filters_against_model(self):
        queries = [
            {"event-type": "histogram-rtt", "summary-type": "statistics",
             "summary-window": "86400"},
            {"event-type": "histogram-ttl", "summary-window": "86400"},
            {"event-type": "histogram-ttl"},
            {"summary-window": "86400"},
            {"event-type": "throughput", "summary-type": "statistics"},
            {"event-type": "throughput", "summary-type": "base"},
            {"event-type": "histogram-ttl", "summary-window": "0"},
            {"summary-type": "statistics", "summary-window": "0"},
            {"summary-type": "aggregation"},
            {"event-type": "streams-retransmits"},
            {"event-type": "failures", "time-start": "1398798900"},
            {"event-type": "failures", "time-end": "1397060000"},
            {"event-type": "packet-trace", "time-end": "1398798400"},
            {"summary-type": "average", "time-start": "1398790000"},
            {"tool-name": "bwctl/ping"},
            {"tool-name": "bwctl/iperf3", "source": "198.129.254.30"},
            {"input-source": "lbl-pt1.es.net"},
            {"input-destination": "lbl-pt1.es.net"},
            {"subject-type": "point-to-point"},
            {"subject-type": "network-element"},
            {"metadata-key": DETAIL_KEY},
            {"destination": "198.129.254.30"},
            {"measurement-agent": "198.129.254.30"},
            {"destination": "2001:400:201:1150::3"},
            {"ip-transport-protocol": "tcp", "bw-parallel-streams": "2"},
            {"time-duration": "20"},
            {"ip-tos": "32", "tool-name": "bwctl/iperf"},
            {"sample-size": "100"},
            {"time-duration": "20.0"},
            {"ip-transport-protocol": "TCP"},
            {"no-such-parameter": "x"},
            {"time-start": "-5"},
        ]
        nonempty = 0
        for q in queries:
            with self.subTest(q):
                exp = refmodel.search(FIXTURE, q)
                nonempty += bool(exp)
                self.assertEqual(self.keys(q), exp)
        self.assertGreater(nonempty, 20)
        # the same-row rule really matters for the first two queries
        self.assertEqual(refmodel.search(FIXTURE, queries[1]), [])
        self.assertEqual(len(refmodel.search(FIXTURE, {"event-type": "histogram-ttl"})), 4)

    def test_both_prefixes_search_alike(self):
        q = {"tool-name": "bwctl/iperf3"}
        self.assertEqual(self.keys(q, R), self.keys(q, R2))

    def test_empty_result_is_plain_empty_list(self):
        r = self.search({"tool-name": "nothing"})
        self.assertEqual(r.raw.strip(), b"[]")
        self.assertIsNone(r.header("Link"))

    def test_repeated_parameter_last_wins(self):
        got = self.keys([("tool-name", "bwctl/ping"), ("tool-name", "bwctl/iperf3")])
        self.assertEqual(got, refmodel.search(FIXTURE, {"tool-name": "bwctl/iperf3"}))

    # -- IP fields and dns-match-rule ----------------------------------------------

    def test_ip_literal_spellings(self):
        v6 = "2001:400:201:1150::3"
        exp = refmodel.search(FIXTURE, {"source": v6})
        self.assertEqual(len(exp), 2)
        for spelling in ("2001:0400:0201:1150:0000:0000:0000:0003",
                         "2001:400:201:1150:0::3", v6.upper()):
            with self.subTest(spelling):
                self.assertEqual(self.keys({"source": spelling}), exp)

    def test_dns_rules_with_literals(self):
        v4, v6 = SETUP["v4_ip"], SETUP["v6_ip"]
        e4 = refmodel.search(FIXTURE, {"source": v4})
        e6 = refmodel.search(FIXTURE, {"source": v6})
        for rule in ("v4v6", "only-v4", "prefer-v4", "prefer-v6"):
            with self.subTest(v4=rule):
                self.assertEqual(self.keys({"source": v4, "dns-match-rule": rule}), e4)
        for rule in ("v4v6", "only-v6", "prefer-v4", "prefer-v6"):
            with self.subTest(v6=rule):
                self.assertEqual(self.keys({"source": v6, "dns-match-rule": rule}), e6)
        r = self.search({"source": v4, "dns-match-rule": "only-v6"}, status=400)
        self.assertEqual(r.detail, "Unable to find address for host %s" % v4)
        r = self.search({"source": v6, "dns-match-rule": "only-v4"}, status=400)
        self.assertEqual(r.detail, "Unable to find address for host %s" % v6)
        r = self.search({"source": "127.0.0.1", "dns-match-rule": "only-v6"}, status=400)
        self.assertEqual(r.detail, "Unable to find address for host 127.0.0.1")
        r = self.search({"destination": "127.0.0.1", "dns-match-rule": "only-v6"},
                        status=400)
        r = self.search({"measurement-agent": "::1", "dns-match-rule": "only-v4"},
                        status=400)

    def test_invalid_dns_match_rule(self):
        r = self.search({"source": SETUP["v4_ip"], "dns-match-rule": "v6-only"},
                        status=400)
        self.assertEqual(r.detail, "Invalid dns-match-rule parameter v6-only")
        # without an IP field the rule is not looked at
        self.assertEqual(len(self.search({"dns-match-rule": "v6-only"}).body), 16)

    def test_host_name_localhost(self):
        # nothing in the fixture is stored under the loopback address
        self.assertEqual(self.keys({"source": "localhost",
                                    "dns-match-rule": "only-v4"}), [])

    # -- paging ------------------------------------------------------------------------

    def check_links(self, r, query, total):
        """metadata-next/previous-page and Link header as in esmond-rest-api §7.4."""
        limit = int(query.get("limit", 1500))
        offset = int(query.get("offset", 0))
        links = parse_link(r.header("Link"))
        first = r.body[0]
        self.assertEqual(first["metadata-count-total"], total)
        base_q = {k: str(v) for k, v in query.items() if k not in ("limit", "offset")}
        if offset + limit < total:
            exp = dict(base_q, limit=str(limit), offset=str(offset + limit))
            for url in (first["metadata-next-page"], links.get("next")):
                self.assert_url(url, exp)
        else:
            self.assertIsNone(first["metadata-next-page"])
            self.assertNotIn("next", links)
        if offset > 0:
            exp = dict(base_q, limit=str(limit))
            if offset - limit > 0:
                exp["offset"] = str(offset - limit)
            for url in (first["metadata-previous-page"], links.get("prev")):
                self.assert_url(url, exp)
        else:
            self.assertIsNone(first["metadata-previous-page"])
            self.assertNotIn("prev", links)
        if not links:
            self.assertIsNone(r.header("Link"))

    def assert_url(self, url, exp_query):
        self.assertIsInstance(url, str)
        p = urllib.parse.urlsplit(url)
        self.assertEqual((p.scheme, p.netloc, p.path),
                         ("http", self.host, "/perfsonar/archive/"), url)
        pairs = urllib.parse.parse_qsl(p.query, keep_blank_values=True)
        self.assertEqual(dict(pairs), exp_query, url)
        names = [k for k, _ in pairs]
        self.assertEqual(names, sorted(names), "parameters not sorted: " + url)

    def test_paging_walk(self):
        all_keys = self.keys({})
        collected = []
        for offset in (0, 5, 10, 15):
            q = {"limit": 5, "offset": offset}
            r = self.search(q)
            self.assertEqual(len(r.body), 5 if offset < 15 else 1)
            self.check_links(r, q, 16)
            collected += [m["metadata-key"] for m in r.body]
        self.assertEqual(collected, all_keys)

    def test_links_follow(self):
        r = self.search({"limit": 4, "offset": 2})
        nxt = parse_link(r.header("Link"))["next"]
        r2 = self.a.get(strip_host(nxt))
        self.assertEqual(r2.status, 200)
        self.assertEqual([m["metadata-key"] for m in r2.body], self.keys({})[6:10])
        prev = parse_link(r.header("Link"))["prev"]
        r3 = self.a.get(strip_host(prev))
        self.assertEqual([m["metadata-key"] for m in r3.body], self.keys({})[0:4])

    def test_links_keep_filters(self):
        q = {"tool-name": "bwctl/ping", "limit": 2, "offset": 1}
        r = self.search(q)
        self.assertEqual(len(r.body), 2)
        self.check_links(r, q, 4)

    def test_prev_link_omits_offset_when_not_positive(self):
        q = {"limit": 5, "offset": 2}
        self.check_links(self.search(q), q, 16)

    def test_offset_beyond_total(self):
        r = self.search({"offset": 16})
        self.assertEqual(r.body, [])
        r = self.search({"offset": 100, "limit": 3})
        self.assertEqual(r.body, [])

    def test_large_limits(self):
        for limit in (16, 17, 1000, 100000, 200000):
            with self.subTest(limit):
                r = self.search({"limit": limit})
                self.assertEqual(len(r.body), 16)
                self.check_links(r, {"limit": limit}, 16)

    def test_bad_limit_and_offset_400(self):
        for q in ({"limit": 0}, {"limit": -1}, {"limit": "abc"}, {"limit": "1.5"},
                  {"limit": ""}, {"offset": -1}, {"offset": "abc"}, {"offset": "2.0"},
                  {"offset": ""}, {"limit": 5, "offset": "x"}):
            with self.subTest(q):
                r = self.search(q, status=400)
                self.assertIsInstance(r.detail, str)

    # -- time filters ------------------------------------------------------------------

    def test_time_filter_validation(self):
        for q in ({"time-start": "abc"}, {"time": "1.5"}, {"time-end": "1e9"},
                  {"time-range": "x"}, {"time-start": "1397476800.5"}):
            with self.subTest(q):
                r = self.search(q, status=400)
                self.assertEqual(r.detail, "Time parameter must be an integer")
        r = self.search({"time-start": 10, "time-end": 5}, status=400)
        self.assertEqual(r.detail, "Requested start time must be less than end time")
        r = self.search({"time-end": 5, "time-range": -10}, status=400)
        self.assertEqual(r.detail, "Requested start time must be less than end time")

    def test_time_equal_bounds_allowed(self):
        t = 1398798965
        exp = refmodel.search(FIXTURE, {"time": str(t)})
        self.assertEqual(len(exp), 1)
        self.assertEqual(self.keys({"time-start": t, "time-end": t}), exp)

    def test_unused_time_parameters_not_validated(self):
        exp = refmodel.search(FIXTURE, {"time": "1398798965"})
        self.assertEqual(self.keys({"time": 1398798965, "time-start": "bad",
                                    "time-range": "bad"}), exp)
        exp = refmodel.search(FIXTURE, {"time-start": "1398798840",
                                        "time-end": "1398798960"})
        self.assertEqual(self.keys({"time-start": 1398798840, "time-end": 1398798960,
                                    "time-range": "bad"}), exp)

    def test_time_range_only_is_relative_to_now(self):
        begin = 1398795000      # no time-updated value within minutes of it
        exp = refmodel.search(FIXTURE, {"time-start": str(begin)})
        self.assertTrue(0 < len(exp) < 16)
        got = self.keys({"time-range": int(time.time()) - begin})
        self.assertEqual(got, exp)

    def test_null_time_updated_never_matches(self):
        # e99bbc44 failures was never written: event-type+time on that row alone
        got = self.keys({"metadata-key": DETAIL_KEY, "event-type": "failures",
                         "time-start": 0})
        self.assertEqual(got, [])

    def test_bad_summary_window_filter_400(self):
        self.search({"summary-window": "abc"}, status=400)
        self.search({"summary-window": "1.5"}, status=400)

    def test_head_on_list(self):
        r = self.a.head(R2 + "/archive/?limit=2")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/json")


class MutatingSearch(FixtureArchive):
    """Searches that need new objects or writes (own archive)."""

    def test_time_range_600_vector(self):
        vec = [v for v in VECTORS if v.get("precondition")][0]
        before = int(time.time())
        r = self.a.post_point(PING_KEY, "failures", 1398965989, {"error": "x"},
                              prefix=R2)
        after = int(time.time())
        self.assertEqual(r.status, 201, r)
        got = self.search(vec["query"]).body
        self.assertEqual(len(got), vec["expected_count"])
        self.assertEqual(got[0]["metadata-key"], PING_KEY)
        self.assertEqual(got[0]["metadata-count-total"], 1)
        tu = [e for e in got[0]["event-types"] if e["event-type"] == "failures"][0][
            "time-updated"]
        self.assertIs(type(tu), int)
        self.assertTrue(before <= tu <= after)
        # whole seconds: time= finds it
        self.assertEqual(self.keys({"time": tu}), [PING_KEY])
        self.assertEqual(self.keys({"time": tu, "event-type": "failures"}), [PING_KEY])
        # same-row rule with time: another event type of that object does not match
        self.assertEqual(self.keys({"time-range": 600, "event-type": "histogram-rtt"}), [])

    def test_localhost_and_loopback_literals(self):
        tool = "dns-test"
        k4 = self.a.create_metadata(p2p_body(["failures"], source="127.0.0.1",
                                             tool=tool))["metadata-key"]
        k6 = self.a.create_metadata(p2p_body(["failures"], source="::1",
                                             tool=tool))["metadata-key"]

        def first(fam):
            try:
                return socket.getaddrinfo("localhost", None, fam)[0][4][0]
            except socket.gaierror:
                return None
        a4, a6 = first(socket.AF_INET), first(socket.AF_INET6)
        by_addr = {"127.0.0.1": k4, "::1": k6}

        def expected(addrs):
            return sorted(by_addr[x] for x in addrs if x in by_addr)

        cases = {"v4v6": [x for x in (a6, a4) if x],
                 "only-v4": [a4] if a4 else [],
                 "only-v6": [a6] if a6 else [],
                 "prefer-v4": [a4 or a6] if (a4 or a6) else [],
                 "prefer-v6": [a6 or a4] if (a4 or a6) else []}
        for rule, addrs in cases.items():
            with self.subTest(rule):
                q = {"source": "localhost", "dns-match-rule": rule, "tool-name": tool}
                if not addrs:
                    r = self.search(q, status=400)
                    self.assertEqual(r.detail, "Unable to find address for host localhost")
                else:
                    self.assertEqual(self.keys(q), expected(addrs))
        self.assertEqual(self.keys({"source": "0:0:0:0:0:0:0:1", "tool-name": tool}), [k6])
        self.assertEqual(self.keys({"source": "127.0.0.1", "tool-name": tool}), [k4])
        self.search({"source": "::1", "dns-match-rule": "only-v4"}, status=400)

    def test_ipv6_stored_canonical(self):
        md = self.a.create_metadata(p2p_body(["failures"], source="2001:DB8:0::5",
                                             destination="2001:db8:0:0::6"))
        self.assertEqual(md["source"], "2001:db8::5")
        for spelling in ("2001:db8::5", "2001:0DB8::0:5"):
            with self.subTest(spelling):
                self.assertIn(md["metadata-key"], self.keys({"source": spelling}))
        self.assertIn(md["metadata-key"], self.keys({"destination": "2001:db8::6"}))

    def test_plus_decodes_to_space_and_exact_values(self):
        md = self.a.create_metadata(p2p_body(["failures"], tool="my tool",
                                             note="two words", count=20))
        key = md["metadata-key"]
        for raw in ("tool-name=my+tool", "tool-name=my%20tool", "note=two+words",
                    "note=two+words&tool-name=my+tool&count=20"):
            with self.subTest(raw):
                r = self.a.get(R2 + "/archive/?" + raw)
                self.assertEqual([m["metadata-key"] for m in r.body], [key])
        for raw in ("count=20.0", "note=Two+words", "note=two", "tool-name=my"):
            with self.subTest(raw):
                r = self.a.get(R2 + "/archive/?" + raw)
                self.assertEqual(r.body, [])

    def test_input_fields_not_resolved(self):
        md = self.a.create_metadata(p2p_body(["failures"], source="10.77.0.1"))
        got = self.keys({"input-source": "src.example.net", "source": "10.77.0.1"})
        self.assertEqual(got, [md["metadata-key"]])
        self.assertEqual(self.keys({"input-source": "SRC.example.net",
                                    "source": "10.77.0.1"}), [])


class DefaultPageSize(ArchiveCase):
    """1601 imported objects: default page 1500, maximum 100000."""

    N = 1601

    @classmethod
    def import_data(cls):
        objs = []
        for i in range(cls.N):
            key = "%032x" % (i * 7919 % 2 ** 64)
            uri = "/esmond/perfsonar/archive/%s/" % key
            objs.append({
                "url": "http://archive.example.net" + uri, "metadata-key": key,
                "subject-type": "point-to-point",
                "event-types": [{"base-uri": uri + "throughput/base",
                                 "event-type": "throughput", "time-updated": None,
                                 "summaries": []}],
                "source": "10.%d.%d.1" % (i // 256, i % 256),
                "destination": "10.200.0.1", "measurement-agent": "10.200.0.1",
                "tool-name": "gen", "input-source": "a", "input-destination": "b",
                "uri": uri})
        objs.sort(key=lambda m: m["metadata-key"])
        cls.keys = [m["metadata-key"] for m in objs]
        return make_import_dir(cls.tmp, objs)

    def test_default_page_1500_with_link(self):
        r = self.a.get(R + "/archive/")
        self.assertEqual(r.status, 200)
        self.assertEqual([m["metadata-key"] for m in r.body], self.keys[:1500])
        self.assertEqual(r.body[0]["metadata-count-total"], self.N)
        links = parse_link(r.header("Link"))
        self.assertEqual(set(links), {"next"})
        p = urllib.parse.urlsplit(links["next"])
        self.assertEqual(p.path, "/esmond/perfsonar/archive/")
        self.assertEqual(dict(urllib.parse.parse_qsl(p.query)),
                         {"limit": "1500", "offset": "1500"})
        self.assertEqual(r.body[0]["metadata-next-page"], links["next"])
        r2 = self.a.get(strip_host(links["next"]))
        self.assertEqual([m["metadata-key"] for m in r2.body], self.keys[1500:])
        self.assertEqual(r2.body[0]["metadata-count-total"], self.N)
        links2 = parse_link(r2.header("Link"))
        self.assertEqual(set(links2), {"prev"})
        self.assertEqual(dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(links2["prev"]).query)), {"limit": "1500"})

    def test_large_limit(self):
        for limit in (100000, 1000000):
            with self.subTest(limit):
                r = self.a.list_metadata(limit=limit)
                self.assertEqual(r.status, 200)
                self.assertEqual(len(r.body), self.N)
                self.assertIsNone(r.header("Link"))

    def test_client_paging_algorithm(self):
        got = []
        total = None
        while total is None or len(got) < total:
            page = self.a.list_metadata(offset=len(got), limit=700).body
            if not page:
                break
            total = page[0]["metadata-count-total"]
            got += [m["metadata-key"] for m in page]
        self.assertEqual(got, self.keys)


if __name__ == "__main__":
    unittest.main()
