"""Peer: Python's json module loading a whole JSON document (parse only)."""
import json
import sys

json.load(open(sys.argv[1], "rb"))
