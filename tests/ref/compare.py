#!/usr/bin/env python3
"""Compare two backtest result JSON documents (engine vs reference).

    python3 tests/ref/compare.py A.json B.json [--rel R] [--abs A] [--money-abs M]
                                 [--ignore KEY]... [--ordered] [--max N]

Prints "same" and exits 0 when the documents agree, else prints the first N
differences (path, value in A, value in B) and exits 1.  Exit 2 on a usage
error or an unreadable / invalid JSON file.

Rules
  * Objects must have the same keys, except keys named with --ignore.  KEY is
    either a plain key name, ignored at any depth (e.g. "warnings",
    "synthetic"), or a dotted path from the root (e.g. "metrics.sortino",
    "benchmark.flat"); list indices are not part of the path.
  * Arrays must have the same length and are compared element by element
    (so equity curves must have the same points and the same times).
    The arrays "trades" and "open_positions" are first sorted by
    (symbol, entry_time, exit_time), because the spec does not fix the order
    of trades of several sleeves; --ordered compares them as given.
  * Strings, booleans and null compare exactly; a number never equals a
    non-number.  Two integers compare exactly.
  * Any other pair of numbers (a float on either side, so 465 == 465.0)
    is equal when |a - b| <= max(abs_tol, rel * max(|a|, |b|)), where
      - rel     = --rel, default 1e-9 (relative, for every number);
      - abs_tol = --money-abs, default 0.005 ("to the cent"), when any key on
                  the path contains "equity", "price", "pnl" or "capital"
                  (final_equity, equity, benchmark_equity, entry_price,
                  exit_price, pnl, initial_capital);
      - abs_tol = --abs, default 1e-9, for everything else (metrics, qty,
                  benchmark metrics, ...).  A crypto qty differing by one
                  1e-8 unit is therefore reported.
"""

import json
import math
import sys

MONEY_WORDS = ("equity", "price", "pnl", "capital")
SORTED_LISTS = ("trades", "open_positions")


class Cmp:
    def __init__(self, rel, abs_tol, money_abs, ignore, ordered, limit):
        self.rel, self.abs_tol, self.money_abs = rel, abs_tol, money_abs
        self.ignore, self.ordered, self.limit = ignore, ordered, limit
        self.diffs = []

    def add(self, path, a, b, why=""):
        self.diffs.append((path or "(root)", a, b, why))

    def ignored(self, keypath, key):
        return key in self.ignore or ".".join(keypath + [key]) in self.ignore

    @staticmethod
    def is_num(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    def num_equal(self, a, b, keypath):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if a == b:
            return True
        money = any(w in k for k in keypath for w in MONEY_WORDS)
        tol = max(self.money_abs if money else self.abs_tol, self.rel * max(abs(a), abs(b)))
        return abs(a - b) <= tol

    @staticmethod
    def sort_key(x):
        if not isinstance(x, dict):
            return ("", "", "")
        return tuple(str(x.get(k, "")) for k in ("symbol", "entry_time", "exit_time"))

    def walk(self, a, b, path, keypath):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in a:
                if self.ignored(keypath, k):
                    continue
                if k not in b:
                    self.add(f"{path}.{k}".lstrip("."), a[k], "(missing)", "key only in A")
            for k in b:
                if not self.ignored(keypath, k) and k not in a:
                    self.add(f"{path}.{k}".lstrip("."), "(missing)", b[k], "key only in B")
            for k in a:
                if k in b and not self.ignored(keypath, k):
                    self.walk(a[k], b[k], f"{path}.{k}".lstrip("."), keypath + [k])
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                self.add(path, f"{len(a)} items", f"{len(b)} items", "array length")
            if keypath and keypath[-1] in SORTED_LISTS and not self.ordered:
                a, b = sorted(a, key=self.sort_key), sorted(b, key=self.sort_key)
            for i, (x, y) in enumerate(zip(a, b)):
                self.walk(x, y, f"{path}[{i}]", keypath)
        elif self.is_num(a) and self.is_num(b):
            if not self.num_equal(a, b, keypath):
                self.add(path, a, b)
        elif type(a) is not type(b) or a != b:
            self.add(path, a, b)


def short(v, n=120):
    s = v if isinstance(v, str) and v.startswith("(missing") else json.dumps(v)
    return s if len(s) <= n else s[:n] + "..."


def usage(msg):
    print(f"compare.py: {msg}", file=sys.stderr)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(2)


def main(argv):
    files, ignore = [], set()
    rel, abs_tol, money_abs, ordered, limit = 1e-9, 1e-9, 0.005, False, 20
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--rel", "--abs", "--money-abs", "--ignore", "--max"):
            if i + 1 >= len(argv):
                usage(f"{a} needs a value")
            v = argv[i + 1]
            try:
                if a == "--rel":
                    rel = float(v)
                elif a == "--abs":
                    abs_tol = float(v)
                elif a == "--money-abs":
                    money_abs = float(v)
                elif a == "--max":
                    limit = int(v)
                else:
                    ignore.add(v)
            except ValueError:
                usage(f"{a}: bad value {v!r}")
            i += 2
        elif a == "--ordered":
            ordered = True
            i += 1
        elif a.startswith("--"):
            usage(f"unknown option {a}")
        else:
            files.append(a)
            i += 1
    if len(files) != 2:
        usage("two JSON files are needed")
    docs = []
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                docs.append(json.load(fh))
        except (OSError, ValueError) as e:
            print(f"compare.py: {f}: {e}", file=sys.stderr)
            return 2
    c = Cmp(rel, abs_tol, money_abs, ignore, ordered, limit)
    c.walk(docs[0], docs[1], "", [])
    if not c.diffs:
        print("same")
        return 0
    for path, a, b, why in c.diffs[:limit]:
        extra = f"  ({why})" if why else ""
        print(f"{path}: A={short(a)} B={short(b)}{extra}")
    if len(c.diffs) > limit:
        print(f"... {len(c.diffs) - limit} more differences")
    print(f"{len(c.diffs)} differences")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
