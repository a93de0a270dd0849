"""Grouping quality on the published anticlustering benchmark (Papenberg & Klau 2021).

For each of the 10,000 data sets in ../shared/benchmarks/anticlust-2021/ (K = 2 and K = 3, equal
group sizes) run shidian's grouping on the raw features (the paper's diversity: the sum of
within-group Euclidean distances on unstandardised data), once as a single exchange pass from a
random start ("one pass", anticlust's `exchange` method) and once with the default settings
(local maximum with restarts), and report the mean ratio of our diversity to anticlust's
`ace-exchange` (all N) and to the proven optimum `ilp-exact` (N <= 20), both read from the
published results in the same run.

    python bench/group_quality_bench.py [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import io
import tarfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shidian.engine.grouping import GroupingSpec, group_items

# shared/ sits beside the repository's checkout.
DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "anticlust-2021"


def load_results(data: Path) -> pd.DataFrame:
    frames = []
    for k in (2, 3):
        r = pd.read_csv(data / f"results-K{k}-objectives-raw.csv", sep=";")
        wide = r.pivot_table(index="file", columns="method", values="dist_obj")
        wide["K"] = k
        frames.append(wide)
    return pd.concat(frames)


def datasets(data: Path):
    with tarfile.open(data / "datasets.tar.gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".csv"):
                continue
            k = int(member.name.split("/")[-2][1:])
            raw = tar.extractfile(member).read()
            x = np.loadtxt(io.BytesIO(raw), delimiter=",", skiprows=1, ndmin=2)
            yield k, Path(member.name).stem, x


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = load_results(args.data)
    rows = []
    time_default = time_one = cpu_default = cpu_one = 0.0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for count, (k, name, x) in enumerate(datasets(args.data)):
        if args.limit and count >= args.limit:
            break
        t0, c0 = time.perf_counter(), time.process_time()
        one = group_items(
            GroupingSpec(
                features=x, n_groups=k, standardize=False, seed=args.seed, method="exchange"
            )
        )
        t1, c1 = time.perf_counter(), time.process_time()
        best = group_items(GroupingSpec(features=x, n_groups=k, standardize=False, seed=args.seed))
        t2, c2 = time.perf_counter(), time.process_time()
        time_one += t1 - t0
        time_default += t2 - t1
        cpu_one += c1 - c0
        cpu_default += c2 - c1
        ref = results[results["K"] == k].loc[name]
        rows.append(
            {
                "file": name,
                "K": k,
                "N": x.shape[0],
                "one": one.value,
                "default": best.value,
                "ace": ref["ace-exchange"],
                "ilp": ref.get("ilp-exact", np.nan),
            }
        )
    df = pd.DataFrame(rows)
    print(f"data sets: {len(df)}  (K=2: {(df.K == 2).sum()}, K=3: {(df.K == 3).sum()})")
    print(
        f"whole run: {time.perf_counter() - wall_start:.1f} s wall, "
        f"{time.process_time() - cpu_start:.1f} s CPU (loading the sets included)"
    )
    print(f"one pass: {time_one:.1f} s wall, {cpu_one:.1f} s CPU")
    print(f"default:  {time_default:.1f} s wall, {cpu_default:.1f} s CPU")
    for label, sub in [("all", df), ("K=2", df[df.K == 2]), ("K=3", df[df.K == 3])]:
        exact = sub[sub.ilp.notna()]
        print(
            f"{label:4s} vs ace-exchange  one pass {np.mean(sub.one / sub.ace):.6f}  "
            f"default {np.mean(sub['default'] / sub.ace):.6f}  "
            f"(default worse than ace on {(sub['default'] < sub.ace - 1e-9).sum()} sets)"
        )
        if len(exact):
            print(
                f"{label:4s} vs ilp-exact (N<=20, {len(exact)} sets)  one pass "
                f"{np.mean(exact.one / exact.ilp):.6f}  "
                f"default {np.mean(exact['default'] / exact.ilp):.6f}"
                f"  optimum reached {(exact['default'] >= exact.ilp - 1e-7).mean():.1%}"
                f"  min {np.min(exact['default'] / exact.ilp):.6f}"
                f"  max {np.max(exact['default'] / exact.ilp):.6f}"
            )
    for lo, hi in [(0, 20), (21, 40), (41, 100)]:
        sub = df[(lo <= df.N) & (hi >= df.N)]
        print(
            f"N {lo}-{hi}: {len(sub)} sets, default/ace {np.mean(sub['default'] / sub.ace):.5f}, "
            f"one/ace {np.mean(sub.one / sub.ace):.5f}"
        )


if __name__ == "__main__":
    main()
