"""The exchange page's two forms: import a file, download an export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.exchange.services.imports import DATASETS
from shidian.apps.exchange.summary import CREATE, CREATE_AND_UPDATE, UPDATE

DATASET_CHOICES = [(d.name, d.label) for d in DATASETS.values()]
STRATEGY_CHOICES = [
    (CREATE_AND_UPDATE, _("新增并修改")),
    (CREATE, _("只新增（已有数据不改）")),
    (UPDATE, _("只修改（不新增）")),
]


class ImportForm(forms.Form):
    dataset = forms.ChoiceField(label=_("数据"), choices=DATASET_CHOICES)
    strategy = forms.ChoiceField(label=_("导入策略"), choices=STRATEGY_CHOICES)
    file = forms.FileField(label=_("文件（CSV、JSON 或 Excel）"))


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(label=_("数据"), choices=DATASET_CHOICES)
    key = forms.IntegerField(
        label=_("报表或自查赋分编号"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("不填则导出全部"),
    )
    unit = forms.CharField(label=_("单位代码（含下级）"), required=False, max_length=64)
    format = forms.ChoiceField(label=_("格式"), choices=[("csv", "CSV"), ("json", "JSON")])
