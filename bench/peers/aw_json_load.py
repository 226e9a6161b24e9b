"""Peer: Python's json module loading an ActivityWatch export, then writing each event as JSON."""
import json
import sys

document = json.load(open(sys.argv[1], "rb"))
out = sys.stdout
for bucket in document["buckets"].values():
    for event in bucket["events"]:
        out.write(json.dumps(event))
        out.write("\n")
