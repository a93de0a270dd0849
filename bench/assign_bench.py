"""Assignment benchmark: 7,167 units, 300 experts, 3 experts each, conflicts by organisation.

A synthetic province (14 cities, 110 counties, the real programme's 7,167 schools) with experts
from the provincial institute, city and county bureaus and schools. Affinity: +1 when the
school's type is among the expert's specialities, plus a random preference in [0, 0.5) (the
"preference" instance); the "match only" instance keeps the whole-number affinities that
``shidian assign --match type=expertise`` builds (many ties).

Reports, in the same run, the baseline (``solve.py`` as it was before the faster solver, at
commit ``--baseline-rev``, read with ``git show`` into a temporary module) and this code: wall
and CPU seconds, the time per phase, total affinity, the certified bound and the gap; the LP
(HiGHS) bound with ``--highs`` (minutes); the command ``shidian assign`` end to end on CSV files
with ``--cli`` (this tree and the baseline revision's source, exported with ``git archive``);
and a greedy baseline for scale.

    PYTHONPATH=src python bench/assign_bench.py [--units 7167] [--experts 300] [--per-unit 3]
        [--highs] [--cli] [--no-baseline] [--baseline-rev 9734e7c]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = ["小学", "初中", "高中", "教学点"]


def make_inputs(n_units: int, n_experts: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    city = rng.integers(1, 15, 110)  # county -> city
    county = rng.integers(0, 110, n_units)
    units = pd.DataFrame(
        {
            "id": [f"S{i:05d}" for i in range(n_units)],
            "path": [f"00001{city[c]:05d}{c + 1:05d}{i + 1:05d}" for i, c in enumerate(county)],
            "type": rng.choice(TYPES, n_units, p=[0.6, 0.25, 0.08, 0.07]),
        }
    )
    kind = rng.choice(["institute", "city", "county", "school"], n_experts, p=[0.1, 0.2, 0.4, 0.3])
    orgs, paths = [], []
    for k in kind:
        if k == "institute":  # the provincial education institute: no school below it
            orgs.append("INST"), paths.append("0000199999")
        elif k == "city":
            c = int(rng.integers(1, 15))
            orgs.append(f"CITY{c}"), paths.append(f"00001{c:05d}")
        elif k == "county":
            c = int(rng.integers(0, 110))
            orgs.append(f"COUNTY{c}"), paths.append(f"00001{city[c]:05d}{c + 1:05d}")
        else:
            i = int(rng.integers(0, n_units))
            orgs.append(units["id"][i]), paths.append(units["path"][i])
    experts = pd.DataFrame(
        {
            "id": [f"E{j:03d}" for j in range(n_experts)],
            "org": orgs,
            "org_path": paths,
            "expertise": [
                ";".join(rng.choice(TYPES, int(rng.integers(1, 3)), replace=False))
                for _ in range(n_experts)
            ],
        }
    )
    return units, experts, rng


def greedy(problem, ok) -> float:
    """Units in order take their best eligible experts with capacity left (one per org)."""
    cap = problem.max_load.copy()
    total = 0.0
    orgs = np.asarray(problem.expert_orgs)
    for i in range(len(problem.unit_ids)):
        order = np.argsort(-problem.affinity[i])
        taken, used = 0, set()
        for j in order:
            if ok[i, j] and cap[j] > 0 and orgs[j] not in used:
                cap[j] -= 1
                used.add(orgs[j])
                total += problem.affinity[i, j]
                taken += 1
                if taken == problem.per_unit:
                    break
        if taken < problem.per_unit:
            return float("nan")  # greedy painted itself into a corner
    return total


REPO = Path(__file__).resolve().parents[1]
# The last commit before the faster solver (min-cost flow on every eligible pair, LP bound).
BASELINE_REV = "9734e7c"


def baseline_module(rev: str):
    """The baseline's solve.py as a module (it imports the model, unchanged in its API)."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:src/shidian/engine/assignment/solve.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_assign_solve.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_assign_solve", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def phases(problem, seed=None) -> list[tuple[str, float]]:
    """The library path step by step (same calls as ``assign_experts``)."""
    from shidian.engine.assignment import exact, solve

    out = []
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        out.append((name, now - t))
        t = now

    ok = solve.eligibility(problem)
    lap("eligibility")
    org = solve._org_codes(problem)
    solve._check_counts(problem, ok, org)
    lap("checks")
    chosen = solve._pruned_solution(problem, ok, org, seed)
    lap("price sample + pruned flow")
    if chosen is None:
        chosen = solve._flow_solution(problem, ok, org, seed, explain=True)
        lap("full flow (pruned had no solution)")
    chosen, prices, _ = exact.refine(problem, ok, org, chosen)
    lap("exchange search (exact affinities)")
    n = len(problem.unit_ids)
    units_idx = np.repeat(np.arange(n), problem.per_unit)
    solve._result(problem, ok, units_idx, chosen.ravel(), 0.0)
    lap("result tables")
    exact.dual_bound(problem, ok, org, prices)
    lap("dual bound")
    return out


def run_instance(label, problem, args, baseline) -> None:
    from shidian.engine.assignment import assign_experts, eligibility, lp_bound

    ok = eligibility(problem)
    print(f"\n== {label} ==")
    print(
        f"{len(problem.unit_ids):,} units x {len(problem.expert_ids)} experts, "
        f"r = {problem.per_unit}; {int(ok.sum()):,} eligible pairs ({(~ok).sum():,} conflicts); "
        f"loads {problem.min_load.min()}-{problem.max_load.max()}"
    )
    base = None
    if baseline is not None:
        base, wall, cpu = timed(baseline.assign_experts, problem)
        print(
            f"baseline ({BASELINE_REV}): {wall:.2f} s wall, {cpu:.2f} s CPU; total affinity "
            f"{base.total_affinity:.6f}; loads {base.load_min}-{base.load_max}"
        )
    result, wall, cpu = timed(assign_experts, problem)
    print(
        f"this code: {wall:.2f} s wall, {cpu:.2f} s CPU; total affinity "
        f"{result.total_affinity:.6f}; bound {result.bound:.6f}; gap {result.gap:.1e}; loads "
        f"{result.load_min}-{result.load_max} (spread {result.load_spread}); lowest per-unit "
        f"affinity {result.lowest_unit_affinity:.4f}; notes {result.notes or 'none'}"
    )
    if base is not None:
        print(
            f"  speed-up {base.solve_seconds / result.solve_seconds:.1f}x (library call); "
            f"total affinity {result.total_affinity - base.total_affinity:+.2e} vs baseline"
        )
    print("  phases: " + "; ".join(f"{name} {sec:.2f} s" for name, sec in phases(problem)))
    seeded, wall, cpu = timed(assign_experts, problem, seed=1)
    print(
        f"this code, --seed 1: {wall:.2f} s wall, {cpu:.2f} s CPU; total affinity "
        f"{seeded.total_affinity:.6f} (difference "
        f"{seeded.total_affinity - result.total_affinity:+.1e}); gap {seeded.gap:.1e}"
    )
    bound, wall, cpu = timed(lp_bound, problem)
    print(f"lp_bound (dual certificate, standalone): {bound:.6f} in {wall:.2f} s ({cpu:.2f} CPU)")
    g, wall, _ = timed(greedy, problem, ok)
    print(f"greedy: {wall:.2f} s; total affinity {g:.6f}; gap {(bound - g) / bound:.2e}")
    if args.highs:
        highs, wall, cpu = timed(lp_bound, problem, method="highs")
        print(
            f"LP bound (HiGHS): {highs:.6f} in {wall:.2f} s ({cpu:.2f} CPU); this code vs "
            f"HiGHS {result.total_affinity - highs:+.2e}"
            + ("" if base is None else f"; baseline vs HiGHS {base.total_affinity - highs:+.2e}")
        )


def run_cli(units, experts, args) -> None:
    """``shidian assign`` end to end (read CSVs, build, solve, report) in a fresh process."""
    folder = Path(tempfile.mkdtemp())
    units.to_csv(folder / "units.csv", index=False)
    experts.to_csv(folder / "experts.csv", index=False)
    here = Path(__file__).resolve().parents[1] / "src"
    trees = [("this code", here)]
    if not args.no_baseline:
        old = Path(tempfile.mkdtemp())
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.baseline_rev, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        trees.insert(0, (f"baseline {args.baseline_rev}", old / "src"))
    print("\n== shidian assign units.csv experts.csv --match type=expertise --json ==")
    for label, src in trees:
        env = {**os.environ, "PYTHONPATH": str(src)}
        code = "from shidian.cli.app import main; main()"
        cmd = [sys.executable, "-c", code, "assign", str(folder / "units.csv")]
        cmd += [str(folder / "experts.csv"), "--match", "type=expertise", "--json"]
        wall = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - wall
        import json

        report = json.loads(proc.stdout) if proc.returncode == 0 else {}
        print(
            f"{label}: exit {proc.returncode}, {wall:.2f} s wall end to end; total affinity "
            f"{report.get('total_affinity')}; solve_seconds {report.get('solve_seconds')}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=7167)
    parser.add_argument("--experts", type=int, default=300)
    parser.add_argument("--per-unit", type=int, default=3)
    parser.add_argument("--highs", action="store_true", help="also solve the LP with HiGHS")
    parser.add_argument("--skip-lp", action="store_true", help=argparse.SUPPRESS)  # old flag
    parser.add_argument("--cli", action="store_true", help="time `shidian assign` end to end")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="commit of the baseline")
    args = parser.parse_args()
    from shidian.engine.assignment import build_problem

    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; load "
        f"average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}"
    )
    baseline = None if args.no_baseline else baseline_module(args.baseline_rev)
    units, experts, rng = make_inputs(args.units, args.experts)
    start = time.perf_counter()
    problem = build_problem(units, experts, per_unit=args.per_unit, match=[("type", "expertise")])
    print(f"build_problem: {time.perf_counter() - start:.2f} s")
    match_only = problem.affinity.copy()
    problem.affinity[:] += rng.random(problem.affinity.shape) * 0.5
    run_instance("match + random preference (the RESULTS.md instance)", problem, args, baseline)
    problem.affinity[:] = match_only
    run_instance("match only (whole numbers, as the command builds them)", problem, args, baseline)
    if args.cli:
        run_cli(units, experts, args)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
