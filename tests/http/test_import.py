"""--import DIR (esmond-rest-api §16 item 11, tests/data/replay/README.md): keys,
free-form parameters and time-updated kept, data files stored as they are,
registered summaries without a file computed, bad input rejected."""

import json
import os
import shutil
import tempfile
import unittest

import refmodel
from harness import (R, R2, REPLAY_DIR, Archive, ArchiveCase, load_json,
                     make_import_dir, parse_link, run_archive, sorted_object)

REPLAY = load_json("replay", "metadata.json")
PAGING = ("metadata-count-total", "metadata-previous-page", "metadata-next-page")
URL_NAME = {"aggregations": "aggregation", "averages": "average", "statistics": "statistics"}


def data_files():
    """[(key, event type, summary url name or None, window or None, path)]"""
    out = []
    root = os.path.join(REPLAY_DIR, "data")
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            parts = os.path.relpath(path, root).split(os.sep)
            if len(parts) == 3:
                out.append((parts[0], parts[1], None, None, path))
            else:
                out.append((parts[0], parts[1], parts[2], int(parts[3][:-5]), path))
    return sorted(out, key=lambda f: f[-1])


def read_points(a, key, et, url_name=None, window=None, limit=1000):
    """All points, paged with the time-start cursor (esmond-rest-api §9.3)."""
    out, start = [], 0
    while True:
        page = a.get_data(key, et, url_name, window, **{
            "time-start": start, "time-end": 2000000000, "limit": limit})
        out += page
        if len(page) < limit:
            return out
        start = page[-1]["ts"] + 1


class ReplayImport(ArchiveCase):

    ARCHIVE_KWARGS = {"import_dir": REPLAY_DIR}

    def test_list_equals_metadata_json(self):
        r = self.a.list_metadata(limit=100000)
        self.assertEqual(r.status, 200)
        got = r.body
        self.assertEqual(got[0]["metadata-count-total"], len(REPLAY))
        for k in PAGING:
            got[0].pop(k, None)
        exp = json.loads(json.dumps(REPLAY).replace("http://archive.example.net/",
                                                    self.a.base + "/"))
        self.assertEqual([m["metadata-key"] for m in got],
                         [m["metadata-key"] for m in exp])
        for g, e in zip(got, exp):
            with self.subTest(e["metadata-key"]):
                self.assertEqual(sorted_object(g), sorted_object(e))

    def test_short_prefix_rendering(self):
        got = self.a.list_metadata(prefix=R2, limit=100000).body
        exp = json.loads(json.dumps(REPLAY).replace(
            "http://archive.example.net/esmond/perfsonar/", self.a.base + "/perfsonar/")
            .replace('"/esmond/perfsonar/', '"/perfsonar/'))
        for k in PAGING:
            got[0].pop(k, None)
        self.assertEqual([sorted_object(m) for m in got], [sorted_object(m) for m in exp])

    def test_keys_kept_case_sensitive(self):
        for m in REPLAY:
            key = m["metadata-key"]
            with self.subTest(key):
                r = self.a.get(R + "/archive/%s/" % key)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body["metadata-key"], key)
                if key != key.lower():
                    self.assertEqual(self.a.get(R + "/archive/%s/" % key.lower()).status,
                                     404)

    def test_time_updated_kept(self):
        for m in REPLAY:
            got = self.a.get(R + "/archive/%s/" % m["metadata-key"]).body
            exp = {e["event-type"]: e["time-updated"] for e in m["event-types"]}
            self.assertEqual({e["event-type"]: e["time-updated"]
                              for e in got["event-types"]}, exp)

    def test_time_filters_use_imported_time_updated(self):
        exp = refmodel.search(REPLAY, {"time-start": "1398798900"})
        got = [m["metadata-key"] for m in self.a.list_metadata(**{
            "time-start": 1398798900}).body]
        self.assertEqual(got, exp)
        self.assertEqual(len(exp), 5)

    def test_every_data_file_reads_back_exactly(self):
        files = data_files()
        self.assertEqual(len(files), 38)
        for key, et, url_name, window, path in files:
            with self.subTest(path=os.path.relpath(path, REPLAY_DIR)):
                with open(path, encoding="utf-8") as f:
                    exp = json.load(f)
                got = read_points(self.a, key, et, url_name, window)
                self.assertEqual(got, exp)

    def test_float_rendering_of_imported_values(self):
        key = "67a3c298de0b4237abee56b879e03587"
        r = self.a.get(self.a.data_path(key, "time-error-estimates", **{"time-start": 0}))
        for text in (b"1e-05", b"0.0001", b"2.5e-07", b"0.000152587890625"):
            self.assertIn(b":" + text + b"}", r.raw.replace(b" ", b""))
        r = self.a.get(self.a.data_path(key, "histogram-rtt", "statistics", 0,
                                        **{"time-start": 0}))
        self.assertIn(b"73.43560000000001", r.raw)
        r = self.a.get(self.a.data_path("EC7E5AF67F8746C8AEF41E60288F3F59", "throughput",
                                        time=1391563070))
        self.assertIn(b"5524593445.0", r.raw)

    def test_offset_paging_and_default_page(self):
        key, et = "0CB19291FB6D40EAA1955376772BF5D2", "histogram-owdelay"
        with open(os.path.join(REPLAY_DIR, "data", key, et, "base.json")) as f:
            exp = json.load(f)
        got = []
        for offset in range(0, len(exp) + 1, 500):
            got += self.a.get_data(key, et, limit=500, offset=offset)
        self.assertEqual(got, exp)
        r = self.a.get(self.a.data_path(key, et))
        self.assertEqual(r.body, exp)          # 1440 points fit the default page
        self.assertNotIn("next", parse_link(r.header("Link")))

    def test_reference_client_window(self):
        tr = load_json("esmond", "extracted", "test_client_payloads.json")["TestResults"]
        start, end = tr["q_start_ms"] // 1000, tr["q_end_ms"] // 1000
        for check in tr["checks"]:
            et = check["path"][1].replace("_", "-")
            url_name = window = None
            if len(check["path"]) > 3:
                url_name, window = "aggregations", check["freq"]
            with self.subTest(check["file"]):
                got = self.a.get_all_data(check["path"][2], et, url_name, window,
                                          start=start, end=end)
                self.assertEqual(len(got), check["count"])
                self.assertEqual(got[0]["ts"], check["first_ts_ms"] // 1000)
                self.assertEqual(got[-1]["ts"], check["last_ts_ms"] // 1000)
                if "first_val" in check:
                    self.assertEqual(got[0]["val"], check["first_val"])
                    self.assertEqual(got[-1]["val"], check["last_val"])

    def test_registered_summaries_without_file_computed(self):
        key = "2355e337a7214611ab1bc5db51e40424"
        with open(os.path.join(REPLAY_DIR, "data", key, "histogram-rtt", "base.json")) as f:
            base = [(p["ts"], p["val"]) for p in json.load(f)]
        got = read_points(self.a, key, "histogram-rtt", "statistics", 0)
        self.assertIsNone(refmodel.mismatch(
            got, [{"ts": ts, "val": refmodel.hist_stats(h)} for ts, h in base]), got)
        binned = sorted(refmodel.bins(base, 86400).items())
        got = read_points(self.a, key, "histogram-rtt", "aggregations", 86400)
        self.assertEqual(got, [{"ts": b, "val": refmodel.hist_sum(hs)} for b, hs in binned])
        got = read_points(self.a, key, "histogram-rtt", "statistics", 86400)
        self.assertIsNone(refmodel.mismatch(got, [
            {"ts": b, "val": refmodel.hist_stats(refmodel.hist_sum(hs))}
            for b, hs in binned]), got)
        with open(os.path.join(REPLAY_DIR, "data", key, "packet-loss-rate", "base.json")) as f:
            loss = json.load(f)
        got = read_points(self.a, key, "packet-loss-rate", "aggregations", 3600)
        self.assertIsNone(refmodel.mismatch(got, [
            {"ts": p["ts"] // 3600 * 3600, "val": p["val"]} for p in loss]), got)
        got = read_points(self.a, key, "packet-loss-rate", "aggregations", 86400)
        self.assertEqual([p["ts"] for p in got], [loss[0]["ts"] // 86400 * 86400])
        lo = min(p["val"] for p in loss)
        hi = max(p["val"] for p in loss)
        self.assertTrue(lo <= got[0]["val"] <= hi, got)


class ImportThenWrite(unittest.TestCase):

    def test_writes_after_import(self):
        with Archive(import_dir=REPLAY_DIR) as a:
            key = "f6b732e9f351487a96126f0c25e5e546"
            with open(os.path.join(REPLAY_DIR, "data", key, "throughput", "base.json")) as f:
                first = json.load(f)[0]
            r = a.post_point(key, "throughput", first["ts"], 1)
            self.assertEqual(r.status, 409, r)
            self.assertEqual(a.get_data(key, "throughput", time=first["ts"]), [first])
            r = a.post_point(key, "throughput", 1398988800 + 60, 1000)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(a.get_data(key, "throughput", "averages", 86400,
                                        time=1398988800),
                             [{"ts": 1398988800, "val": 1000.0}])
            md = a.get(R + "/archive/%s/" % key).body
            tu = [e for e in md["event-types"] if e["event-type"] == "throughput"][0]
            self.assertGreater(tu["time-updated"], 1398797790)
            # retired event types are readable but never writable
            r = a.post_point(key, "streams-retransmits", 1398988800, [1, 2])
            self.assertEqual(r.status, 400, r)
            self.assertEqual(len(a.get_data(key, "streams-retransmits", **{"time-start": 0})), 4)
            # re-posting the metadata of an imported object finds the imported key
            body = load_json("esmond", "derived", "perfsonar_client_metadata.post-bodies.json")[0]
            r = a.post(R + "/archive/", body)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.body["metadata-key"], "0CB19291FB6D40EAA1955376772BF5D2")


class ImportCommand(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="esm-import-")
        self.db = os.path.join(self.tmp, "a.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_import_without_listen_exits_0_then_serves(self):
        p = run_archive(["--db", self.db, "--import", REPLAY_DIR], timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("listening", p.stdout)
        with Archive(db=self.db) as a:
            got = a.list_metadata(limit=100000).body
            self.assertEqual([m["metadata-key"] for m in got],
                             [m["metadata-key"] for m in REPLAY])
            key = "EC7E5AF67F8746C8AEF41E60288F3F59"
            self.assertEqual(len(read_points(a, key, "throughput")), 600)

    def assert_import_fails(self, directory, must_mention):
        p = run_archive(["--db", self.db, "--import", directory], timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertTrue(p.stderr.strip())
        self.assertIn(must_mention, p.stderr)
        return p

    def test_missing_directory(self):
        d = os.path.join(self.tmp, "no-such-dir")
        self.assert_import_fails(d, "no-such-dir")

    def test_directory_without_metadata_json(self):
        d = os.path.join(self.tmp, "empty")
        os.mkdir(d)
        self.assert_import_fails(d, "metadata.json")

    def test_malformed_metadata_json(self):
        for i, text in enumerate(("{not json", "{\"a\": 1}", "[1, 2]", "[{}]")):
            with self.subTest(text):
                d = os.path.join(self.tmp, "bad%d" % i)
                os.makedirs(os.path.join(d, "data"))
                with open(os.path.join(d, "metadata.json"), "w") as f:
                    f.write(text)
                self.assert_import_fails(d, "metadata.json")

    def test_malformed_data_file(self):
        md = [m for m in REPLAY if m["metadata-key"].startswith("EC7E")]
        d = make_import_dir(self.tmp, md)
        p = os.path.join(d, "data", md[0]["metadata-key"], "throughput")
        os.makedirs(p)
        with open(os.path.join(p, "base.json"), "w") as f:
            f.write("[{\"ts\": 1, \"val\": ")
        self.assert_import_fails(d, "base.json")

    def test_malformed_data_files_store_nothing(self):
        """Each malformed file fails the import, and the import is one
        transaction: an earlier good file of the same run is not kept."""
        md = [m for m in REPLAY if m["metadata-key"].startswith(("EC7E", "0CB1"))]
        bad = ('[{"ts":1,"val":2} {"ts":2,"val":3}]', '[{"ts":1,"val":2}],', '{"ts":1,"val":2}',
               '[{"ts":"x","val":1}]', '[{"ts":1,"val":"a"}]', '[', '[,{"ts":1,"val":2}]', '[1]')
        for i, text in enumerate(bad):
            with self.subTest(text):
                db = os.path.join(self.tmp, "m%d.db" % i)
                d = make_import_dir(self.tmp, md, {
                    "0CB19291FB6D40EAA1955376772BF5D2/packet-count-sent/base.json": [{"ts": 5, "val": 1.0}]})
                p = os.path.join(d, "data", "EC7E5AF67F8746C8AEF41E60288F3F59", "throughput")
                os.makedirs(p)
                with open(os.path.join(p, "base.json"), "w") as f:
                    f.write(text)
                r = run_archive(["--db", db, "--import", d], timeout=60)
                self.assertNotEqual(r.returncode, 0, r.stderr)
                self.assertIn("base.json", r.stderr)
                with Archive(db=db) as a:
                    self.assertEqual(a.list_metadata().body, [])

    def test_bad_import_with_listen_never_listens(self):
        d = os.path.join(self.tmp, "no-such-dir")
        p = run_archive(["--db", self.db, "--import", d, "--listen", "127.0.0.1:0",
                         "--token", "u:k"], timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertNotIn("listening", p.stdout)


class GeneratedImport(ArchiveCase):
    """A generated set: registered summaries without files are computed; a
    summary file that exists is kept verbatim; parameters and time-updated
    are kept."""

    KEY = "ABCDEF0123456789ABCDEF0123456789"
    T = 1398902400

    @classmethod
    def import_data(cls):
        key, t = cls.KEY, cls.T
        uri = "/esmond/perfsonar/archive/%s/" % key

        def et(name, tu, sums):
            return {"base-uri": uri + name + "/base", "event-type": name,
                    "time-updated": tu, "summaries": [
                        {"uri": "%s%s/%s/%d" % (uri, name, {
                            "aggregation": "aggregations", "average": "averages",
                            "statistics": "statistics"}[st], w),
                         "summary-type": st, "summary-window": str(w), "time-updated": tu}
                        for st, w in sums]}
        cls.md = {"url": "http://archive.example.net" + uri, "metadata-key": key,
                  "subject-type": "point-to-point", "event-types": [
                      et("failures", None, []),
                      et("histogram-owdelay", 1398990000, [
                          ("aggregation", 3600), ("statistics", 0), ("statistics", 3600)]),
                      et("ntp-offset", 1398990001, [("average", 3600), ("aggregation", 3600)]),
                      et("throughput", 1398990002, [
                          ("aggregation", 3600), ("aggregation", 86400),
                          ("average", 3600), ("average", 86400)])],
                  "source": "10.5.5.1", "destination": "10.5.5.2",
                  "measurement-agent": "10.5.5.1", "tool-name": "generated",
                  "input-source": "gen-a", "input-destination": "gen-b",
                  "custom-param": "Some Value", "time-duration": "20", "uri": uri}
        cls.tp = [(t + 600 * i, float(1000 * (i + 1))) for i in range(12)]
        cls.ntp = [(t + 900 * i, v) for i, v in enumerate([0.5, 0.25, -0.125, 1.0, 2.0])]
        cls.hist = [(t + 1200 * i, {"%d" % (10 + i): 2, "%d" % (20 + i): 1 + i})
                    for i in range(5)]
        cls.kept = [{"ts": t, "val": 42.0}]       # deliberately not the true sum
        files = {
            key + "/throughput/base.json": [{"ts": a, "val": b} for a, b in cls.tp],
            key + "/throughput/aggregations/86400.json": cls.kept,
            key + "/ntp-offset/base.json": [{"ts": a, "val": b} for a, b in cls.ntp],
            key + "/histogram-owdelay/base.json": [{"ts": a, "val": b} for a, b in cls.hist],
        }
        return make_import_dir(cls.tmp, [cls.md], files)

    def series(self, et, url_name=None, w=None):
        return read_points(self.a, self.KEY, et, url_name, w)

    def test_metadata_kept(self):
        got = self.a.get(R + "/archive/%s/" % self.KEY).body
        exp = json.loads(json.dumps(self.md).replace("http://archive.example.net",
                                                     self.a.base))
        self.assertEqual(sorted_object(got), sorted_object(exp))

    def test_existing_summary_file_kept_verbatim(self):
        self.assertEqual(self.series("throughput", "aggregations", 86400), self.kept)

    def test_integer_summaries_computed(self):
        for url_name, w, fn in (("aggregations", 3600, sum),
                                ("averages", 3600, lambda v: sum(v) / len(v)),
                                ("averages", 86400, lambda v: sum(v) / len(v))):
            with self.subTest(series="%s/%d" % (url_name, w)):
                exp = [{"ts": b, "val": fn(v)} for b, v in
                       sorted(refmodel.bins(self.tp, w).items())]
                self.assertIsNone(refmodel.mismatch(
                    self.series("throughput", url_name, w), exp))

    def test_float_summaries_computed(self):
        for url_name, fn in (("aggregations", sum), ("averages", lambda v: sum(v) / len(v))):
            with self.subTest(url_name):
                exp = [{"ts": b, "val": fn(v)} for b, v in
                       sorted(refmodel.bins(self.ntp, 3600).items())]
                self.assertIsNone(refmodel.mismatch(self.series("ntp-offset", url_name, 3600),
                                                    exp))

    def test_histogram_summaries_computed(self):
        binned = sorted(refmodel.bins(self.hist, 3600).items())
        self.assertEqual(self.series("histogram-owdelay", "aggregations", 3600),
                         [{"ts": b, "val": refmodel.hist_sum(hs)} for b, hs in binned])
        self.assertIsNone(refmodel.mismatch(
            self.series("histogram-owdelay", "statistics", 3600),
            [{"ts": b, "val": refmodel.hist_stats(refmodel.hist_sum(hs))} for b, hs in binned]))
        self.assertIsNone(refmodel.mismatch(
            self.series("histogram-owdelay", "statistics", 0),
            [{"ts": ts, "val": refmodel.hist_stats(h)} for ts, h in self.hist]))

    def test_search_on_imported_parameters(self):
        got = self.a.list_metadata(**{"custom-param": "Some Value",
                                      "time": 1398990001, "event-type": "ntp-offset"}).body
        self.assertEqual([m["metadata-key"] for m in got], [self.KEY])


if __name__ == "__main__":
    unittest.main()
