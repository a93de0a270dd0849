"""The acceptance rule: from the experts' scores of one pilot, its archive checklist and its
summary report to a proposed verdict with every reason that led to it.

* The reconciled score is the mean of the experts' totals; the spread (highest minus lowest)
  is flagged when it exceeds the round's limit, so the leading group looks twice.
* A veto item is hit when at least half of the experts who answered it say it happened (a tie
  counts as a hit: the cautious reading of 一票否决). A hit fails the pilot whatever its score.
* Below the conditional threshold (or below the pass threshold when the round has none) fails.
  Between the two is a conditional pass (有条件通过).
* At or above the pass threshold the pilot passes, unless archive documents are missing or the
  summary report was not submitted: those are put right by rectification, so it is a
  conditional pass.
* With no expert score yet there is no proposal (``PENDING``); nor while fewer experts have
  submitted than were assigned to the pilot (``expected``): the reason ``incomplete``.

Reasons are codes with parameters; the web words them in the user's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from shidian.engine.errors import EngineInputError


class Verdict(StrEnum):
    PASS = "pass"
    CONDITIONAL = "conditional"
    FAIL = "fail"
    PENDING = "pending"


# Higher is better: a rule change never moves a pilot up this order by adding a problem.
RANK = {Verdict.FAIL: 0, Verdict.CONDITIONAL: 1, Verdict.PASS: 2}

BELOW_PASS = "below_pass"
BELOW_CONDITIONAL = "below_conditional"
VETO = "veto"
ARCHIVE_MISSING = "archive_missing"
REPORT_MISSING = "report_missing"
NO_SCORES = "no_scores"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, str | float], ...] = ()

    def get(self, name: str) -> str | float | None:
        return dict(self.params).get(name)


@dataclass(frozen=True)
class Rules:
    pass_threshold: float
    conditional_threshold: float | None = None
    spread_limit: float | None = None
    veto_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _finite(self.pass_threshold) or self.pass_threshold < 0:
            raise EngineInputError(
                "the pass threshold must be a number >= 0", code="acceptance_pass_threshold"
            )
        c = self.conditional_threshold
        if c is not None and (not _finite(c) or c < 0 or c >= self.pass_threshold):
            raise EngineInputError(
                "the conditional threshold must be >= 0 and below the pass threshold",
                code="acceptance_conditional_threshold",
            )
        s = self.spread_limit
        if s is not None and (not _finite(s) or s < 0):
            raise EngineInputError(
                "the spread limit must be a number >= 0", code="acceptance_spread_limit"
            )


@dataclass(frozen=True)
class ExpertScore:
    """One expert's total and their yes/no on the veto items they answered."""

    total: float
    vetoes: Mapping[str, bool] = field(default_factory=dict)  # code -> happened


@dataclass(frozen=True)
class Proposal:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    mean: float | None
    spread: float | None
    experts: int
    flagged: bool  # the experts disagree by more than the limit
    vetoes: tuple[str, ...]  # the veto codes hit


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def expert_total(
    scores: Mapping[str, float],
    maxima: Mapping[str, float],
    weights: Mapping[str, float] | None = None,
) -> float:
    """The weighted sum of one expert's item scores; a score outside 0..max is refused."""
    total = 0.0
    for code, value in scores.items():
        if code not in maxima:
            raise EngineInputError(
                f"unknown item {code}", code="acceptance_unknown_item", params={"item": code}
            )
        if not _finite(value) or value < 0 or value > maxima[code]:
            raise EngineInputError(
                f"item {code}: the score must be between 0 and {maxima[code]:g}",
                code="acceptance_score_range",
                params={"item": code, "max": maxima[code]},
            )
        total += value * (weights or {}).get(code, 1.0)
    return total


def reconcile(totals: Sequence[float]) -> tuple[float | None, float | None]:
    """(mean, spread) of the experts' totals; (None, None) without any."""
    if not totals:
        return None, None
    mean = math.fsum(totals) / len(totals)
    return mean, max(totals) - min(totals)


def veto_hits(experts: Sequence[ExpertScore], veto_codes: Sequence[str]) -> tuple[str, ...]:
    """The veto codes at least half of the experts answering them say happened."""
    hits = []
    for code in veto_codes:
        answers = [e.vetoes[code] for e in experts if code in e.vetoes]
        yes = sum(1 for a in answers if a)
        if yes and 2 * yes >= len(answers):
            hits.append(code)
    return tuple(hits)


def propose(
    rules: Rules,
    experts: Sequence[ExpertScore],
    *,
    missing_documents: Sequence[str] = (),
    report_submitted: bool = True,
    expected: int | None = None,
) -> Proposal:
    """The proposed verdict of one pilot and every reason against a plain pass. ``expected``
    is the number of experts assigned to the pilot: fewer scores than that propose nothing."""
    totals = [e.total for e in experts]
    for t in totals:
        if not _finite(t):
            raise EngineInputError("an expert total is not a number", code="acceptance_total")
    mean, spread = reconcile(totals)
    flagged = spread is not None and rules.spread_limit is not None and spread > rules.spread_limit
    hits = veto_hits(experts, rules.veto_codes)
    reasons: list[Reason] = []
    if not report_submitted:
        reasons.append(Reason(REPORT_MISSING))
    reasons.extend(Reason(ARCHIVE_MISSING, (("document", d),)) for d in missing_documents)
    if mean is None:
        return Proposal(Verdict.PENDING, (Reason(NO_SCORES), *reasons), None, None, 0, False, hits)
    reasons.extend(Reason(VETO, (("item", code),)) for code in hits)
    if expected is not None and len(experts) < expected:
        short = Reason(INCOMPLETE, (("submitted", len(experts)), ("expected", expected)))
        return Proposal(
            Verdict.PENDING, (short, *reasons), mean, spread, len(experts), flagged, hits
        )
    floor = rules.conditional_threshold
    verdict = Verdict.PASS
    if mean < rules.pass_threshold:
        if floor is not None and mean >= floor:
            reasons.insert(
                0, Reason(BELOW_PASS, (("score", mean), ("threshold", rules.pass_threshold)))
            )
            verdict = Verdict.CONDITIONAL
        else:
            limit = floor if floor is not None else rules.pass_threshold
            code = BELOW_CONDITIONAL if floor is not None else BELOW_PASS
            reasons.insert(0, Reason(code, (("score", mean), ("threshold", limit))))
            verdict = Verdict.FAIL
    elif missing_documents or not report_submitted:
        verdict = Verdict.CONDITIONAL
    if hits:
        verdict = Verdict.FAIL
    return Proposal(verdict, tuple(reasons), mean, spread, len(experts), flagged, hits)
