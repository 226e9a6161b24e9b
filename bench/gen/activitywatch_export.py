#!/usr/bin/env python3
"""Writes a realistic ActivityWatch "export all buckets" file, deterministically (seeded), streaming.

    python3 bench/gen/activitywatch_export.py --bytes 1G --seed 1 > export.json
    python3 bench/gen/activitywatch_export.py --bytes 20M --shape python > export.json

Four buckets (window, afk, web, editor) over years of history, newest event first as
the servers write them. --shape rust (the default) writes the Rust server's layout:
event ids, "events" before "last_updated", raw UTF-8; --shape python writes the Python
server's: no event ids, fields before "events", non-ASCII escaped as \\uXXXX. Window
titles hold non-ASCII, quotes, commas and line breaks. Memory does not grow with size.
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

from sizes import parse_size

APPS = ["Firefox", "Code", "Terminal", "Slack", "Mail", "Finder", "Xcode", "Zoom", "Spotify", "Obsidian"]
WORDS = ["report", "budget", "Ünïcødé", "naïve café", "日本語のメモ", "emoji 😀", "résumé", "Straße", "data",
         "\"quoted\"", "a, b, c", "tab\there", "line\nbreak", "back\\slash", "draft", "review", "Москва"]
DOMAINS = ["github.com", "example.org", "news.ycombinator.com", "docs.swift.org", "wikipedia.org"]
LANGUAGES = ["swift", "python", "markdown", "rust", "json"]

# (bucket id, type, client, share of the events)
BUCKETS = [
    ("aw-watcher-window_laptop", "currentwindow", "aw-watcher-window", 0.55),
    ("aw-watcher-afk_laptop", "afkstatus", "aw-watcher-afk", 0.10),
    ("aw-watcher-web-firefox_laptop", "web.tab.current", "aw-client-web", 0.25),
    ("aw-watcher-vscode_laptop", "app.editor.activity", "aw-watcher-vscode", 0.10),
]
END = datetime(2025, 6, 30, 18, 0, tzinfo=timezone.utc)



def title(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))


def data(rng, bucket_type):
    if bucket_type == "currentwindow":
        return {"app": rng.choice(APPS), "title": title(rng)}
    if bucket_type == "afkstatus":
        return {"status": rng.choice(["afk", "not-afk"])}
    if bucket_type == "web.tab.current":
        domain = rng.choice(DOMAINS)
        return {"url": "https://%s/%s" % (domain, rng.randint(1, 99999)), "title": title(rng),
                "audible": rng.random() < 0.1, "incognito": False, "tabCount": rng.randint(1, 40)}
    return {"file": "/home/me/src/%s.%s" % (rng.choice(WORDS[:9]), rng.choice(LANGUAGES)),
            "project": "/home/me/src", "language": rng.choice(LANGUAGES), "branch": "main"}


def timestamp(rng, moment):
    # The servers' forms: +00:00 with 6 fraction digits mostly, sometimes Z or 3 digits.
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    pick = rng.random()
    if pick < 0.8:
        return text + ".%06d+00:00" % moment.microsecond
    if pick < 0.9:
        return text + ".%03dZ" % (moment.microsecond // 1000)
    return text + "+00:00"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", default="20M", help="approximate output size (K, M, G suffixes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=["rust", "python"], default="rust")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    total = parse_size(args.bytes)
    ascii_only = args.shape == "python"
    out = sys.stdout
    written = out.write('{"buckets": {')
    for index, (bucket_id, bucket_type, client, share) in enumerate(BUCKETS):
        fields = {"id": bucket_id, "created": "2019-01-07T09:00:00.000000+00:00", "name": None,
                  "type": bucket_type, "client": client, "hostname": "laptop", "data": {}}
        head = json.dumps(bucket_id) + ": " + json.dumps(fields, ensure_ascii=ascii_only)[:-1]
        written += out.write(("," if index else "") + "\n" + head + ', "events": [')
        budget = total * share
        used = 0
        moment = END
        event_id = 10_000_000
        first = True
        while used < budget:
            seconds = round(min(rng.paretovariate(1.2) * 2.0, 6 * 3600), 3)
            moment -= timedelta(seconds=seconds + rng.random() * 3, microseconds=rng.randint(0, 999999))
            event = {"timestamp": timestamp(rng, moment), "duration": 0 if rng.random() < 0.05 else seconds,
                     "data": data(rng, bucket_type)}
            if args.shape == "rust":
                event = {"id": event_id, **event}
                event_id -= 1
            text = ("" if first else ",") + json.dumps(event, ensure_ascii=ascii_only)
            first = False
            used += out.write(text)
        written += used + out.write("]")
        if args.shape == "rust":
            written += out.write(', "last_updated": "2025-06-30T18:00:00.000000+00:00"')
        written += out.write("}")
    out.write("\n}}\n")


if __name__ == "__main__":
    main()
