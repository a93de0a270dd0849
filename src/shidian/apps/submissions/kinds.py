"""The kind registry: what a kind of round asks for and how its answers are judged.

A later issue (creation plans, periodic reports, semester plans, cases) adds a kind by
subclassing :class:`FormSpec` and calling :func:`register_kind` from its app's ``ready()``; the
submission mechanism (states, services, revisions, evidence, reviews, notifications) is shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass
class Computed:
    """What a kind derives from a form's answers, stored on the submission."""

    scores: dict[str, float] = field(default_factory=dict)
    groups: dict[str, float] = field(default_factory=dict)  # Submission.dimension_scores
    total: float = 0.0
    vetoed: bool = False
    answered: int = 0


class FormSpec:
    """One kind of form. Override what the kind needs; the defaults suit a plain form."""

    kind: str = ""
    label: str = ""
    # Audit action names: f"{audit_prefix}_{save|upload|submit|return|accept}".
    audit_prefix: str = "submissions.submission"
    fill_template: str = ""  # the kind's fill page
    has_workbook: bool = False  # True when the form is a table with an offline workbook

    def item_codes(self, round_obj) -> list[str]:
        raise NotImplementedError

    def refusal(self, code: str) -> str:
        """The words for a state that stops a write or a decision (a ``submissions.states``
        code, ``return`` / ``accept`` for a decision on a form not waiting for one, or
        ``unknown_item`` with a ``%(code)s``). A kind names its own form; these fit any."""
        return {
            "not_editable": _("已提交，不能修改；需要修改请联系管理部门退回。"),
            "closed": _("本轮填报已结束。"),
            "late": _("已过截止时间，本轮不接受逾期提交。"),
            "not_submitted": _("只能处理已提交的材料。"),
            "return": _("只能退回已提交的材料。"),
            "accept": _("只能通过已提交的材料。"),
            "unknown_item": _("没有这个填报项：%(code)s"),
        }[code]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        """The stored value of one answer (None when blank); ValidationError when bad."""
        if raw in (None, "", {}):
            return None
        return raw

    def clean_form(self, round_obj, raw: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
        """Clean every answer: (answers, {code: problem})."""
        answers, problems = {}, {}
        for code in self.item_codes(round_obj):
            try:
                value = self.clean_item(round_obj, code, raw.get(code))
            except ValidationError as exc:
                problems[code] = " ".join(exc.messages)
                continue
            if value is not None:
                answers[code] = value
        return answers, problems

    def compute(self, round_obj, answers: Mapping[str, Any]) -> Computed:
        return Computed(answered=len(answers))

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        """What stops the submission from being submitted (default: unanswered items)."""
        return [
            _("%(code)s 尚未填写") % {"code": code}
            for code in self.item_codes(submission.round)
            if code not in submission.answers
        ]

    def evidence_codes(self, round_obj) -> set[str]:
        """The items evidence may be attached to."""
        return set(self.item_codes(round_obj))

    def on_returned(self, submission, *, base_url: str = "") -> None:
        """Tell the unit its submission came back (after the state change, same transaction)."""

    def on_submitted(self, submission, *, user) -> None:
        """React to a submit or resubmit (after the state change, same transaction): e.g. copy
        the answers into an indexed table."""

    def on_accepted(self, submission, *, user) -> None:
        """React to the owner's acceptance (same transaction): e.g. freeze a plan's baseline."""

    def build_workbook(self, submission) -> bytes:
        raise NotImplementedError


_KINDS: dict[str, FormSpec] = {}


def register_kind(spec: FormSpec) -> FormSpec:
    if not spec.kind:
        raise ValueError("a FormSpec needs a kind")
    _KINDS[spec.kind] = spec
    return spec


def kind_for(round_obj) -> FormSpec:
    try:
        return _KINDS[round_obj.kind]
    except KeyError:
        raise LookupError(f"no form registered for kind {round_obj.kind!r}") from None


def registered_kinds() -> list[str]:
    return sorted(_KINDS)
