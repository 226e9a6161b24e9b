#!/usr/bin/env bash
# Measures eid-sort and eid-transform over generated Eidolon NDJSON, next to the tools
# people would reach for: GNU sort with the same memory bound, and Python's re module
# applying the same 200 rules. For each: wall time, input MB/s, events/s, peak memory.
#
#   bash bench/transform.sh                       # sort 2 GB, rules over 100 MB
#   SIZE=200M RULES_SIZE=20M bash bench/transform.sh
#
# - eid-sort --memory 64M of SIZE in reverse start order (as ActivityWatch exports
#   come), then eid-sort --check of what it wrote;
# - eid-transform with no options, and with the clean-up steps, over SIZE;
# - eid-transform with 200 plain-word rules and with 200 regular-expression rules
#   (bench/gen/rules.py) over the first RULES_SIZE of it, next to Python applying the
#   same rules with re (first match wins) and json.
# The data is generated once (seeded) into bench/data/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-2G}
RULES_SIZE=${RULES_SIZE:-100M}

source bench/lib.sh
bench_setup

data=$(eidolon_data "$SIZE")
reversed="bench/data/eidolon-$SIZE.reversed.ndjson"
[ -s "$reversed" ] || { tac "$data" > "$reversed.tmp" && mv "$reversed.tmp" "$reversed"; }
slice="bench/data/eidolon-$SIZE.first-$RULES_SIZE.ndjson"
if [ ! -s "$slice" ]; then
  python3 - "$data" "$RULES_SIZE" "$slice" <<'EOF'
import sys
sys.path.insert(0, "bench/gen")
from sizes import parse_size
limit, written = parse_size(sys.argv[2]), 0
with open(sys.argv[1], "rb") as source, open(sys.argv[3], "wb") as out:
    for line in source:
        if written + len(line) > limit:
            break
        out.write(line)
        written += len(line)
EOF
fi
for kind in words regex; do
  python3 bench/gen/rules.py --kind $kind > "bench/data/rules-200-$kind.yaml"
  python3 bench/gen/rules.py --kind $kind --format json > "bench/data/rules-200-$kind.json"
  python3 bench/gen/rules.py --kind $kind --format jq > "bench/data/rules-200-$kind.jq"
done
# jq runs 200 test() calls at about a thousand events a second: it gets 20,000 events.
jq_slice="bench/data/eidolon-$SIZE.first-20000-events.ndjson"
[ -s "$jq_slice" ] || head -n 20000 "$slice" > "$jq_slice"
work=$(mktemp -d "${TMPDIR:-/tmp}/eidolon-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
bin=.build/release

bytes=$(stat -c %s "$data")
events=$(wc -l < "$data")
slice_bytes=$(stat -c %s "$slice")
slice_events=$(wc -l < "$slice")
jq_bytes=$(stat -c %s "$jq_slice")
jq_events=$(wc -l < "$jq_slice")

echo
echo "$(basename "$reversed"): $((bytes / 1000000)) MB, $events events; rules over $(basename "$slice"): $((slice_bytes / 1000000)) MB, $slice_events events; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | events | peak memory |"
echo "|---|---|---|---|---|"
measure "eid-sort --memory 64M (newest first to oldest first)" "$bytes" "$events" \
  $bin/eid-sort --memory 64M "$reversed" -o "$work/sorted.ndjson"
# The sorted output's start is field 4 when split at commas ("start":"..."): GNU sort
# by that key, stable, in the same memory, is what a shell user would write.
measure "GNU sort -S 64M -s -t, -k4,4 (the same order, by text; 2 threads)" "$bytes" "$events" \
  env LC_ALL=C sort -S 64M -s -t, -k4,4 -T "$work" "$reversed"
measure "GNU sort --parallel=1 (the same, one thread as eid-sort)" "$bytes" "$events" \
  env LC_ALL=C sort --parallel=1 -S 64M -s -t, -k4,4 -T "$work" "$reversed"
measure "eid-sort --check (of eid-sort's output)" "$bytes" "$events" $bin/eid-sort --check "$work/sorted.ndjson"
measure "eid-transform (no options: read, check, write)" "$bytes" "$events" $bin/eid-transform --quiet "$work/sorted.ndjson"
measure "eid-transform --dedupe --merge-gap 5 --clip-overlaps --split-at-midnight Europe/Berlin" "$bytes" "$events" \
  $bin/eid-transform --quiet --dedupe --merge-gap 5 --clip-overlaps --split-at-midnight Europe/Berlin "$work/sorted.ndjson"
for kind in words regex; do
  measure "eid-transform --rules (200 $kind rules)" "$slice_bytes" "$slice_events" \
    $bin/eid-transform --quiet --rules "bench/data/rules-200-$kind.yaml" "$slice"
  measure "Python re + json (the same 200 $kind rules)" "$slice_bytes" "$slice_events" python3 -c '
import json, re, sys
rules = [(re.compile(p, re.I if i else 0), s) for p, i, s in json.load(open(sys.argv[1]))]
out = sys.stdout
for line in open(sys.argv[2], "rb"):
    event = json.loads(line)
    title = event.get("title")
    if title is not None:
        for regex, values in rules:
            if regex.search(title):
                event.update(values)
                break
    out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
' "bench/data/rules-200-$kind.json" "$slice"
  measure "jq -c (the same 200 $kind rules as if/elif test(); first 20,000 events only)" "$jq_bytes" "$jq_events" \
    jq -c -f "bench/data/rules-200-$kind.jq" "$jq_slice"
done

echo
if $bin/eid-sort --check "$work/sorted.ndjson" 2> "$work/check.err"; then
  echo "eid-sort --check: the sorted output is in order ($(wc -l < "$work/sorted.ndjson") events; input $events)"
else
  echo "eid-sort --check FAILED: $(head -1 "$work/check.err")"
fi
# The rules must file the same events as Python does.
for kind in words regex; do
  ours=$($bin/eid-transform --quiet --rules "bench/data/rules-200-$kind.yaml" "$slice" | grep -c '"subcategory":"Sub ' || true)
  theirs=$(python3 -c '
import json, re, sys
rules = [re.compile(p, re.I if i else 0) for p, i, s in json.load(open(sys.argv[1]))]
titles = (json.loads(line).get("title") for line in open(sys.argv[2], "rb"))
print(sum(1 for title in titles if title is not None and any(r.search(title) for r in rules)))
' "bench/data/rules-200-$kind.json" "$slice")
  echo "200 $kind rules: eid-transform filed $ours events, Python $theirs"
done
