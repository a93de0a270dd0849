"""What a document is about: a programme, one of its batches, a unit (all optional).

A separate small form (prefix ``about``) beside the generate form, so the fields of each
document type stay untouched. Choices are limited to what the user may see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.orgs.models import OrgUnit
from shidian.apps.orgs.picker import UnitPickerField


class AboutForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("试点项目"), queryset=None, required=False, empty_label=_("不涉及试点项目")
    )
    cycle = forms.ModelChoiceField(
        label=_("批次"), queryset=None, required=False, empty_label=_("不涉及批次")
    )
    subject_unit = UnitPickerField(label=_("涉及单位"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="about", **kwargs)
        from shidian.apps.programmes.access import visible_programmes
        from shidian.apps.programmes.models import Cycle

        programmes = visible_programmes(user)
        self.fields["programme"].queryset = programmes
        self.fields["cycle"].queryset = Cycle.objects.filter(  # scoping: ok visible programmes
            programme__in=programmes
        ).select_related("programme")
        self.fields["cycle"].label_from_instance = lambda c: f"{c.programme.name} · {c}"
        self.fields["subject_unit"].queryset = OrgUnit.objects.restrict(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        programme, cycle = data.get("programme"), data.get("cycle")
        if cycle is not None and programme is None:
            data["programme"] = cycle.programme
        elif cycle is not None and cycle.programme_id != programme.pk:
            self.add_error("cycle", _("所选批次不属于所选试点项目。"))
        return data

    def about(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in ("programme", "cycle", "subject_unit")}
