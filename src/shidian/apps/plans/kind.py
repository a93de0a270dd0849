"""The ``creation_plan`` kind of the submission mechanism: goals and a task breakdown.

Answers: ``{"goals": [goal, ...], "tasks": [task, ...]}`` where a goal is
``{code, indicator, title, baseline, target, target_date}`` and a task is
``{code, title, owner, starts_on, due_on, deliverable, indicator, weight, cancelled}`` (dates as
ISO text). Cleaning names every problem with its row number; codes left blank are numbered
(G1.., T1..) so a task keeps its code through revisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.submissions.kinds import Computed, FormSpec
from shidian.textclean import clean_text

KIND = "creation_plan"
GOALS, TASKS = "goals", "tasks"
ATTACHMENTS = "plan"  # the item plan documents are attached to
TASK_EVIDENCE = "task:"  # + task code: the evidence of a done task
MAX_ROWS = 200
CODE_MAX = 32


def indicator_codes(programme: Any) -> set[str]:
    """The indicator codes of the programme's standard versions (empty: free text)."""
    if programme is None:
        return set()
    codes: set[str] = set()
    for version in programme.standard_versions.all():
        standard = version.as_standard()
        for dimension in standard.dimensions:
            codes.add(dimension.code)
            for indicator in dimension.indicators:
                codes.add(indicator.code)
                codes.update(item.code for item in indicator.items)
    return codes


def _text(raw: Any, limit: int) -> str:
    return clean_text(str(raw or ""))[:limit].strip()


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw or "").strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _blank(row: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    return all(str(row.get(f) or "").strip() in ("", "False", "false") for f in fields)


class Rules:
    """What the programme allows: its years and its indicator codes."""

    def __init__(self, programme: Any):
        self.first = dt.date(programme.start_year, 1, 1) if programme else None
        self.last = dt.date(programme.end_year, 12, 31) if programme else None
        self.indicators = indicator_codes(programme)

    def check_date(self, value: dt.date | None, label: str, where: str, problems: list) -> None:
        if value is None:
            return
        if self.first and not (self.first <= value <= self.last):
            problems.append(
                _("%(where)s：%(label)s %(date)s 不在项目年度 %(first)s 至 %(last)s 之内")
                % {
                    "where": where,
                    "label": label,
                    "date": value.isoformat(),
                    "first": self.first.year,
                    "last": self.last.year,
                }
            )

    def check_indicator(self, code: str, where: str, problems: list) -> None:
        if code and self.indicators and code not in self.indicators:
            problems.append(
                _("%(where)s：指标代码 %(code)s 不在本项目的指标体系中")
                % {"where": where, "code": code}
            )


def _code(raw: Any, prefix: str, used: set[str], where: str, problems: list) -> str:
    code = _text(raw, 200)
    if not code:
        n = 1
        while f"{prefix}{n}" in used:
            n += 1
        code = f"{prefix}{n}"
    elif len(code) > CODE_MAX:
        problems.append(_("%(where)s：编号不能超过 32 个字符") % {"where": where})
    if code in used:
        problems.append(_("%(where)s：编号 %(code)s 重复") % {"where": where, "code": code})
    used.add(code)
    return code


GOAL_FIELDS = ("code", "indicator", "title", "baseline", "target", "target_date")
TASK_FIELDS = (
    "code",
    "title",
    "owner",
    "starts_on",
    "due_on",
    "deliverable",
    "indicator",
    "weight",
)


def clean_goals(raw: Any, rules: Rules) -> tuple[list[dict], list[str]]:
    rows, problems, used = [], [], set()
    for n, row in enumerate(raw or [], start=1):
        if not isinstance(row, Mapping) or _blank(row, GOAL_FIELDS):
            continue
        where = _("目标第 %(n)s 行") % {"n": n}
        code = _code(row.get("code"), "G", used, where, problems)
        title = _text(row.get("title"), 200)
        indicator = _text(row.get("indicator"), 64)
        if not title and not indicator:
            problems.append(_("%(where)s：请填写目标内容或对应指标") % {"where": where})
        rules.check_indicator(indicator, where, problems)
        baseline, target = _number(row.get("baseline")), _number(row.get("target"))
        if baseline is None:
            problems.append(_("%(where)s：基线值须为数字") % {"where": where})
        if target is None:
            problems.append(_("%(where)s：目标值须为数字") % {"where": where})
        target_date = _date(row.get("target_date"))
        if target_date is None:
            problems.append(_("%(where)s：目标日期格式应为 2026-06-30") % {"where": where})
        rules.check_date(target_date, _("目标日期"), where, problems)
        rows.append(
            {
                "code": code,
                "indicator": indicator,
                "title": title,
                "baseline": baseline,
                "target": target,
                "target_date": target_date.isoformat() if target_date else "",
            }
        )
    return rows, problems


def clean_tasks(raw: Any, rules: Rules) -> tuple[list[dict], list[str]]:
    rows, problems, used = [], [], set()
    for n, row in enumerate(raw or [], start=1):
        if not isinstance(row, Mapping) or _blank(row, TASK_FIELDS):
            continue
        where = _("任务第 %(n)s 行") % {"n": n}
        code = _code(row.get("code"), "T", used, where, problems)
        title = _text(row.get("title"), 200)
        if not title:
            problems.append(_("%(where)s：请填写任务名称") % {"where": where})
        starts_on, due_on = _date(row.get("starts_on")), _date(row.get("due_on"))
        if starts_on is None:
            problems.append(_("%(where)s：开始日期格式应为 2026-03-01") % {"where": where})
        if due_on is None:
            problems.append(_("%(where)s：完成期限格式应为 2026-06-30") % {"where": where})
        if starts_on and due_on and due_on < starts_on:
            problems.append(_("%(where)s：完成期限早于开始日期") % {"where": where})
        rules.check_date(starts_on, _("开始日期"), where, problems)
        rules.check_date(due_on, _("完成期限"), where, problems)
        weight_raw = row.get("weight")
        weight = 1.0 if str(weight_raw or "").strip() == "" else _number(weight_raw)
        if weight is None:
            problems.append(_("%(where)s：权重须为数字") % {"where": where})
        elif weight <= 0:
            problems.append(_("%(where)s：权重须大于 0") % {"where": where})
        indicator = _text(row.get("indicator"), 64)
        rules.check_indicator(indicator, where, problems)
        rows.append(
            {
                "code": code,
                "title": title,
                "owner": _text(row.get("owner"), 100),
                "starts_on": starts_on.isoformat() if starts_on else "",
                "due_on": due_on.isoformat() if due_on else "",
                "deliverable": _text(row.get("deliverable"), 200),
                "indicator": indicator,
                "weight": weight,
                "cancelled": str(row.get("cancelled") or "").lower() in ("1", "true", "on"),
            }
        )
    if len(rows) > MAX_ROWS:
        problems.append(_("任务不能超过 %(n)s 项") % {"n": MAX_ROWS})
    return rows, problems


class CreationPlanForm(FormSpec):
    kind = KIND
    label = _("创建方案")  # evaluated at registration: the kind registry keeps a plain string
    audit_prefix = "plans.plan"
    fill_template = "plans/plan.html"

    def item_codes(self, round_obj) -> list[str]:
        return [GOALS, TASKS]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        rules = Rules(round_obj.programme)
        rows, problems = (clean_goals if code == GOALS else clean_tasks)(raw, rules)
        if problems:
            raise ValidationError(problems)
        return rows or None

    def clean_rows(self, round_obj, raw: Mapping[str, Any]) -> tuple[dict, list[str]]:
        """Both tables at once, every problem with its row number."""
        rules = Rules(round_obj.programme)
        goals, goal_problems = clean_goals(raw.get(GOALS), rules)
        tasks, task_problems = clean_tasks(raw.get(TASKS), rules)
        answers = {k: v for k, v in ((GOALS, goals), (TASKS, tasks)) if v}
        return answers, goal_problems + task_problems

    def compute(self, round_obj, answers: Mapping[str, Any]) -> Computed:
        tasks = [t for t in answers.get(TASKS, []) if not t.get("cancelled")]
        return Computed(answered=len(answers), total=float(len(tasks)))

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        problems = []
        if not submission.answers.get(GOALS):
            problems.append(_("请至少填写一项创建目标"))
        if not [t for t in submission.answers.get(TASKS, []) if not t.get("cancelled")]:
            problems.append(_("请至少填写一项任务"))
        return problems

    def evidence_codes(self, round_obj) -> set[str]:
        return {ATTACHMENTS}

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.plans.services.notify import tell_returned

        tell_returned(submission, base_url=base_url)

    def on_accepted(self, submission, *, user) -> None:
        from shidian.apps.plans.services.versions import version_freeze

        version_freeze(submission=submission, user=user)
