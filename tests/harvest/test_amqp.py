"""esmond-ps-harvest publishing to a real RabbitMQ broker (started here on a
loopback port with its own data): everything published is consumed back;
the broker restarted in the middle of a run loses nothing (the checkpoint
moved only over confirmed messages, the next run sends the rest)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import broker
import hvlib

CONSUME = os.environ.get("ESM_AMQP_CONSUME") or os.path.join(hvlib.BIN, "..", "tests", "amqp_consume")


class Amqp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-harvest-amqp-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.broker = broker.Broker(cls.tmp)
        cls.addClassCleanup(cls.broker.close)
        cls.broker.start()
        cls.archives = [hvlib.sample_archive(cls.tmp, 3, s, cls.addClassCleanup) for s in (9, 10)]

    def consume(self, queue):
        r = subprocess.run([CONSUME, "drain", str(self.broker.port), queue, "3"], capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines()]

    def harvest_args(self, state, exchange):
        args = ["--state", state, "--amqp", self.broker.url, "--exchange", exchange, "--since", hvlib.SINCE,
                "--routing-key", "{tool-name}.{event-type}"]
        for a in self.archives:
            args += ["--url", a.base]
        return args

    def held(self):
        held = {}
        for a in self.archives:
            held.update(hvlib.archive_points(a))
        return held

    def setup_queue(self, exchange, queue):
        subprocess.run([CONSUME, "setup", str(self.broker.port), exchange, queue], check=True, timeout=60)

    def test_published_and_consumed(self):
        self.setup_queue("esmond", "all")
        r = hvlib.harvest(self.harvest_args(os.path.join(self.tmp, "s1"), "esmond"))
        self.assertEqual(r.returncode, 0, r.stderr)
        got = self.consume("all")
        ids = [(m["archive"], m["metadata-key"], m["event-type"], m["ts"]) for m in got]
        self.assertEqual(len(ids), len(set(ids)), "a message came twice without a crash")
        held = self.held()
        self.assertEqual(set(ids), set(held))
        self.assertTrue(all(m["val"] == held[i] for m, i in zip(got, ids)))

    def test_broker_restart_loses_nothing(self):
        self.setup_queue("restart", "restart-q")
        state = os.path.join(self.tmp, "s2")
        p = subprocess.Popen([hvlib.HARVEST] + self.harvest_args(state, "restart") + ["-j", "1"],
                             stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        self.broker.stop()
        _, err = p.communicate(timeout=120)
        restarted_mid_run = p.returncode != 0
        self.broker.start()
        if restarted_mid_run:
            self.assertIn("AMQP", err)
        r = hvlib.harvest(self.harvest_args(state, "restart"))
        self.assertEqual(r.returncode, 0, r.stderr)
        got = self.consume("restart-q")
        ids = {(m["archive"], m["metadata-key"], m["event-type"], m["ts"]) for m in got}
        self.assertEqual(ids, set(self.held()))
        self.assertTrue(restarted_mid_run, "the run ended before the broker stopped: " + err)


if __name__ == "__main__":
    if not broker.available():
        print("rabbitmq-server is not installed", file=sys.stderr)
        sys.exit(77)
    unittest.main()
