"""The token form: what for, which scopes, how long."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.api import scopes
from shidian.apps.api.tokens import MAX_DAYS

DAY_CHOICES = [(30, _("30 天")), (90, _("90 天")), (180, _("180 天")), (365, _("365 天"))]


def scope_choices() -> list[tuple[str, str]]:
    choices = []
    for area, label in scopes.AREAS.items():
        choices.append((f"{area}:{scopes.READ}", _("%(area)s：读") % {"area": label}))
        if area not in scopes.READ_ONLY_AREAS:
            choices.append((f"{area}:{scopes.WRITE}", _("%(area)s：读写") % {"area": label}))
    return choices


class ScopeTable(forms.CheckboxSelectMultiple):
    """The scopes as a table: one row per area, a box to read and, where the area is written
    through the API, one to read and write. Seventeen areas in a flat list of boxes read as a
    wall of text; a row per area reads like the permission it is."""

    template_name = "api/scope_table.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = {
            option["value"]: option
            for _group, group_options, _index in context["widget"]["optgroups"]
            for option in group_options
        }
        context["widget"]["rows"] = [
            {
                "area": area,
                "label": label,
                "read": options.get(f"{area}:{scopes.READ}"),
                "write": options.get(f"{area}:{scopes.WRITE}"),
            }
            for area, label in scopes.AREAS.items()
        ]
        return context


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=80,
        help_text=_("例如：区县数据中心同步。便于日后辨认和吊销。"),
    )
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=scope_choices,
        widget=ScopeTable,
        help_text=_("令牌只能读写所选领域，且只能看到您本人在页面上能看到的数据。"),
    )
    days = forms.TypedChoiceField(
        label=_("有效期"), choices=DAY_CHOICES, coerce=int, initial=90, empty_value=None
    )

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if not 1 <= days <= MAX_DAYS:
            raise forms.ValidationError(_("有效期须为 1 至 %(max)s 天。") % {"max": MAX_DAYS})
        return days
