"""Grouping at scale: N = 1,000 / 10,000 / 100,000 / 1,000,000 items, 5 normal features,
K = N/20 (groups of 20) and K = 100; time, peak memory (RSS of a fresh process per run) and the
largest deviation of a group mean from the overall mean (in SDs), beside a random assignment.

    python bench/group_scale_bench.py [--sizes 1000,10000,100000,1000000] [--objective variance]

Each configuration runs in its own process so the peak memory is that run's alone.

``--communities`` runs the formation case instead (issue 13): 7,167 schools in 80 towns, 80
communities with one marked lead each, every member within 30 km of its lead, sizes 40..140,
five balanced features (three numeric: a self-assessment total, students, teachers; two category
counts: locality, zone), default objective and time limit; then the hand-move balance update
(``BalancePanel.check_move`` + ``move`` + ``summary``) at that size:

    python bench/group_scale_bench.py --communities [--n 7167] [--k 80] [--km 30]
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


def community_spec(n: int, k: int, km: float, seed: int = 7):
    """Schools in k towns (about 3 km around each centre, towns spread over 3 x 3 degrees)."""
    from shidian.engine.grouping import GroupingSpec

    rng = np.random.default_rng(seed)
    centres = np.column_stack([28 + rng.random(k) * 3, 112 + rng.random(k) * 3])
    coords = centres[np.arange(n) % k] + rng.normal(scale=0.03, size=(n, 2))
    features = np.column_stack(
        [
            np.clip(rng.normal(80, 8, n), 40, 100),  # self-assessment total
            rng.integers(50, 3000, n),  # students
            rng.integers(5, 200, n),  # teachers
        ]
    ).astype(float)
    categories = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 5, n)])
    lead = np.zeros(n, dtype=bool)
    lead[:k] = True  # one school of each town may lead
    return GroupingSpec(
        features=features,
        feature_names=["self-assessment total", "students", "teachers"],
        n_groups=k,
        categories=categories,
        category_names=["locality", "zone"],
        size_min=40,
        size_max=140,
        lead_candidates=lead,
        coords=coords,
        max_km=km,
        seed=0,
    )


def communities(n: int, k: int, km: float) -> dict:
    from shidian.engine.grouping import group_items
    from shidian.engine.grouping.panel import BalancePanel

    spec = community_spec(n, k, km)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    res = group_items(spec)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    panel = BalancePanel(
        features=spec.features,
        labels=res.labels,
        k=k,
        categories=spec.categories,
        leads=res.leads,
        coords=spec.coords,
        max_km=km,
        size_min=spec.size_min,
        size_max=spec.size_max,
    )
    rng = np.random.default_rng(3)
    free = np.setdiff1d(np.arange(n), res.leads)
    check, update, refused = [], [], 0
    for item in rng.choice(free, size=100, replace=False):
        item = int(item)
        to = int(rng.integers(0, k))
        s = time.perf_counter()
        breaches = panel.check_move(item, to)
        check.append(time.perf_counter() - s)
        if breaches:
            refused += 1
            continue
        s = time.perf_counter()
        panel.move(item, to)
        panel.summary()
        update.append(time.perf_counter() - s)
    # the legal moves: each school to another community whose lead is within reach
    for item in rng.choice(free, size=100, replace=False):
        item = int(item)
        here = int(panel.labels[item])
        to = next((g for g in range(k) if g != here and not panel.check_move(item, g)), None)
        if to is None:
            continue
        s = time.perf_counter()
        panel.check_move(item, to)
        panel.move(item, to)
        panel.summary()
        update.append(time.perf_counter() - s)
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak, 1),
        "baseline_mb": round(base, 1),
        "max_dev_sd": [round(f.max_deviation_sd, 4) for f in res.features],
        "constraints": {c.name: c.holds for c in res.constraints},
        "check_ms_median": round(1000 * float(np.median(check)), 3),
        "check_ms_max": round(1000 * float(np.max(check)), 3),
        "refused": refused,
        "update_ms_median": round(1000 * float(np.median(update)), 2),
        "update_ms_max": round(1000 * float(np.max(update)), 2),
        "moves": len(update),
        "notes": res.notes,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", action="store_true")
    parser.add_argument("--n", type=int, default=7167)
    parser.add_argument("--k", type=int, default=80)
    parser.add_argument("--km", type=float, default=30.0)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--objective", default="variance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.communities:
        r = communities(args.n, args.k, args.km)
        print(
            f"communities: N={args.n:,} K={args.k} max_km={args.km:g}, 3 numeric + 2 category "
            f"features: {r['seconds']:.2f} s wall, {r['cpu_seconds']:.2f} s CPU, "
            f"peak RSS {r['peak_mb']:.0f} MB (before the engine {r['baseline_mb']:.0f} MB)"
        )
        print(f"  max group-mean deviation (SD): {r['max_dev_sd']}")
        print(f"  constraints: {r['constraints']}")
        print(
            f"  check_move: {r['check_ms_median']:.3f} ms median, {r['check_ms_max']:.3f} ms max "
            f"({r['refused']} of 100 random moves refused)"
        )
        print(
            f"  move + balance update: {r['update_ms_median']:.2f} ms median, "
            f"{r['update_ms_max']:.2f} ms max ({r['moves']} moves)"
        )
        return
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
