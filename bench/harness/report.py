"""bench/RESULTS.md and bench/results.json from one run."""
import json
from collections import OrderedDict

from .targets import check


def _ratio_to_best_peer(result, rows):
    """MB/s over the fastest peer's in the same table; '-' for peers and tables without one."""
    if result.peer:
        return "peer"
    peers = [r for r in rows if r.peer and r.data == result.data]
    if not peers:
        return "-"
    best = max(peers, key=lambda r: r.mb_per_s)
    return f"{result.mb_per_s / best.mb_per_s:.2f}x {best.tool.split(' ')[0]}"


def _status_word(met):
    return {True: "met", False: "NOT MET", None: "not measured", "info": "-"}[met]


def markdown(results, machine, command, started):
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` ({started} UTC); the same command on a fresh clone measures it again.",
        "bench/README.md says how each figure is made and what stands in the way of the targets it misses.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['os']}, "
        f"Linux {machine['kernel']}.",
        "Versions: " + "; ".join(f"{k} {v}" for k, v in machine["versions"].items()) + ".",
        "",
        "Eidolon's tools are the binaries scripts/install ships (scripts/build-static: Swift's runtime linked in).",
        "Every command reads its input from a file (in the page cache after the first run) and writes to a file.",
        "Eidolon's tools use a second thread for a .gz input's inflating, for writing their output and for storing in SQLite (eid-load, eidolon); a pipeline's stages run side by side. Seconds are wall time from",
        "start to exit (the fastest of --repeat runs); peak MB is the largest maximum resident set of the",
        "command's processes (GNU time's %M, from getrusage). MB/s counts the input's bytes.",
        "",
        "## Targets",
        "",
        "| target | measured | status |",
        "|---|---|---|",
    ]
    for status in check(results):
        target = status.target.replace("|", "\\|")
        lines.append(f"| {target} | {status.measured} | {_status_word(status.met)} |")
    groups = OrderedDict()
    for result in results.results:
        groups.setdefault(result.group, []).append(result)
    for group, rows in groups.items():
        lines += ["", f"## {group}", "",
                  "| tool | data | size | seconds | MB/s | events/s | peak MB | ratio to the best peer |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            tool = r.tool.replace("|", "\\|")
            lines.append(f"| {tool} | {r.data} | {r.bytes / 1e6:,.0f} MB | {r.seconds:.2f} | {r.mb_per_s:.1f} | "
                         f"{r.events_per_s:,.0f} | {r.peak_mb:.1f} | {_ratio_to_best_peer(r, rows)} |")
    lines += ["", "Time against size, memory against size: [SCALING.md](SCALING.md) (`bench/run --scaling`)."]
    return "\n".join(lines) + "\n"


def scaling_markdown(scaling, chart):
    m = scaling["machine"]
    lines = ["# Scaling", "",
             f"Written by `{scaling['command']}` ({scaling['started']} UTC) on {m['cpu']}, {m['cores']} cores.",
             "Each reader and eid-load on the same generator's output at each size: time should grow in step",
             "with the input (MB/s the same at every size) and peak memory should not grow at all.", "",
             f"![seconds and peak memory against input size]({chart})", "",
             "| tool | " + " | ".join(scaling["sizes"]) + " |", "|---|" + "---|" * len(scaling["sizes"])]
    for name, points in scaling["tools"].items():
        cells = [f"{p['seconds']:.2f} s, {p['mb_per_s']:.0f} MB/s, {p['peak_mb']:.1f} MB" for p in points]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write(results, machine, command, started, md_path, json_path):
    with open(md_path, "w") as f:
        f.write(markdown(results, machine, command, started))
    document = {
        "command": command,
        "started": started,
        "size": results.size,
        "machine": machine,
        "targets": [{"target": s.target, "measured": s.measured, "met": s.met} for s in check(results)],
        "results": [r.as_json() for r in results.results],
    }
    with open(json_path, "w") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
        f.write("\n")
