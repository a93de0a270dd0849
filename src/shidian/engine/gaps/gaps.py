"""The gap of each indicator to its threshold, and of the total to the pass mark.

A threshold is absolute (points) or a share of the indicator's maximum (60% by default, the
usual 合格线); ``gap = max(0, threshold - score)``. Gaps are listed largest first, so the
rectification list starts with what matters most. A veto indicator below its threshold fails
the unit whatever its total, as a veto item fails a sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shidian.engine.errors import EngineInputError
from shidian.engine.scoring.model import Method, Standard

DEFAULT_SHARE = 0.6
# The standard's levels a gap can be read at: 1 = dimension (一级指标), 2 = indicator (二级).
LEVELS = (1, 2)
# Floating sums of weighted scores: below this a gap is noise, not a gap.
EPSILON = 1e-9


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    max_score: float
    score: float
    parent: str = ""  # the dimension's code for a level-2 indicator


@dataclass(frozen=True)
class IndicatorGap:
    code: str
    name: str
    max_score: float
    score: float
    threshold: float
    gap: float
    veto: bool = False
    parent: str = ""

    @property
    def share(self) -> float:
        """The gap as a share of the indicator's maximum (0 when the maximum is 0)."""
        return self.gap / self.max_score if self.max_score > 0 else 0.0


@dataclass(frozen=True)
class GapReport:
    indicators: tuple[IndicatorGap, ...]  # in the standard's order
    gaps: tuple[IndicatorGap, ...]  # only gap > 0, largest first (then code)
    total: float
    max_total: float
    pass_mark: float | None
    total_gap: float  # max(0, pass_mark - total); 0 without a pass mark
    vetoed: bool  # a veto item answered 是 on the scored sheet
    veto_failed: tuple[str, ...]  # veto indicators below their threshold

    @property
    def gap_sum(self) -> float:
        return sum(g.gap for g in self.gaps)

    @property
    def passed(self) -> bool:
        """The acceptance line: no veto, no veto indicator below threshold, the pass mark
        reached. Gaps on other indicators are to be rectified but do not fail the unit."""
        return not self.vetoed and not self.veto_failed and self.total_gap <= EPSILON

    @property
    def verdict(self) -> str:
        """ "passed" (every indicator at its line too), "passed_with_gaps" or "failed"."""
        if not self.passed:
            return "failed"
        return "passed_with_gaps" if self.gaps else "passed"


def _bad(code: str, message: str, **params: object) -> EngineInputError:
    return EngineInputError(message, code=code, params=params)


def threshold_for(max_score: float, *, share: float | None = None, absolute: float | None = None):
    """The threshold of an indicator with maximum ``max_score``: ``absolute`` points if given,
    else ``share`` of the maximum (DEFAULT_SHARE when neither)."""
    if absolute is not None:
        if not 0 <= absolute <= max_score:
            raise _bad(
                "gap_threshold_out_of_range",
                f"threshold {absolute} must lie between 0 and the maximum {max_score}",
                threshold=absolute,
                max=max_score,
            )
        return float(absolute)
    share = DEFAULT_SHARE if share is None else share
    if not 0 < share <= 1:
        raise _bad(
            "gap_share_out_of_range", f"share {share} must be above 0 and at most 1", share=share
        )
    return float(share) * max_score


def mean_item_scores(
    reviews: Sequence[Mapping[str, float]], own: Mapping[str, float | None]
) -> dict[str, float]:
    """Per item the mean of the reviewers who scored it; an item no reviewer scored keeps the
    unit's own score (the review rule: a blank keeps the unit's score)."""
    codes = set(own) | {code for review in reviews for code in review}
    means: dict[str, float] = {}
    for code in codes:
        scored = [float(r[code]) for r in reviews if r.get(code) is not None]
        if scored:
            means[code] = sum(scored) / len(scored)
        elif own.get(code) is not None:
            means[code] = float(own[code] or 0.0)
    return means


def indicator_scores(
    standard: Standard, item_scores: Mapping[str, float | None], *, level: int = 2
) -> list[IndicatorScore]:
    """The weighted score and maximum of every dimension (level 1) or indicator (level 2);
    one made of veto items only has no points to reach and is left out."""
    if level not in LEVELS:
        raise _bad("gap_bad_level", f"level must be 1 or 2, not {level}", level=level)
    weights = standard.item_weight()
    rows: list[IndicatorScore] = []
    for dimension in standard.dimensions:
        groups = [(dimension.code, dimension.name, dimension.indicators, "")]
        if level == 2:
            groups = [(i.code, i.name, (i,), dimension.code) for i in dimension.indicators]
        for code, name, indicators, parent in groups:
            items = [it for ind in indicators for it in ind.items if it.method != Method.VETO]
            if not items:
                continue  # veto items only: no points to reach (the sheet's veto covers it)
            maximum = sum(it.max_score * weights[it.code] for it in items)
            score = sum((item_scores.get(it.code) or 0.0) * weights[it.code] for it in items)
            rows.append(IndicatorScore(code, name, maximum, min(score, maximum), parent))
    return rows


def analyse(
    rows: Iterable[IndicatorScore],
    *,
    share: float | None = DEFAULT_SHARE,
    absolute: Mapping[str, float] | None = None,
    pass_mark: float | None = None,
    veto_codes: Iterable[str] = (),
    vetoed: bool = False,
) -> GapReport:
    """Each indicator against its threshold (``absolute[code]`` when given, else ``share`` of
    its maximum), the total against ``pass_mark``, the veto indicators below threshold."""
    rows = list(rows)
    absolute = dict(absolute or {})
    vetoes = set(veto_codes)
    known = {r.code for r in rows}
    unknown = sorted((set(absolute) | vetoes) - known)
    if unknown:
        raise _bad(
            "gap_unknown_indicator", f"unknown indicators: {', '.join(unknown)}", codes=unknown
        )
    max_total = sum(r.max_score for r in rows)
    if pass_mark is not None and not 0 <= pass_mark <= max_total:
        raise _bad(
            "gap_pass_mark_out_of_range",
            f"pass mark {pass_mark} must lie between 0 and the maximum {max_total}",
            pass_mark=pass_mark,
            max=max_total,
        )
    results = []
    for row in rows:
        threshold = threshold_for(row.max_score, share=share, absolute=absolute.get(row.code))
        gap = threshold - row.score
        gap = round(gap, 6) if gap > EPSILON else 0.0
        results.append(
            IndicatorGap(
                code=row.code,
                name=row.name,
                max_score=row.max_score,
                score=row.score,
                threshold=threshold,
                gap=gap,
                veto=row.code in vetoes,
                parent=row.parent,
            )
        )
    total = sum(r.score for r in rows)
    total_gap = 0.0
    if pass_mark is not None and pass_mark - total > EPSILON:
        total_gap = pass_mark - total
    gaps = tuple(sorted((g for g in results if g.gap > 0), key=lambda g: (-g.gap, g.code)))
    return GapReport(
        indicators=tuple(results),
        gaps=gaps,
        total=total,
        max_total=max_total,
        pass_mark=pass_mark,
        total_gap=total_gap,
        vetoed=vetoed,
        veto_failed=tuple(g.code for g in results if g.veto and g.gap > 0),
    )


def severity(gap: IndicatorGap) -> str:
    """The rectification item's severity from the gap's size against the indicator's maximum:
    half or more of it missing is major, a quarter or more normal, less minor; a veto
    indicator's gap is always major."""
    if gap.veto or gap.share >= 0.5:
        return "major"
    if gap.share >= 0.25:
        return "normal"
    return "minor"
