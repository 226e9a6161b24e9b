#!/usr/bin/env bash
# Measures aw-read over a generated ActivityWatch export (1 GB by default) in the Rust
# server's layout, the Python server's (\uXXXX escapes, no event ids) and gzip, next to
# what people use to read such a file today: jq and Python's json module (both load
# the whole document). Wall time, input MB/s, events/s, peak memory (/usr/bin/time -v).
#
#   bash bench/aw-read.sh
#   SIZE=200M bash bench/aw-read.sh
#
# The data is generated once (seeded) into bench/data/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
source bench/lib.sh
bench_setup

mkdir -p bench/data
for shape in rust python; do
  data="bench/data/aw-export-$shape-$SIZE.json"
  if [ ! -s "$data" ]; then
    echo "generating $data" >&2
    python3 bench/gen/activitywatch_export.py --bytes "$SIZE" --seed 1 --shape "$shape" > "$data.tmp" && mv "$data.tmp" "$data"
  fi
done
rust="bench/data/aw-export-rust-$SIZE.json"
python="bench/data/aw-export-python-$SIZE.json"
[ -s "$rust.gz" ] || gzip -6 -c "$rust" > "$rust.gz"

for data in "$rust" "$python"; do
  bytes=$(stat -c %s "$data")
  events=$(.build/release/aw-read "$data" | wc -l)
  echo
  echo "$(basename "$data"): $((bytes / 1000000)) MB, $events events; $(nproc) cores; $(date -u +%Y-%m-%d)"
  echo
  echo "| tool | wall | input | events | peak memory |"
  echo "|---|---|---|---|---|"
  measure "aw-read (to Eidolon NDJSON)" "$bytes" "$events" .build/release/aw-read "$data"
  if [ "$data" = "$rust" ]; then
    measure "aw-read on the gzip file (MB/s of uncompressed input)" "$bytes" "$events" .build/release/aw-read "$data.gz"
  fi
  measure "jq -c '.buckets[].events[]'" "$bytes" "$events" jq -c '.buckets[].events[]' "$data"
  measure "Python json.load, json.dumps per event" "$bytes" "$events" python3 bench/peers/aw_json_load.py "$data"
done
