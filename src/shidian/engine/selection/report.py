"""The selection report: shares per stratum against the population and plain top-K, the price."""

from __future__ import annotations

import numpy as np

from shidian.engine.selection.model import Prepared, quota_bounds
from shidian.engine.selection.spec import CovariateBalance, Price, SelectionSpec, StratumShare


def topk_positions(score: np.ndarray, k: int, eligible: np.ndarray | None = None) -> np.ndarray:
    """Plain top-K by score over the eligible candidates (all when ``eligible`` is None: not
    excluded, at or above the minimum score); ties go to the earlier row (stable)."""
    order = np.argsort(-score, kind="stable")
    if eligible is not None:
        order = order[eligible[order]]
    return order[:k]


def stratum_shares(
    prep: Prepared, spec: SelectionSpec, chosen: np.ndarray, attributes: list[str]
) -> list[StratumShare]:
    k = len(chosen)
    top = topk_positions(prep.score, k, prep.eligible)
    bounds = quota_bounds(prep, spec)
    shares = []
    for attribute in attributes:
        labels = prep.labels[attribute]
        values, counts = np.unique(labels, return_counts=True)
        picked = dict(zip(*np.unique(labels[chosen], return_counts=True), strict=True))
        topped = dict(zip(*np.unique(labels[top], return_counts=True), strict=True))
        for value, count in zip(values, counts, strict=True):
            population_share = float(count / prep.n)
            pilots = int(picked.get(value, 0))
            topk = int(topped.get(value, 0))
            quota = bounds.get((attribute, str(value)))
            shares.append(
                StratumShare(
                    attribute=attribute,
                    stratum=str(value),
                    population=int(count),
                    population_share=population_share,
                    pilots=pilots,
                    pilots_share=pilots / k,
                    topk=topk,
                    topk_share=topk / k,
                    deviation=pilots / k - population_share,
                    topk_deviation=topk / k - population_share,
                    min=None if quota is None else quota.min,
                    max=None if quota is None else quota.max,
                )
            )
    return shares


def largest_deviation(shares: list[StratumShare]) -> StratumShare | None:
    if not shares:
        return None
    return max(shares, key=lambda s: (abs(s.deviation), s.attribute, s.stratum))


def price(prep: Prepared, chosen: np.ndarray) -> Price:
    top = topk_positions(prep.score, len(chosen), prep.eligible)
    selection_total = float(prep.score[chosen].sum())
    topk_total = float(prep.score[top].sum())
    difference = topk_total - selection_total
    relative = difference / abs(topk_total) if topk_total else 0.0
    return Price(selection_total, topk_total, difference, relative)


def covariate_balance(prep: Prepared, chosen: np.ndarray) -> list[CovariateBalance]:
    top = topk_positions(prep.score, len(chosen), prep.eligible)
    result = []
    for name, values in prep.covariates.items():
        mean = float(values.mean())
        sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0

        def smd(part: np.ndarray, mean: float = mean, sd: float = sd) -> float:
            diff = float(part.mean()) - mean
            return diff / sd if sd > 0 else 0.0

        result.append(
            CovariateBalance(
                covariate=name,
                population_mean=mean,
                population_sd=sd,
                pilots_mean=float(values[chosen].mean()),
                topk_mean=float(values[top].mean()),
                pilots_smd=smd(values[chosen]),
                topk_smd=smd(values[top]),
            )
        )
    return result
