"""Forms of acceptance: open a round; the leading group's confirmation (one row per pilot)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.acceptance.models import Outcome
from shidian.textclean import clean_text

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DEFAULT_DAYS = 30
DEFAULT_DUE_DAYS = 60
DEFAULT_DOCUMENTS = (
    "创建方案及任务分解表",
    "年度工作总结",
    "过程性资料（会议记录、活动记录）",
    "经费使用情况",
    "成果材料（获奖、案例）",
)


def _lines(raw: str) -> list[str]:
    return [" ".join(line.split()) for line in (raw or "").splitlines() if line.strip()]


class AcceptanceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    cycle = forms.ModelChoiceField(label=_("批次"), queryset=None)
    version = forms.ModelChoiceField(label=_("指标体系版本"), queryset=None)
    opens_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"})
    )
    deadline = forms.DateTimeField(
        label=_("报送截止时间"),
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("验收专家组"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    expert_usernames = forms.CharField(
        label=_("其他专家的用户名（每行一个，如外省高校专家）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    per_pilot = forms.IntegerField(
        label=_("每校专家数（分配评分时用；不分配则每位专家评全部学校）"),
        min_value=1,
        max_value=20,
        initial=2,
        required=False,
    )
    pass_threshold = forms.FloatField(label=_("通过分数线"), min_value=0)
    conditional_threshold = forms.FloatField(
        label=_("有条件通过分数线（可不填）"), required=False, min_value=0
    )
    spread_limit = forms.FloatField(
        label=_("专家分差上限（超过时提示复核）"), min_value=0, initial=10
    )
    veto_lines = forms.CharField(
        label=_("否决项（每行一项；默认取指标体系中的否决项）"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = forms.CharField(
        label=_("档案清单（每行一项）"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(DEFAULT_DOCUMENTS),
    )

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        from shidian.apps.standards.selectors import usable_versions

        self.fields["cycle"].queryset = programme.cycles.order_by("number")
        self.fields["cycle"].label_from_instance = lambda c: (
            _("第%(n)s批（%(year)s年）") % {"n": c.number, "year": c.year}
        )
        versions = programme.standard_versions.filter(status="published")
        if not versions.exists():
            versions = usable_versions(user=user)
        self.fields["version"].queryset = versions.select_related("standard")
        self.fields["version"].label_from_instance = lambda v: f"{v.standard.name} v{v.number}"
        from shidian.apps.acceptance.services.rounds import expert_candidates, selection_panel

        self.fields["experts"].queryset = expert_candidates(programme)
        self.fields["experts"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username}（{u.unit.name if u.unit else ''}）"
        )
        if not self.is_bound:
            self.fields["experts"].initial = [u.pk for u in selection_panel(programme)]
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["deadline"].initial = timezone.make_aware(
            datetime.combine(today + timedelta(days=DEFAULT_DAYS), time(17, 0))
        )
        first = versions.first()
        if not self.is_bound:
            # Start from the first batch with pilots and the programme's (or only) version.
            from shidian.apps.programmes.models import Participation

            piloted = Participation.objects.filter(  # scoping: ok the programme is visible
                programme=programme, state="pilot", batch__isnull=False
            ).order_by("batch__number")
            self.fields["cycle"].initial = piloted.values_list("batch_id", flat=True).first()
            if first is not None:
                self.fields["version"].initial = first.pk
        if first is not None and not self.is_bound:
            from shidian.apps.acceptance.services.rounds import veto_items_of

            self.fields["veto_lines"].initial = "\n".join(v["text"] for v in veto_items_of(first))

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("请填写名称。"))
        return name

    def clean_veto_lines(self) -> list[str]:
        return _lines(self.cleaned_data.get("veto_lines") or "")

    def clean_expert_usernames(self) -> list:
        from shidian.apps.selection.services.review import find_expert

        return [find_expert(name) for name in _lines(self.cleaned_data.get("expert_usernames"))]

    def clean(self):
        data = super().clean()
        chosen = list(data.get("experts") or []) + list(data.get("expert_usernames") or [])
        data["panel"] = list({u.pk: u for u in chosen}.values())
        return data

    def clean_per_pilot(self) -> int:
        return self.cleaned_data.get("per_pilot") or 2

    def clean_documents(self) -> list[str]:
        return _lines(self.cleaned_data.get("documents") or "")


class ConfirmForm(forms.Form):
    """The due date; the per-pilot outcome and reason are read by the view (one pair a row)."""

    due_on = forms.DateField(
        label=_("有条件通过的整改期限"),
        required=False,
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate() + timedelta(days=DEFAULT_DUE_DAYS)


OUTCOMES = Outcome.choices
