#!/usr/bin/env python3
"""Writes a Toggl Track API v9 time-entries response (GET /me/time_entries: one JSON
array), deterministically (seeded), streaming.

    python3 bench/gen/toggl_api.py --bytes 1G --seed 1 > entries.json

Entries as the API returns them, newest first: ids above 2^31, workspace, project and
user ids, UTC start and stop with an offset, duration in seconds, descriptions with
quotes, commas, line breaks and non-ASCII (written as raw UTF-8), tags and tag ids,
"at", sometimes a deleted entry (server_deleted_at) and, first, one running entry
(duration negative, stop null). Entries go back about 130 years per 100 MB; before the
year 1000 they start again from the newest time (ids still grow), so every time has four
digits. Memory does not grow with the size.
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

from sizes import size_and_seed_arguments

WORDS = ["report", "budget", "naïve café", "日本語", "\"quoted\"", "a, b", "line\nbreak", "back\\slash", "review", "plan"]
TAGS = {"deep work": 11, "billable": 12, "ops": 13, "review": 14, "meeting": 15}
PROJECTS = [(987654321, "Eidolon"), (987654322, "Website"), (987654323, "Hiring"), (None, None)]


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def main():
    parser = size_and_seed_arguments(__doc__)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout.buffer
    newest = datetime(2025, 6, 30, 18, 0, 0, tzinfo=timezone.utc)
    moment = newest
    entry_id = 3_456_789_012_345
    chunks, size, written, first = [], 0, 0, True
    out.write(b"[\n")
    while written + size < args.bytes:
        seconds = rng.randint(60, 4 * 3600) if rng.random() < 0.98 else rng.randint(20 * 3600, 30 * 3600)
        start = moment - timedelta(seconds=seconds)
        project_id, _ = rng.choice(PROJECTS)
        tags = rng.sample(sorted(TAGS), rng.randint(0, 2))
        entry = {"id": entry_id, "workspace_id": 1234567, "project_id": project_id, "task_id": None, "user_id": 55,
                 "billable": rng.random() < 0.4, "start": stamp(start), "stop": stamp(moment), "duration": seconds,
                 "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))),
                 "tags": tags, "tag_ids": [TAGS[t] for t in tags], "duronly": False,
                 "at": stamp(moment + timedelta(seconds=rng.randint(1, 600))),
                 "server_deleted_at": stamp(moment + timedelta(days=1)) if rng.random() < 0.01 else None}
        if first:  # the timer still running when the export was taken
            entry.update(stop=None, duration=-int(start.timestamp()))
        text = ("" if first else ",\n") + json.dumps(entry, ensure_ascii=False)
        first = False
        chunks.append(text.encode())
        size += len(chunks[-1])
        if size > 1 << 20:
            out.write(b"".join(chunks))
            written += size
            chunks, size = [], 0
        entry_id += rng.randint(1, 40)
        moment = start - timedelta(seconds=rng.randint(0, 3 * 3600))
        if moment.year < 1001:  # (strftime writes year 999 with three digits)
            moment = newest
    out.write(b"".join(chunks))
    out.write(b"\n]\n")


if __name__ == "__main__":
    main()
