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


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=80,
        help_text=_("例如：区县数据中心同步。便于日后辨认和吊销。"),
    )
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
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
