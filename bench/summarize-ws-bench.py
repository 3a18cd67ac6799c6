#!/usr/bin/env python3
"""Summarises a run-ws-bench.sh output directory: per N, TCP beside WebSocket, medians of the
interleaved rounds, and the WebSocket/TCP ratio per round (issue #13).

    python3 bench/summarize-ws-bench.py OUT_DIR

Fixed-rate runs are compared by the server's CPU time per delivery (capacity is its inverse,
while the server is the bottleneck); find-max runs by the best passing rate's deliveries/s."""
import glob
import json
import os
import re
import statistics
import sys

out = sys.argv[1]
runs = {}
for path in glob.glob(os.path.join(out, "fanout-n*-*-r*.json")):
    m = re.search(r"fanout-n(\d+)-(tcp|ws)-r(\d+)\.json$", path)
    try:
        data = json.load(open(path))
    except (ValueError, OSError):
        continue
    runs[(int(m[1]), m[2], int(m[3]))] = data


def figures(d):
    t = d.get("best") or (d["trials"][0] if d["trials"] and not any("best" in k for k in d if d.get("best")) else None)
    if d.get("best") is None and len(d["trials"]) > 1:
        return None  # a find-max that found nothing
    cpu = t.get("serverCpuPct")
    cpu_us = t.get("serverCpuUsPerDelivery")
    if cpu_us is None:  # older bench: CPU over the sending only (undercounts a server that lags)
        cpu_us = cpu / 100 * t["durationS"] * 1e6 / t["received"] if cpu and t["received"] else float("nan")
    return {
        "rate": t["rate"],
        "dlv": t["deliveredPerS"],
        "lost": t["lost"],
        "p50": t["p50Us"] / 1000,
        "p99": t["p99Us"] / 1000,
        "cpu": cpu or float("nan"),
        "cpu_us": cpu_us,
        "bench": t["benchCpuPct"],
    }


med = statistics.median
print("| N | transport | rate (msgs/s) | deliveries/s | lost | p50 ms | p99 ms | server CPU | server µs/delivery | bench CPU |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for n in sorted({k[0] for k in runs}):
    per = {}
    for tr in ("tcp", "ws"):
        f = [figures(runs[k]) for k in sorted(runs) if k[0] == n and k[1] == tr]
        f = [x for x in f if x]
        per[tr] = f
        if not f:
            continue
        print(
            f"| {n} | {tr} | {med(x['rate'] for x in f):,.0f} | {med(x['dlv'] for x in f):,.0f} | "
            f"{sum(x['lost'] for x in f)} | {med(x['p50'] for x in f):.1f} | {med(x['p99'] for x in f):.1f} | "
            f"{med(x['cpu'] for x in f):.0f}% | {med(x['cpu_us'] for x in f):.2f} | {med(x['bench'] for x in f):.0f}% |"
        )
    rounds = sorted({k[2] for k in runs if k[0] == n})
    r = []
    for rd in rounds:
        a, b = runs.get((n, "tcp", rd)), runs.get((n, "ws", rd))
        fa, fb = (figures(a) if a else None), (figures(b) if b else None)
        if fa and fb:
            r.append(fa["cpu_us"] / fb["cpu_us"])
    ratios[n] = r
print()
for n, r in ratios.items():
    if r:
        print(f"N={n}: WebSocket capacity / TCP (TCP µs per delivery ÷ WebSocket's), per round: "
              f"{', '.join(f'{x:.2f}' for x in r)}; median {med(r):.2f}")
for path in sorted(glob.glob(os.path.join(out, "idle-*.json"))):
    try:
        d = json.load(open(path))
    except ValueError:
        continue
    num = lambda v, f: "-" if v is None else format(v, f)
    print(
        f"{os.path.basename(path)}: joined {d['joined']}/{d['clients']} in {d['joinS']:.0f} s, RSS "
        f"{d['rssBeforeKiB']} -> {d['rssAfterKiB']} KiB = {num(d['rssPerConnectionKiB'], '.2f')} KiB per "
        f"connection, broadcast to {d['broadcastReceived']}: p50 {num(d['broadcastP50Ms'], '.0f')} ms, "
        f"last {num(d['broadcastLastMs'], '.0f')} ms"
    )
