"""The grouping problem as a mixed-integer program, solved with HiGHS (highspy).

Two uses: a feasible start when constraints interact (leads with --max-km, apart/together pairs,
fixed items, categories), and the exact optimum for small N (``method="exact"``). Variables:
x[i,g] = item i in group g; l[c,g] = possible lead c leads group g; for the exact objective,
z[i,j,g] <= x[i,g], x[j,g] with the pair's distance as its (maximised) coefficient.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csr_matrix

from shidian.engine.grouping.objectives import distance_matrix
from shidian.engine.grouping.spec import Problem, balanced_sizes

FAMILIES = ("categories", "apart", "together", "fixed", "leads", "max_km")


def _new_highs() -> highspy.Highs:
    """A silent solver: HiGHS prints its banner to fd 1 on construction, which would spoil
    ``--json -`` output, so the construction runs with fd 1 pointed at /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.silent()
    return h


@dataclass
class MilpOutcome:
    status: str  # "optimal", "feasible", "infeasible", "timeout"
    labels: np.ndarray | None
    leads: np.ndarray | None
    value: float | None
    bound: float | None
    gap: float | None


class _Rows:
    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols, vals, lo, hi) -> None:
        self.rows.append(np.full(len(cols), len(self.lo), dtype=np.int64))
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lo.append(lo)
        self.hi.append(hi)


def solve_milp(
    p: Problem,
    *,
    exact_objective: str | None = None,
    skip: tuple[str, ...] = (),
    time_limit: float = 60.0,
    seed: int = 0,
) -> MilpOutcome:
    n, k = p.n, p.k
    inf = highspy.kHighsInf
    rows = _Rows()
    n_x = n * k
    cands = p.lead_cands if (p.lead_mask is not None and "leads" not in skip) else None
    n_l = 0 if cands is None else cands.size * k
    col_lo = np.zeros(n_x + n_l)
    col_hi = np.ones(n_x + n_l)
    cost = np.zeros(n_x + n_l)

    def xc(i, g):
        return i * k + g

    for i in range(n):
        rows.add([xc(i, g) for g in range(k)], np.ones(k), 1.0, 1.0)
    sizes_exact = balanced_sizes(n, k) if (exact_objective and p.equal_sizes) else None
    for g in range(k):
        cols = np.arange(n) * k + g
        if sizes_exact is not None:
            rows.add(cols, np.ones(n), float(sizes_exact[g]), float(sizes_exact[g]))
        else:
            rows.add(cols, np.ones(n), float(p.size_lo), float(p.size_hi))
    if "categories" not in skip:
        tol = 1.0 - 0.5 / n
        for c in p.cats:
            totals = np.bincount(c)
            for level, total in enumerate(totals):
                share = total / n
                for g in range(k):
                    # count of the level in g minus its share of g's size within (-1, 1)
                    vals = np.where(c == level, 1.0 - share, -share)
                    rows.add(np.arange(n) * k + g, vals, -tol, tol)
    if "apart" not in skip:
        for a, b in p.apart:
            for g in range(k):
                rows.add([xc(a, g), xc(b, g)], [1.0, 1.0], -inf, 1.0)
    if "together" not in skip:
        for comp in np.unique(p.together_comp):
            members = np.flatnonzero(p.together_comp == comp)
            for m in members[1:]:
                for g in range(k):
                    rows.add([xc(int(members[0]), g), xc(int(m), g)], [1.0, -1.0], 0.0, 0.0)
    if "fixed" not in skip:
        for item in np.flatnonzero(p.fixed >= 0):
            col_lo[xc(int(item), int(p.fixed[item]))] = 1.0
    if cands is not None:

        def lc(c: int, g: int) -> int:
            return n_x + c * k + g

        for g in range(k):
            rows.add([lc(ci, g) for ci in range(cands.size)], np.ones(cands.size), 1.0, 1.0)
        for ci, lead_item in enumerate(cands):
            for g in range(k):
                rows.add([lc(ci, g), xc(int(lead_item), g)], [1.0, -1.0], -inf, 0.0)
        if p.max_km is not None and p.lead_km is not None and "max_km" not in skip:
            near = p.lead_km <= p.max_km
            for member in range(n):
                cs = np.flatnonzero(near[member])
                for g in range(k):
                    near_cols = [xc(member, g)] + [lc(int(ci), g) for ci in cs]
                    rows.add(near_cols, [1.0] + [-1.0] * cs.size, -inf, 0.0)

    if exact_objective is None:
        # a random objective spreads the start; any feasible point will do
        cost[:n_x] = np.random.default_rng(seed).random(n_x) * 1e-3
        n_z = 0
    else:
        d = distance_matrix(p.x)
        if exact_objective != "diversity":
            d = d**2
        iu, ju = np.triu_indices(n, 1)
        assert sizes_exact is not None
        weights = np.ones(k) if exact_objective == "diversity" else 1.0 / sizes_exact
        n_z = iu.size * k
        base = n_x + n_l
        zc = base + np.arange(n_z).reshape(iu.size, k)
        for g in range(k):
            for pair in range(iu.size):
                z = zc[pair, g]
                rows.add([z, xc(iu[pair], g)], [1.0, -1.0], -inf, 0.0)
                rows.add([z, xc(ju[pair], g)], [1.0, -1.0], -inf, 0.0)
        cost = np.r_[cost, (d[iu, ju][:, None] * weights[None, :]).ravel()]
        col_lo = np.r_[col_lo, np.zeros(n_z)]
        col_hi = np.r_[col_hi, np.ones(n_z)]
        symmetric = (
            sizes_exact is not None
            and np.all(sizes_exact == sizes_exact[0])
            and not (p.fixed >= 0).any()
            and cands is None
        )
        if symmetric:
            for i in range(min(n, k)):
                for g in range(i + 1, k):
                    col_hi[xc(i, g)] = 0.0
    n_col = col_lo.size
    matrix = csr_matrix(
        (np.concatenate(rows.vals), (np.concatenate(rows.rows), np.concatenate(rows.cols))),
        shape=(len(rows.lo), n_col),
    ).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = len(rows.lo)
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = np.array(rows.lo)
    lp.row_upper_ = np.array(rows.hi)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (n_x + n_l) + [
        highspy.HighsVarType.kContinuous
    ] * n_z
    h = _new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("random_seed", int(seed) % 2147483647)
    h.setOptionValue("threads", 1)
    if exact_objective is None:
        h.setOptionValue("mip_rel_gap", 1.0)  # a feasible point is all we need
    else:
        h.setOptionValue("mip_rel_gap", 1e-9)  # "optimal" must mean proven, not within 0.01%
        h.setOptionValue("mip_abs_gap", 1e-9)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return MilpOutcome("infeasible", None, None, None, None, None)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_solution:
        return MilpOutcome("timeout", None, None, None, None, None)
    values = np.asarray(h.getSolution().col_value)
    labels = values[:n_x].reshape(n, k).argmax(axis=1)
    leads = None
    if cands is not None:
        lead_of = values[n_x : n_x + n_l].reshape(cands.size, k)
        leads = cands[lead_of.argmax(axis=0)]
    optimal = status == highspy.HighsModelStatus.kOptimal
    return MilpOutcome(
        "optimal" if optimal else "feasible",
        labels.astype(np.int64),
        leads,
        float(info.objective_function_value),
        float(info.mip_dual_bound),
        float(info.mip_gap),
    )


def diagnose(p: Problem, time_limit: float) -> list[str]:
    """Which constraint families, when dropped, make the problem feasible."""
    present = []
    if p.cats:
        present.append("categories")
    if len(p.apart):
        present.append("apart")
    if np.bincount(p.together_comp).max() > 1:
        present.append("together")
    if (p.fixed >= 0).any():
        present.append("fixed")
    if p.lead_mask is not None:
        present.append("leads")
    if p.max_km is not None:
        present.append("max_km")
    culprits = []
    for family in present:
        skip = (family, "max_km") if family == "leads" else (family,)
        outcome = solve_milp(p, skip=skip, time_limit=time_limit)
        if outcome.status in ("optimal", "feasible"):
            culprits.append(family)
    return culprits or present
