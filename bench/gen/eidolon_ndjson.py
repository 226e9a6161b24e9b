#!/usr/bin/env python3
"""Writes realistic Eidolon NDJSON v1, deterministically (seeded), streaming.

    python3 bench/gen/eidolon_ndjson.py --events 500 --seed 7 > sample.ndjson
    python3 bench/gen/eidolon_ndjson.py --bytes 1G > big.ndjson

Events from several trackers interleave in start order over days of history:
window titles with non-ASCII, quotes, commas and line breaks, heavy-tailed
durations, many apps. Memory use does not grow with the size asked for.
"""
import argparse
import hashlib
import json
import random
import sys
from datetime import datetime, timezone

from sizes import parse_size

APPS = ["Firefox", "Code", "Terminal", "Slack", "Mail", "Finder", "Xcode", "Zoom", "Spotify", "Obsidian",
        "Excel", "Word", "Figma", "iTerm2", "Chrome", "Teams", "Notion", "Safari", "IntelliJ IDEA", "Calendar"]
WORDS = ["report", "budget", "Ünïcødé", "naïve café", "日本語のメモ", "emoji 😀", "résumé", "Straße", "data",
         "quarterly", "\"quoted\"", "a, b, c", "tab\there", "line\nbreak", "back\\slash", "draft", "review",
         "meeting", "notes", "plan", "Москва", "zürich", "ελληνικά"]
PROJECTS = ["Eidolon", "Website", "Hiring", "Research", "Ops", "Client A", "Client B"]
CATEGORIES = [("Software Development", "Editing & IDEs", 2), ("Communication & Scheduling", "Email", 0),
              ("Reference & Learning", "Search", 1), ("Entertainment", "Music", -2), ("News & Opinion", "General", -1)]
DOMAINS = ["github.com", "example.org", "news.ycombinator.com", "docs.swift.org", "wikipedia.org", "youtube.com"]



def iso(millis):
    seconds, ms = divmod(millis, 1000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % ms


def duration(rng):
    # Heavy-tailed: most window events last seconds, a few last hours.
    value = min(rng.paretovariate(1.2) * 2.0, 6 * 3600)
    if rng.random() < 0.05:
        return 0
    value = round(value, 3)
    return int(value) if value == int(value) else value


def title(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))


def event(rng, i, start):
    pick = rng.random()
    if pick < 0.55:
        e = {"id": "gen:aw-%012x" % i, "source": "activitywatch", "kind": "window", "start": iso(start),
             "duration": duration(rng), "stream": "aw-watcher-window_laptop", "host": "laptop",
             "app": rng.choice(APPS), "title": title(rng)}
    elif pick < 0.70:
        e = {"id": "gen:aw-%012x" % i, "source": "activitywatch", "kind": "afk", "start": iso(start),
             "duration": duration(rng), "stream": "aw-watcher-afk_laptop", "host": "laptop",
             "attrs": {"status": rng.choice(["afk", "not-afk"])}}
    elif pick < 0.80:
        domain = rng.choice(DOMAINS)
        e = {"id": "gen:aw-%012x" % i, "source": "activitywatch", "kind": "web", "start": iso(start),
             "duration": duration(rng), "stream": "aw-watcher-web-firefox_laptop", "host": "laptop",
             "title": title(rng), "url": "https://%s/%d?q=%s" % (domain, rng.randint(1, 9999), rng.choice(["a", "b&c"])),
             "attrs": {"audible": rng.random() < 0.1, "incognito": False, "tabCount": rng.randint(1, 40)}}
    elif pick < 0.90:
        category, subcategory, productivity = rng.choice(CATEGORIES)
        e = {"id": "gen:rt-%012x" % i, "source": "rescuetime", "kind": "usage", "start": iso(start - start % 300000),
             "duration": rng.randint(1, 300), "app": rng.choice(APPS), "category": category,
             "subcategory": subcategory, "productivity": productivity, "offset": "+01:00"}
    else:
        e = {"id": "gen:tg-%012x" % i, "source": "toggl", "kind": "time_entry", "start": iso(start),
             "duration": rng.randint(60, 4 * 3600), "user": "Ann Example", "project": rng.choice(PROJECTS),
             "client": "Acme, Inc.", "description": title(rng), "tags": rng.sample(["deep work", "billable", "ops", "review"], rng.randint(0, 2)),
             "billable": rng.random() < 0.5, "attrs": {"email": "ann@example.com", "amount": "%.2f" % (rng.random() * 100)}}
    return e


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, help="how many events")
    parser.add_argument("--bytes", type=parse_size, help="stop once this many bytes are written (1G, 500M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", default="2016-01-04T07:00:00Z", help="when the history starts")
    parser.add_argument("--hashed-ids", action="store_true",
                        help="ids spread like real ones (a hash of the number), not in order")
    args = parser.parse_args()
    if args.events is None and args.bytes is None:
        parser.error("give --events or --bytes")
    rng = random.Random(args.seed)
    start = int(datetime.fromisoformat(args.start.replace("Z", "+00:00")).timestamp() * 1000)
    out = sys.stdout.buffer
    written = 0
    i = 0
    chunk = []
    while True:
        if args.events is not None and i >= args.events:
            break
        if args.bytes is not None and written >= args.bytes:
            break
        e = event(rng, i, start)
        if args.hashed_ids:
            e["id"] = e["id"][:7] + hashlib.blake2b(b"%d" % i, digest_size=16).hexdigest()
        line = (json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        chunk.append(line)
        written += len(line)
        i += 1
        # About 10 s apart: a gigabyte covers about a year and a half of history.
        start += rng.randint(500, 20000)
        if len(chunk) >= 4096:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))


if __name__ == "__main__":
    main()
