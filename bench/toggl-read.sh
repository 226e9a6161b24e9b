#!/usr/bin/env bash
# Measures toggl-read over a generated Toggl classic Detailed report CSV (2 GB by
# default), with --tz, next to Python's csv module reading the same file (parse only)
# and xsv-free `wc -l` as the floor of reading the bytes. Wall time, MB/s, rows/s, peak
# memory (/usr/bin/time -v).
#
#   bash bench/toggl-read.sh
#   SIZE=200M bash bench/toggl-read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-2G}
source bench/lib.sh
bench_setup

mkdir -p bench/data
data="bench/data/toggl-$SIZE.csv"
if [ ! -s "$data" ]; then
  echo "generating $data" >&2
  python3 bench/gen/toggl_csv.py --bytes "$SIZE" --seed 1 > "$data.tmp" && mv "$data.tmp" "$data"
fi
bytes=$(stat -c %s "$data")
events=$(.build/release/toggl-read "$data" --tz Europe/Berlin 2>/dev/null | wc -l)

echo
echo "$(basename "$data"): $((bytes / 1000000)) MB, $events entries; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | entries | peak memory |"
echo "|---|---|---|---|---|"
measure "toggl-read --tz Europe/Berlin (to Eidolon NDJSON)" "$bytes" "$events" .build/release/toggl-read "$data" --tz Europe/Berlin
measure "Python csv.reader (parse only)" "$bytes" "$events" python3 bench/peers/csv_parse.py "$data"
measure "wc -l (reading the bytes)" "$bytes" "$events" wc -l "$data"
