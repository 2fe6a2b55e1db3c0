"""A real rabbitmq-server for the tests, unprivileged and isolated: its own
epmd on 127.0.0.1 (started here, so its PID is known), node name, AMQP and
distribution ports on 127.0.0.1, data, logs and configuration in a temp
dir; stopped by PID. Restartable on the same data (durable queues survive)."""

import os
import shutil
import signal
import socket
import subprocess
import time

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
EPMD = shutil.which("epmd") or "/usr/lib/erlang/bin/epmd"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def available():
    return os.access(SERVER, os.X_OK) and os.access(EPMD, os.X_OK)


class Broker:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "rabbitmq")
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        self.port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        self.node = "esmtest%d@localhost" % os.getpid()
        self.env = dict(os.environ, HOME=self.dir, RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
                        RABBITMQ_NODE_PORT=str(self.port), RABBITMQ_DIST_PORT=str(self.dist_port),
                        ERL_EPMD_ADDRESS="127.0.0.1", ERL_EPMD_PORT=str(self.epmd_port),
                        RABBITMQ_NODENAME=self.node,
                        RABBITMQ_MNESIA_BASE=os.path.join(self.dir, "mnesia"),
                        RABBITMQ_LOG_BASE=os.path.join(self.dir, "log"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.dir, "enabled_plugins"),
                        RABBITMQ_CONFIG_FILE=os.path.join(self.dir, "rabbitmq"),
                        RABBITMQ_ADVANCED_CONFIG_FILE=os.path.join(self.dir, "advanced.config"),
                        RABBITMQ_CONF_ENV_FILE=os.path.join(self.dir, "rabbitmq-env.conf"),
                        RABBITMQ_PID_FILE=os.path.join(self.dir, "pid"),
                        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}")
        self.epmd = subprocess.Popen([EPMD, "-address", "127.0.0.1", "-port", str(self.epmd_port)],
                                     env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc = None
        self.url = "amqp://guest:guest@127.0.0.1:%d/%%2f" % self.port

    def start(self, timeout=120):
        self.log = open(os.path.join(self.dir, "server.out"), "ab")
        self.log_start = self.log.tell()
        self.proc = subprocess.Popen([SERVER], env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rabbitmq-server exited: %s" % self.tail())
            if self.ready():
                return self
            time.sleep(0.5)
        raise RuntimeError("rabbitmq-server did not start in %d s: %s" % (timeout, self.tail()))

    def ready(self):
        with open(os.path.join(self.dir, "server.out"), "rb") as f:
            f.seek(self.log_start)
            return b"Starting broker... completed" in f.read()

    def tail(self):
        with open(os.path.join(self.dir, "server.out"), "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")

    def beam_pids(self):
        """The Erlang VM below the start script (the script does not exec it)."""
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def stop(self):
        if self.proc is None:
            return
        for pid in self.beam_pids():
            os.kill(pid, signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            for pid in self.beam_pids():
                os.kill(pid, signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None
        self.log.close()

    def close(self):
        self.stop()
        self.epmd.terminate()
        self.epmd.wait(10)
