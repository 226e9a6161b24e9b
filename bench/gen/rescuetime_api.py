#!/usr/bin/env python3
"""Writes a RescueTime Analytic Data API response, deterministically (seeded), streaming.

    python3 bench/gen/rescuetime_api.py --bytes 1G --seed 1 > rescuetime.json
    python3 bench/gen/rescuetime_api.py --bytes 1G --format csv > rescuetime.csv

Interval perspective, restrict_kind=activity, 5-minute buckets in America/New_York wall-clock
time (read with --tz America/New_York), years of history: 1 to 8 rows a bucket, heavy-tailed
seconds (a bucket sometimes holds more than 300 s, as real data does), the same activity
twice in a bucket with another productivity, sites and apps with non-ASCII, quotes and
commas. Buckets with no activity are left out. Memory does not grow with the size.
"""
import csv
import io
import json
import random
import sys
from datetime import datetime, timedelta

from sizes import size_and_seed_arguments

ACTIVITIES = [
    ("Visual Studio Code", "Editing & IDEs", 2), ("github.com", "General Software Development", 2),
    ("Slack", "Instant Message", 0), ("youtube.com", "Video", -2), ("µTorrent", "File Sharing", -1),
    ("Terminal", "Systems Operations", 2), ("docs.google.com", "Writing", 1), ("news.ycombinator.com", "General News & Opinion", -2),
    ("Notes, \"Drafts\" & Ideas", "Writing", 1), ("日本語エディタ", "Editing & IDEs", 2), ("Finder", "General Utilities", 0),
    ("mail.google.com", "Email", 0), ("Figma", "Design & Composition", 2), ("zoom.us", "Meetings", 1),
]


def main():
    parser = size_and_seed_arguments(__doc__)
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    header = ["Date", "Time Spent (seconds)", "Number of People", "Activity", "Category", "Productivity"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if args.format == "json":
        buffer.write('{"notes":"data is an array of arrays (rows), column names for rows in row_headers","row_headers":')
        buffer.write(json.dumps(header))
        buffer.write(',"rows":[')
    else:
        writer.writerow(header)
    bucket = datetime(2012, 1, 2, 8, 0, 0)
    written = 0
    first = True
    while written + buffer.tell() < args.bytes:
        rows = rng.randint(1, 8)
        left = 300 if rng.random() < 0.966 else rng.randint(301, 900)
        for activity, category, productivity in rng.sample(ACTIVITIES, rows):
            seconds = max(1, min(left, int(rng.paretovariate(1.2) * 20)))
            left = max(1, left - seconds)
            if rng.random() < 0.02:
                productivity = max(-2, productivity - 1)
            row = [bucket.strftime("%Y-%m-%dT%H:%M:%S"), seconds, 1, activity, category, productivity]
            if args.format == "json":
                buffer.write(("[" if first else ",\n[") + json.dumps(row, ensure_ascii=False)[1:])
                first = False
            else:
                writer.writerow(row)
        # Work hours most days; nights and gaps are left out, as the API leaves them out.
        bucket += timedelta(minutes=5)
        if bucket.hour >= 19:
            bucket = (bucket + timedelta(days=1)).replace(hour=8, minute=rng.choice([0, 5, 30]))
        if buffer.tell() > 1 << 20:
            data = buffer.getvalue().encode()
            out.write(data)
            written += len(data)
            buffer.seek(0)
            buffer.truncate()
    if args.format == "json":
        buffer.write("]}\n")
    out.write(buffer.getvalue().encode())


if __name__ == "__main__":
    main()
