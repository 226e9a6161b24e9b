"""The data sets bench/run measures on: generated once per size (seeded) into bench/data/, reused after."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

DATA = "bench/data"
PY = sys.executable

# name: (file suffix, generator command without --bytes/--seed)
GENERATED = {
    "aw-rust": ("json", ["bench/gen/activitywatch_export.py", "--shape", "rust"]),
    "aw-python": ("json", ["bench/gen/activitywatch_export.py", "--shape", "python"]),
    "eidolon": ("ndjson", ["bench/gen/eidolon_ndjson.py", "--hashed-ids"]),
    "toggl-csv": ("csv", ["bench/gen/toggl_csv.py"]),
    "toggl-json": ("json", ["bench/gen/toggl_api.py"]),
    "rt-json": ("json", ["bench/gen/rescuetime_api.py", "--format", "json"]),
    "rt-csv": ("csv", ["bench/gen/rescuetime_api.py", "--format", "csv"]),
    "mt-csv": ("csv", ["bench/gen/manictime.py", "--format", "csv"]),
    "mt-xml": ("xml", ["bench/gen/manictime.py", "--format", "xml"]),
}


def path(name, size):
    suffix = GENERATED[name][0]
    return f"{DATA}/run-{name}-{size}.{suffix}"


def _generate(name, size):
    target = path(name, size)
    if os.path.exists(target) and os.path.getsize(target) > 0:
        return target
    print(f"bench/run: generating {target}", file=sys.stderr)
    script, *options = GENERATED[name][1]
    with open(target + ".tmp", "wb") as out:
        subprocess.run([PY, script, "--bytes", size, "--seed", "1", *options], stdout=out, check=True)
    os.replace(target + ".tmp", target)
    return target


def _sqlite_csv(size):
    """The eidolon data set's rows as CSV, for the sqlite3 shell's .import."""
    source = path("eidolon", size)
    target = source[: -len(".ndjson")] + ".csv"
    if not (os.path.exists(target) and os.path.getsize(target) > 0):
        print(f"bench/run: writing {target} (the same rows, for sqlite3 .import)", file=sys.stderr)
        subprocess.run([PY, "bench/peers/ndjson_to_csv.py", source, target + ".tmp"], check=True)
        os.replace(target + ".tmp", target)
    return target


def prepare(wanted):
    """wanted: (name, size) pairs. Generates what is missing, two at a time (the machine has two cores)."""
    os.makedirs(DATA, exist_ok=True)
    wanted = sorted(set(wanted))
    with ThreadPoolExecutor(max_workers=2) as pool:
        paths = dict(zip(wanted, pool.map(lambda pair: _generate(*pair), wanted)))
    for name, size in wanted:
        if name == "eidolon":
            paths[("eidolon-csv", size)] = _sqlite_csv(size)
    return paths
