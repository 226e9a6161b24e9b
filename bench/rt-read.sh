#!/usr/bin/env bash
# Measures rt-read over a generated RescueTime API response (1 GB by default) as JSON and
# as CSV, with --tz, next to jq and Python's json module on the JSON, and Python's csv
# module on the CSV. Wall time, MB/s, rows/s, peak memory (/usr/bin/time -v).
#
#   bash bench/rt-read.sh
#   SIZE=100M bash bench/rt-read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
source bench/lib.sh
bench_setup

mkdir -p bench/data
for format in json csv; do
  data="bench/data/rescuetime-$SIZE.$format"
  if [ ! -s "$data" ]; then
    echo "generating $data" >&2
    python3 bench/gen/rescuetime_api.py --bytes "$SIZE" --seed 1 --format "$format" > "$data.tmp" && mv "$data.tmp" "$data"
  fi
done
json="bench/data/rescuetime-$SIZE.json"
csv="bench/data/rescuetime-$SIZE.csv"
json_bytes=$(stat -c %s "$json")
csv_bytes=$(stat -c %s "$csv")
json_rows=$(.build/release/rt-read "$json" --tz America/New_York --resolution minute 2>/dev/null | wc -l)
csv_rows=$(.build/release/rt-read "$csv" --tz America/New_York --resolution minute 2>/dev/null | wc -l)

echo
echo "$(basename "$json"): $((json_bytes / 1000000)) MB, $json_rows rows; $(basename "$csv"): $((csv_bytes / 1000000)) MB, $csv_rows rows; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | rows | peak memory |"
echo "|---|---|---|---|---|"
measure "rt-read --tz (API JSON to Eidolon NDJSON)" "$json_bytes" "$json_rows" .build/release/rt-read "$json" --tz America/New_York --resolution minute
measure "jq -c '.rows[]' (JSON)" "$json_bytes" "$json_rows" jq -c '.rows[]' "$json"
measure "Python json.load (JSON)" "$json_bytes" "$json_rows" python3 bench/peers/json_load.py "$json"
measure "rt-read --tz (API CSV to Eidolon NDJSON)" "$csv_bytes" "$csv_rows" .build/release/rt-read "$csv" --tz America/New_York --resolution minute
measure "Python csv.reader (CSV, parse only)" "$csv_bytes" "$csv_rows" python3 bench/peers/csv_parse.py "$csv"
