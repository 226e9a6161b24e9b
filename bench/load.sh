#!/usr/bin/env bash
# Measures eid-load over generated Eidolon NDJSON (10 million events by default, ids
# spread like real hashed ids) into an empty database and again into the full one,
# next to the sqlite3 shell's .import of the same rows as CSV (into a table with the
# same columns and a unique id) and sqlite-utils (PyPI) insert --nl of the same NDJSON;
# then eid-dump of the whole store. Wall time, MB/s, events/s, peak memory (/usr/bin/time -v).
#
#   bash bench/load.sh
#   EVENTS=1000000 bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-10000000}
source bench/lib.sh
bench_setup
if [ ! -x bench/.venv/bin/sqlite-utils ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q sqlite-utils
fi

mkdir -p bench/data
data="bench/data/eidolon-$EVENTS-events.ndjson"
if [ ! -s "$data" ]; then
  echo "generating $data" >&2
  python3 bench/gen/eidolon_ndjson.py --events "$EVENTS" --seed 2 --hashed-ids > "$data.tmp" && mv "$data.tmp" "$data"
fi
csv="${data%.ndjson}.csv"
if [ ! -s "$csv" ]; then
  echo "writing $csv (the same rows, for sqlite3 .import)" >&2
  python3 bench/peers/ndjson_to_csv.py "$data" "$csv"
fi
bytes=$(stat -c %s "$data")
events=$EVENTS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo
echo "$(basename "$data"): $((bytes / 1000000)) MB, $events events; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | events | peak memory |"
echo "|---|---|---|---|---|"
measure "eid-load into an empty database" "$bytes" "$events" .build/release/eid-load "$work/eid.db" "$data"
measure "eid-load again (every event already stored: skipped)" "$bytes" "$events" .build/release/eid-load "$work/eid.db" "$data"
measure "eid-dump of the whole store" "$bytes" "$events" .build/release/eid-dump "$work/eid.db"
sqlite3 "$work/csv.db" "CREATE TABLE events (id TEXT NOT NULL UNIQUE, source TEXT, kind TEXT, start TEXT, duration REAL,
  stream TEXT, host TEXT, user TEXT, app TEXT, title TEXT, url TEXT, file TEXT, project TEXT, client TEXT, task TEXT,
  description TEXT, category TEXT, subcategory TEXT, productivity INTEGER, tags TEXT, billable TEXT, utc_offset TEXT, attrs TEXT)"
measure "sqlite3 .import of the same rows as CSV" "$bytes" "$events" sqlite3 "$work/csv.db" ".mode csv" ".import '$csv' events"
measure "sqlite-utils insert --nl --pk id" "$bytes" "$events" bench/.venv/bin/sqlite-utils insert "$work/su.db" events "$data" --nl --pk id
ls -l "$work"/*.db | awk '{ printf "%s: %.0f MB\n", $NF, $5 / 1e6 }' | sed "s#$work/##"
