"""Peer: Python's json module parsing each line of an NDJSON file."""
import json
import sys

for line in open(sys.argv[1], "rb"):
    json.loads(line)
