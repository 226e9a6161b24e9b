"""What the run ran on, and the versions of every tool measured, for RESULTS.md and the JSON."""
import os
import platform
import subprocess
import sys


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "not found"


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return round(kib / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None


def describe():
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "os": _first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "versions": {
            "swift": _first_line(["swift", "--version"]),
            "python": sys.version.split()[0],
            "jq": _first_line(["jq", "--version"]),
            "miller": _first_line(["mlr", "--version"]),
            "xmllint": _first_line(["xmllint", "--version"]),
            "sqlite3": _first_line(["sqlite3", "--version"]).split(" ")[0],
            "sqlite-utils": _first_line(["bench/.venv/bin/sqlite-utils", "--version"]),
            "aw-server": _aw_server_version(),
        },
    }


def _aw_server_version():
    try:
        done = subprocess.run([".venv-aw/bin/pip", "show", "aw-server"], capture_output=True, text=True)
    except OSError:
        return "not installed"
    for line in done.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "not installed"
