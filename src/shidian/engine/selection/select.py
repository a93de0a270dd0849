"""Representative selection: K pilots maximising the total score under quotas (MILP)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from shidian.engine.selection.batches import (
    balanced_batches,
    batch_report,
    batches_by_rank,
    check_sizes,
)
from shidian.engine.selection.model import attributes_of, build_rows, prepare
from shidian.engine.selection.relax import solve_selection
from shidian.engine.selection.report import (
    covariate_balance,
    largest_deviation,
    price,
    stratum_shares,
)
from shidian.engine.selection.spec import Forced, SelectionResult, SelectionSpec


def select_pilots(
    frame: pd.DataFrame,
    spec: SelectionSpec,
    *,
    on_step: Callable[[str], None] | None = None,
) -> SelectionResult:
    """Choose ``spec.count`` pilots from ``frame`` (one row per candidate).

    Raises ``EngineInputError`` for bad input and ``InfeasibleError`` (naming the constraints
    that must give, and by how much) when the constraints cannot all hold.
    """
    step = on_step or (lambda _message: None)
    if spec.batches:
        check_sizes(spec.batches, spec.count)
    step("checking the input")
    prep = prepare(frame, spec)
    rows = build_rows(prep, spec)
    step(f"solving the MILP ({int(prep.eligible.sum())} candidates, {len(rows) + 1} constraints)")
    solution = solve_selection(prep, spec, rows)
    columns = np.flatnonzero(prep.eligible)
    assert solution.x is not None
    chosen = columns[solution.x[: len(columns)] > 0.5]
    chosen = chosen[np.argsort(-prep.score[chosen], kind="stable")]  # by rank

    attributes = attributes_of(spec)
    step("writing the report")
    batch = np.zeros(len(chosen), dtype=int)
    batch_shares = []
    if spec.batches:
        chosen_labels = {a: prep.labels[a][chosen] for a in attributes}
        if spec.balanced_batches and attributes:
            batch = balanced_batches(
                chosen_labels, spec.batches, time_limit=spec.time_limit, seed=spec.seed
            )
        else:
            batch = batches_by_rank(len(chosen), spec.batches)
        batch_shares = batch_report(batch, prep.score[chosen], chosen_labels, prep.labels)

    selected = frame.iloc[chosen].reset_index(drop=True)
    selected.insert(0, "rank", np.arange(1, len(chosen) + 1))
    if spec.batches:
        selected.insert(0, "batch", batch)
    selected["forced_reason"] = [prep.forced_reason.get(i, "") for i in prep.ids[chosen]]
    if spec.batches:
        selected = selected.sort_values(["batch", "rank"], kind="stable").reset_index(drop=True)

    shares = stratum_shares(prep, spec, chosen, attributes)
    constraints = [f"{r.label}: {r.lower:g} to {r.upper:g}" for r in rows if r.kind == "quota"]
    return SelectionResult(
        selected=selected,
        status=solution.status,
        optimal=solution.optimal,
        gap=solution.gap,
        objective=float(prep.score[chosen].sum()),
        bound=solution.bound,
        n_candidates=prep.n,
        n_eligible=int(prep.eligible.sum()),
        n_variables=solution.n_variables,
        n_constraints=solution.n_constraints,
        solve_seconds=solution.seconds,
        shares=shares,
        largest_deviation=largest_deviation(shares),
        price=price(prep, chosen),
        balance=covariate_balance(prep, chosen),
        batches=batch_shares,
        forced_in=[Forced(i, r) for i, r in prep.forced_reason.items()],
        forced_out=[Forced(i, r) for i, r in prep.excluded_reason.items()],
        constraints=constraints,
    )
