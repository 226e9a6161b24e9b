#!/usr/bin/env python3
"""Writes a ManicTime Applications timeline, deterministically (seeded), streaming.

    python3 bench/gen/manictime.py --bytes 1G --format csv > applications.csv
    python3 bench/gen/manictime.py --bytes 1G --format xml > timeline.xml

--format csv: what `mtc export ManicTime/Applications` writes: BOM, CRLF, the header
Name,Start,End,Duration,Process, quoting where needed (window titles with commas, quotes
and non-ASCII), Europe/Berlin wall-clock times with 7-digit fractions (read with --tz
Europe/Berlin), unpadded H:MM:SS durations. --format xml: a custom timeline
(<Timeline><Activities>...<Groups>) with offsets in the times and the groups after the
activities, the case that makes mt-read hold activities in a temporary file. Activities
follow one another over years of history with heavy-tailed lengths; many apps.
Memory does not grow with the size.
"""
import argparse
import random
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from xml.sax.saxutils import escape

from sizes import parse_size

APPS = ["Google Chrome", "Visual Studio Code", "Microsoft Outlook", "Slack", "Microsoft Excel", "Windows Explorer",
        "Microsoft Teams", "Notepad++", "Spotify", "Obsidian", "Firefox", "Word", "Figma", "Terminal", "Zoom"]
WORDS = ["report", "budget", "naïve café", "Straße", "日本語のメモ", "\"quoted\"", "a, b", "review", "plan",
         "Москва", "emoji 😀", "résumé", "Q4", "draft", "meeting notes"]
ZONE = ZoneInfo("Europe/Berlin")


def title(rng, app):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))) + " - " + app


def length(rng):
    # Heavy-tailed: most activities last seconds, a few hours.
    return min(rng.paretovariate(1.1) * 5.0, 8 * 3600)


def csv_field(text):
    if any(c in text for c in ",\"\r\n"):
        return '"' + text.replace('"', '""') + '"'
    return text


def wall(moment):
    local = moment.astimezone(ZONE)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + ".%07d" % (local.microsecond * 10)


def offset_time(moment):
    local = moment.astimezone(ZONE)
    text = local.isoformat(timespec="milliseconds")
    return text


def clock(seconds):
    whole = int(round(seconds))
    return "%d:%02d:%02d" % (whole // 3600, whole // 60 % 60, whole % 60)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", type=parse_size, required=True, help="stop once this many bytes are written (1G, 500M)")
    parser.add_argument("--format", choices=["csv", "xml"], default="csv")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    moment = datetime(2016, 1, 4, 7, 0, tzinfo=timezone.utc)
    written = 0
    chunk = []
    if args.format == "csv":
        head = "\ufeffName,Start,End,Duration,Process\r\n"
    else:
        head = '<?xml version="1.0" encoding="utf-8"?>\n<Timeline>\n  <Color>#3366FF</Color>\n  <DisplayName>Applications</DisplayName>\n  <Activities>\n'
    chunk.append(head.encode())
    written += len(chunk[0])
    while written < args.bytes:
        app_index = rng.randrange(len(APPS))
        app = APPS[app_index]
        seconds = round(length(rng), 3)
        end = moment + timedelta(seconds=seconds)
        name = title(rng, app)
        if args.format == "csv":
            line = ",".join([csv_field(name), wall(moment), wall(end), clock(seconds), csv_field(app)]) + "\r\n"
        else:
            line = ("    <Activity>\n      <DisplayName>%s</DisplayName>\n      <GroupId>%d</GroupId>\n"
                    "      <StartTime>%s</StartTime>\n      <EndTime>%s</EndTime>\n    </Activity>\n") % (
                        escape(name), app_index + 1, offset_time(moment), offset_time(end))
        data = line.encode()
        chunk.append(data)
        written += len(data)
        # Gaps between activities: none mostly, sometimes a break.
        moment = end + timedelta(seconds=rng.choice([0, 0, 0, 1, 30, 600]))
        if len(chunk) >= 4096:
            out.write(b"".join(chunk))
            chunk = []
    if args.format == "xml":
        groups = "".join("    <Group>\n      <GroupId>%d</GroupId>\n      <DisplayName>%s</DisplayName>\n      <Color>#4E79A7</Color>\n"
                         "    </Group>\n" % (i + 1, escape(app)) for i, app in enumerate(APPS))
        chunk.append(("  </Activities>\n  <Groups>\n" + groups + "  </Groups>\n</Timeline>\n").encode())
    out.write(b"".join(chunk))


if __name__ == "__main__":
    main()
