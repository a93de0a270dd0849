"""Forms of the recommendation step: the office's quota table and its recommendation on a
zone's behalf. The zone's own list (a checkbox and a reason per school) is read in the view,
since its rows are the zone's candidates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.apps.selection.services.recommend import QUOTA_MAX, REASON_MAX


def quota_field_name(zone_id: int) -> str:
    return f"zone-{zone_id}"


class QuotaForm(forms.Form):
    """One number box per zone of the scope (blank or 0 = no quota)."""

    def __init__(self, *args: Any, rows: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[quota_field_name(row.zone.pk)] = forms.IntegerField(
                label=row.zone.name,
                required=False,
                min_value=0,
                max_value=QUOTA_MAX,
                initial=row.quota,
            )

    def quotas(self) -> dict[int, int | None]:
        return {
            row.zone.pk: self.cleaned_data.get(quota_field_name(row.zone.pk)) for row in self.rows
        }

    def checked_quotas(self) -> dict[int, int | None]:
        """The quotas typed, or the page's one refusal for a box that is not a number in range
        (the page and the API refuse alike)."""
        if not self.is_valid():
            raise ValidationError(gettext("名额应为 0 到 1000 之间的整数。"))
        return self.quotas()


class SameQuotaForm(forms.Form):
    same = forms.IntegerField(label=_("每个片区"), min_value=0, max_value=QUOTA_MAX)


class SuggestForm(forms.Form):
    total = forms.IntegerField(label=_("共推荐"), min_value=1, max_value=100000)


class BehalfForm(forms.Form):
    """The office recommends a school for its zone (the zone follows from the school)."""

    unit = forms.TypedChoiceField(label=_("学校"), coerce=int, choices=())
    reason = CleanCharField(
        label=_("推荐理由"),
        max_length=REASON_MAX,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, groups: list[tuple[str, list[tuple[int, str]]]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [("", "—")] + groups
