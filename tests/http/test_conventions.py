"""HTTP conventions: content type, CORS, prefixes, URI formats, trailing
slashes, HEAD, 404/405 JSON errors, never HTML, body size limit
(esmond-rest-api §3, §4, §16 items 1-2)."""

import http.client
import json
import socket
import unittest

from harness import Archive, ArchiveCase, R, R2, p2p_body


def _json_error(tc, r, status, detail=None):
    tc.assertEqual(r.status, status, r)
    tc.assertEqual(r.header("Content-Type"), "application/json", r)
    tc.assertFalse(r.raw.lstrip().startswith(b"<"), "HTML body: %r" % r.raw)
    tc.assertIsInstance(r.body, dict, r)
    tc.assertIsInstance(r.body.get("detail"), str, r)
    if detail is not None:
        tc.assertEqual(r.body["detail"], detail)


class Conventions(ArchiveCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        md = cls.a.create_metadata(p2p_body(
            ["failures", ("throughput", [("average", 86400)])]))
        cls.key = md["metadata-key"]
        cls.a.put_points(cls.key, "throughput", [(1400000000, 100)])

    def sample_requests(self):
        """One request of every kind: (label, Response)."""
        a, k = self.a, self.key
        return [
            ("list", a.get(R + "/archive/")),
            ("detail", a.get(R + "/archive/%s/" % k)),
            ("event type", a.get(R + "/archive/%s/throughput/" % k)),
            ("summary list", a.get(R + "/archive/%s/throughput/averages/" % k)),
            ("base", a.get(R + "/archive/%s/throughput/base" % k)),
            ("summary", a.get(R + "/archive/%s/throughput/averages/86400" % k)),
            ("metadata post", a.post(R + "/archive/", p2p_body(["failures"]))),
            ("data post", a.post_point(k, "failures", 1400000001, {"error": "x"})),
            ("bulk put", a.bulk_put(k, {"data": [{"ts": 1400000002, "val": [
                {"event-type": "failures", "val": {"error": "y"}}]}]})),
            ("400", a.get(R + "/archive/?limit=abc")),
            ("401", a.post(R + "/archive/", {}, auth=None)),
            ("404", a.get(R + "/archive/nosuchkey/")),
            ("404 route", a.get("/no/such/route")),
            ("405", a.delete(R + "/archive/%s/" % k)),
            ("409", a.post_point(k, "throughput", 1400000000, 100)),
        ]

    def test_content_type_exactly_application_json(self):
        for label, r in self.sample_requests():
            with self.subTest(label):
                self.assertEqual(r.header("Content-Type"), "application/json")

    def test_cors_header_on_every_response(self):
        for label, r in self.sample_requests():
            with self.subTest(label):
                self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")

    def test_error_bodies_are_json_detail(self):
        for label, r in self.sample_requests():
            if r.status >= 400:
                with self.subTest(label):
                    _json_error(self, r, r.status)

    def test_write_success_is_201_with_empty_json_string(self):
        r = self.a.post_point(self.key, "failures", 1400000100, {"error": "z"})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.raw, b'""')
        r = self.a.bulk_put(self.key, {"data": [{"ts": 1400000101, "val": [
            {"event-type": "failures", "val": {"error": "w"}}]}]})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.raw, b'""')

    # -- prefixes and URIs ---------------------------------------------------

    def test_both_prefixes_serve_the_list(self):
        for prefix in (R, R2):
            with self.subTest(prefix):
                r = self.a.get(prefix + "/archive/")
                self.assertEqual(r.status, 200)
                self.assertIn(self.key, [m["metadata-key"] for m in r.body])

    def check_uris(self, md, prefix, host):
        uri = "%s/archive/%s/" % (prefix, self.key)
        self.assertEqual(md["uri"], uri)
        self.assertEqual(md["url"], "http://" + host + uri)
        for et in md["event-types"]:
            self.assertEqual(et["base-uri"], uri + et["event-type"] + "/base")
            for s in et["summaries"]:
                url_name = {"aggregation": "aggregations", "average": "averages",
                            "statistics": "statistics"}[s["summary-type"]]
                self.assertEqual(s["uri"], "%s%s/%s/%s" % (
                    uri, et["event-type"], url_name, s["summary-window"]))

    def test_uris_use_the_request_prefix(self):
        host = "127.0.0.1:%d" % self.a.port
        for prefix in (R, R2):
            with self.subTest(prefix):
                r = self.a.get(prefix + "/archive/%s/" % self.key)
                self.assertEqual(r.status, 200)
                self.check_uris(r.body, prefix, host)
                listed = [m for m in self.a.get(prefix + "/archive/").body
                          if m["metadata-key"] == self.key]
                self.check_uris(listed[0], prefix, host)
                ets = self.a.get(prefix + "/archive/%s/throughput/" % self.key).body
                self.assertEqual(ets[0]["base-uri"], "%s/archive/%s/throughput/base"
                                 % (prefix, self.key))

    def test_url_uses_host_header(self):
        r = self.a.get(R2 + "/archive/%s/" % self.key,
                       headers={"Host": "archive.example.org:8085"})
        self.assertEqual(r.status, 200)
        self.check_uris(r.body, R2, "archive.example.org:8085")

    def test_metadata_post_location_and_prefix(self):
        for prefix in (R, R2):
            with self.subTest(prefix):
                r = self.a.post(prefix + "/archive/", p2p_body(["failures"]),
                                headers={"Host": "h.example:81"})
                self.assertEqual(r.status, 201)
                key = r.body["metadata-key"]
                uri = "%s/archive/%s/" % (prefix, key)
                self.assertEqual(r.body["uri"], uri)
                self.assertEqual(r.header("Location"), "http://h.example:81" + uri)
                self.assertEqual(r.body["url"], "http://h.example:81" + uri)

    def test_writes_through_short_prefix(self):
        r = self.a.post(R2 + "/archive/%s/throughput/base" % self.key,
                        {"ts": 1400000300, "val": 7})
        self.assertEqual(r.status, 201)
        self.assertEqual(self.a.get_data(self.key, "throughput", time=1400000300,
                                         prefix=R2), [{"ts": 1400000300, "val": 7.0}])

    # -- trailing slashes --------------------------------------------------------

    def test_trailing_slash_optional_on_reads(self):
        k = self.key
        pairs = [("/archive/", "/archive"),
                 ("/archive/%s/" % k, "/archive/%s" % k),
                 ("/archive/%s/throughput/" % k, "/archive/%s/throughput" % k),
                 ("/archive/%s/throughput/averages/" % k,
                  "/archive/%s/throughput/averages" % k),
                 ("/archive/%s/throughput/base/" % k, "/archive/%s/throughput/base" % k),
                 ("/archive/%s/throughput/averages/86400/" % k,
                  "/archive/%s/throughput/averages/86400" % k)]
        for with_slash, without in pairs:
            for prefix in (R, R2):
                with self.subTest(path=prefix + without):
                    r1 = self.a.get(prefix + with_slash)
                    r2 = self.a.get(prefix + without)
                    self.assertEqual(r1.status, 200, r1)
                    self.assertEqual(r2.status, 200, r2)   # no redirect
                    self.assertEqual(r1.body, r2.body)

    def test_query_string_without_trailing_slash(self):
        r = self.a.get(R + "/archive?metadata-key=" + self.key)
        self.assertEqual(r.status, 200)
        self.assertEqual([m["metadata-key"] for m in r.body], [self.key])

    def test_trailing_slash_optional_on_writes(self):
        r = self.a.post(R + "/archive", p2p_body(["failures"]))
        self.assertEqual(r.status, 201, r)
        r = self.a.put(R + "/archive/%s" % self.key, {"data": [{"ts": 1400000400, "val": [
            {"event-type": "throughput", "val": 1}]}]})
        self.assertEqual(r.status, 201, r)
        r = self.a.post(R + "/archive/%s/throughput/base/" % self.key,
                        {"ts": 1400000401, "val": 2})
        self.assertEqual(r.status, 201, r)
        got = self.a.get_data(self.key, "throughput", **{
            "time-start": 1400000400, "time-end": 1400000401})
        self.assertEqual(got, [{"ts": 1400000400, "val": 1.0},
                               {"ts": 1400000401, "val": 2.0}])

    # -- HEAD ----------------------------------------------------------------------

    def test_head_like_get(self):
        k = self.key
        for path in (R + "/archive/", R + "/archive/%s/" % k,
                     R + "/archive/%s/throughput/base" % k, R + "/archive/nosuchkey/",
                     "/no/such/route"):
            with self.subTest(path):
                g = self.a.get(path)
                h = self.a.head(path)
                self.assertEqual(h.status, g.status)
                self.assertEqual(h.raw, b"")
                self.assertEqual(h.header("Content-Type"), "application/json")
                self.assertEqual(h.header("Access-Control-Allow-Origin"), "*")
                if h.header("Content-Length") is not None and \
                        g.header("Content-Length") is not None:
                    self.assertEqual(h.header("Content-Length"),
                                     g.header("Content-Length"))

    # -- errors --------------------------------------------------------------------

    def test_unknown_routes_404_json(self):
        k = self.key
        for path in ("/", "/no/such/route", "/esmond/", "/favicon.ico",
                     R + "/archivex/", R + "/nothing/",
                     R + "/archive/%s/throughput/base/0/extra/more" % k):
            for method in ("GET", "POST", "PUT"):
                with self.subTest(path=path, method=method):
                    r = self.a.request(method, path, {} if method != "GET" else None,
                                       auth=True)
                    _json_error(self, r, 404, "Not found.")

    def test_unknown_metadata_key_404(self):
        _json_error(self, self.a.get(R + "/archive/0123456789abcdef0123456789abcdef/"),
                    404, "Not found.")

    def test_methods_not_allowed_405(self):
        k = self.key
        cases = [("DELETE", R + "/archive/"), ("DELETE", R + "/archive/%s/" % k),
                 ("DELETE", R + "/archive/%s/throughput/base" % k),
                 ("PUT", R + "/archive/"), ("PATCH", R + "/archive/%s/" % k),
                 ("POST", R + "/archive/%s/throughput/" % k),
                 ("POST", R + "/archive/%s/throughput" % k)]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                r = self.a.request(method, path, {"ts": 1400000500, "val": 1},
                                   auth=True)
                _json_error(self, r, 405)
        # the 405 POST stored nothing
        self.assertEqual(self.a.get_data(k, "throughput", time=1400000500), [])

    def test_never_html(self):
        k = self.key
        for path, hdrs in ((R + "/archive/", {"Accept": "text/html"}),
                           (R + "/archive/?format=api", {}),
                           (R + "/archive/%s/?format=api" % k, {"Accept": "text/html"}),
                           ("/missing", {"Accept": "text/html"})):
            with self.subTest(path):
                r = self.a.get(path, headers=hdrs)
                self.assertEqual(r.header("Content-Type"), "application/json")
                self.assertFalse(r.raw.lstrip().startswith(b"<"))
                json.loads(r.raw)

    def test_malformed_requests_never_5xx(self):
        k = self.key
        a = self.a
        rs = [a.post(R + "/archive/", b"{not json"),
              a.post(R + "/archive/", b"[1,2]"),
              a.post(R + "/archive/", b"\xff\xfe"),
              a.post(R + "/archive/%s/throughput/base" % k, b"{"),
              a.post(R + "/archive/%s/throughput/base" % k, b"null"),
              a.post(R + "/archive/%s/throughput/base" % k, b"[]"),
              a.put(R + "/archive/%s/" % k, b"{\"data\": [null]}"),
              a.put(R + "/archive/%s/" % k, b"{\"data\": [{\"ts\": 1, \"val\": [null]}]}"),
              a.post(R + "/archive/", json.dumps(p2p_body(["failures"])).encode() + b" x"),
              a.put(R + "/archive/%s/" % k,
                    b'{"data": [{"ts": 1, "val": [{"event-type": "throughput", "val": NaN}]}]}'),
              a.put(R + "/archive/%s/" % k,
                    b'{"data": [{"ts": 1, "val": [{"event-type": "failures", "val": Infinity}]}]}'),
              a.get(R + "/archive/?summary-window=abc"),
              a.get(R + "/archive/%s/throughput/averages/x1" % k),
              a.get(R + "/archive/%s/throughput/base?time=%%zz" % k)]
        for i, r in enumerate(rs):
            with self.subTest(i):
                self.assertEqual(r.status, 400, r)
                _json_error(self, r, 400)


class Transport(ArchiveCase):
    """HTTP/1.1 details real clients use: keep-alive, Expect: 100-continue
    (libcurl), chunked bodies, HTTP/1.0 without Host."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.a.create_metadata(p2p_body(["throughput"]))["metadata-key"]

    def raw_exchange(self, data, pause_after_head=False):
        """Send raw bytes; return (status line, headers text, body bytes)."""
        with socket.create_connection(("127.0.0.1", self.a.port), timeout=10) as s:
            if pause_after_head:
                head, body = data
                s.sendall(head)
                first = s.recv(4096)
                self.assertTrue(first.startswith(b"HTTP/1.1 100"), first)
                s.sendall(body)
            else:
                s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        raw = b"".join(chunks)
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        return lines[0], "\n".join(lines[1:]), body

    def test_keep_alive_connection_reused(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.a.port, timeout=10)
        try:
            hdrs = {"Authorization": "Token " + self.a.token,
                    "Content-Type": "application/json"}
            for i in range(5):
                conn.request("POST", R + "/archive/%s/throughput/base" % self.key,
                             body=json.dumps({"ts": 1500000000 + i, "val": i}), headers=hdrs)
                r = conn.getresponse()
                self.assertEqual((r.status, r.read()), (201, b'""'))
                conn.request("GET", R + "/archive/%s/throughput/base?time=%d"
                             % (self.key, 1500000000 + i))
                r = conn.getresponse()
                self.assertEqual(json.loads(r.read()), [{"ts": 1500000000 + i,
                                                         "val": float(i)}])
        finally:
            conn.close()

    def test_expect_100_continue(self):
        body = json.dumps({"ts": 1500000100, "val": 5, "pad": "x" * 2000}).encode()
        head = ("POST %s/archive/%s/throughput/base HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Token %s\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
                % (R, self.key, self.a.token, len(body))).encode()
        status, _, resp = self.raw_exchange((head, body), pause_after_head=True)
        self.assertIn(" 201", status)
        self.assertEqual(resp, b'""')
        self.assertEqual(self.a.get_data(self.key, "throughput", time=1500000100),
                         [{"ts": 1500000100, "val": 5.0}])

    def test_chunked_request_body(self):
        body = json.dumps({"data": [{"ts": 1500000200, "val": [
            {"event-type": "throughput", "val": 9}]}]}).encode()
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 20]), body[i:i + 20])
                          for i in range(0, len(body), 20)) + b"0\r\n\r\n"
        head = ("PUT %s/archive/%s/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Token %s\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                % (R, self.key, self.a.token)).encode()
        status, _, resp = self.raw_exchange(head + chunks)
        self.assertIn(" 201", status)
        self.assertEqual(self.a.get_data(self.key, "throughput", time=1500000200),
                         [{"ts": 1500000200, "val": 9.0}])

    def test_http_1_0_without_host(self):
        status, headers, body = self.raw_exchange(
            ("GET %s/archive/%s/ HTTP/1.0\r\n\r\n" % (R, self.key)).encode())
        self.assertIn(" 200", status)
        self.assertIn("content-type: application/json", headers.lower())
        md = json.loads(body)
        self.assertEqual(md["uri"], "%s/archive/%s/" % (R, self.key))

    def test_deeply_nested_json_is_not_a_crash(self):
        key = self.a.create_metadata(p2p_body(["failures"]))["metadata-key"]
        deep = b'{"ts": 1500000300, "val": ' + b"[" * 100000 + b"]" * 100000 + b"}"
        r = self.a.post(R + "/archive/%s/failures/base" % key, deep)
        self.assertIn(r.status, (201, 400), r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertTrue(self.a.alive())
        self.assertEqual(self.a.get(R + "/archive/").status, 200)


class BodyLimit(unittest.TestCase):

    def test_body_over_max_body_413(self):
        with Archive(max_body=4096) as a:
            md = a.create_metadata(p2p_body(["failures"]))
            key = md["metadata-key"]
            big = {"data": [{"ts": 1400000000 + i, "val": [
                {"event-type": "failures", "val": {"error": "e" * 100}}]}
                for i in range(100)]}
            r = a.bulk_put(key, big)
            _json_error(self, r, 413)
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
            self.assertEqual(a.get_data(key, "failures", **{"time-start": 0}), [])
            body = p2p_body(["failures"], padding="x" * 8000)
            _json_error(self, a.post(R + "/archive/", body), 413)
            # below the limit everything works
            small = {"data": big["data"][:3]}
            self.assertEqual(a.bulk_put(key, small).status, 201)
            self.assertEqual(len(a.get_data(key, "failures", **{"time-start": 0})), 3)


if __name__ == "__main__":
    unittest.main()
