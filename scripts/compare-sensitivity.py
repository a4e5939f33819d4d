#!/usr/bin/env python3
"""How far one sensitivity analysis's indices are from a reference's (benches/README.md,
"Sensitivity: runs a point"): two sensitivity.csv files of `surge sensitivity` on the same
scenario, method, samples and seed, differing in --runs.

    python3 scripts/compare-sensitivity.py REFERENCE.csv OTHER.csv

Sobol: the largest and median |move| of S1 and ST, and how many moved beyond the reference's
95% bootstrap half-width. Morris: the largest move of mu* as a share of the figure's largest
mu*, and for how many figures the three most important factors are the same."""
import csv
import math
import statistics
import sys


def load(path):
    with open(path) as f:
        return {(r["figure"], r["factor"]): {k: float(v) for k, v in r.items()
                                             if k not in ("figure", "factor")}
                for r in csv.DictReader(f)}


def main(reference, other):
    a, b = load(reference), load(other)
    if a.keys() != b.keys():
        sys.exit("the two files have different figures or factors")
    if "first" in next(iter(a.values())):
        moves, undefined = [], 0
        for key in a:
            for est in ("first", "total"):
                half = (a[key][est + "_high"] - a[key][est + "_low"]) / 2
                move = abs(a[key][est] - b[key][est])
                if math.isnan(move) or math.isnan(half):
                    undefined += 1  # a figure that does not vary: no index
                    continue
                moves.append((move, half, key, est))
        worst = max(moves)
        print(f"sobol: {len(a)} figure x factor rows; largest |move| {worst[0]:.4f} "
              f"({worst[2][0]}, {worst[2][1]}, {worst[3]}; its half-interval {worst[1]:.3f}); "
              f"median {statistics.median(m[0] for m in moves):.2g}; "
              f"beyond the reference's half-interval: {sum(m[0] > m[1] for m in moves)}; "
              f"undefined (no variance): {undefined}")
    else:
        top = {}
        for (figure, _), v in a.items():
            top[figure] = max(top.get(figure, 0.0), v["mu_star"])
        worst = max((abs(a[k]["mu_star"] - b[k]["mu_star"]) / top[k[0]], k)
                    for k in a if top[k[0]] > 0)
        ranked = lambda t, f: sorted((x for (g, x) in t if g == f), key=lambda x: -t[(f, x)]["mu_star"])[:3]
        same = sum(ranked(a, f) == ranked(b, f) for f in top)
        print(f"morris: {len(a)} rows; largest move of mu* {100 * worst[0]:.1f}% of its figure's "
              f"largest ({worst[1][0]}, {worst[1][1]}); top three factors the same for "
              f"{same} of {len(top)} figures")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
