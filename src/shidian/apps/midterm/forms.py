"""Forms of the mid-term evaluation: open a round, turn gaps into rectification items."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts.models import Role, User
from shidian.apps.midterm.models import Level, Scorer
from shidian.textclean import clean_text

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_DAYS = 21
DEFAULT_DUE_DAYS = 60


class MidtermForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    cycle = forms.ModelChoiceField(label=_("批次"), queryset=None)
    version = forms.ModelChoiceField(label=_("指标体系版本"), queryset=None)
    opens_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"})
    )
    deadline = forms.DateTimeField(
        label=_("自评截止时间"),
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
    )
    scorer = forms.ChoiceField(
        label=_("评分方"), choices=Scorer.choices, initial=Scorer.EXPERTS, widget=forms.RadioSelect
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("评审专家（专家评分时）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.TypedChoiceField(
        label=_("分析层级"), choices=Level.choices, coerce=int, initial=Level.INDICATOR
    )
    share_percent = forms.FloatField(
        label=_("指标达标线（占该指标满分的百分比）"), min_value=1, max_value=100, initial=60
    )
    pass_mark = forms.FloatField(label=_("总分合格线（可不填）"), required=False, min_value=0)
    veto_codes = forms.CharField(
        label=_("否决指标编号（用逗号分隔，低于达标线即不合格）"), required=False, max_length=2000
    )

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        from shidian.apps.standards.selectors import usable_versions

        self.fields["cycle"].queryset = programme.cycles.order_by("number")
        self.fields["cycle"].label_from_instance = lambda c: (
            _("第%(n)s批（%(year)s年）")
            % {
                "n": c.number,
                "year": c.year,
            }
        )
        versions = programme.standard_versions.filter(status="published")
        if not versions.exists():
            versions = usable_versions(user=user)
        self.fields["version"].queryset = versions.select_related("standard")
        self.fields["version"].label_from_instance = lambda v: f"{v.standard.name} v{v.number}"
        self.fields["reviewers"].queryset = User.objects.restrict(user).filter(
            role=Role.EXPERT, is_active=True
        )
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["deadline"].initial = timezone.make_aware(
            datetime.combine(today + timedelta(days=DEFAULT_DAYS), time(17, 0))
        )

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("请填写名称。"))
        return name

    def clean_veto_codes(self) -> list[str]:
        raw = self.cleaned_data.get("veto_codes") or ""
        for sep in "，、;；\n":
            raw = raw.replace(sep, ",")
        return [c.strip() for c in raw.split(",") if c.strip()]


class ItemsForm(forms.Form):
    due_on = forms.DateField(
        label=_("整改期限"), widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"})
    )
    evidence_required = forms.CharField(
        label=_("佐证材料要求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("提交整改后的佐证材料。"),
    )
    schools = forms.TypedMultipleChoiceField(
        label=_("学校（默认全部有差距的学校）"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].choices = [(u.pk, u.name) for u in schools]
        self.fields["schools"].initial = [u.pk for u in schools]
        self.fields["due_on"].initial = timezone.localdate() + timedelta(days=DEFAULT_DUE_DAYS)
