"""What bench/run measures, suite by suite: each Eidolon tool next to the tools people use
instead, on the same file in the same run. Every command's output goes to a file in the
run's work folder (Eidolon's and the peers' alike); a reader's output is what the
matching writer is then measured on."""
import os
import subprocess
import sys

from . import awserver, pgserver
from .measure import count_lines
from .results import Result

# The binaries scripts/install and scripts/release ship (scripts/build-static: Swift's
# runtime linked in), which start in about half the time of `swift build`'s.
BIN = ".build-static/release"
PY = sys.executable
VENV_BIN = "bench/.venv/bin"


def tool(name, *args):
    return [f"{BIN}/{name}", *args]


def peer_py(script, *args):
    return [PY, f"bench/peers/{script}", *args]


class Context:
    def __init__(self, recorder, paths, size):
        self.r = recorder
        self.paths = paths
        self.size = size

    def data(self, name):
        return self.paths[(name, self.size)]

    def out(self, name):
        return os.path.join(self.r.work, name)


def _reader(c, id, group, label, argv, data, peers):
    """Measures a reader (output kept as id.ndjson), then its peers with the reader's event count."""
    out = c.out(f"{id}.ndjson")
    result = c.r.run(id, group, label, [argv], data, events=0, stdout=out)
    result.events = count_lines(out)
    for peer_id, peer_label, peer_argv in peers:
        c.r.run(peer_id, group, peer_label, [peer_argv], data, events=result.events, peer=True,
                stdout=c.out("peer.out"))
    return out


def fresh(*paths):
    """A `before` for commands that must start without these files (a new database)."""
    def remove():
        for path in paths:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.unlink(path + suffix)
    return remove


def activitywatch(c):
    group = "ActivityWatch export (JSON) to events"
    rust, python = c.data("aw-rust"), c.data("aw-python")
    out = _reader(c, "aw-read", group, "aw-read (Rust server's layout)", tool("aw-read", rust), rust, [
        ("jq-aw", "jq -c '.buckets[].events[]'", ["jq", "-c", ".buckets[].events[]", rust]),
        ("python-json-aw", "Python json.load, json.dumps per event", peer_py("aw_json_load.py", rust)),
    ])
    _reader(c, "aw-read-python", group, "aw-read (Python server's layout, \\u escapes)",
            tool("aw-read", python), python, [])
    events = count_lines(out)
    c.r.run("aw-write", "Writers (Eidolon NDJSON to a tracker's format)", "aw-write (ActivityWatch import file)",
            [tool("aw-write", out)], out, events, stdout=c.out("writer.out"))


def _csv_peers(prefix, data):
    return [
        (f"python-csv-{prefix}", "Python csv.reader (parse only)", peer_py("csv_parse.py", data)),
        (f"mlr-{prefix}", "mlr --icsv --ojsonl cat", ["mlr", "--icsv", "--ojsonl", "cat", data]),
    ]


def toggl(c):
    data = c.data("toggl-csv")
    out = _reader(c, "toggl-read", "Toggl Detailed report (CSV) to events", "toggl-read --tz Europe/Berlin",
                  tool("toggl-read", data, "--tz", "Europe/Berlin"), data, _csv_peers("toggl", data))
    c.r.run("toggl-write", "Writers (Eidolon NDJSON to a tracker's format)", "toggl-write --tz Europe/Berlin",
            [tool("toggl-write", out, "--tz", "Europe/Berlin")], out, count_lines(out), stdout=c.out("writer.out"))
    api = c.data("toggl-json")
    _reader(c, "toggl-read-json", "Toggl API v9 time entries (JSON) to events", "toggl-read --running skip",
            tool("toggl-read", api, "--running", "skip"), api, [
                ("jq-toggl", "jq -c '.[]'", ["jq", "-c", ".[]", api]),
                ("python-json-toggl", "Python json.load", peer_py("json_load.py", api)),
            ])


def rescuetime(c):
    csv, json = c.data("rt-csv"), c.data("rt-json")
    options = ["--tz", "America/New_York", "--resolution", "minute"]
    out = _reader(c, "rt-read-csv", "RescueTime API (CSV) to events", "rt-read --tz America/New_York",
                  tool("rt-read", csv, *options), csv, _csv_peers("rt", csv))
    _reader(c, "rt-read-json", "RescueTime API (JSON) to events", "rt-read --tz America/New_York",
            tool("rt-read", json, *options), json, [
                ("jq-rt", "jq -c '.rows[]'", ["jq", "-c", ".rows[]", json]),
                ("python-json-rt", "Python json.load", peer_py("json_load.py", json)),
            ])
    c.r.run("rt-write", "Writers (Eidolon NDJSON to a tracker's format)", "rt-write (API CSV)",
            [tool("rt-write", out)], out, count_lines(out), stdout=c.out("writer.out"))


def manictime(c):
    csv, xml = c.data("mt-csv"), c.data("mt-xml")
    out = _reader(c, "mt-read-csv", "ManicTime Applications (CSV) to events", "mt-read --tz Europe/Berlin",
                  tool("mt-read", csv, "--tz", "Europe/Berlin"), csv, _csv_peers("mt", csv))
    _reader(c, "mt-read-xml", "ManicTime custom timeline (XML, groups last) to events", "mt-read",
            tool("mt-read", xml), xml, [
                ("xmllint-mt", "xmllint --stream --noout", ["xmllint", "--stream", "--noout", xml]),
                ("iterparse-mt", "Python ElementTree.iterparse", peer_py("iterparse.py", xml)),
            ])
    events = count_lines(out)
    group = "Writers (Eidolon NDJSON to a tracker's format)"
    c.r.run("mt-write-csv", group, "mt-write --tz Europe/Berlin (CSV)",
            [tool("mt-write", out, "--tz", "Europe/Berlin")], out, events, stdout=c.out("writer.out"))
    c.r.run("mt-write-xml", group, "mt-write --format xml", [tool("mt-write", out, "--format", "xml")], out, events,
            stdout=c.out("writer.out"))


def ndjson(c):
    group = "Eidolon NDJSON: check, transform, sort"
    data = c.data("eidolon")
    events = count_lines(data)
    c.r.run("eid-validate", group, "eid-validate (checks, summary, duplicate ids)",
            [tool("eid-validate", "--quiet", data)], data, events)
    c.r.run("eid-transform", group, "eid-transform (no options: read, check, write)",
            [tool("eid-transform", "--quiet", data)], data, events, stdout=c.out("transform.ndjson"))
    c.r.run("eid-sort", group, "eid-sort --memory 64M", [tool("eid-sort", "--memory", "64M", data)], data, events,
            stdout=c.out("sorted.ndjson"))
    c.r.run("jq-ndjson", group, "jq -c .", [["jq", "-c", ".", data]], data, events, peer=True,
            stdout=c.out("peer.out"))
    c.r.run("python-json-ndjson", group, "Python json.loads per line", [peer_py("json_lines.py", data)], data, events,
            peer=True)


COLUMNS = """id TEXT, source TEXT, kind TEXT, start TEXT, duration REAL, stream TEXT, host TEXT, user TEXT,
  app TEXT, title TEXT, url TEXT, file TEXT, project TEXT, client TEXT, task TEXT, description TEXT, category TEXT,
  subcategory TEXT, productivity INTEGER, tags TEXT, billable TEXT, utc_offset TEXT, attrs TEXT"""


def load(c):
    group = "Loading into SQLite"
    data, csv = c.data("eidolon"), c.paths[("eidolon-csv", c.size)]
    events = count_lines(data)
    db = c.out("eid.db")
    c.r.run("eid-load", group, "eid-load into an empty database (id index, dedupe)",
            [tool("eid-load", db, data)], data, events, before=fresh(db))
    c.r.run("eid-load-again", group, "eid-load again (every event already stored: skipped)",
            [tool("eid-load", db, data)], data, events)
    c.r.run("eid-dump", group, "eid-dump of the whole store", [tool("eid-dump", db)], data, events,
            stdout=c.out("dump.ndjson"))
    for id, label, columns in [
        ("sqlite3-import", "sqlite3 .import of the same rows as CSV (table without indexes)", COLUMNS),
        ("sqlite3-import-unique", "sqlite3 .import of the same rows as CSV (unique id)",
         COLUMNS.replace("id TEXT,", "id TEXT NOT NULL UNIQUE,", 1)),
    ]:
        target = c.out(f"{id}.db")

        def empty_table(target=target, columns=columns):
            fresh(target)()
            subprocess.run(["sqlite3", target, f"CREATE TABLE events ({columns})"], check=True)
        c.r.run(id, group, label, [["sqlite3", target, ".mode csv", f".import '{csv}' events"]], data, events,
                peer=True, before=empty_table)
    # What SQLite itself takes: the same rows into the same schema and indexes (an empty
    # store eid-load made), prepared inserts from C, indexes built at the end as eid-load does.
    peer = c.out("sqlite_insert")
    subprocess.run(["cc", "-O2", "-o", peer, "bench/peers/sqlite_insert.c", "-lsqlite3", "-lm"], check=True)
    peer_db = c.out("c-peer.db")

    def empty_store():
        fresh(peer_db)()
        subprocess.run(tool("eid-load", peer_db, "/dev/null"), check=True, stderr=subprocess.DEVNULL)
    c.r.run("c-peer", group, "C peer: prepared inserts into the same schema and indexes (bench/peers/sqlite_insert.c)",
            [[peer, peer_db, csv]], data, events, peer=True, before=empty_store)
    c.r.run("sqlite-utils", group, "sqlite-utils insert --nl --pk id",
            [[f"{VENV_BIN}/sqlite-utils", "insert", c.out("su.db"), "events", data, "--nl", "--pk", "id"]],
            data, events, peer=True, before=fresh(c.out("su.db")))


def postgres(c):
    """eid-load into PostgreSQL next to psql's \\copy of the same rows as CSV, one loader and
    two side by side (half the file each), and eid-dump back, on a throwaway server."""
    group = "Loading into PostgreSQL"
    if not pgserver.binaries():
        print("bench/run: skipped PostgreSQL (bash .ci/setup installs it)", file=sys.stderr)
        return
    data, csv = c.data("eidolon"), c.paths[("eidolon-csv", c.size)]
    events = count_lines(data)
    halves = [c.out("half-a.ndjson"), c.out("half-b.ndjson")]
    with open(data, "rb") as source, open(halves[0], "wb") as a, open(halves[1], "wb") as b:
        for number, line in enumerate(source):
            (a if number < events // 2 else b).write(line)
    with pgserver.Server() as server:
        uri = server.uri

        def empty_store():
            server.sql("SET client_min_messages = warning; DROP VIEW IF EXISTS time_per_day_app, time_per_day_category, time_per_day_project, time_per_day_source;"
                       " DROP TABLE IF EXISTS rejects, import_ranges, checkpoints, eidolon_store, events, imports CASCADE;")
            subprocess.run(tool("eid-load", uri, "/dev/null"), check=True, stderr=subprocess.DEVNULL)
            server.sql("CHECKPOINT")
        c.r.run("pg-eid-load", group, "eid-load into an empty PostgreSQL store (COPY text into staging, INSERT ... ON CONFLICT)",
                [tool("eid-load", uri, data)], data, events, before=empty_store)
        c.r.run("pg-eid-load-again", group, "eid-load again (every event already stored: skipped)",
                [tool("eid-load", uri, data)], data, events)
        both = f"{BIN}/eid-load '{uri}' {halves[0]} & {BIN}/eid-load '{uri}' {halves[1]} & wait"
        c.r.run("pg-eid-load-two", group, "two eid-load side by side into one empty store, half the file each",
                [["bash", "-c", both]], data, events, before=empty_store)
        c.r.run("pg-eid-dump", group, "eid-dump of the whole PostgreSQL store", [tool("eid-dump", uri)], data, events,
                stdout=c.out("pg-dump.ndjson"))
        columns = COLUMNS.replace(" user TEXT", ' "user" TEXT')
        for id, label, table in [
            ("pg-psql-copy", "psql \\copy of the same rows as CSV (table without indexes)", columns),
            ("pg-psql-copy-unique", "psql \\copy of the same rows as CSV (unique id)", columns.replace("id TEXT,", "id TEXT NOT NULL UNIQUE,", 1)),
            # The store's keys and indexes: what PostgreSQL itself takes for this schema.
            ("pg-psql-copy-indexes", "psql \\copy of the same rows as CSV (the store's keys and indexes: seq, unique id, start, stream)",
             "seq BIGSERIAL PRIMARY KEY, " + columns.replace("id TEXT,", "id TEXT NOT NULL UNIQUE,", 1)
             + "); CREATE INDEX ON peer (start); CREATE INDEX ON peer (source, stream, start"),
        ]:
            def peer_table(table=table):
                server.sql(f"SET client_min_messages = warning; DROP TABLE IF EXISTS peer; CREATE TABLE peer ({table}); CHECKPOINT")
            names = ", ".join(column.split()[0] for column in columns.split(","))
            c.r.run(id, group, label, [["psql", "-X", "-q", "-d", uri, "-c", f"\\copy peer ({names}) FROM '{csv}' WITH (FORMAT csv)"]],
                    data, events, peer=True, before=peer_table)


def pipelines(c, aw_server_size):
    group = "Whole pipelines"
    rust = c.data("aw-rust")
    db = c.out("pipeline.db")
    events = count_lines_of_reader(rust, c.out("aw-read.ndjson"))
    c.r.run("pipeline-aw-sort-transform-load", group, "aw-read | eid-sort | eid-transform --dedupe | eid-load",
            [tool("aw-read", rust), tool("eid-sort"), tool("eid-transform", "--dedupe", "--quiet"),
             tool("eid-load", db, "-")], rust, events, before=fresh(db))
    c.r.run("pipeline-dump-aw-write", group, "eid-dump | aw-write", [tool("eid-dump", db), tool("aw-write")],
            rust, events, stdout=c.out("writer.out"))

    # The ActivityWatch server's own import, and aw-read | eid-load, of one smaller export
    # (the server holds the whole file in memory and takes minutes per 100 MB).
    export = c.paths[("aw-python", aw_server_size)]
    events = count_lines_of_reader(export, c.out("aw-server-input.ndjson"))
    c.r.run("pipeline-aw-load", group, "aw-read | eid-load (the export the server imports)",
            [tool("aw-read", export), tool("eid-load", c.out("aw-load.db"), "-")], export, events, size=aw_server_size,
            before=fresh(c.out("aw-load.db")))
    if not os.path.exists(awserver.EXECUTABLE):
        print("bench/run: skipped the ActivityWatch server (run 'bash .ci/aw-server')", file=sys.stderr)
        return
    print(f"bench/run: aw-server POST /api/0/import ({os.path.basename(export)})", file=sys.stderr)
    seconds, peak, stored = awserver.measure_import(export)
    c.r.add(Result(id="aw-server-import", group=group, tool="aw-server 0.12 POST /api/0/import (peewee storage)",
                   peer=True, data=os.path.basename(export), size=aw_server_size, bytes=os.path.getsize(export),
                   events=stored, seconds=seconds, peak_mb=peak))


def eidolon(c):
    """The one-command migration next to the pipe it stands for, on the same export, and
    its check and assessment (no peer does either)."""
    group = "eidolon (one command)"
    rust = c.data("aw-rust")
    events = count_lines_of_reader(rust, c.out("aw-read.ndjson"))
    piped, single = c.out("eidolon-pipe.db"), c.out("eidolon.db")
    c.r.run("eidolon-pipe-aw-load", group, "aw-read | eid-load (the same migration as a pipe)",
            [tool("aw-read", rust), tool("eid-load", piped, "-")], rust, events, before=fresh(piped))
    c.r.run("eidolon-import", group, "eidolon migrate import",
            [tool("eidolon", "migrate", "import", "--input", rust, "--db", single, "--quiet")], rust, events,
            before=fresh(single))
    c.r.run("eidolon-validate", group, "eidolon migrate validate (reads the export again, reconciles it with the store)",
            [tool("eidolon", "migrate", "validate", "--source", rust, "--target", single, "--quiet")], rust, events)
    c.r.run("eidolon-assess", group, "eidolon migrate assess",
            [tool("eidolon", "migrate", "assess", "--input", rust, "--quiet")], rust, events)


def count_lines_of_reader(export, out):
    """Events aw-read makes of the export (its output kept in out, read again if there)."""
    if not os.path.exists(out):
        with open(out, "wb") as f:
            subprocess.run(tool("aw-read", export), stdout=f, check=True)
    return count_lines(out)


SUITES = {
    "activitywatch": activitywatch,
    "toggl": toggl,
    "rescuetime": rescuetime,
    "manictime": manictime,
    "ndjson": ndjson,
    "load": load,
    "postgres": postgres,
    "pipelines": pipelines,
    "eidolon": eidolon,
}

# The data each suite reads (the pipelines also read aw-python at the server's size).
NEEDS = {
    "activitywatch": ["aw-rust", "aw-python"],
    "toggl": ["toggl-csv", "toggl-json"],
    "rescuetime": ["rt-csv", "rt-json"],
    "manictime": ["mt-csv", "mt-xml"],
    "ndjson": ["eidolon"],
    "load": ["eidolon"],
    "postgres": ["eidolon"],
    "pipelines": ["aw-rust"],
    "eidolon": ["aw-rust"],
}
