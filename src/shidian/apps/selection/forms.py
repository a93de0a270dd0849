"""The selection's own form (name, round, recommendation step, number of pilots)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access import MANAGE
from shidian.apps.core.formfields import CleanCharField, date_input
from shidian.apps.submissions.models import Round


class SelectionForm(forms.Form):
    name = CleanCharField(label=_("名称"), max_length=200)
    round = forms.ModelChoiceField(
        label=_("自查活动"),
        queryset=Round.objects.none(),
        help_text=_("按这项自查活动中已提交的自查表排名和遴选；草稿不参与。"),
    )
    pilot_count = forms.IntegerField(
        label=_("试点学校数"),
        min_value=1,
        max_value=100000,
        help_text=_("默认是各批次目标数之和。"),
    )
    recommend = forms.BooleanField(
        label=_("片区推荐上报"),
        required=False,
        help_text=_("勾选后先由各片区在名额内推荐学校，再从推荐学校中遴选。"),
    )
    recommend_due = forms.DateField(label=_("推荐截止日期"), required=False, widget=date_input())

    def __init__(self, *args: Any, user: Any, programme: Any, fixed_round: bool = False, **kw):
        super().__init__(*args, **kw)
        rounds = Round.objects.restrict(user, MANAGE).filter(kind="self_assessment")
        self.fields["round"].queryset = rounds.filter(programme=programme).order_by("-opens_on")
        if fixed_round:
            self.fields["round"].disabled = True
