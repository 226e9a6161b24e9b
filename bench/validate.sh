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

bash .ci/setup
for tool in jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq jq time >/dev/null; }
done
swift build -c release >&2

mkdir -p bench/data
data="bench/data/eidolon-$SIZE.ndjson"
if [ ! -s "$data" ]; then
  echo "generating $data" >&2
  python3 bench/gen/eidolon_ndjson.py --bytes "$SIZE" --seed 1 > "$data.tmp" && mv "$data.tmp" "$data"
fi
[ -s "$data.gz" ] || gzip -6 -c "$data" > "$data.gz"
bytes=$(stat -c %s "$data")
events=$(wc -l < "$data")

# Runs a command under /usr/bin/time -v and prints one Markdown table row.
measure() {
  local name=$1
  shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  awk -v name="$name" -v wall="$wall" -v rss="$rss" -v bytes="$bytes" -v events="$events" 'BEGIN {
    printf "| %s | %.2f s | %.0f MB/s | %.0f k events/s | %.1f MB |\n", name, wall, bytes / wall / 1e6, events / wall / 1e3, rss / 1024
  }'
  rm -f "$log"
}

echo
echo "$(basename "$data"): $((bytes / 1000000)) MB, $events events; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | events | peak memory |"
echo "|---|---|---|---|---|"
measure "eid-validate (checks, summary, duplicate ids)" .build/release/eid-validate --quiet "$data"
measure "eid-validate on the gzip file (MB/s of uncompressed input)" .build/release/eid-validate --quiet "$data.gz"
measure "jq -c . (parse and print)" jq -c . "$data"
measure "Python json.loads per line" python3 -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line)
' "$data"
