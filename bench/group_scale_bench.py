"""Grouping at scale: N = 1,000 / 10,000 / 100,000 / 1,000,000 items, 5 normal features,
K = N/20 (groups of 20) and K = 100; time, peak memory (RSS of a fresh process per run) and the
largest deviation of a group mean from the overall mean (in SDs), beside a random assignment.

    python bench/group_scale_bench.py [--sizes 1000,10000,100000,1000000] [--objective variance]

Each configuration runs in its own process so the peak memory is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def one(n: int, k: int, objective: str, seed: int) -> dict:
    from shidian.engine.grouping import GroupingSpec, group_items

    x = np.random.default_rng(seed).normal(size=(n, 5))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    res = group_items(
        GroupingSpec(features=x, n_groups=k, objective=objective, seed=seed, time_limit=600)
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rand = np.random.default_rng(seed + 1).permutation(np.arange(n) % k)
    sd = x.std(axis=0, ddof=1)
    sizes = np.bincount(rand, minlength=k)
    means = np.column_stack([np.bincount(rand, weights=x[:, c], minlength=k) for c in range(5)])
    rand_dev = float(np.max(np.abs(means / sizes[:, None] - x.mean(axis=0)) / sd))
    return {
        "n": n,
        "k": k,
        "objective": objective,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak, 1),
        "baseline_mb": round(base, 1),
        "max_dev_sd": max(f.max_deviation_sd for f in res.features),
        "random_max_dev_sd": rand_dev,
        "value": res.value,
        "start_value": res.start_value,
        "holds": res.all_constraints_hold,
        "notes": res.notes,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--objective", default="variance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        n, k = (int(v) for v in args.one.split(","))
        print(json.dumps(one(n, k, args.objective, args.seed)))
        return
    print(
        "| N | K | objective | wall (s) | CPU (s) | peak RSS (MB) | max group-mean dev (SD) "
        "| random assignment |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(v) for v in args.sizes.split(",")):
        for k in (n // 20, 100):
            cmd = [
                sys.executable,
                __file__,
                "--one",
                f"{n},{k}",
                "--objective",
                args.objective,
                "--seed",
                str(args.seed),
            ]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                print(f"| {n} | {k} | {args.objective} | failed: {out.stderr.strip()[-200:]} |")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {n:,} | {k:,} | {r['objective']} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} "
                f"| {r['peak_mb']:.0f} | "
                f"{r['max_dev_sd']:.4f} | {r['random_max_dev_sd']:.4f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
