"""Runs one command or a shell-free pipeline of commands and measures it.

Wall time from the first start to the last exit; peak memory from GNU time (`-f %M`, the
process's own getrusage), the largest of the stages; no timing inside the tools. (Not
os.wait4 here: a child forked from this Python process starts with its resident set
counted, so every small tool would report Python's 30 MB.)
"""
import os
import subprocess
import time

GNU_TIME = "/usr/bin/time"
from dataclasses import dataclass


@dataclass
class Run:
    seconds: float
    peak_mb: float          # the largest maximum resident set of the stages, in MB (10^6 bytes)
    status: int = 0
    stderr: str = ""


class CommandFailed(Exception):
    pass


def run_pipeline(stages, stdout_path=os.devnull, stdin_path=None, env=None, cwd=None):
    """Runs stages (a list of argv lists) as cmd1 | cmd2 | ..., the last one's output to stdout_path."""
    stderr_path = f"/tmp/eidolon-bench-{os.getpid()}.stderr"
    peak_paths = [f"/tmp/eidolon-bench-{os.getpid()}.{i}.peak" for i in range(len(stages))]
    processes = []
    with open(stderr_path, "wb") as stderr, open(stdout_path, "wb") as stdout:
        upstream = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        start = time.perf_counter()
        for index, argv in enumerate(stages):
            last = index == len(stages) - 1
            timed = [GNU_TIME, "-f", "%M", "-o", peak_paths[index], *argv]
            process = subprocess.Popen(timed, stdin=upstream, stdout=stdout if last else subprocess.PIPE,
                                       stderr=stderr, env=env, cwd=cwd)
            if upstream not in (None, subprocess.DEVNULL):
                upstream.close()
            upstream = process.stdout
            processes.append(process)
        statuses = [process.wait() for process in processes]
        seconds = time.perf_counter() - start
    peaks = [_peak_mb(path) for path in peak_paths]
    with open(stderr_path, "rb") as f:
        message = f.read()[-4000:].decode("utf-8", "replace")
    os.unlink(stderr_path)
    failed = next((s for s in statuses if s != 0), 0)
    return Run(seconds=seconds, peak_mb=max(peaks), status=failed, stderr=message)


def _peak_mb(path):
    """GNU time's %M (kilobytes) as MB; it writes 'Command exited with non-zero status' first when so."""
    try:
        with open(path) as f:
            kilobytes = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        kilobytes = 0
    if os.path.exists(path):
        os.unlink(path)
    return kilobytes * 1024 / 1e6


def measure(stages, repeat=1, allow_status=(0,), before=None, **options):
    """The fastest of `repeat` runs (these machines are noisy; the minimum is the least
    disturbed). `before`, unmeasured, puts back what a run changes (an empty database).
    Each run starts after a sync, unmeasured: the outputs of the commands before it are
    on disk then, not written back by the kernel while it runs (rt-read, writing 563 MB,
    took 0.72 s in a full run and 0.43 s in its suite alone before this)."""
    best = None
    for _ in range(repeat):
        if before:
            before()
        os.sync()
        run = run_pipeline(stages, **options)
        if run.status not in allow_status:
            shown = " | ".join(" ".join(argv) for argv in stages)
            raise CommandFailed(f"{shown}: exit status {run.status}\n{run.stderr}")
        if best is None or run.seconds < best.seconds:
            best = run
    return best


def count_lines(path):
    count = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            count += chunk.count(b"\n")
    return count
