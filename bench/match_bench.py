"""Matching benchmark: 10,000 treated vs 100,000 controls, 10 covariates, 1:1 greedy without
replacement, caliper 0.2 SD of the logit propensity score.

Compared in the same run, each in its own process so peak memory is measured honestly:
- ours: ``shidian.engine.matching.match_controls`` end to end (design, propensity, match, balance);
- floor: a plain scikit-learn ``NearestNeighbors`` query on the logit (with replacement);
- causalml ``NearestNeighborMatch(replace=False, caliper=0.2)`` on the same logit, full size;
- psmpy ``PsmPy.kdtree_matched(replacement=False)`` at 2,000 x 20,000 (it allocates a
  treated x controls matrix).

causalml and psmpy are not project dependencies (causalml pulls xgboost, lightgbm, shap...).
Install them without their dependencies into a side directory, which is all their matching code
needs (numpy, pandas, scikit-learn, matplotlib, seaborn are in the venv):

    pip install --no-deps --target /tmp/esm-peers causalml==0.18.0 psmpy==0.3.16
    # (the venv has no pip: uv pip install --python .venv/bin/python --no-deps --target ...)
    PEERS_PATH=/tmp/esm-peers python bench/match_bench.py

Every method's balance is measured by the same ``balance_table`` on its pairs; the SMDs divide by
the treated units' SD of the unmatched sample (the engine's default, as MatchIt and cobalt for the
ATT; pass ``--smd-denominator pooled`` for the pooled SD).

Without them, a faithful re-implementation of causalml's greedy loop (same pandas code path)
stands in and is labelled as such.

    python bench/match_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
if os.environ.get("PEERS_PATH"):
    sys.path.append(os.environ["PEERS_PATH"])

COVARIATES = tuple(f"x{i}" for i in range(10))


def make_data(n_t: int, n_c: int, seed: int = 20261125) -> pd.DataFrame:
    """Treated units shifted on 8 of 10 covariates: a linear logit, so the model is right."""
    rng = np.random.default_rng(seed)
    shift = np.r_[rng.uniform(0.1, 0.5, 8), 0, 0]
    x = rng.normal(size=(n_t + n_c, 10))
    x[:n_t] += shift
    frame = pd.DataFrame(x, columns=list(COVARIATES))
    frame.insert(0, "t", np.r_[np.ones(n_t, int), np.zeros(n_c, int)])
    frame.insert(0, "id", [f"u{i}" for i in range(n_t + n_c)])
    return frame


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


DENOMINATOR = os.environ.get("MATCH_BENCH_DENOMINATOR", "treated")


def balance_from_pairs(frame: pd.DataFrame, t_pos: np.ndarray, c_pos: np.ndarray) -> dict:
    from shidian.engine.matching.balance import balance_table

    treated = frame.t.to_numpy() == 1
    weights = np.zeros(len(frame))
    weights[t_pos] = 1.0
    np.add.at(weights, c_pos, 1.0)
    rows = balance_table(
        frame[list(COVARIATES)].to_numpy(), list(COVARIATES), treated, weights,
        denominator=DENOMINATOR,
    )  # fmt: skip
    return {
        "max_abs_smd_before": max(abs(r.smd_before) for r in rows),
        "max_abs_smd_after": max(abs(r.smd_after) for r in rows),
        "mean_abs_smd_after": float(np.mean([abs(r.smd_after) for r in rows])),
        "max_ecdf_after": max(r.ecdf_max_after for r in rows),
    }


def logit_of(frame: pd.DataFrame) -> np.ndarray:
    from shidian.engine.matching.distance import propensity_logit

    return propensity_logit(frame[list(COVARIATES)].to_numpy(), frame.t.to_numpy() == 1)


def run_ours(frame: pd.DataFrame) -> dict:
    from shidian.engine.matching import MatchSpec, match_controls

    spec = MatchSpec(
        treated="t", covariates=COVARIATES, id_column="id", caliper=0.2,
        smd_denominator=DENOMINATOR,
    )  # fmt: skip
    started = time.perf_counter()
    result = match_controls(frame, spec)
    seconds = time.perf_counter() - started
    rows = result.balance
    return {
        "seconds": seconds,
        "seconds_matching_step": result.seconds["match"],
        "phases": result.seconds,
        "matched": result.n_matched_treated,
        "max_abs_smd_before": max(abs(r.smd_before) for r in rows),
        "max_abs_smd_after": max(abs(r.smd_after) for r in rows),
        "mean_abs_smd_after": float(np.mean([abs(r.smd_after) for r in rows])),
        "max_ecdf_after": max(r.ecdf_max_after for r in rows),
    }


def run_floor(frame: pd.DataFrame) -> dict:
    from sklearn.neighbors import NearestNeighbors

    logit = logit_of(frame)
    treated = frame.t.to_numpy() == 1
    t_pos, c_all = np.flatnonzero(treated), np.flatnonzero(~treated)
    started = time.perf_counter()
    model = NearestNeighbors(n_neighbors=1).fit(logit[c_all, None])
    dist, idx = model.kneighbors(logit[t_pos, None])
    seconds = time.perf_counter() - started
    keep = dist[:, 0] <= 0.2 * logit.std(ddof=1)
    out = {"seconds": seconds, "seconds_matching_step": seconds, "matched": int(keep.sum())}
    out.update(balance_from_pairs(frame, t_pos[keep], c_all[idx[keep, 0]]))
    out["note"] = "with replacement; query only (propensity fit not timed)"
    return out


def causalml_like_match(data: pd.DataFrame, caliper: float, seed: int) -> pd.DataFrame:
    """Re-implementation of causalml 0.18 NearestNeighborMatch.match(replace=False, ratio=1)."""
    treatment = data.loc[data.t == 1, ["logit"]]
    control = data.loc[data.t == 0, ["logit"]].copy()
    sdcal = caliper * np.std(data[["logit"]].values)
    from_indices = np.random.RandomState(seed).permutation(treatment.index)
    pairs = []
    control["unmatched"] = True
    for from_idx in from_indices:
        dist = np.abs(control.loc[control.unmatched, "logit"] - treatment.loc[from_idx, "logit"])
        if len(dist) == 0:
            break
        kth = min(1, len(dist) - 1)
        to_idx = dist.index[np.argpartition(dist, kth)[:1]][0]
        if dist[to_idx] <= sdcal:
            pairs.append((from_idx, to_idx))
            control.loc[to_idx, "unmatched"] = False
    return pd.DataFrame(pairs, columns=["from", "to"])


def run_causalml(frame: pd.DataFrame) -> dict:
    started = time.perf_counter()
    logit = logit_of(frame)
    fit_seconds = time.perf_counter() - started
    data = frame.assign(logit=logit)
    started = time.perf_counter()
    try:
        from causalml.match import NearestNeighborMatch

        matcher = NearestNeighborMatch(caliper=0.2, replace=False, ratio=1, random_state=42)
        matcher.match(data=data, treatment_col="t", score_cols=["logit"])
        pairs = matcher.matched_indexes_
        label = "causalml 0.18.0 NearestNeighborMatch"
    except ImportError:
        pairs = causalml_like_match(data, 0.2, 42)
        label = "causalml algorithm (faithful re-implementation; causalml not installed)"
    seconds = time.perf_counter() - started
    out = {
        "seconds": seconds + fit_seconds,
        "seconds_matching_step": seconds,
        "matched": len(pairs),
        "note": label,
    }
    out.update(balance_from_pairs(frame, pairs["from"].to_numpy(), pairs["to"].to_numpy()))
    return out


def run_psmpy(frame: pd.DataFrame) -> dict:
    import warnings

    from psmpy import PsmPy

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    model = PsmPy(frame.copy(), treatment="t", indx="id", exclude=[])
    model.logistic_ps(balance=False)
    logit_sd = model.predicted_data["propensity_logit"].std()
    fit_seconds = time.perf_counter() - started
    model.kdtree_matched(matcher="propensity_logit", replacement=False, caliper=0.2 * logit_sd)
    seconds = time.perf_counter() - started
    ids = model.matched_ids
    position = {v: i for i, v in enumerate(frame.id)}
    t_pos = np.array([position[v] for v in ids["id"]])
    c_pos = np.array([position[v] for v in ids["matched_ID"]])
    out = {
        "seconds": seconds,
        "seconds_matching_step": seconds - fit_seconds,
        "matched": len(ids),
        "note": "psmpy 0.3.16 kdtree_matched, its own logistic fit",
    }
    out.update(balance_from_pairs(frame, t_pos, c_pos))
    return out


RUNNERS = {"ours": run_ours, "floor": run_floor, "causalml": run_causalml, "psmpy": run_psmpy}


def worker(method: str, n_t: int, n_c: int) -> None:
    frame = make_data(n_t, n_c)
    if method in ("causalml", "psmpy"):  # import before the baseline: count the work, not code
        try:
            __import__("causalml.match" if method == "causalml" else "psmpy")
        except ImportError:
            if method == "psmpy":
                print(json.dumps({"error": "psmpy not installed (set PEERS_PATH)"}))
                return
    import sklearn.linear_model  # noqa: F401
    import sklearn.neighbors  # noqa: F401

    base = rss_mb()
    cpu = time.process_time()
    out = RUNNERS[method](frame)
    out["cpu_seconds"] = time.process_time() - cpu
    out["peak_rss_mb"] = rss_mb()
    out["peak_over_baseline_mb"] = rss_mb() - base
    print(json.dumps(out))


def run(method: str, n_t: int, n_c: int, timeout: float = 1200) -> dict:
    cmd = [sys.executable, __file__, "--worker", method, str(n_t), str(n_c)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 x 10,000 and 200 x 2,000")
    parser.add_argument("--worker", nargs=3)
    parser.add_argument("--skip-causalml-full", action="store_true")
    parser.add_argument("--smd-denominator", choices=["treated", "pooled"], default="treated")
    args = parser.parse_args()
    os.environ["MATCH_BENCH_DENOMINATOR"] = args.smd_denominator
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    full, small = (
        ((1_000, 10_000), (200, 2_000)) if args.quick else ((10_000, 100_000), (2_000, 20_000))
    )
    plan = [("ours", *full), ("floor", *full)]
    if not args.skip_causalml_full:
        plan.append(("causalml", *full))
    plan += [("ours", *small), ("causalml", *small), ("psmpy", *small)]
    print(f"SMD denominator: {args.smd_denominator}")
    print(
        "| method | treated x controls | time s | CPU s | matching step s | peak RSS MB | "
        "over baseline MB | matched | max abs SMD before | max abs SMD after | "
        "mean abs SMD after | note |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for method, n_t, n_c in plan:
        r = run(method, n_t, n_c)
        if "error" in r:
            print(
                f"| {method} | {n_t:,} x {n_c:,} | — | — | — | — | — | — | — | — | {r['error']} |"
            )
            continue
        print(
            f"| {method} | {n_t:,} x {n_c:,} | {r['seconds']:.3f} | {r['cpu_seconds']:.3f} | "
            f"{r['seconds_matching_step']:.3f} | {r['peak_rss_mb']:.0f} | "
            f"{r['peak_over_baseline_mb']:.0f} | {r['matched']:,} | "
            f"{r['max_abs_smd_before']:.3f} | {r['max_abs_smd_after']:.4f} | "
            f"{r['mean_abs_smd_after']:.4f} | {r.get('note', '')} |",
            flush=True,
        )
        if method == "ours":
            print(f"<!-- phases: {json.dumps(r['phases'])} -->", flush=True)


if __name__ == "__main__":
    main()
