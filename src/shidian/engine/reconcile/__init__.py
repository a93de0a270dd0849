"""Reconciling expert scores: per-unit aggregates, agreement (ICC, Kendall's W), disagreement
flags and a final ranking that combines self-assessment and expert scores with stated weights."""

from shidian.engine.reconcile.agreement import ICCResult, icc_oneway, icc_twoway, kendall_w
from shidian.engine.reconcile.scores import ReconcileResult, reconcile_scores

__all__ = [
    "ICCResult",
    "ReconcileResult",
    "icc_oneway",
    "icc_twoway",
    "kendall_w",
    "reconcile_scores",
]
