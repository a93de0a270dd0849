"""``group_items``: balanced grouping (anticlustering) under constraints, start to report."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from shidian.engine.errors import EngineInputError
from shidian.engine.grouping.batched import MAX_SHARED, batched_search
from shidian.engine.grouping.blocks import improve_blocks
from shidian.engine.grouping.fastpath import fast_variance_search
from shidian.engine.grouping.milp import solve_milp
from shidian.engine.grouping.objectives import (
    DiversityState,
    VarianceState,
    diversity_value,
    variance_value,
)
from shidian.engine.grouping.prepare import build_problem
from shidian.engine.grouping.repair import category_violation, repair_categories
from shidian.engine.grouping.report import category_balance, check_constraints, feature_balance
from shidian.engine.grouping.search import Counts, local_search, make_rules
from shidian.engine.grouping.spec import GroupingResult, GroupingSpec, Problem
from shidian.engine.grouping.start import start_partition

DENSE_CANDIDATES = 2000  # above this, each item tries only its nearest neighbours as partners
DIVERSITY_STATE_LIMIT = 40_000_000  # restarts x items x groups kept for the diversity sums
EXACT_MAX_ITEMS = 40


def default_restarts(n: int) -> int:
    if n <= 30:
        return 60
    if n <= 100:
        return 16
    if n <= 500:
        return 6
    if n <= 2000:
        return 3
    return 1


def objective_value(p: Problem, objective: str, labels: np.ndarray) -> float:
    if objective == "diversity":
        return diversity_value(p.x, labels, p.k)
    return variance_value(p.x, labels, p.k)


def group_items(
    spec: GroupingSpec, *, on_progress: Callable[[str], None] | None = None
) -> GroupingResult:
    """Partition the items into ``spec.n_groups`` groups alike as a whole and mixed inside."""
    p = build_problem(spec)
    rng = np.random.default_rng(spec.seed)
    notes: list[str] = []
    names = spec.feature_names or [f"feature {c + 1}" for c in range(p.x_report.shape[1])]
    search_objective = "diversity" if spec.objective == "diversity" else "variance"
    if spec.method == "exact":
        labels, leads, optimal, gap, start_value = _exact(spec, p, search_objective)
        restarts = 0
    else:
        labels, leads, start_value, restarts = _heuristic(spec, p, rng, search_objective, notes)
        optimal, gap = None, None
        if on_progress:
            on_progress("search done")
    value = objective_value(p, search_objective, labels)
    if not np.isfinite(value):
        raise EngineInputError("The objective could not be computed (check the feature values).")
    cats = category_balance(spec, p, labels)
    return GroupingResult(
        labels=labels,
        leads=leads if leads is not None else np.full(p.k, -1, dtype=np.int64),
        sizes=np.bincount(labels, minlength=p.k).tolist(),
        objective=spec.objective,
        value=value,
        start_value=start_value,
        method=spec.method if spec.method != "auto" else "local-maximum",
        restarts=restarts,
        optimal=optimal,
        gap=gap,
        features=feature_balance(p.x_report, labels, p.k, names),
        categories=cats,
        constraints=check_constraints(spec, p, labels, leads, cats),
        notes=notes,
    )


def _exact(spec: GroupingSpec, p: Problem, objective: str):
    if not p.equal_sizes:
        raise EngineInputError("--method exact needs equal group sizes (no --size-min/--size-max).")
    if p.n > EXACT_MAX_ITEMS:
        raise EngineInputError(
            f"--method exact is for at most {EXACT_MAX_ITEMS} items; use the default method."
        )
    outcome = solve_milp(p, exact_objective=objective, time_limit=spec.time_limit, seed=spec.seed)
    if outcome.status == "infeasible":
        from shidian.engine.grouping.start import start_partition as _start

        _start(p, np.random.default_rng(spec.seed), spec.time_limit)  # raises the named message
    if outcome.labels is None:
        raise EngineInputError(
            f"The exact method found no solution within {spec.time_limit:g} s; "
            "raise --time-limit or use the default method."
        )
    labels = outcome.labels
    leads = _leads_of(p, labels, outcome.leads)
    return labels, leads, outcome.status == "optimal", outcome.gap, float("nan")


def _leads_of(p: Problem, labels: np.ndarray, lead_items: np.ndarray | None):
    if lead_items is None:
        return None
    leads = np.full(p.k, -1, dtype=np.int64)
    leads[labels[lead_items]] = lead_items
    return leads


def _partner_lists(p: Problem, rules, count: int) -> np.ndarray:
    """Each item's nearest neighbours (a k-d tree) among the items it may swap with."""
    from scipy.spatial import cKDTree

    partners = np.full((p.n, count), -1, dtype=np.int64)
    key = rules.role.copy()
    if p.cats:
        key = key * (max(p.n_levels) + 1) + p.cats[0]
    for value in np.unique(key):
        idx = np.flatnonzero(key == value)
        if idx.size < 2:
            continue
        m = min(count + 1, idx.size)
        _, found = cKDTree(p.x[idx]).query(p.x[idx], k=m)
        found = idx[np.asarray(found).reshape(idx.size, m)]
        for col in range(1, m):
            partners[idx, col - 1] = found[:, col]
    return partners


def _new_state(p: Problem, lab: np.ndarray, rules, objective: str):
    sizes = np.tile(np.bincount(lab[0], minlength=p.k), (lab.shape[0], 1)).astype(np.int64)
    counts = Counts(p, lab, sizes) if p.cats else None
    ev: DiversityState | VarianceState
    if objective == "diversity":
        ev = DiversityState(p.x, lab, sizes, p.k, weighted=rules.moves)
    else:
        ev = VarianceState(p.x, lab, sizes, p.k)
    return sizes, counts, ev


def _polish_blocks(p, labels, rules, objective, rng, max_passes, common):
    """Alternate together-block trades and item-level passes while the blocks move."""
    for _ in range(3):
        if not improve_blocks(p, labels, rules, objective, rng):
            break
        lab = labels[None, :].copy()
        sizes, counts, ev = _new_state(p, lab, rules, objective)
        local_search(ev, lab, sizes, counts, rules, max_passes=max_passes, **common)
        labels = lab[0].copy()
    return labels


def _heuristic(spec: GroupingSpec, p: Problem, rng, objective: str, notes: list[str]):
    deadline = time.monotonic() + spec.time_limit
    start, lead_items, how = start_partition(p, rng, spec.time_limit)
    rules = make_rules(p, lead_items)
    constrained = (
        rules.allowed is not None
        or rules.apart is not None
        or rules.moves
        or len(p.cats) > 1
        or lead_items is not None
        or (p.fixed >= 0).any()
    )
    batched = p.n > DENSE_CANDIDATES and constrained
    # the batched search repairs the category counts itself when every item may try every
    # legal partner (--max-km); with partner lists of one category level it cannot, so repair
    if (
        how in ("greedy-repair", "distance-repair")
        and not (batched and rules.allowed is not None)
        and not repair_categories(p, start, rules, rng)
    ):
        notes.append(
            "The category counts could not all be brought within floor/ceil of their share; "
            "the closest partition found is used (see the category check)."
        )
    start_value = objective_value(p, objective, start)
    if batched:
        return _batched(spec, p, rules, start, lead_items, how, start_value, rng, deadline, notes)
    if spec.method == "exchange":
        restarts = spec.restarts or 1
        max_passes = 1
    else:
        restarts = spec.restarts or default_restarts(p.n)
        max_passes = 10_000
    if objective == "diversity" and (p.n > 20_000 or restarts * p.n * p.k > DIVERSITY_STATE_LIMIT):
        restarts = max(1, min(restarts, DIVERSITY_STATE_LIMIT // (p.n * p.k)))
        if p.n > 20_000 or p.n * p.k > DIVERSITY_STATE_LIMIT:
            notes.append(
                "At this size the search optimised the k-means variance of the same standardized "
                "features (diversity sums over all pairs do not fit in memory); the reported "
                "objective is the diversity."
            )
            objective = "variance"
    partners = None
    if p.n > DENSE_CANDIDATES:
        count = spec.partners or 20
        partners = _partner_lists(p, rules, count)
        notes.append(f"Each item tried its {count} nearest neighbours as exchange partners.")
    fast = (
        restarts == 1
        and partners is not None
        and objective == "variance"
        and rules.allowed is None
        and rules.apart is None
        and not rules.moves
        and len(p.cats) <= 1
    )
    if fast and partners is not None:
        labels = start.copy()
        fast_variance_search(
            p.x, labels, p.k, partners, rules.movable, rng, max_passes=max_passes, deadline=deadline
        )
        if time.monotonic() > deadline:
            notes.append(f"The search stopped at the time limit ({spec.time_limit:g} s).")
        return labels, _leads_of(p, labels, lead_items), start_value, restarts
    lab = np.tile(start, (restarts, 1))
    sizes, counts, ev = _new_state(p, lab, rules, objective)
    common = dict(k=p.k, partners=partners, rng=rng, deadline=deadline)
    if restarts > 1:
        local_search(
            ev, lab, sizes, counts, rules, max_passes=1, kick_rows=np.arange(1, restarts), **common
        )
    local_search(ev, lab, sizes, counts, rules, max_passes=max_passes, **common)
    if time.monotonic() > deadline:
        notes.append(f"The search stopped at the time limit ({spec.time_limit:g} s).")
    best = int(np.argmax(ev.values()))
    labels = lab[best].copy()
    if np.bincount(p.together_comp).max() > 1:
        labels = _polish_blocks(p, labels, rules, objective, rng, max_passes, common)
    if objective_value(p, objective, labels) < objective_value(p, objective, start) - 1e-9:
        labels = start  # never hand back less than the start (guards float drift)
    if how == "milp":
        notes.append("The start came from the MILP (constraints interact).")
    return labels, _leads_of(p, labels, lead_items), start_value, restarts


def _batched(spec, p, rules, start, lead_items, how, start_value, rng, deadline, notes):
    """The constrained search for thousands of items: batched exchange on the variance."""
    if spec.objective == "diversity":
        notes.append(
            "At this size with constraints the search optimised the k-means variance of the same "
            "standardized features (batched exchange); the reported objective is the diversity."
        )
    labels = start.copy()
    partners = None
    if rules.allowed is None:
        count = spec.partners or 20
        partners = _partner_lists(p, rules, count)
        notes.append(f"Each item tried its {count} nearest neighbours as exchange partners.")
    else:
        notes.append(
            "Each item tried every item within reach of its group's lead as exchange partner "
            f"(at most {MAX_SHARED:,} sampled per group and pass)."
        )
    max_passes = 1 if spec.method == "exchange" else 10_000
    for _ in range(3):
        batched_search(
            p, labels, rules, rng, partners=partners, max_passes=max_passes, deadline=deadline
        )
        if np.bincount(p.together_comp).max() == 1 or time.monotonic() > deadline:
            break
        if not improve_blocks(p, labels, rules, "variance", rng):
            break
    if time.monotonic() > deadline:
        notes.append(f"The search stopped at the time limit ({spec.time_limit:g} s).")
    if variance_value(p.x, labels, p.k) < variance_value(p.x, start, p.k) - 1e-9 and (
        category_violation(p, labels) >= category_violation(p, start)
    ):
        labels = start.copy()  # never hand back less than the start (guards float drift)
    if how == "distance-repair" and category_violation(p, labels) > 0:
        notes.append(
            "The category counts could not all be brought within floor/ceil of their share; "
            "the closest partition found is used (see the category check)."
        )
    if how == "distance":
        notes.append("The start came from the lead-and-distance heuristic.")
    return labels, _leads_of(p, labels, lead_items), start_value, 1
