from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.apps.orgs.models import Level, Locality, OrgUnit, SchoolType
from shidian.apps.orgs.selectors import zones_for


def _blank(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class UnitFilterForm(forms.Form):
    q = CleanCharField(
        label=_("名称或代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("搜索名称或代码")}),
    )
    level = forms.ChoiceField(
        label=_("层级"), required=False, choices=_blank(Level.choices, _("全部层级"))
    )
    school_type = forms.ChoiceField(
        label=_("学校类型"), required=False, choices=_blank(SchoolType.choices, _("全部类型"))
    )
    locality = forms.ChoiceField(
        label=_("城乡"), required=False, choices=_blank(Locality.choices, _("全部城乡"))
    )
    zone = forms.ModelChoiceField(
        label=_("片区"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("全部片区")
    )

    # Set by links from a unit's page ("the primary schools under this zone"); scoped below.
    under = forms.ModelChoiceField(
        required=False, queryset=OrgUnit.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["under"].queryset = OrgUnit.objects.restrict(user)
        zones = zones_for(user)
        self.fields["zone"].queryset = zones
        if not zones.exists():
            del self.fields["zone"]

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("单位文件"),
        help_text=_("XLSX 或 CSV（UTF-8 或 GBK），第一行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件超过 %(limit)d MB，请拆分后再上传。"), params={"limit": limit // 2**20}
            )
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
        return upload


class UnitMoveForm(forms.Form):
    parent_code = CleanCharField(
        label=_("新上级单位代码"),
        max_length=32,
        help_text=_("填写新上级单位的代码。"),
        widget=forms.TextInput(attrs={"list": "parent-options", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_parent_code(self) -> OrgUnit:
        code = self.cleaned_data["parent_code"]
        parent = OrgUnit.objects.restrict(self.user).filter(code=code).first()
        if parent is None:
            raise forms.ValidationError(
                _("在您的权限范围内找不到代码为 %(code)s 的单位。"), params={"code": code}
            )
        return parent
