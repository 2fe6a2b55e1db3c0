"""Authentication (esmond-rest-api §5, §16 item 3): Token header for writes, legacy
ApiKey header, open reads, invalid Token header rejected even on reads."""

import unittest

from harness import TOKEN, USER, ArchiveCase, R, p2p_body

OTHER_USER, OTHER_KEY = "second", "fedcba9876543210fedcba9876543210fedcba98"


class Auth(ArchiveCase):

    ARCHIVE_KWARGS = {"tokens": ["%s:%s" % (USER, TOKEN),
                                 "%s:%s" % (OTHER_USER, OTHER_KEY)]}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        md = cls.a.create_metadata(p2p_body(["throughput", "failures"]))
        cls.key = md["metadata-key"]
        cls.base = R + "/archive/%s/throughput/base" % cls.key
        cls.ts = 1400000000

    def next_ts(self):
        type(self).ts += 1
        return self.ts

    def write_point(self, auth, **kw):
        """POST one throughput point at a fresh timestamp with this
        Authorization header (None: none); returns (ts, Response)."""
        ts = self.next_ts()
        return ts, self.a.post(self.base, {"ts": ts, "val": 1}, auth=auth, **kw)

    def assert_401(self, r, detail=None):
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertIsInstance(r.detail, str)
        if detail:
            self.assertEqual(r.detail, detail)

    def stored(self, ts):
        return self.a.get_data(self.key, "throughput", time=ts)

    # -- writes -----------------------------------------------------------------

    def test_metadata_post_without_credentials_401(self):
        r = self.a.post(R + "/archive/", p2p_body(["failures"]), auth=None)
        self.assert_401(r, "Authentication credentials were not provided.")
        self.assertEqual(r.header("WWW-Authenticate"), "Token")

    def test_metadata_post_with_token_201(self):
        r = self.a.post(R + "/archive/", p2p_body(["failures"]),
                        auth="Token " + TOKEN)
        self.assertEqual(r.status, 201, r)

    def test_token_keyword_case_insensitive(self):
        for kw in ("token", "TOKEN"):
            with self.subTest(kw):
                ts, r = self.write_point(kw + " " + TOKEN)
                self.assertEqual(r.status, 201, r)
                self.assertEqual(len(self.stored(ts)), 1)

    def test_second_configured_token(self):
        ts, r = self.write_point("Token " + OTHER_KEY)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(self.stored(ts)), 1)

    def test_legacy_apikey_header(self):
        ts, r = self.write_point("ApiKey %s:%s" % (USER, TOKEN))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(self.stored(ts)), 1)
        r = self.a.post(R + "/archive/", p2p_body(["failures"]),
                        auth="ApiKey %s:%s" % (OTHER_USER, OTHER_KEY))
        self.assertEqual(r.status, 201, r)

    def test_apikey_with_wrong_key_401(self):
        ts, r = self.write_point("ApiKey %s:%s" % (USER, "0" * 40))
        self.assert_401(r)
        self.assertEqual(self.stored(ts), [])

    def test_data_writes_without_credentials_401_and_not_stored(self):
        ts, r = self.write_point(None)
        self.assert_401(r, "Authentication credentials were not provided.")
        body = {"data": [{"ts": ts, "val": [{"event-type": "throughput", "val": 1}]}]}
        self.assert_401(self.a.bulk_put(self.key, body, auth=None))
        self.assert_401(self.a.post(R + "/archive/%s/" % self.key, body, auth=None))
        self.assertEqual(self.stored(ts), [])

    def test_invalid_token_on_write_401(self):
        ts, r = self.write_point("Token " + "f" * 40)
        self.assert_401(r, "Invalid token.")
        self.assertEqual(self.stored(ts), [])

    def test_malformed_token_headers_401(self):
        cases = [("Token", "Invalid token header. No credentials provided."),
                 ("Token " + TOKEN + " extra",
                  "Invalid token header. Token string should not contain spaces.")]
        for header, detail in cases:
            with self.subTest(header):
                self.assert_401(self.write_point(header)[1], detail)
                self.assert_401(self.a.get(R + "/archive/", auth=header), detail)

    def test_other_scheme_does_not_authenticate(self):
        ts, r = self.write_point("Basic dGVzdGVyOnNlY3JldA==")
        self.assert_401(r)
        self.assertEqual(self.stored(ts), [])

    def test_x_forwarded_for_grants_nothing(self):
        ts, r = self.write_point(None, headers={"X-Forwarded-For": "127.0.0.1"})
        self.assert_401(r)
        self.assertEqual(self.stored(ts), [])

    def test_authentication_precedes_validation(self):
        self.assert_401(self.a.post(R + "/archive/", b"{broken", auth=None))
        self.assert_401(self.a.post(self.base, {"nots": 1}, auth=None))

    # -- reads -------------------------------------------------------------------

    def test_reads_are_open(self):
        for path in (R + "/archive/", R + "/archive/%s/" % self.key,
                     R + "/archive/%s/throughput/" % self.key, self.base):
            with self.subTest(path):
                self.assertEqual(self.a.get(path).status, 200)
                self.assertEqual(self.a.get(path, auth="Token " + TOKEN).status, 200)

    def test_get_with_invalid_token_401(self):
        for path in (R + "/archive/", R + "/archive/%s/" % self.key, self.base):
            with self.subTest(path):
                self.assert_401(self.a.get(path, auth="Token " + "a" * 40),
                                "Invalid token.")

    def test_get_with_other_scheme_is_open(self):
        r = self.a.get(R + "/archive/", auth="Basic dGVzdGVyOnNlY3JldA==")
        self.assertEqual(r.status, 200)


if __name__ == "__main__":
    unittest.main()
