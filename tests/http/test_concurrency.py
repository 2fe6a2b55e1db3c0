"""Concurrency and shutdown: 50 parallel clients mixing reads and writes;
SIGTERM while a large bulk PUT is in flight (the request completes, the
server exits 0, the data is there after a restart on the same database)."""

import http.client
import json
import signal
import socket
import threading
import time
import unittest

from harness import TOKEN, Archive, R, bulk_body, p2p_body

CLIENTS = 50


class ParallelClients(unittest.TestCase):

    def test_50_parallel_clients(self):
        with Archive() as a:
            shared = a.create_metadata(p2p_body([
                ("throughput", [("aggregation", 86400)]),
                ("histogram-owdelay", [("aggregation", 3600)])]))["metadata-key"]
            t0 = 1398902400
            errors = []
            own_keys = [None] * CLIENTS
            barrier = threading.Barrier(CLIENTS)

            def expect(r, status, what):
                if r.status != status:
                    errors.append("%s: %r" % (what, r))
                return r

            def client(i):
                try:
                    barrier.wait(timeout=30)
                    r = expect(a.post(R + "/archive/", p2p_body(
                        ["packet-count-sent"], source="10.50.%d.1" % i)), 201, "md post")
                    key = r.body["metadata-key"]
                    own_keys[i] = key
                    for j in range(5):
                        expect(a.post_point(key, "packet-count-sent", t0 + j, i * 10 + j),
                               201, "point post")
                        expect(a.get(R + "/archive/?limit=10"), 200, "list")
                    expect(a.bulk_put(shared, bulk_body({"throughput": [
                        (t0 + i * 10 + j, 1000 + j) for j in range(5)]})), 201, "bulk")
                    expect(a.post_point(shared, "histogram-owdelay", t0 + i,
                                        {"1": 1, str(100 + i): 2}), 201, "hist")
                    got = expect(a.get(a.data_path(key, "packet-count-sent",
                                                   **{"time-start": 0})), 200, "read").body
                    if [p["val"] for p in got] != [float(i * 10 + j) for j in range(5)]:
                        errors.append("client %d read back %r" % (i, got))
                    expect(a.get(a.data_path(shared, "throughput", "aggregations", 86400,
                                             **{"time-start": 0})), 200, "summary")
                except Exception as e:      # noqa: BLE001 - reported below
                    errors.append("client %d: %r" % (i, e))

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            self.assertFalse(any(t.is_alive() for t in threads), "clients hung")
            self.assertEqual(errors, [])
            self.assertEqual(len(set(own_keys)), CLIENTS)
            pts = a.get_data(shared, "throughput", limit=100000, **{"time-start": 0})
            self.assertEqual(len(pts), CLIENTS * 5)
            self.assertEqual(a.get_data(shared, "throughput", "aggregations", 86400,
                                        **{"time-start": 0}),
                             [{"ts": t0, "val": float(CLIENTS * sum(1000 + j
                                                                   for j in range(5)))}])
            agg = a.get_data(shared, "histogram-owdelay", "aggregations", 3600,
                             **{"time-start": 0})
            exp = {"1": CLIENTS}
            exp.update({str(100 + i): 2 for i in range(CLIENTS)})
            self.assertEqual(agg, [{"ts": t0, "val": exp}])
            total = a.list_metadata(limit=1).body[0]["metadata-count-total"]
            self.assertEqual(total, CLIENTS + 1)


class ShutdownDuringBulk(unittest.TestCase):

    N = 60000
    T0 = 1300000000

    def test_sigterm_while_large_bulk_put_in_flight(self):
        a = Archive(max_body=256 * 1024 * 1024)
        with a:
            key = a.create_metadata(p2p_body([
                ("throughput", [("aggregation", 3600), ("average", 3600)]),
                ("packet-count-sent", [("aggregation", 86400)])]))["metadata-key"]
            body = json.dumps(bulk_body({
                "throughput": [(self.T0 + i, i) for i in range(self.N)],
                "packet-count-sent": [(self.T0 + i, 1) for i in range(self.N)]})).encode()
            head = ("PUT %s/archive/%s/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    "Authorization: Token %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %d\r\nConnection: close\r\n\r\n"
                    % (R, key, a.port, TOKEN, len(body))).encode()
            sock = socket.create_connection(("127.0.0.1", a.port), timeout=120)
            result = {}

            def read_response():
                try:
                    resp = http.client.HTTPResponse(sock)
                    resp.begin()
                    result["status"] = resp.status
                    result["body"] = resp.read()
                except Exception as e:      # noqa: BLE001 - reported below
                    result["error"] = repr(e)

            try:
                sock.sendall(head + body[:-1000])
                time.sleep(0.3)                 # the server is reading the body
                a.proc.send_signal(signal.SIGTERM)
                time.sleep(0.3)
                reader = threading.Thread(target=read_response)
                reader.start()
                sock.sendall(body[-1000:])
                reader.join(120)
                self.assertFalse(reader.is_alive(), "no response to the in-flight PUT")
            finally:
                sock.close()
            self.assertEqual(result.get("status"), 201, result)
            self.assertEqual(result.get("body"), b'""')
            self.assertEqual(a.stop(check=False, timeout=60), 0, a.stderr_text()[-2000:])

            with Archive(db=a.db) as b:
                got = b.get_all_data(key, "throughput", start=0, end=self.T0 + self.N,
                                     limit=100000)
                self.assertEqual(len(got), self.N)
                self.assertEqual(got[-1], {"ts": self.T0 + self.N - 1,
                                           "val": float(self.N - 1)})
                got = b.get_all_data(key, "packet-count-sent", "aggregations", 86400,
                                     start=0, end=self.T0 + self.N, limit=100000)
                self.assertEqual(sum(p["val"] for p in got), float(self.N))
                got = b.get_data(key, "throughput", "averages", 3600,
                                 time=self.T0 // 3600 * 3600)
                first_bin = [i for i in range(self.N)
                             if (self.T0 + i) // 3600 == self.T0 // 3600]
                self.assertEqual(got[0]["val"], sum(first_bin) / len(first_bin))

    def test_idle_server_exits_promptly_on_sigterm(self):
        a = Archive()
        with a:
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
            conn.request("GET", R + "/archive/")     # keep-alive connection left open
            conn.getresponse().read()
            started = time.monotonic()
            self.assertEqual(a.stop(timeout=10), 0)
            self.assertLess(time.monotonic() - started, 10)
            conn.close()


if __name__ == "__main__":
    unittest.main()
