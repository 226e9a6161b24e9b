"""The real ActivityWatch server (aw-server from PyPI, installed by .ci/aw-server into
.venv-aw) importing an export file, the way a person moving to ActivityWatch would:
POST /api/0/import. Its storage is the default (peewee, SQLite on disk) in a temporary
home, so what it does is what it does for a user."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from .measure import measure

EXECUTABLE = ".venv-aw/bin/aw-server"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mb(pid):
    """The server process's peak resident set so far (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return 0.0


class Server:
    def __enter__(self):
        self.home = tempfile.mkdtemp(prefix="eidolon-bench-aw-")
        env = dict(os.environ)
        for name in ["XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"]:
            env[name] = os.path.join(self.home, name)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/0"
        self.log = open(os.path.join(self.home, "server.log"), "wb")
        self.process = subprocess.Popen([EXECUTABLE, "--testing", "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=self.log, stderr=self.log, env=env)
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/info", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"aw-server did not answer within 30 s (log: {self.home}/server.log)")

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()
        subprocess.run(["rm", "-rf", self.home])

    def event_count(self):
        buckets = json.load(urllib.request.urlopen(self.base + "/buckets/"))
        total = 0
        for bucket in buckets:
            events = json.load(urllib.request.urlopen(f"{self.base}/buckets/{bucket}/events?limit=-1"))
            total += len(events)
        return total


def measure_import(export_path):
    """(seconds, server peak MB, events the server then holds) for one POST /api/0/import of the file."""
    with Server() as server:
        before = _peak_mb(server.process.pid)
        run = measure([["curl", "-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/json",
                        "--data-binary", "@" + export_path, server.base + "/import"]])
        peak = max(before, _peak_mb(server.process.pid), run.peak_mb)
        return run.seconds, peak, server.event_count()
