from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts.models import Role, User
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
from shidian.apps.standards.selectors import usable_versions


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    version = forms.ModelChoiceField(label=_("指标体系版本"), queryset=None)
    root = forms.ModelChoiceField(label=_("参评范围"), queryset=None)
    school_types = forms.MultipleChoiceField(
        label=_("学校类型（不选则全部）"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateTimeField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    accept_late = forms.BooleanField(label=_("接受逾期提交"), required=False)
    reviewers = forms.ModelMultipleChoiceField(
        label=_("评审专家"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = usable_versions(user=user)
        self.fields["version"].label_from_instance = lambda v: f"{v.standard.name} v{v.number}"
        self.fields["root"].queryset = OrgUnit.objects.restrict(user).exclude(level=Level.SCHOOL)
        self.fields["root"].initial = user.unit_id
        self.fields["reviewers"].queryset = User.objects.restrict(user).filter(
            role__in=[Role.EXPERT, Role.OFFICE], is_active=True
        )
        self.fields["opens_on"].initial = timezone.localdate()

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("截止时间应晚于现在。"))
        return deadline
