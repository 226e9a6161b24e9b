#!/usr/bin/env python3
"""Writes a Toggl classic Detailed report CSV, deterministically (seeded), streaming.

    python3 bench/gen/toggl_csv.py --bytes 2G --seed 1 > toggl.csv

BOM, the classic header with Amount (EUR), minimal quoting: descriptions with commas,
quotes, line breaks and non-ASCII, multi-tag cells, entries across midnight and across
DST changes, durations written as HH:MM:SS. Wall-clock times are in Europe/Berlin, as
Toggl writes them (read with --tz Europe/Berlin). Memory does not grow with the size.
"""
import csv
import io
import random
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sizes import size_and_seed_arguments

USERS = [("Ann Example", "ann@example.com"), ("Bob Example", "bob@example.com"), ("Chloé Exemple", "chloe@example.fr")]
CLIENTS = ["", "Acme, Inc.", "Globex", "Initech"]
PROJECTS = ["Eidolon", "Website", "Hiring", "Research", "Ops"]
WORDS = ["report", "budget", "naïve café", "日本語", "\"quoted\"", "a, b", "line\nbreak", "back\\slash", "review", "plan"]
TAGS = ["deep work", "billable", "ops", "review", "meeting"]


def local(moment, zone, pattern):
    return moment.astimezone(zone).strftime(pattern)


def main():
    parser = size_and_seed_arguments(__doc__)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    out.write("\ufeff".encode())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
                     "End date", "End time", "Duration", "Tags", "Amount (EUR)"])
    zone = ZoneInfo("Europe/Berlin")
    moment = datetime(2015, 1, 5, 7, 0, 0, tzinfo=timezone.utc)
    written = 0
    while written < args.bytes:
        user, email = rng.choice(USERS)
        seconds = rng.randint(60, 4 * 3600) if rng.random() < 0.98 else rng.randint(20 * 3600, 30 * 3600)
        end = moment + timedelta(seconds=seconds)
        billable = rng.random() < 0.4
        writer.writerow([user, email, rng.choice(CLIENTS), rng.choice(PROJECTS), "",
                         " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))), "Yes" if billable else "No",
                         local(moment, zone, "%Y-%m-%d"), local(moment, zone, "%H:%M:%S"),
                         local(end, zone, "%Y-%m-%d"), local(end, zone, "%H:%M:%S"), "%02d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60),
                         ", ".join(rng.sample(TAGS, rng.randint(0, 2))), "%.2f" % (seconds / 36.0) if billable else ""])
        moment = end + timedelta(seconds=rng.randint(0, 3 * 3600))
        if buffer.tell() > 1 << 20:
            data = buffer.getvalue().encode()
            out.write(data)
            written += len(data)
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode())


if __name__ == "__main__":
    main()
