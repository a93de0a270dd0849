"""A thin wrapper over HiGHS (highspy) for the binary programmes of selection and batching.

It solves to proven optimality (relative gap 0) unless a time limit stops it, and then reports the
gap between the best solution and the dual bound instead of calling the run optimal.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_BANNER_SILENCED = False


def _new_highs():  # type: ignore[no-untyped-def]
    """Create a Highs object without the copyright banner HiGHS prints to stdout once."""
    global _BANNER_SILENCED
    import highspy

    if _BANNER_SILENCED:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SILENCED = True
    highs.setOptionValue("output_flag", False)
    return highs


@dataclass(frozen=True)
class MilpSolution:
    status: str  # "optimal", "time_limit", "infeasible", "error"
    optimal: bool
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    n_variables: int
    n_constraints: int
    seconds: float


def solve_binary_program(
    cost: np.ndarray,
    matrix: sp.csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
    integer: np.ndarray | None = None,
    maximize: bool = True,
    time_limit: float = 60.0,
    seed: int = 0,
    abs_gap: float = 1e-7,
    start: np.ndarray | None = None,
) -> MilpSolution:
    """Solve max/min ``cost @ x`` s.t. ``row_lower <= matrix @ x <= row_upper``, x binary.

    ``integer`` marks integer columns (all by default); ``col_lower``/``col_upper`` default 0/1.
    ``abs_gap``: the solver stops when no solution can beat the incumbent by more than this;
    pass just under the objective's granularity (see ``objective_step``) for a proof of
    optimality without chasing a zero gap in floating point. ``start``: a feasible solution
    handed to HiGHS as its first incumbent.
    """
    import highspy

    n = len(cost)
    m = matrix.shape[0]
    csc = sp.csc_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.zeros(n) if col_lower is None else np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.ones(n) if col_upper is None else np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    mask = np.ones(n, dtype=bool) if integer is None else np.asarray(integer, dtype=bool)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in mask
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize

    highs = _new_highs()
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", float(abs_gap))
    highs.setOptionValue("threads", 1)
    started = time.perf_counter()
    highs.passModel(lp)
    if start is not None:
        nonzero = np.flatnonzero(start)
        highs.setSolution(
            len(nonzero), nonzero.astype(np.int32), np.asarray(start, dtype=float)[nonzero]
        )
    highs.run()
    seconds = time.perf_counter() - started
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    x = np.asarray(highs.getSolution().col_value, dtype=float) if has_solution else None
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif model_status == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    elif model_status == highspy.HighsModelStatus.kTimeLimit:
        status = "time_limit"
    else:
        status = "error"
    objective = float(info.objective_function_value) if x is not None else None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    gap = float(info.mip_gap) if x is not None and np.isfinite(info.mip_gap) else None
    if status == "optimal" and gap is None:
        gap = 0.0
    return MilpSolution(
        status=status,
        optimal=status == "optimal",
        x=None if x is None else np.where(mask, np.round(x), x),
        objective=objective,
        bound=bound,
        gap=gap,
        n_variables=n,
        n_constraints=m,
        seconds=seconds,
    )


def objective_step(values: np.ndarray, max_decimals: int = 6) -> float | None:
    """The granularity q of integer-weighted sums of ``values`` (all multiples of q), or None.

    Scores with two decimals give q = 0.01: two selections' totals then differ by 0 or >= 0.01,
    so an incumbent within 0.99 q of the bound is optimal.
    """
    for decimals in range(max_decimals + 1):
        scaled = values * 10.0**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return 10.0**-decimals
    return None
