"""The ``acceptance_report`` kind of the submission mechanism: a pilot's summary report
(总结报告: a text and a file) and its archive checklist (档案整理).

Items: ``summary`` (the text); ``summary_file`` (evidence only: the report as a file); one item
per required document of the round (``doc1``, ``doc2``... in the round's order), each either an
evidence file on that code or marked missing with a note (``{"missing": true, "note": ...}``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.submissions.kinds import Computed, FormSpec
from shidian.textclean import clean_text

KIND = "acceptance_report"
SUMMARY = "summary"
SUMMARY_FILE = "summary_file"
MAX_TEXT = 20000
MAX_NOTE = 500


def doc_code(index: int) -> str:
    return f"doc{index + 1}"


def documents_of(round_obj) -> list[tuple[str, str]]:
    """(code, name) of the round's required archive documents."""
    acceptance = getattr(round_obj, "acceptance", None)
    names = acceptance.documents if acceptance is not None else []
    return [(doc_code(i), name) for i, name in enumerate(names)]


def archive_state(submission, evidence_codes: set[str]) -> dict[str, str]:
    """code -> "uploaded" / "missing" (marked, with a note) / "pending" (neither yet)."""
    found = {}
    for code, _name in documents_of(submission.round):
        if code in evidence_codes:
            found[code] = "uploaded"
        elif (submission.answers.get(code) or {}).get("missing"):
            found[code] = "missing"
        else:
            found[code] = "pending"
    return found


class AcceptanceReportForm(FormSpec):
    kind = KIND
    label = "验收总结报告与档案清单"
    audit_prefix = "acceptance.report"
    fill_template = "acceptance/report.html"

    def item_codes(self, round_obj) -> list[str]:
        return [SUMMARY, *(code for code, _name in documents_of(round_obj))]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        if code == SUMMARY:
            text = clean_text(str(raw or ""), multiline=True).strip()
            if len(text) > MAX_TEXT:
                raise ValidationError(_("总结报告不能超过 %(n)s 字。") % {"n": MAX_TEXT})
            return text or None
        if code not in dict(documents_of(round_obj)):
            raise ValidationError(_("没有这项档案。"))
        raw = raw or {}
        if not isinstance(raw, dict) or not raw.get("missing"):
            return None
        note = clean_text(str(raw.get("note") or ""), multiline=True).strip()
        if not note:
            raise ValidationError(_("标记为缺失时请说明原因。"))
        return {"missing": True, "note": note[:MAX_NOTE]}

    def compute(self, round_obj, answers) -> Computed:
        return Computed(answered=len(answers))

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        problems = []
        if not submission.answers.get(SUMMARY):
            problems.append(_("请填写总结报告。"))
        if SUMMARY_FILE not in evidence_codes:
            problems.append(_("请上传总结报告文件。"))
        names = dict(documents_of(submission.round))
        for code, state in archive_state(submission, evidence_codes).items():
            if state == "pending":
                problems.append(
                    _("档案“%(name)s”：请上传或标记为缺失并说明。") % {"name": names[code]}
                )
        return problems

    def evidence_codes(self, round_obj) -> set[str]:
        return {SUMMARY_FILE, *(code for code, _name in documents_of(round_obj))}

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.acceptance.services import tell_returned

        tell_returned(submission, base_url=base_url)
