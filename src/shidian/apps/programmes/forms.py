"""The programme form: main fields plus one row per phase and one row per cycle.

The forms only parse; the rules (years, overlapping phases, cycles in the years, members in
the running unit) are checked by the services, whose messages the view shows on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import date_input
from shidian.apps.orgs.models import Level, Locality, OrgUnit, SchoolType
from shidian.apps.orgs.picker import UnitPickerField
from shidian.apps.programmes.members import MemberRole, member_candidates
from shidian.apps.programmes.models import Cadence, ParticipationState
from shidian.apps.programmes.services import CycleInput, PhaseInput, default_phases
from shidian.apps.standards.selectors import usable_versions

EXTRA_PHASE_ROWS = 2
EXTRA_CYCLE_ROWS = 3


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    start_year = forms.IntegerField(label=_("起始年份"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("结束年份"), min_value=2000, max_value=2100)
    scope_root = UnitPickerField(
        label=_("参与范围"), levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.ZONE)
    )
    scope_levels = forms.MultipleChoiceField(
        label=_("单位层级"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为学校。"),
    )
    scope_school_types = forms.MultipleChoiceField(
        label=_("学校类型（不选则全部）"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_localities = forms.MultipleChoiceField(
        label=_("城乡（不选则全部）"),
        choices=Locality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    standard_versions = forms.ModelMultipleChoiceField(
        label=_("指标体系版本"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cadences = forms.MultipleChoiceField(
        label=_("调度频次"),
        choices=Cadence.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leading_group = forms.ModelMultipleChoiceField(
        label=_("领导小组成员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    office_members = forms.ModelMultipleChoiceField(
        label=_("项目办公室成员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, unit: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``unit`` is the user's own (create) or a programme's they manage (edit).
        self.fields["scope_root"].queryset = OrgUnit.objects.subtree(unit).exclude(
            level=Level.SCHOOL
        )
        self.fields["scope_root"].initial = unit.code
        versions = self.fields["standard_versions"]
        versions.queryset = usable_versions(user=user)
        versions.label_from_instance = lambda v: f"{v.standard.name} v{v.number}"
        people = member_candidates(programme_unit=unit)
        for key in ("leading_group", "office_members"):
            self.fields[key].queryset = people
            self.fields[key].label_from_instance = lambda u: f"{u.display_name}（{u.unit}）"
        year = timezone.localdate().year
        self.fields["start_year"].initial = year
        self.fields["end_year"].initial = year + 2


class PhaseRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("阶段名称"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=date_input())
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=date_input())
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=99, required=False)


class CycleRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    target = forms.IntegerField(label=_("目标数"), min_value=1, max_value=100000, required=False)


PhaseFormSet = forms.formset_factory(PhaseRowForm, extra=EXTRA_PHASE_ROWS, can_delete=True)
CycleFormSet = forms.formset_factory(CycleRowForm, extra=EXTRA_CYCLE_ROWS, can_delete=True)


def phase_inputs(formset: Any) -> list[PhaseInput]:
    """The filled rows (a row without a name is an unused blank row)."""
    rows = []
    for i, form in enumerate(formset.forms):
        # An extra row left as offered (the default phase names on the create page) has no
        # cleaned data: Django skips unchanged extra forms. Its initial values are what it shows.
        data = form.cleaned_data or (form.initial if not form.has_changed() else {})
        if not data or data.get("DELETE") or not (data.get("name") or "").strip():
            continue
        order = data.get("order")
        rows.append(
            PhaseInput(
                name=data["name"],
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                order=order if order is not None else 100 + i,
                id=data.get("id"),
            )
        )
    return rows


def cycle_inputs(formset: Any) -> tuple[list[CycleInput], list[str]]:
    rows, problems = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        year, target = data.get("year"), data.get("target")
        if year is None and target is None:
            continue
        if year is None or target is None:
            problems.append(str(_("每个批次须同时填写年度和目标数。")))
            continue
        rows.append(CycleInput(year=year, target=target, id=data.get("id")))
    return rows, problems


def initial_phases(programme: Any | None = None) -> list[dict[str, Any]]:
    if programme is None:
        year = timezone.localdate().year
        return [
            {"name": p.name, "order": p.order, "starts_on": None, "ends_on": None}
            for p in default_phases(year, year + 2)
        ]
    return [
        {
            "id": p.pk,
            "name": p.name,
            "order": p.order,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
        }
        for p in programme.phases.order_by("order")
    ]


def initial_cycles(programme: Any | None = None) -> list[dict[str, Any]]:
    if programme is None:
        return []
    return [
        {"id": c.pk, "year": c.year, "target": c.target}
        for c in programme.cycles.order_by("number")
    ]


def initial_programme(programme: Any) -> dict[str, Any]:
    from shidian.apps.programmes.members import members_of

    return {
        "name": programme.name,
        "start_year": programme.start_year,
        "end_year": programme.end_year,
        "scope_root": programme.scope_root_id,
        "scope_levels": programme.scope_levels,
        "scope_school_types": programme.scope_school_types,
        "scope_localities": programme.scope_localities,
        "standard_versions": list(programme.standard_versions.all()),
        "cadences": programme.cadences,
        "leading_group": members_of(programme=programme, role=MemberRole.LEADING_GROUP),
        "office_members": members_of(programme=programme, role=MemberRole.OFFICE),
    }


class MoveForm(forms.Form):
    """Move one unit (the office's manual correction; later steps move units in bulk)."""

    to = forms.ChoiceField(label=_("改为"), choices=ParticipationState.choices)
    batch = forms.ModelChoiceField(label=_("批次"), queryset=None, required=False)
    reason = forms.CharField(
        label=_("理由"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, programme: Any, choices: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices
        self.fields["batch"].queryset = programme.cycles.order_by("number")
