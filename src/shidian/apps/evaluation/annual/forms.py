"""The year choice of the annual report (POST)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shidian.apps.evaluation.annual.content import YearInvalid, check_year, report_years


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=str, choices=())

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        years = report_years(programme)
        self.fields["year"].choices = [(str(y), str(y)) for y in reversed(years)]
        if years:
            self.fields["year"].initial = str(years[-1])

    def clean_year(self) -> int:
        try:
            return check_year(self.programme, self.cleaned_data.get("year"))
        except YearInvalid as exc:
            raise ValidationError(str(exc), code="year") from exc

    def full_clean(self) -> None:
        super().full_clean()
        # An unknown value fails the choice check first ("选择一个有效的选项"): say which
        # years are possible instead.
        if self.is_bound and "year" in self.errors:
            try:
                check_year(self.programme, self.data.get("year"))
            except YearInvalid as exc:
                self.errors["year"] = self.error_class([str(exc)])
