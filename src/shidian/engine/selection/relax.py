"""Solve the selection MILP, and when it is infeasible find the smallest relaxation.

The relaxation adds two non-negative slack variables to every soft row (quotas, balance, forced
inclusions), keeps the count of K pilots hard, and minimises the total slack. Each row with a
positive slack is named with how far it must move.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.selection.milp import MilpSolution, objective_step, solve_binary_program
from shidian.engine.selection.model import Prepared, Row
from shidian.engine.selection.spec import SelectionSpec


def _matrix(rows: list[Row], n_cols: int) -> sp.csr_matrix:
    data, indices, indptr = [np.ones(n_cols)], [np.arange(n_cols)], [0, n_cols]
    for row in rows:
        data.append(row.coef)
        indices.append(row.index)
        indptr.append(indptr[-1] + len(row.index))
    return sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.asarray(indptr)),
        shape=(len(rows) + 1, n_cols),
    )


def solve_selection(prep: Prepared, spec: SelectionSpec, rows: list[Row]) -> MilpSolution:
    """Maximise the total score of K eligible candidates under ``rows``; raise if infeasible."""
    columns = np.flatnonzero(prep.eligible)
    n = len(columns)
    matrix = _matrix(rows, n)
    lower = np.array([spec.count] + [r.lower for r in rows], dtype=float)
    upper = np.array([spec.count] + [r.upper for r in rows], dtype=float)
    step = objective_step(prep.score[columns])
    start = None
    if any(r.kind == "balance" for r in rows) or n > 5000:
        start = _warm_start(prep.score[columns], matrix, lower, upper, prep, spec)
    solution = solve_binary_program(
        prep.score[columns],
        matrix,
        lower,
        upper,
        col_lower=prep.forced_in[columns].astype(float),
        maximize=True,
        time_limit=spec.time_limit,
        seed=spec.seed,
        abs_gap=1e-7 if step is None else 0.999 * step,
        start=start,
    )
    if solution.status == "infeasible":
        raise explain_infeasible(prep, spec, rows)
    if solution.x is None:
        if solution.status == "time_limit":
            raise EngineInputError(
                f"No selection was found within --time-limit {spec.time_limit:g} s: "
                "raise the time limit or loosen the quotas.",
                code="time_limit",
                params={"time_limit": spec.time_limit},
            )
        raise EngineInputError(
            f"The solver stopped without a selection ({solution.status}).",
            code="solver_stopped",
            params={"status": solution.status},
        )
    return solution


def _warm_start(
    score: np.ndarray,
    matrix: sp.csr_matrix,
    lower: np.ndarray,
    upper: np.ndarray,
    prep: Prepared,
    spec: SelectionSpec,
) -> np.ndarray | None:
    """A good first selection when balance rows make the MILP hard for HiGHS's heuristics.

    Solve the LP relaxation, then the MILP restricted to the candidates the LP uses plus the
    best-scoring others (a few thousand columns, seconds). Any feasible answer is a valid start;
    optimality is still proven (or the gap reported) on the full model.
    """
    n = len(score)
    forced = prep.forced_in[np.flatnonzero(prep.eligible)].astype(float)
    budget = max(1.0, spec.time_limit / 5)
    relaxed = solve_binary_program(
        score, matrix, lower, upper, col_lower=forced, integer=np.zeros(n, dtype=bool),
        maximize=True, time_limit=budget, seed=spec.seed,
    )  # fmt: skip
    if relaxed.x is None:
        return None
    pool = relaxed.x > 1e-9
    pool[np.argsort(-score, kind="stable")[: 4 * spec.count]] = True
    keep = np.flatnonzero(pool)
    sub = solve_binary_program(
        score[keep], sp.csr_matrix(matrix[:, keep]), lower, upper, col_lower=forced[keep],
        maximize=True, time_limit=budget, seed=spec.seed,
    )  # fmt: skip
    if sub.x is None:
        return None
    start = np.zeros(n)
    start[keep] = sub.x
    return start


def explain_infeasible(prep: Prepared, spec: SelectionSpec, rows: list[Row]) -> InfeasibleError:
    columns = np.flatnonzero(prep.eligible)
    n = len(columns)
    soft = list(rows)
    for position in np.flatnonzero(prep.forced_in[columns]):
        ident = prep.ids[columns[position]]
        reason = prep.forced_reason.get(ident, "")
        soft.append(
            Row(
                label=f"unit '{ident}' forced in" + (f" ({reason})" if reason else ""),
                kind="include",
                index=np.array([position]),
                coef=np.ones(1),
                lower=1,
                upper=1,
                attribute=reason,
                stratum=str(ident),
            )
        )
    m = len(soft)
    base = _matrix(soft, n)
    # Slack columns: u (shortfall below lower) then v (excess above upper), one pair per soft row.
    eye = sp.vstack([sp.csr_matrix((1, m)), sp.identity(m, format="csr")])
    matrix = sp.hstack([base, eye, -eye], format="csr")
    lower = np.array([spec.count] + [r.lower for r in soft], dtype=float)
    upper = np.array([spec.count] + [r.upper for r in soft], dtype=float)
    # Balance slack is in units of (SD x pilots); divide by K so one SD of mean shift costs 1.
    weight = np.array([1.0 / spec.count if r.kind == "balance" else 1.0 for r in soft])
    cost = np.concatenate([np.zeros(n), weight, weight])
    integer = np.concatenate([np.ones(n), [r.kind != "balance" for r in soft] * 2]).astype(bool)
    big = float(spec.count + 1e6)
    relaxed = solve_binary_program(
        cost,
        matrix,
        lower,
        upper,
        col_lower=np.zeros(n + 2 * m),
        col_upper=np.concatenate([np.ones(n), np.full(2 * m, big)]),
        integer=integer,
        maximize=False,
        time_limit=spec.time_limit,
        seed=spec.seed,
    )
    if relaxed.x is None:
        error = InfeasibleError(
            "The constraints cannot all hold and no relaxation was found within the time limit."
        )
        error.code = "infeasible"
        error.details = [{"code": "no_relaxation"}]  # type: ignore[attr-defined]
        return error
    short = relaxed.x[n : n + m]
    excess = relaxed.x[n + m :]
    messages = []
    details = []  # structured, for the web to translate: what must give and by how much
    for row, u, v in zip(soft, short, excess, strict=True):
        for direction, amount in (("lower", u), ("upper", v)):
            if amount <= 1e-6:
                continue
            messages.append(
                _shortfall(row, amount, spec)
                if direction == "lower"
                else _excess(row, amount, spec)
            )
            details.append(_detail(row, direction, amount, spec))
    if not messages:
        messages.append("no single constraint could be named; loosen the quotas together")
        details.append({"code": "loosen_together"})
    error = InfeasibleError(
        "The constraints cannot all hold; the smallest relaxation changes "
        f"{len(messages)} constraint(s):",
        relaxations=messages,
    )
    error.code = "infeasible"
    error.params = {"count": len(messages)}
    error.details = details  # type: ignore[attr-defined]
    return error


def _detail(row: Row, direction: str, amount: float, spec: SelectionSpec) -> dict:
    """One relaxation as plain values, for a page to tell in the user's language.

    ``code`` is one of ``quota_min_pool`` (a stratum has fewer candidates than its minimum),
    ``quota_min`` (the other constraints leave too little room for the minimum), ``quota_max``
    (the maximum must rise), ``balance_low`` / ``balance_high`` (a covariate's mean stays too far
    below / above the population's), ``include`` (a unit forced in must go). ``needed`` is the
    bound as set, ``allowed`` the bound that would hold; ``constraint`` the English label.
    """
    base = {
        "constraint": row.label,
        "kind": row.kind,
        "direction": direction,
        "attribute": row.attribute,
        "stratum": row.stratum,
        "bound": row.lower if direction == "lower" else row.upper,
        "relaxed_to": row.lower - amount if direction == "lower" else row.upper + amount,
        "eligible": row.eligible_count,
        "population": row.population_count,
    }
    if row.kind == "quota":
        if direction == "lower":
            needed, allowed = int(round(row.lower)), int(round(row.lower - amount))
            code = "quota_min_pool" if row.eligible_count < needed else "quota_min"
        else:
            needed, allowed = int(round(row.upper)), int(round(row.upper + amount))
            code = "quota_max"
        base.update(code=code, needed=needed, allowed=allowed)
        return base
    if row.kind == "balance":
        smd = spec.max_smd + amount / spec.count
        base.update(
            code="balance_low" if direction == "lower" else "balance_high",
            covariate=row.attribute,
            max_smd=spec.max_smd,
            smd=round(smd, 3),
        )
        return base
    base.update(code="include", id=row.stratum, reason=row.attribute)
    return base


def _shortfall(row: Row, u: float, spec: SelectionSpec) -> str:
    if row.kind == "quota":
        low = int(round(row.lower))
        allowed = int(round(row.lower - u))
        if row.eligible_count < low:
            pool = "candidate" if row.eligible_count == 1 else "candidates"
            where = "above the minimum score" if spec.min_score is not None else "not excluded"
            return (
                f"{row.label} needs {low} pilots but has only {row.eligible_count} {pool} {where}"
                f" (lower its minimum to {allowed})"
            )
        return (
            f"{row.label} needs at least {low} pilots but the other constraints leave room for "
            f"only {allowed}: lower its minimum to {allowed}"
        )
    if row.kind == "balance":
        return (
            f"{row.label}: the pilots' mean cannot be within {spec.max_smd:g} SD of the "
            f"population mean; it stays {spec.max_smd + u / spec.count:.3f} SD below it"
        )
    return f"{row.label} cannot be kept with the other constraints: remove it from --include"


def _excess(row: Row, v: float, spec: SelectionSpec) -> str:
    if row.kind == "quota":
        high = int(round(row.upper))
        needed = int(round(row.upper + v))
        return (
            f"{row.label} allows at most {high} pilots but needs {needed} to fill the other "
            f"constraints: raise its maximum to {needed}"
        )
    if row.kind == "balance":
        return (
            f"{row.label}: the pilots' mean cannot be within {spec.max_smd:g} SD of the "
            f"population mean; it stays {spec.max_smd + v / spec.count:.3f} SD above it"
        )
    return f"{row.label} cannot be kept with the other constraints"
