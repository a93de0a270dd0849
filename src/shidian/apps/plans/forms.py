"""The plan form's rows as posted (``goals-<i>-<field>``, ``tasks-<i>-<field>``) and the
forms of the office's pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.plans.kind import GOAL_FIELDS, GOALS, TASK_FIELDS, TASKS
from shidian.apps.plans.models import TaskStatus, Weighting

ROW_KEY = re.compile(r"^(goals|tasks)-(\d{1,3})-(\w+)$")
BLANK_ROWS = 2


def rows_from_post(data: Mapping[str, Any]) -> dict[str, list[dict]]:
    found: dict[str, dict[int, dict]] = {GOALS: {}, TASKS: {}}
    allowed = {GOALS: set(GOAL_FIELDS), TASKS: set(TASK_FIELDS) | {"cancelled"}}
    for key in data:
        match = ROW_KEY.match(key)
        if not match or match[3] not in allowed[match[1]]:
            continue
        found[match[1]].setdefault(int(match[2]), {})[match[3]] = data.get(key)
    return {table: [rows[i] for i in sorted(rows)] for table, rows in found.items()}


def with_blank_rows(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    return list(rows) + [dict.fromkeys(fields, "") for _ in range(BLANK_ROWS)]


class RoundForm(forms.Form):
    batch = forms.ModelChoiceField(label=_("批次"), queryset=None, empty_label=None)
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("名称（可不填）"), max_length=200, required=False)

    def __init__(self, *args: Any, programme: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = programme.cycles.order_by("number")
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)

    def deadline_at(self) -> dt.datetime:
        day = self.cleaned_data["deadline"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class DecideForm(forms.Form):
    weighting = forms.ChoiceField(
        label=_("完成率计算方式"),
        choices=Weighting.choices,
        initial=Weighting.WEIGHT,
        widget=forms.RadioSelect,
    )


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("修改意见"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskUpdateForm(forms.Form):
    task_code = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("进展"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)
    evidence = forms.FileField(label=_("佐证材料（完成时必传）"), required=False)


class GoalUpdateForm(forms.Form):
    goal_code = forms.CharField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("当前值"), max_length=40)
