"""Selection benchmark: 50,000 candidates, 3 attributes with 100 strata in all, K = 500.

Proportional quotas on every attribute (each stratum within floor/ceil of its population share
of K), optionally with covariate balance and a minimum score. Reports whether the optimum is
proven, the time, and the model size; compares in the same run with SciPy's ``milp`` (HiGHS
through SciPy) on the identical model and with plain top-K (the unconstrained floor).

    python bench/select_bench.py [--n 50000] [--k 500]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shidian.engine.selection import SelectionSpec, select_pilots  # noqa: E402
from shidian.engine.selection.model import build_rows, prepare  # noqa: E402
from shidian.engine.selection.relax import _matrix  # noqa: E402


def make_candidates(n: int, seed: int = 20261125) -> pd.DataFrame:
    """50 zones, 30 school types, 20 localities (100 strata), uneven sizes; the score depends on
    the strata so that plain top-K is not representative."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": [f"S{i:06d}" for i in range(n)]})
    effect = np.zeros(n)
    for name, levels in (("zone", 50), ("type", 30), ("locality", 20)):
        share = rng.dirichlet(np.full(levels, 2.0))
        codes = rng.choice(levels, n, p=share)
        frame[name] = [f"{name}{c:02d}" for c in codes]
        effect += rng.normal(0, 4, levels)[codes]
    frame["students"] = rng.lognormal(6.5, 0.6, n).round()
    frame["teachers"] = (frame.students / rng.uniform(12, 20, n)).round()
    frame["score"] = (60 + effect + 0.004 * frame.students + rng.normal(0, 8, n)).round(2)
    return frame


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scipy_peer(frame: pd.DataFrame, spec: SelectionSpec) -> tuple[float, float, str]:
    from scipy.optimize import Bounds, LinearConstraint, milp

    prep = prepare(frame, spec)
    rows = build_rows(prep, spec)
    columns = np.flatnonzero(prep.eligible)
    matrix = _matrix(rows, len(columns))
    lower = np.array([spec.count] + [r.lower for r in rows], dtype=float)
    upper = np.array([spec.count] + [r.upper for r in rows], dtype=float)
    started = time.process_time()
    result = milp(
        -prep.score[columns],
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(len(columns)),
        bounds=Bounds(0, 1),
        options={"time_limit": spec.time_limit, "mip_rel_gap": 0.0},
    )
    seconds = time.process_time() - started  # CPU seconds: the machine is shared
    return seconds, -float(result.fun), result.message


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--k", type=int, default=500)
    args = parser.parse_args()
    frame = make_candidates(args.n)
    cases = {
        "proportional (100 strata)": SelectionSpec(
            count=args.k, score="score", id_column="id",
            strata=("zone", "type", "locality"), proportional=True,
        ),
        "proportional + balance(students, teachers) 0.1 SD + min score 60": SelectionSpec(
            count=args.k, score="score", id_column="id",
            strata=("zone", "type", "locality"), proportional=True,
            balance=("students", "teachers"), max_smd=0.1, min_score=60,
        ),
        "proportional + 5 balanced batches": SelectionSpec(
            count=args.k, score="score", id_column="id",
            strata=("zone", "type", "locality"), proportional=True,
            batches=(args.k // 5,) * 5, balanced_batches=True,
        ),
    }  # fmt: skip
    print(f"{args.n:,} candidates, K = {args.k}, strata: zone 50 + type 30 + locality 20\n")
    print(
        "| case | status | gap | time s (total) | CPU s | MILP s (wall) | variables | "
        "constraints | total score | top-K total | price | largest share deviation (pp) | "
        "top-K largest deviation (pp) | scipy.milp CPU s | scipy objective |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, spec in cases.items():
        started, cpu = time.perf_counter(), time.process_time()
        result = select_pilots(frame, spec)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        worst = result.largest_deviation
        top_worst = max(abs(s.topk_deviation) for s in result.shares)
        if spec.batches:
            peer_s, peer_obj = float("nan"), float("nan")
        else:
            peer_s, peer_obj, _ = scipy_peer(frame, spec)
        print(
            f"| {label} | {result.status} | {result.gap:.2g} | {total:.2f} | {cpu:.2f} | "
            f"{result.solve_seconds:.2f} | {result.n_variables:,} | {result.n_constraints:,} | "
            f"{result.objective:,.2f} | {result.price.topk_total:,.2f} | "
            f"{result.price.relative:.2%} | {abs(worst.deviation) * 100:.2f} | "
            f"{top_worst * 100:.2f} | {peer_s:.2f} | {peer_obj:,.2f} |",
            flush=True,
        )
        if result.batches:
            worst_batch = max(b.max_abs_deviation for b in result.batches)
            print(f"<!-- balanced batches: largest batch share deviation {worst_batch:.3f} -->")
    print(f"\npeak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
