"""The targets of issues 9 and 19, checked against one run's rows (ratios of rows of the same run,
since these machines are noisy)."""
from dataclasses import dataclass


@dataclass
class Status:
    target: str
    measured: str
    met: object  # True, False, None when a row it needs was not measured, "info" when not a target


def _ratio(results, ours, theirs, need, what="mb_per_s", unit="MB/s"):
    a, b = results.find(ours), results.find(theirs)
    if not a or not b:
        return None, "not measured"
    x, y = getattr(a, what), getattr(b, what)
    ratio = x / y
    fmt = (lambda v: f"{v:,.0f}") if unit == "events/s" else (lambda v: f"{v:.1f}")
    return ratio >= need, f"{fmt(x)} vs {fmt(y)} {unit}: {ratio:.2f}x"


def _at_least(results, ours, need):
    a = results.find(ours)
    if not a:
        return None, "not measured"
    return a.mb_per_s >= need, f"{a.mb_per_s:.0f} MB/s"


def check(results):
    rows = []

    def add(target, pair):
        met, measured = pair
        rows.append(Status(target, measured, met))

    add("aw-read at least 10x the MB/s of jq -c '.buckets[].events[]'", _ratio(results, "aw-read", "jq-aw", 10))
    for ours, name in [("toggl-read", "toggl"), ("rt-read-csv", "rt"), ("mt-read-csv", "mt")]:
        add(f"{ours} (CSV) at least 5x Python's csv module", _ratio(results, ours, f"python-csv-{name}", 5))
        if name != "mt":  # (issue 19 names Miller for toggl-read and rt-read only)
            add(f"{ours} (CSV) at least 2x Miller", _ratio(results, ours, f"mlr-{name}", 2))
    add("mt-read (XML) at least 80% of xmllint --stream", _ratio(results, "mt-read-xml", "xmllint-mt", 0.8))
    add("eid-validate at least 400 MB/s", _at_least(results, "eid-validate", 400))
    add("eid-transform without rules at least 400 MB/s", _at_least(results, "eid-transform", 400))
    add("eid-load events/s at least sqlite3 .import's rows/s (no indexes)",
        _ratio(results, "eid-load", "sqlite3-import", 1, "events_per_s", "events/s"))
    add("eid-load events/s at least 80% of the C peer's (the same rows, schema and indexes through SQLite's C API)",
        _ratio(results, "eid-load", "c-peer", 0.8, "events_per_s", "events/s"))
    add("eid-load events/s at least 10x sqlite-utils insert --nl",
        _ratio(results, "eid-load", "sqlite-utils", 10, "events_per_s", "events/s"))
    # Issue 19's figure: issue 9 asked 50x, four times what sqlite3's own .import of
    # ready-made rows into a bare table manages on these machines.
    add("aw-read | eid-load at least 12x the ActivityWatch server's import (events/s)",
        _ratio(results, "pipeline-aw-load", "aw-server-import", 12, "events_per_s", "events/s"))
    add("eidolon migrate import at least 12x the ActivityWatch server's import (events/s)",
        _ratio(results, "eidolon-import", "aw-server-import", 12, "events_per_s", "events/s"))

    ours = [r for r in results.results if not r.peer and not r.id.startswith("pipeline")]
    # eidolon's commands write SQLite too (the store, validate's and assess's temporary
    # tables), so they are judged as eid-load is.
    loaders = [r for r in ours if r.id.startswith(("eid-load", "eidolon"))]
    # eid-sort holds as much as --memory says (64M by default) by design; shown, not judged.
    others = [r for r in ours if r not in loaders and r.id != "eid-sort"]
    if others:
        worst = max(others, key=lambda r: r.peak_mb)
        rows.append(Status(f"every reader, writer and transform under 50 MB (at {results.size})",
                           f"largest {worst.peak_mb:.1f} MB ({worst.tool.split(' ')[0]})", worst.peak_mb < 50))
    sort = results.find("eid-sort")
    if sort:
        rows.append(Status("eid-sort --memory 64M (its memory is what --memory allows, plus the tool)",
                           f"{sort.peak_mb:.1f} MB", "info"))
    if loaders:
        worst = max(loaders, key=lambda r: r.peak_mb)
        rows.append(Status(f"eid-load and eidolon's commands under 100 MB (at {results.size})",
                           f"largest {worst.peak_mb:.1f} MB ({worst.tool.split(' (')[0]})", worst.peak_mb < 100))
    return rows
