# Shared by the bench scripts: set-up and one Markdown table row per measured command.
# Source it after `cd` to the repository root.

# Installs the public tools the benchmarks use (jq, GNU time) and builds the release tools.
bench_setup() {
  bash .ci/setup
  for tool in jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq jq time >/dev/null; }
  done
  swift build -c release >&2
}

# eidolon_data SIZE: generates SIZE of Eidolon NDJSON (seed 1) into bench/data/ once,
# and prints its path.
eidolon_data() {
  mkdir -p bench/data
  local data="bench/data/eidolon-$1.ndjson"
  if [ ! -s "$data" ]; then
    echo "generating $data" >&2
    python3 bench/gen/eidolon_ndjson.py --bytes "$1" --seed 1 > "$data.tmp" && mv "$data.tmp" "$data"
  fi
  echo "$data"
}

# measure NAME BYTES EVENTS COMMAND...: runs COMMAND under /usr/bin/time -v, output to
# /dev/null, and prints | name | wall | MB/s | events/s | peak memory |.
measure() {
  local name=$1 bytes=$2 events=$3
  shift 3
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
