"""Solve expert assignment as a min-cost flow, explain infeasibility, and bound it with an LP.

Network: source -> expert (capacity max_load - min_load; the min_load is a supply placed on the
expert node) -> [(unit, organisation) node, capacity 1, when that organisation has two or more
eligible experts for the unit] -> unit (capacity r) -> sink. The sink demands n*r, so every unit
gets exactly r experts and at most one per organisation. The constraint matrix of this network is
totally unimodular, so the LP relaxation (``lp_bound``) has the same optimum.

The flow works on integer costs and, on large problems, on a pruned network (each unit's best
candidates at prices from a sample of units; see ``assign_experts``). ``exact.refine`` then
searches ALL eligible pairs with the exact affinities for improving exchanges and returns prices
whose Lagrangian dual bound (``exact.dual_bound``) equals the total affinity: gap 0.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pandas as pd

from shidian.engine.assignment.exact import dual_bound, refine
from shidian.engine.assignment.model import AssignmentProblem, AssignmentResult
from shidian.engine.errors import InfeasibleError

COST_RESOLUTION = 100_000  # affinities are rounded to 1/100,000 of the largest |affinity|
MAX_LISTED = 5


def eligibility(problem: AssignmentProblem) -> np.ndarray:
    """(units, experts) bool: True where the expert has no conflict of interest with the unit."""
    n, m = len(problem.unit_ids), len(problem.expert_ids)
    by_prefix: dict[tuple[str, ...], list[int]] = defaultdict(list)
    by_path: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, path in enumerate(problem.unit_paths):
        by_path[path].append(i)
        for k in range(1, len(path) + 1):
            by_prefix[path[:k]].append(i)
    ok = np.ones((n, m), dtype=bool)
    for j, path in enumerate(problem.expert_paths):
        ok[by_prefix.get(path, []), j] = False  # the unit is the expert's org or under it
        for k in range(1, len(path)):
            ok[by_path.get(path[:k], []), j] = False  # the expert works under the unit
    return ok


def _org_codes(problem: AssignmentProblem) -> np.ndarray:
    _, codes = np.unique(np.asarray(problem.expert_orgs, dtype=object), return_inverse=True)
    return codes.astype(np.int64)


def _check_counts(problem: AssignmentProblem, ok: np.ndarray, org: np.ndarray) -> None:
    """Cheap necessary conditions, each explained in words."""
    r, n, m = problem.per_unit, len(problem.unit_ids), len(problem.expert_ids)
    problems: list[str] = []
    onehot = np.zeros((m, int(org.max()) + 1))
    onehot[np.arange(m), org] = 1.0
    org_counts = (ok.astype(float) @ onehot) > 0  # (units, orgs) any eligible expert
    distinct = org_counts.sum(axis=1)
    eligible = ok.sum(axis=1)
    short = np.flatnonzero(distinct < r)
    for i in short[:MAX_LISTED]:
        problems.append(
            f"unit {problem.unit_ids[i]} has only {int(eligible[i])} eligible expert(s) from "
            f"{int(distinct[i])} organisation(s) for r={r}: add experts from other organisations "
            "or lower --per-unit"
        )
    if short.size > MAX_LISTED:
        problems.append(f"... and {short.size - MAX_LISTED} more unit(s) like these")
    total = n * r
    if problem.max_load.sum() < total:
        need = -(-total // m)
        problems.append(
            f"{n} units x {r} experts need {total} reviews but the experts' maximum loads add up "
            f"to {int(problem.max_load.sum())}: raise --max-load to at least {need} or add experts"
        )
    if problem.min_load.sum() > total:
        problems.append(
            f"the experts' minimum loads add up to {int(problem.min_load.sum())}, more than the "
            f"{total} reviews needed: lower --min-load to at most {total // m}"
        )
    capacity = np.minimum(ok.sum(axis=0), n)
    starved = np.flatnonzero(capacity < problem.min_load)
    for j in starved[:MAX_LISTED]:
        problems.append(
            f"expert {problem.expert_ids[j]} is eligible for only {int(capacity[j])} unit(s) but "
            f"must take at least {int(problem.min_load[j])}: lower their minimum load"
        )
    if problems:
        raise InfeasibleError("The assignment cannot meet every constraint:", relaxations=problems)


def _network(problem: AssignmentProblem, ok: np.ndarray, org: np.ndarray):
    """Arc arrays of the flow network; returns (tails, heads, caps, pair index, n_nodes)."""
    n, m = ok.shape
    u_idx, e_idx = np.nonzero(ok)
    source, sink, first_expert = 0, 1, 2
    first_unit = first_expert + m
    key = u_idx * (int(org.max()) + 1) + org[e_idx]
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    shared = counts[inverse] >= 2  # this (unit, org) has several eligible experts
    shared_keys, shared_inv = np.unique(key[shared], return_inverse=True)
    first_pair = first_unit + n
    n_nodes = first_pair + shared_keys.size
    mid = np.where(shared, 0, first_unit + u_idx)
    mid[shared] = first_pair + shared_inv
    pair_units = shared_keys // (int(org.max()) + 1)
    tails = np.concatenate(
        [
            np.full(m, source),
            first_expert + e_idx,
            first_pair + np.arange(shared_keys.size),
            first_unit + np.arange(n),
        ]
    )
    heads = np.concatenate(
        [first_expert + np.arange(m), mid, first_unit + pair_units, np.full(n, sink)]
    )
    caps = np.concatenate(
        [
            problem.max_load - problem.min_load,
            np.ones(e_idx.size, dtype=np.int64),
            np.ones(shared_keys.size, dtype=np.int64),
            np.full(n, problem.per_unit, dtype=np.int64),
        ]
    )
    return tails, heads, caps, (u_idx, e_idx), n_nodes


def _integer_costs(values: np.ndarray, n_nodes: int, total: int, seed: int | None) -> np.ndarray:
    """Costs = -affinity rounded, times a multiplier that leaves room for a seeded tie-break.

    The tie-break (0..J per arc, summing to less than one unit of the main cost) picks among
    equally good assignments reproducibly for a given seed without giving up optimality. Without
    a seed there is no tie-break (the solver is deterministic anyway) and the narrower cost range
    saves about a third of the solve time (fewer cost-scaling phases).
    """
    scale = np.abs(values).max()
    main = np.zeros(values.size, dtype=np.int64)
    if scale > 0:
        main = np.rint(-values / scale * COST_RESOLUTION).astype(np.int64)
    budget = (2**62) // (n_nodes + 2) // 8  # OR-Tools scales costs by about the node count
    jitter_max = min(100, (budget // (COST_RESOLUTION + 1) - 1) // max(total, 1))
    if seed is None or jitter_max < 1:
        return main
    multiplier = total * jitter_max + 1
    rng = np.random.default_rng(seed)
    return main * multiplier + rng.integers(0, jitter_max + 1, size=values.size)


SPARSE_MIN_UNITS = 3_000  # from this size on, solve a pruned network first (see assign_experts)
SPARSE_MIN_PAIRS = 300_000
SAMPLE_UNITS = 300  # units in the sample that prices the experts: at least this, at least m
KEEP_PER_UNIT = 30  # candidate experts per unit in the pruned network
MAX_EXCHANGE_EXPERTS = 4_000  # the exchange graph is (experts x experts): 128 MB at 4,000


def assign_experts(
    problem: AssignmentProblem, *, seed: int | None = None, sparse: bool | None = None
) -> AssignmentResult:
    """Give every unit ``per_unit`` experts maximising total affinity; exact and certified.

    1. Large problems (``sparse``: None = from 3,000 units and 300,000 eligible pairs): price
       the experts on a sample of the units (a small min-cost flow), keep each unit's
       ``KEEP_PER_UNIT`` best candidates at those prices and solve the min-cost flow on that
       pruned network. Small problems, or a pruned network without a solution: the full one.
    2. ``exact.refine`` cancels improving exchanges over ALL eligible pairs on the exact
       (unrounded) affinities: whatever the pruning or the cost rounding left out comes back.
    3. Its prices give the dual bound (``result.bound``); ``result.gap`` is 0 when the
       assignment is proven optimal.
    """
    started = time.perf_counter()
    ok = eligibility(problem)
    org = _org_codes(problem)
    _check_counts(problem, ok, org)
    n = len(problem.unit_ids)
    if sparse is None:
        sparse = n >= SPARSE_MIN_UNITS and int(ok.sum()) >= SPARSE_MIN_PAIRS
    m = len(problem.expert_ids)
    sparse = sparse and m <= MAX_EXCHANGE_EXPERTS  # pruning needs the exchange search after it
    chosen = _pruned_solution(problem, ok, org, seed) if sparse else None
    if chosen is None:
        chosen = _flow_solution(problem, ok, org, seed, explain=True)
    if m <= MAX_EXCHANGE_EXPERTS:
        chosen, prices, exact = refine(problem, ok, org, chosen)
    units_idx = np.repeat(np.arange(n), problem.per_unit)
    result = _result(problem, ok, units_idx, chosen.ravel(), time.perf_counter() - started)
    if m > MAX_EXCHANGE_EXPERTS:
        result.notes.append(
            f"More than {MAX_EXCHANGE_EXPERTS:,} experts: optimal for the costs rounded to "
            f"1/{COST_RESOLUTION:,} of the largest affinity, without a certificate."
        )
        return result
    result.bound = dual_bound(problem, ok, org, prices)
    result.gap = _gap(result.total_affinity, result.bound)
    if not exact:
        result.notes.append(
            "The exchange search stopped before proving optimality; the assignment is within "
            f"{result.gap:.1e} (relative) of the bound."
        )
    return result


def _flow_solution(problem, ok, org, seed, *, explain: bool):
    """Min-cost flow on the pairs allowed by ``ok``: (units, r) expert indices, or None."""
    from ortools.graph.python import min_cost_flow

    tails, heads, caps, (u_idx, e_idx), n_nodes = _network(problem, ok, org)
    total = problem.total_reviews
    m = len(problem.expert_ids)
    aff = problem.affinity[u_idx, e_idx]
    costs = np.zeros(tails.size, dtype=np.int64)
    costs[m : m + e_idx.size] = _integer_costs(aff, n_nodes, total, seed)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[0] = total - int(problem.min_load.sum())
    supplies[2 : 2 + m] = problem.min_load
    supplies[1] = -total
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        if not explain:
            return None
        if status == flow.INFEASIBLE:
            raise InfeasibleError(
                "The assignment cannot meet every constraint:",
                relaxations=_explain_flow_shortage(problem, tails, heads, caps, u_idx, m),
            )
        raise InfeasibleError(f"The flow solver stopped with status {status.name}.")
    used = flow.flows(arcs[m : m + e_idx.size]) > 0
    return e_idx[used].reshape(-1, problem.per_unit)  # u_idx is sorted: r experts per unit


def _pruned_solution(problem, ok, org, seed):
    """Price experts on a sample of units, then solve with each unit's best candidates only."""
    n, m = ok.shape
    step = max(1, n // max(SAMPLE_UNITS, m))
    sample = np.arange(0, n, step)
    share = sample.size / n
    sub = replace(
        problem,
        unit_ids=[problem.unit_ids[i] for i in sample],
        unit_paths=[problem.unit_paths[i] for i in sample],
        affinity=problem.affinity[sample],
        min_load=np.floor(problem.min_load * share).astype(np.int64),
        max_load=np.ceil(problem.max_load * share).astype(np.int64),
    )
    sub_chosen = _flow_solution(sub, ok[sample], org, None, explain=False)
    if sub_chosen is None:
        return None
    _, prices, _ = refine(sub, ok[sample], org, sub_chosen)
    reduced = np.where(ok, problem.affinity - prices[None, :], -np.inf)
    # ties (whole-number affinities) are cut at random, not by position, so the candidates of
    # equally placed units spread over the tied experts; this only picks candidates
    scale = max(float(np.abs(problem.affinity).max()), 1.0)
    reduced += np.random.default_rng(0).random(reduced.shape) * (1e-9 * scale)
    for keep in (KEEP_PER_UNIT, 4 * KEEP_PER_UNIT):
        if keep >= m:
            break
        best = np.argpartition(-reduced, keep - 1, axis=1)[:, :keep]
        pruned = np.zeros_like(ok)
        pruned[np.arange(n)[:, None], best] = True
        chosen = _flow_solution(problem, ok & pruned, org, seed, explain=False)
        if chosen is not None:
            return chosen
    return None


def _gap(total: float, bound: float) -> float:
    if not np.isfinite(bound):
        return float("inf")
    return max(0.0, bound - total) / max(abs(bound), 1e-12)


def _explain_flow_shortage(problem, tails, heads, caps, u_idx, m) -> list[str]:
    """Re-solve as a max flow without minimum loads; units left short name the bottleneck."""
    from ortools.graph.python import min_cost_flow

    n = len(problem.unit_ids)
    relaxed = caps.copy()
    relaxed[:m] = problem.max_load
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), relaxed, np.zeros(tails.size, np.int64)
    )
    total = problem.total_reviews
    flow.set_node_supply(0, total)
    flow.set_node_supply(1, -total)
    flow.solve_max_flow_with_min_cost()
    got = flow.flows(np.arange(tails.size - n, tails.size))
    short = np.flatnonzero(got < problem.per_unit)
    if short.size == 0:
        return [
            "every unit can get its experts only if some experts take fewer reviews than their "
            "minimum load: lower --min-load (or the min_load column)"
        ]
    lines = [
        f"unit {problem.unit_ids[i]} can get only {int(got[i])} of {problem.per_unit} experts: "
        "the experts eligible for it are at their maximum load or share an organisation "
        "with another expert on it"
        for i in short[:MAX_LISTED]
    ]
    if short.size > MAX_LISTED:
        lines.append(f"... and {short.size - MAX_LISTED} more unit(s) like these")
    lines.append("raise --max-load, add experts from other organisations, or lower --per-unit")
    return lines


def _result(problem, ok, units_idx, experts_idx, seconds) -> AssignmentResult:
    aff = problem.affinity[units_idx, experts_idx]
    order = np.lexsort((experts_idx, units_idx))
    units_idx, experts_idx, aff = units_idx[order], experts_idx[order], aff[order]
    pairs = pd.DataFrame(
        {
            "unit": [problem.unit_ids[i] for i in units_idx],
            "expert": [problem.expert_ids[j] for j in experts_idx],
            "expert_org": [problem.expert_orgs[j] for j in experts_idx],
            "affinity": aff,
        }
    )
    n, m = ok.shape
    load = np.bincount(experts_idx, minlength=m)
    loads = pd.DataFrame(
        {
            "expert": problem.expert_ids,
            "org": problem.expert_orgs,
            "load": load,
            "min_load": problem.min_load,
            "max_load": problem.max_load,
        }
    )
    per_unit = np.bincount(units_idx, weights=aff, minlength=n)
    lowest = float(per_unit.min()) if n else 0.0
    lowest_units = [problem.unit_ids[i] for i in np.flatnonzero(per_unit == lowest)[:MAX_LISTED]]
    return AssignmentResult(
        pairs=pairs,
        loads=loads,
        units=n,
        experts=m,
        per_unit=problem.per_unit,
        status="optimal",
        total_affinity=float(aff.sum()),
        mean_unit_affinity=float(per_unit.mean()) if n else 0.0,
        lowest_unit_affinity=lowest,
        lowest_units=lowest_units,
        load_min=int(load.min()),
        load_max=int(load.max()),
        load_spread=int(load.max() - load.min()),
        load_std=float(load.std()),
        eligible_pairs=int(ok.sum()),
        solve_seconds=seconds,
    )


def lp_bound(problem: AssignmentProblem, *, method: str = "dual") -> float:
    """The LP relaxation's maximum total affinity, with exact (unrounded) affinities.

    ``method="dual"`` (default, about a second at 7,167 x 300): the Lagrangian dual bound
    B(p) of ``exact.dual_bound`` at the prices that certify ``assign_experts``. B(p) bounds the
    LP from above for any prices (weak duality), and equals the LP optimum at these ones, which
    the assignment then attains. ``method="highs"``: solve the LP itself with HiGHS (dual
    simplex; minutes at that size), an independent check.
    """
    if method == "dual":
        bound = assign_experts(problem).bound
        if bound is not None:
            return float(bound)
        method = "highs"  # too many experts for the exchange graph
    if method != "highs":
        raise ValueError(f"lp_bound: method must be 'dual' or 'highs', not {method!r}")
    from scipy import sparse
    from scipy.optimize import linprog

    ok = eligibility(problem)
    org = _org_codes(problem)
    u_idx, e_idx = np.nonzero(ok)
    k = u_idx.size
    n, m = ok.shape
    cols = np.arange(k)
    a_eq = sparse.csr_matrix((np.ones(k), (u_idx, cols)), shape=(n, k))
    b_eq = np.full(n, problem.per_unit, dtype=float)
    key = u_idx * (int(org.max()) + 1) + org[e_idx]
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    shared = counts[inverse] >= 2
    _, shared_inv = np.unique(key[shared], return_inverse=True)
    n_shared = int(shared_inv.max()) + 1 if shared.any() else 0
    expert_rows = sparse.csr_matrix((np.ones(k), (e_idx, cols)), shape=(m, k))
    org_rows = sparse.csr_matrix(
        (np.ones(int(shared.sum())), (shared_inv, cols[shared])), shape=(n_shared, k)
    )
    a_ub = sparse.vstack([expert_rows, -expert_rows, org_rows]).tocsr()
    b_ub = np.concatenate([problem.max_load, -problem.min_load, np.ones(n_shared)]).astype(float)
    res = linprog(
        -problem.affinity[u_idx, e_idx],
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0:
        raise InfeasibleError(f"The LP relaxation is not solvable: {res.message}")
    return float(-res.fun)
