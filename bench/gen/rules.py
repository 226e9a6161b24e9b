#!/usr/bin/env python3
"""Writes N category rules on window titles, deterministically (seeded), for benchmarks.

    python3 bench/gen/rules.py --kind regex --count 200 > rules.yaml
    python3 bench/gen/rules.py --kind words --format jq > rules.jq

--kind words: patterns of plain words joined by | ("report budget|Project 7"), as most
category rules are (eid-transform answers these with its word index); --kind regex: real
regular expressions (anchors, classes, repeats) that go through the regex engine.
Both are written for the titles bench/gen/eidolon_ndjson.py makes, so that some match.

--format yaml: an eid-transform rules file (formats/rules.md); json: a list of
[pattern, ignore_case, {field: value}] for the Python peer; jq: a jq program that does
what the rules do (first match wins), for the jq peer.
"""
import argparse
import json
import random

from eidolon_ndjson import WORDS

CATEGORIES = ["Work", "Comms", "Media", "Reference", "Personal"]


def plain(word):
    # Words for --kind words stay ASCII and free of regex punctuation.
    return "".join(c for c in word if c.isascii() and (c.isalnum() or c == " "))


def rules(kind, count, rng):
    vocabulary = [w for w in WORDS if "\n" not in w and "\t" not in w and "\\" not in w and '"' not in w]
    ascii_words = sorted({plain(w) for w in vocabulary if plain(w).strip() and plain(w) == w})
    for i in range(count):
        if kind == "words":
            a, b = rng.sample(ascii_words, 2)
            pattern = "%s %s|Project %d" % (a, b, i)
        else:
            a, b = rng.sample(vocabulary, 2)
            pattern = ("^(%s|%s) \\w+" % (a, b)) if i % 2 else ("%s.*%s$" % (a, b))
        ignore_case = i % 3 == 0
        values = {"category": rng.choice(CATEGORIES), "subcategory": "Sub %d" % i,
                  "productivity": rng.randint(-2, 2)}
        yield pattern, ignore_case, values


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["words", "regex"], required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--format", choices=["yaml", "json", "jq"], default="yaml")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    made = list(rules(args.kind, args.count, random.Random(args.seed)))
    if args.format == "json":
        print(json.dumps(made, ensure_ascii=False))
    elif args.format == "yaml":
        print("version: 1\nrules:")
        for i, (pattern, ignore_case, values) in enumerate(made):
            print("  - name: \"rule %d\"" % i)
            print("    match: {title: {regex: %s, ignore_case: %s}}" % (json.dumps(pattern, ensure_ascii=False),
                                                                      "true" if ignore_case else "false"))
            print("    set: %s" % json.dumps(values, ensure_ascii=False))
    else:
        branches = []
        for pattern, ignore_case, values in made:
            update = " | ".join(".%s = %s" % (k, json.dumps(v, ensure_ascii=False)) for k, v in values.items())
            flags = '; "i"' if ignore_case else ""
            branches.append('(.title // "" | test(%s%s)) then %s' % (json.dumps(pattern, ensure_ascii=False), flags, update))
        print("if " + "\nelif ".join(branches) + "\nelse . end")


if __name__ == "__main__":
    main()
