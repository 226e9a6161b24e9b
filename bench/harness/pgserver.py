"""A throwaway PostgreSQL server for bench/run's PostgreSQL suite, as the tests run one
(Tests/ToolTests/PostgresServer.swift): initdb into a folder of /tmp, the server listening
only on a Unix socket there, as the postgres user when run as root, stopped at the end."""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time


def binaries():
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


class Server:
    def __init__(self):
        self.bin = binaries()
        if not self.bin:
            raise RuntimeError("PostgreSQL is not installed (bash .ci/setup installs it)")
        self.folder = tempfile.mkdtemp(prefix="eidolon-bench-pg-", dir="/tmp")
        as_root = os.geteuid() == 0
        if as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        prefix = ["/usr/sbin/runuser", "-u", "postgres", "--"] if as_root else []
        subprocess.run(prefix + [f"{self.bin}/initdb", "-D", f"{self.folder}/data", "-A", "trust", "-U", "eidolon", "-E", "UTF8",
                                 "--no-sync", "--no-instructions"], check=True, stdout=subprocess.DEVNULL)
        server = (["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] if as_root else [])
        self.process = subprocess.Popen(server + [f"{self.bin}/postgres", "-D", f"{self.folder}/data", "-k", self.folder,
                                                  "-c", "listen_addresses=", "-c", "shared_buffers=256MB"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.uri = f"postgresql://eidolon@/postgres?host={self.folder}"
        for _ in range(150):
            if subprocess.run(["psql", "-X", "-q", "-d", self.uri, "-c", "SELECT 1"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("PostgreSQL did not start within 15 s")

    def sql(self, statement):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.uri, "-c", statement], check=True,
                       stdout=subprocess.DEVNULL)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()
