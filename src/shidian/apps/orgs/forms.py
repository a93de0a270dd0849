from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.apps.orgs.models import Level, Locality, OrgUnit, SchoolType
from shidian.apps.orgs.picker import UnitPickerField
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
    zone = UnitPickerField(label=_("片区"), required=False, levels=(Level.ZONE,), help_text="")

    # Set by links from a unit's page ("the primary schools under this zone"); scoped below.
    under = forms.ModelChoiceField(
        required=False, queryset=OrgUnit.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["under"].queryset = OrgUnit.objects.restrict(user)
        zones = zones_for(user)
        self.fields["zone"].queryset = zones
        self.fields["zone"].widget.attrs["placeholder"] = _("全部片区")
        if not zones.exists():
            del self.fields["zone"]

    def filters(self) -> dict[str, Any]:
        # An invalid field (a zone code typed wrong) drops that filter only, not the others.
        self.is_valid()
        return dict(getattr(self, "cleaned_data", {}))


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
    parent_code = UnitPickerField(
        label=_("新上级单位"),
        levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.ZONE),
        help_text=_("输入新上级单位的名称或代码搜索；不使用脚本时填写其代码。"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        # Any unit in scope validates here; unit_move explains why a school or the unit's own
        # subtree cannot be the new parent. The picker only suggests units above schools.
        self.fields["parent_code"].queryset = OrgUnit.objects.restrict(user)
