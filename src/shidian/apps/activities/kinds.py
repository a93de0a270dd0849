"""The ``community_plan`` and ``community_summary`` kinds of the submission mechanism.

A community's lead school files, each semester, an implementation plan (学期初实施方案) and a
stage summary (学期末阶段小结); the office that runs the semester reviews both. Answers are
plain texts keyed by item code; attachments are evidence files on the item ``attachments``.
The summary's ``activities`` item starts prefilled from the semester's activities and
attendance (see ``filings.record_text``), and the lead may edit it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.submissions.kinds import FormSpec
from shidian.textclean import clean_text

PLAN_KIND = "community_plan"
SUMMARY_KIND = "community_summary"
ATTACHMENTS = "attachments"
MAX_TEXT = 20000

# (code, label, help, required): the order is the page's order.
PLAN_ITEMS = (
    ("goals", gettext_lazy("本学期目标"), gettext_lazy("共同体本学期要达成的目标。"), True),
    (
        "activities",
        gettext_lazy("主题与活动安排"),
        gettext_lazy("本学期的研修主题和计划开展的活动（可参考已安排的活动）。"),
        True,
    ),
    ("division", gettext_lazy("分工安排"), gettext_lazy("牵头校与各成员校的分工。"), True),
    ("body", gettext_lazy("方案正文"), gettext_lazy("保障措施等其他内容（可不填）。"), False),
)
SUMMARY_ITEMS = (
    ("done", gettext_lazy("完成情况"), gettext_lazy("本学期主要做了哪些工作。"), True),
    (
        "activities",
        gettext_lazy("活动开展情况"),
        gettext_lazy("计划与实际举办的活动、各校参加情况（已按活动记录预填，可修改）。"),
        True,
    ),
    ("outcomes", gettext_lazy("取得成效"), gettext_lazy("成果、经验和变化。"), True),
    ("problems", gettext_lazy("存在问题"), "", False),
    ("next_steps", gettext_lazy("下一步打算"), "", False),
)


class _TextForm(FormSpec):
    items: tuple[tuple[str, Any, Any, bool], ...] = ()
    fill_template = "activities/filing.html"

    def item_codes(self, round_obj) -> list[str]:
        return [code for code, *_rest in self.items]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        text = clean_text(str(raw or ""), multiline=True).strip()[:MAX_TEXT]
        return text or None

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        return [
            _("请填写“%(label)s”。") % {"label": label}
            for code, label, _help, required in self.items
            if required and not submission.answers.get(code)
        ]

    def evidence_codes(self, round_obj) -> set[str]:
        return {ATTACHMENTS}

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.activities.filings import tell_returned

        tell_returned(submission, base_url=base_url)


class CommunityPlanForm(_TextForm):
    kind = PLAN_KIND
    label = "学期初实施方案"
    audit_prefix = "activities.plan_filing"
    items = PLAN_ITEMS


class CommunitySummaryForm(_TextForm):
    kind = SUMMARY_KIND
    label = "学期末阶段小结"
    audit_prefix = "activities.summary_filing"
    items = SUMMARY_ITEMS


def items_for(kind: str) -> tuple[tuple[str, Any, Any, bool], ...]:
    """The items of a filing kind ("plan" / "summary" or the round kinds)."""
    return PLAN_ITEMS if kind in ("plan", PLAN_KIND) else SUMMARY_ITEMS
