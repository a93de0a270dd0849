"""Assign the selected pilots to yearly batches: by rank, or balanced so each batch is as
representative as the whole (a small MILP with slack on every stratum-by-batch count)."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from shidian.engine.errors import EngineInputError
from shidian.engine.selection.milp import solve_binary_program
from shidian.engine.selection.spec import BatchShare


def check_sizes(sizes: tuple[int, ...], count: int) -> None:
    if any(s < 1 for s in sizes):
        raise EngineInputError(f"--batches {','.join(map(str, sizes))}: every batch needs >= 1.")
    if sum(sizes) != count:
        raise EngineInputError(
            f"--batches {','.join(map(str, sizes))} adds up to {sum(sizes)} but --count is "
            f"{count}: make the batch sizes add up to the number of pilots."
        )


def batches_by_rank(n: int, sizes: tuple[int, ...]) -> np.ndarray:
    """Batch number (1-based) for pilots already sorted by rank."""
    return np.repeat(np.arange(1, len(sizes) + 1), sizes)[:n]


def balanced_batches(
    labels: dict[str, np.ndarray],
    sizes: tuple[int, ...],
    *,
    time_limit: float = 30.0,
    seed: int = 0,
) -> np.ndarray:
    """Batch per pilot (pilots sorted by rank) so each batch mirrors the selection's strata.

    For every attribute, stratum s and batch b the count should lie within floor/ceil of
    n_s * size_b / K; violations are slack, minimised first; among the most balanced assignments
    the higher-ranked pilots go to earlier batches.
    """
    k, nb = sum(sizes), len(sizes)
    n_x = k * nb  # x[i, b] at i * nb + b
    lower: list[float] = []
    upper: list[float] = []
    indptr: list[int] = [0]
    indices: list[int] = []
    data: list[float] = []

    def add(cols: np.ndarray, coef: np.ndarray, lo: float, hi: float) -> None:
        indices.extend(cols.tolist())
        data.extend(coef.tolist())
        indptr.append(len(indices))
        lower.append(lo)
        upper.append(hi)

    for i in range(k):  # each pilot in exactly one batch
        add(i * nb + np.arange(nb), np.ones(nb), 1, 1)
    for b, size in enumerate(sizes):
        add(np.arange(k) * nb + b, np.ones(k), size, size)
    soft: list[tuple[np.ndarray, float, float]] = []
    for values in labels.values():
        for value in np.unique(values):
            members = np.flatnonzero(values == value)
            for b, size in enumerate(sizes):
                target = len(members) * size / k
                soft.append((members * nb + b, math.floor(target), math.ceil(target)))
    m_soft = len(soft)
    for j, (cols, lo, hi) in enumerate(soft):
        # + u_j - v_j on the soft row
        add(
            np.concatenate([cols, [n_x + j, n_x + m_soft + j]]),
            np.concatenate([np.ones(len(cols)), [1.0, -1.0]]),
            lo,
            hi,
        )
    matrix = sp.csr_matrix(
        (np.asarray(data), np.asarray(indices), np.asarray(indptr)),
        shape=(len(lower), n_x + 2 * m_soft),
    )
    # Minimise the slack only (integral, so a gap below 1 proves it), then give the earlier
    # batches to the higher-ranked pilots among those with the same strata: swapping two such
    # pilots changes no count.
    cost = np.concatenate([np.zeros(n_x), np.ones(2 * m_soft)])
    solution = solve_binary_program(
        cost,
        matrix,
        np.asarray(lower),
        np.asarray(upper),
        col_upper=np.concatenate([np.ones(n_x), np.full(2 * m_soft, float(k))]),
        maximize=False,
        time_limit=time_limit,
        seed=seed,
        abs_gap=0.999,
    )
    if solution.x is None:
        return batches_by_rank(k, sizes)
    batch = solution.x[:n_x].reshape(k, nb).argmax(axis=1) + 1
    profiles = np.stack([np.unique(v, return_inverse=True)[1] for v in labels.values()], axis=1)
    _, group = np.unique(profiles, axis=0, return_inverse=True)
    for g in np.unique(group):
        members = np.flatnonzero(group == g)  # already in rank order
        batch[members] = np.sort(batch[members])
    return batch


def batch_report(
    batch: np.ndarray,
    score: np.ndarray,
    labels: dict[str, np.ndarray],
    population: dict[str, np.ndarray],
) -> list[BatchShare]:
    result = []
    for b in np.unique(batch):
        members = batch == b
        worst = 0.0
        for attribute, values in labels.items():
            pop = population[attribute]
            for value in np.unique(pop):
                share = float((values[members] == value).mean())
                worst = max(worst, abs(share - float((pop == value).mean())))
        result.append(
            BatchShare(
                batch=int(b),
                size=int(members.sum()),
                mean_score=float(score[members].mean()),
                max_abs_deviation=worst,
            )
        )
    return result
