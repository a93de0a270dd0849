"""Gap analysis (查漏补缺): per indicator the score achieved against the acceptance threshold,
the gap to it, the total against the pass mark, and veto indicators; pure, no Django."""

from shidian.engine.gaps.gaps import (
    DEFAULT_SHARE,
    LEVELS,
    GapReport,
    IndicatorGap,
    IndicatorScore,
    analyse,
    indicator_scores,
    mean_item_scores,
    severity,
    threshold_for,
)

__all__ = [
    "DEFAULT_SHARE",
    "LEVELS",
    "GapReport",
    "IndicatorGap",
    "IndicatorScore",
    "analyse",
    "indicator_scores",
    "mean_item_scores",
    "severity",
    "threshold_for",
]
