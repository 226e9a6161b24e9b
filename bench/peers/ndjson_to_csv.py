"""Writes Eidolon NDJSON (argv[1]) as CSV rows (argv[2]) with the store's columns, no header:
the same rows for the sqlite3 shell's .import."""
import csv
import json
import sys

COLUMNS = ["id", "source", "kind", "start", "duration", "stream", "host", "user", "app", "title", "url", "file",
           "project", "client", "task", "description", "category", "subcategory", "productivity", "tags",
           "billable", "offset", "attrs"]

with open(sys.argv[1], encoding="utf-8") as lines, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    for line in lines:
        event = json.loads(line)
        writer.writerow([json.dumps(event[c], ensure_ascii=False) if c in ("tags", "attrs") and c in event
                         else event.get(c, "") for c in COLUMNS])
