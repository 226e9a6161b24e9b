#!/usr/bin/env bash
# Measures eid-validate over generated Eidolon NDJSON (1 GB by default), next to
# the tools people would reach for to read the same file: jq and Python's json module.
# For each: wall time, input MB/s, events/s, peak memory (from /usr/bin/time -v).
#
#   bash bench/validate.sh          # 1 GB
#   SIZE=200M bash bench/validate.sh
#
# The data is generated once (seeded) into bench/data/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}

source bench/lib.sh
bench_setup

data=$(eidolon_data "$SIZE")
[ -s "$data.gz" ] || gzip -6 -c "$data" > "$data.gz"
bytes=$(stat -c %s "$data")
events=$(wc -l < "$data")

echo
echo "$(basename "$data"): $((bytes / 1000000)) MB, $events events; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | events | peak memory |"
echo "|---|---|---|---|---|"
measure "eid-validate (checks, summary, duplicate ids)" "$bytes" "$events" .build/release/eid-validate --quiet "$data"
measure "eid-validate on the gzip file (MB/s of uncompressed input)" "$bytes" "$events" .build/release/eid-validate --quiet "$data.gz"
measure "jq -c . (parse and print)" "$bytes" "$events" jq -c . "$data"
measure "Python json.loads per line" "$bytes" "$events" python3 bench/peers/json_lines.py "$data"
