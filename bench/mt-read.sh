#!/usr/bin/env bash
# Measures mt-read over a generated ManicTime Applications timeline, 1 GB as mtc's CSV
# export and 1 GB as a custom-timeline XML with the groups after the activities, next
# to the tools people would reach for on the same files: Python's csv module and Miller
# for the CSV, libxml2's own xmllint --stream and Python's ElementTree.iterparse for the
# XML. Wall time, MB/s, activities/s, peak memory (/usr/bin/time -v).
#
#   bash bench/mt-read.sh
#   SIZE=100M bash bench/mt-read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
source bench/lib.sh
bench_setup
for tool in mlr xmllint; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq miller libxml2-utils >/dev/null; }
done

mkdir -p bench/data
for format in csv xml; do
  data="bench/data/manictime-$SIZE.$format"
  if [ ! -s "$data" ]; then
    echo "generating $data" >&2
    python3 bench/gen/manictime.py --bytes "$SIZE" --format $format --seed 1 > "$data.tmp" && mv "$data.tmp" "$data"
  fi
done
csv="bench/data/manictime-$SIZE.csv"
xml="bench/data/manictime-$SIZE.xml"
csv_bytes=$(stat -c %s "$csv")
xml_bytes=$(stat -c %s "$xml")
csv_events=$(.build/release/mt-read "$csv" --tz Europe/Berlin 2>/dev/null | wc -l)
xml_events=$(.build/release/mt-read "$xml" 2>/dev/null | wc -l)

echo
echo "$(basename "$csv"): $((csv_bytes / 1000000)) MB, $csv_events activities; $(basename "$xml"): $((xml_bytes / 1000000)) MB, $xml_events activities; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall | input | activities | peak memory |"
echo "|---|---|---|---|---|"
measure "mt-read --tz Europe/Berlin (CSV to Eidolon NDJSON)" "$csv_bytes" "$csv_events" .build/release/mt-read "$csv" --tz Europe/Berlin
measure "Python csv.reader (CSV, parse only)" "$csv_bytes" "$csv_events" python3 bench/peers/csv_parse.py "$csv"
measure "mlr --icsv --ojsonl cat (CSV to JSON lines)" "$csv_bytes" "$csv_events" mlr --icsv --ojsonl cat "$csv"
measure "mt-read (XML to Eidolon NDJSON, groups after the activities)" "$xml_bytes" "$xml_events" .build/release/mt-read "$xml"
measure "xmllint --stream --noout (XML, parse only)" "$xml_bytes" "$xml_events" xmllint --stream --noout "$xml"
measure "Python ElementTree.iterparse (XML, parse and clear)" "$xml_bytes" "$xml_events" python3 bench/peers/iterparse.py "$xml"
