#!/usr/bin/env python3
"""Summarize run-papo-bench.sh output, per variant (plain, json, tls, history):

1. find-max: the median over rounds of the best passing trial's deliveries/s, its p99 and CPU,
   and the ratio to plain;
2. server CPU µs per delivery at each offered rate every variant ran without loss (median over
   rounds): the figure a busy machine disturbs least, and the ratio to plain.

usage: summarize-papo-bench.py OUT_DIR
"""
import glob
import json
import os
import statistics
import sys
from collections import defaultdict

VARIANTS = ["plain", "json", "tls", "history"]
out = sys.argv[1]
bests = defaultdict(list)
cost = defaultdict(lambda: defaultdict(list))  # rate -> variant -> [µs per delivery]
for path in sorted(glob.glob(os.path.join(out, "fanout100-*-*.json"))):
    variant = os.path.basename(path).split("-")[1]
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError):
        continue
    trials = r.get("trials", [])
    bests[variant].append(max((t for t in trials if t.get("pass")), key=lambda t: t["rate"], default=None))
    for t in trials:
        if t["lost"] == 0 and (t.get("serverCpuPct") or 0) > 0 and t["deliveredPerS"] > 0:
            cost[t["rate"]][variant].append(t["serverCpuPct"] / 100 / t["deliveredPerS"] * 1e6)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, f):
    return "-" if v is None else f.format(v)


present = [v for v in VARIANTS if bests.get(v)]
print("| variant | runs | max deliveries/s (median) | ratio to plain | msgs/s | p99 ms @max | server cpu% @max | bench cpu% @max |")
print("|---|---|---|---|---|---|---|---|")
plain = med([b["deliveredPerS"] if b else 0 for b in bests.get("plain", [])])
for variant in present:
    bs = bests[variant]
    dlv = med([b["deliveredPerS"] if b else 0 for b in bs])
    ratio = f"{dlv / plain:.2f}" if plain else "-"
    print(
        f"| {variant} | {len(bs)} | {fmt(dlv, '{:,.0f}')} | {ratio} | {fmt(med([b['rate'] if b else 0 for b in bs]), '{:,.0f}')} | "
        f"{fmt(med([b['p99Us'] / 1000 if b else None for b in bs]), '{:.1f}')} | "
        f"{fmt(med([b.get('serverCpuPct') if b else None for b in bs]), '{:.0f}')} | "
        f"{fmt(med([b.get('benchCpuPct') if b else None for b in bs]), '{:.0f}')} |"
    )
print()
print("| offered msgs/s | " + " | ".join(f"{v} µs/dlv" for v in present) + " | " + " | ".join(f"{v}/plain" for v in present if v != "plain") + " |")
print("|---" * (1 + len(present) + len(present) - 1) + "|")
for rate in sorted(cost):
    if not all(cost[rate].get(v) for v in present):
        continue
    meds = {v: statistics.median(cost[rate][v]) for v in present}
    ratios = [f"{meds[v] / meds['plain']:.2f}" for v in present if v != "plain"] if "plain" in meds else []
    print(f"| {rate:,.0f} | " + " | ".join(f"{meds[v]:.3f}" for v in present) + " | " + " | ".join(ratios) + " |")
