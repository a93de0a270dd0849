from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts.models import Role, User
from shidian.apps.campaigns.services import invited_units
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
from shidian.apps.orgs.picker import UnitPickerField
from shidian.apps.standards.selectors import usable_versions
from shidian.textclean import clean_text

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_DAYS = 14


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    version = forms.ModelChoiceField(label=_("指标体系版本"), queryset=None)
    root = UnitPickerField(
        label=_("参评范围"), levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.ZONE)
    )
    school_types = forms.MultipleChoiceField(
        label=_("学校类型（不选则全部）"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Date inputs take ISO values whatever the page's language (the browser shows them in the
    # user's locale); a localised value such as 2026/12/02 leaves the input blank.
    opens_on = forms.DateField(
        label=_("开始日期"),
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
    )
    deadline = forms.DateTimeField(
        label=_("截止时间"),
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
    )
    accept_late = forms.BooleanField(label=_("接受逾期提交"), required=False)
    reviewers = forms.ModelMultipleChoiceField(
        label=_("评审专家"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    phase = forms.ModelChoiceField(
        label=_("所属试点项目阶段"),
        queryset=None,
        required=False,
        empty_label=_("不属于试点项目"),
    )

    def __init__(self, *args, user, programme_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shidian.apps.programmes.selectors import phases_for

        self.fields["phase"].queryset = phases_for(user=user)
        self.fields["phase"].label_from_instance = lambda p: f"{p.programme.name} · {p.name}"
        if programme_id:
            self.fields["phase"].initial = phases_for(user=user, programme_id=programme_id).first()
        self.fields["version"].queryset = usable_versions(user=user)
        self.fields["version"].label_from_instance = lambda v: f"{v.standard.name} v{v.number}"
        if not self.fields["version"].queryset.exists():
            self.fields["version"].help_text = _(
                "还没有可用的已发布指标体系：请先在“指标体系”中导入并发布。"
            )
        self.fields["root"].queryset = OrgUnit.objects.restrict(user).exclude(level=Level.SCHOOL)
        self.fields["root"].initial = user.unit.code if user.unit else None
        self.fields["reviewers"].queryset = User.objects.restrict(user).filter(
            role__in=[Role.EXPERT, Role.OFFICE], is_active=True
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

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("截止时间应晚于现在。"))
        return deadline

    def clean(self):
        data = super().clean()
        opens_on, deadline = data.get("opens_on"), data.get("deadline")
        if opens_on and deadline and timezone.localtime(deadline).date() < opens_on:
            self.add_error("deadline", _("截止时间不能早于开始日期。"))
        root = data.get("root")
        types = data.get("school_types")
        if root is not None and not invited_units(root=root, school_types=types).exists():
            self.add_error(
                "school_types", _("参评范围内没有符合所选学校类型的学校，请调整范围或类型。")
            )
        return data
