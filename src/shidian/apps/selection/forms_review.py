"""Forms of the expert review step: adding a panel member, and the assignment's r."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.apps.selection.services import review as services


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        unit = obj.unit.name if obj.unit_id else ""
        return f"{obj.display_name}（{obj.username}） · {unit}"


class PanelAddForm(forms.Form):
    user = ExpertChoiceField(
        label=_("专家"),
        queryset=None,
        required=False,
        empty_label=_("（从本省专家账号中选择）"),
    )
    username = CleanCharField(
        label=_("或填写用户名"),
        max_length=150,
        required=False,
        help_text=_("外省或其他系统的专家：填写其专家账号的用户名。"),
    )
    expertise = CleanCharField(label=_("专业领域"), max_length=200, required=False)
    min_load = forms.IntegerField(
        label=_("最少评审数"), min_value=0, max_value=services.MAX_LOAD, required=False
    )
    max_load = forms.IntegerField(
        label=_("最多评审数"),
        min_value=0,
        max_value=services.MAX_LOAD,
        required=False,
        help_text=_("留空则按均衡分配：每位专家分到的学校数最多相差 1。"),
    )

    def __init__(self, *args: Any, selection: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["user"].queryset = services.panel_candidates(selection)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if data.get("user") is None:
            data["user"] = services.find_expert(data.get("username", ""))
        return data


class AssignForm(forms.Form):
    per_unit = forms.IntegerField(
        label=_("每校专家数"),
        min_value=1,
        max_value=services.MAX_PER_UNIT,
        initial=services.DEFAULT_PER_UNIT,
        help_text=_("每所入围学校由几位专家独立评审。"),
    )
