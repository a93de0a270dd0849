"""Reads of acceptance: rounds a person may see, the round's pilots with the state of their
report, checklist and scores and the system's proposal, and the wording of the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shidian.apps.acceptance.kinds import KIND, SUMMARY_FILE, archive_state, documents_of
from shidian.apps.acceptance.models import AcceptanceRound, Assignment, Outcome, Verdict
from shidian.apps.core.access import VIEW, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission
from shidian.engine.acceptance import ExpertScore, Proposal, Rules
from shidian.engine.acceptance import rules as er

YES = "是"
OUTCOME_OF = {
    er.Verdict.PASS: Outcome.PASS,
    er.Verdict.CONDITIONAL: Outcome.CONDITIONAL,
    er.Verdict.FAIL: Outcome.FAIL,
}


def rounds_for(*, user: Any, programme: Any) -> QuerySet[AcceptanceRound]:
    return (
        AcceptanceRound.objects.restrict(user, VIEW)
        .filter(programme=programme)
        .select_related("cycle", "round")
    )


def round_for(*, user: Any, acceptance_id: int, action: str = VIEW) -> AcceptanceRound:
    qs = AcceptanceRound.objects.select_related(
        "programme__unit", "cycle", "round", "version__standard"
    )
    return get_scoped_or_404(qs, user, action, pk=acceptance_id)


def report_for(*, user: Any, report_id: int, action: str = VIEW) -> Submission:
    """A pilot's acceptance submission, or 404 (the pilot, the office, the round's experts)."""
    qs = Submission.objects.filter(round__kind=KIND).select_related(
        "round__acceptance__programme", "round__acceptance__version", "unit"
    )
    return get_scoped_or_404(qs, user, action, pk=report_id)


def rules_of(acceptance: AcceptanceRound) -> Rules:
    return Rules(
        pass_threshold=acceptance.pass_threshold,
        conditional_threshold=acceptance.conditional_threshold,
        spread_limit=acceptance.spread_limit,
        veto_codes=tuple(acceptance.veto_codes),
    )


@dataclass
class PilotRow:
    unit: Any
    submission: Any
    archive: dict[str, str]  # doc code -> uploaded / missing / pending
    missing: list[str]  # names of the documents marked missing
    reviews: list[Any]
    proposal: Proposal
    verdict: Any = None
    has_file: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # doc code -> the note when missing
    # The experts assigned to the pilot (empty: the round has no assignments, everyone scores).
    assigned: list[Any] = field(default_factory=list)
    drafts: list[Any] = field(default_factory=list)  # saved, not submitted: never counted

    @property
    def incomplete(self) -> bool:
        """Fewer submitted scores than experts assigned."""
        return any(r.code == er.INCOMPLETE for r in self.proposal.reasons)

    @property
    def submitted(self) -> bool:
        return self.submission.submitted_at is not None

    @property
    def uploaded(self) -> int:
        return sum(1 for s in self.archive.values() if s == "uploaded")

    @property
    def pending(self) -> int:
        return sum(1 for s in self.archive.values() if s == "pending")

    @property
    def proposed(self) -> str:
        return OUTCOME_OF.get(self.proposal.verdict, "")


def expert_scores(reviews: list[Any]) -> list[ExpertScore]:
    return [
        ExpertScore(r.total, {code: a == YES for code, a in (r.veto_answers or {}).items()})
        for r in reviews
    ]


def pilot_rows(acceptance: AcceptanceRound) -> list[PilotRow]:
    """One row per pilot of the round, in code order (the caller may see the round)."""
    subs = list(
        Submission.objects.filter(round=acceptance.round_id)  # scoping: ok round checked
        .select_related("unit", "round")
        .order_by("unit__code")
    )
    for s in subs:
        s.round.acceptance = acceptance
    codes: dict[int, set[str]] = {s.pk: set() for s in subs}
    ev = Evidence.objects.filter(submission__in=subs)  # scoping: ok as above
    for sub_id, code in ev.values_list("submission_id", "item_code"):
        codes[sub_id].add(code)
    assigned: dict[int, list[Any]] = {s.unit_id: [] for s in subs}
    pairs = Assignment.objects.filter(acceptance=acceptance)  # scoping: ok as above
    for pair in pairs.select_related("expert").order_by("expert__username"):
        assigned.setdefault(pair.unit_id, []).append(pair.expert)
    by_assignment = any(assigned.values())
    reviews: dict[int, list[Any]] = {s.pk: [] for s in subs}
    drafts: dict[int, list[Any]] = {s.pk: [] for s in subs}
    found = Review.objects.filter(submission__in=subs)  # scoping: ok as above
    units = {s.pk: s.unit_id for s in subs}
    for r in found.select_related("reviewer").order_by("reviewer__username"):
        if r.draft:
            drafts[r.submission_id].append(r)
        elif not by_assignment or r.reviewer in assigned[units[r.submission_id]]:
            # With assignments only the assigned experts' scores count.
            reviews[r.submission_id].append(r)
    verdicts = {v.unit_id: v for v in acceptance.verdicts.all()}
    names = dict(documents_of(acceptance.round))
    the_rules = rules_of(acceptance)
    rows = []
    for s in subs:
        archive = archive_state(s, codes[s.pk])
        submitted = s.submitted_at is not None
        # Before the pilot submits, its checklist counts as not handed in.
        missing = [names[c] for c, state in archive.items() if state != "uploaded"]
        proposal = er.propose(
            the_rules,
            expert_scores(reviews[s.pk]),
            missing_documents=missing,
            report_submitted=submitted,
            expected=len(assigned[s.unit_id]) if by_assignment else None,
        )
        notes = {c: (s.answers.get(c) or {}).get("note", "") for c in archive}
        rows.append(
            PilotRow(
                unit=s.unit,
                submission=s,
                archive=archive,
                missing=missing,
                reviews=reviews[s.pk],
                proposal=proposal,
                verdict=verdicts.get(s.unit_id),
                has_file=SUMMARY_FILE in codes[s.pk],
                notes={c: n for c, n in notes.items() if n},
                assigned=assigned[s.unit_id],
                drafts=drafts[s.pk],
            )
        )
    return rows


def veto_text(acceptance: AcceptanceRound, code: str) -> str:
    for v in acceptance.veto_items:
        if v["code"] == code:
            return v["text"]
    return code


def reason_text(acceptance: AcceptanceRound, code: str, params: dict[str, Any]) -> str:
    """One reason in the user's language."""
    if code == er.BELOW_PASS:
        return _("得分%(score)s低于通过分数线%(threshold)s") % {
            "score": f"{float(params['score']):.2f}",
            "threshold": f"{float(params['threshold']):g}",
        }
    if code == er.BELOW_CONDITIONAL:
        return _("得分%(score)s低于有条件通过分数线%(threshold)s") % {
            "score": f"{float(params['score']):.2f}",
            "threshold": f"{float(params['threshold']):g}",
        }
    if code == er.VETO:
        return _("触及否决项：%(text)s") % {"text": veto_text(acceptance, str(params["item"]))}
    if code == er.ARCHIVE_MISSING:
        return _("档案缺失：%(name)s") % {"name": params["document"]}
    if code == er.REPORT_MISSING:
        return _("未提交总结报告")
    if code == er.NO_SCORES:
        return _("尚无专家评分")
    if code == er.INCOMPLETE:
        return _("专家评分未完成：已提交 %(submitted)s/%(expected)s") % {
            "submitted": int(params["submitted"]),
            "expected": int(params["expected"]),
        }
    return code


def reasons_of(acceptance: AcceptanceRound, proposal: Proposal) -> list[str]:
    return [reason_text(acceptance, r.code, dict(r.params)) for r in proposal.reasons]


def stored_reasons(proposal: Proposal) -> list[dict[str, Any]]:
    return [{"code": r.code, "params": dict(r.params)} for r in proposal.reasons]


def scoring_pilots(acceptance: AcceptanceRound, user: Any) -> list[PilotRow]:
    """The rows an expert scores: their assigned pilots, or every pilot of a round without
    assignments (the submissions their grants let them review)."""
    from shidian.apps.core.access import REVIEW

    mine = set(
        Submission.objects.restrict(user, REVIEW)
        .filter(round=acceptance.round_id)
        .values_list("pk", flat=True)
    )
    pairs = Assignment.objects.filter(acceptance=acceptance)  # scoping: ok the round is visible
    if pairs.exists():
        units = set(pairs.filter(expert=user).values_list("unit_id", flat=True))
    else:
        units = None
    return [
        r
        for r in pilot_rows(acceptance)
        if r.submission.pk in mine and (units is None or r.unit.pk in units)
    ]


def may_score(acceptance: AcceptanceRound, submission: Submission, user: Any) -> bool:
    """In a round with assignments, only the assigned experts score a pilot."""
    pairs = Assignment.objects.filter(acceptance=acceptance)  # scoping: ok the round is visible
    if not pairs.exists():
        return True
    return pairs.filter(unit_id=submission.unit_id, expert=user).exists()


def verdict_for_report(submission: Submission) -> Verdict | None:
    return Verdict.objects.filter(  # scoping: ok the caller may see the submission
        acceptance__round_id=submission.round_id, unit_id=submission.unit_id
    ).first()
