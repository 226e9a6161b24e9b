"""Peer: Python's csv module reading every row of a CSV file (parse only, as a converter must at least do)."""
import csv
import sys

with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.reader(f):
        pass
