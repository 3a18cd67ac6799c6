#!/usr/bin/env python3
"""Server CPU per delivery from compare.sh fanout results: a figure that a busy, shared machine
disturbs far less than find-max's latency limit does (CPU time is spent, not waited for).

For every offered rate that every peer ran without loss in at least one round (latency does
not matter here: the CPU was spent either way), the
median over rounds of server CPU µs per delivery = server_cpu_pct/100 / delivered_per_s * 1e6.

usage: cpu-per-delivery.py results.jsonl [--baseline ncat-chat]
"""
import json
import statistics
import sys
from collections import defaultdict

path = sys.argv[1]
baseline = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--baseline" else "ncat-chat"
cost = defaultdict(lambda: defaultdict(list))  # rate -> peer -> [µs]
peers = []
with open(path) as f:
    for line in f:
        r = json.loads(line)
        peer = r["label"]
        if peer not in peers:
            peers.append(peer)
        trials = r.get("trials") or ([r["result"]] if "result" in r else [])
        for t in trials:
            if t.get("lost", 1) != 0 or t.get("server_cpu_pct", -1) <= 0 or t["delivered_per_s"] <= 0:
                continue
            cost[t["rate"]][peer].append(t["server_cpu_pct"] / 100 / t["delivered_per_s"] * 1e6)
rates = sorted(rate for rate, by in cost.items() if all(by.get(p) for p in peers))
print("| offered msgs/s | " + " | ".join(f"{p} µs/dlv" for p in peers) + f" | papo / {baseline} |")
print("|---" * (len(peers) + 2) + "|")
for rate in rates:
    meds = {p: statistics.median(cost[rate][p]) for p in peers}
    ratio = meds.get("papo", 0) / meds[baseline] if meds.get(baseline) else float("nan")
    print(f"| {rate:,.0f} | " + " | ".join(f"{meds[p]:.3f}" for p in peers) + f" | {ratio:.2f} |")
