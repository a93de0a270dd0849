"""Forms of the notification pages: preferences and push endpoints."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.notifications.categories import categories
from shidian.apps.notifications.models import EmailChoice, WebhookFormat

FIELD_PREFIX = "email_"


class PreferencesForm(forms.Form):
    """One e-mail choice per category; in-app notifications are always kept."""

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[FIELD_PREFIX + row["category"]] = forms.ChoiceField(
                label=row["label"], choices=EmailChoice.choices, initial=row["email"]
            )

    def choices(self) -> dict[str, str]:
        return {name[len(FIELD_PREFIX) :]: value for name, value in self.cleaned_data.items()}


def category_choices() -> list[tuple[str, Any]]:
    return [(c.prefix, c.label) for c in categories()]


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.CharField(
        label=_("推送地址"),
        max_length=500,
        help_text=_("企业微信或钉钉群机器人的 Webhook 地址，或本单位接收服务的地址。"),
    )
    format = forms.ChoiceField(label=_("格式"), choices=WebhookFormat.choices)
    secret = forms.CharField(
        label=_("密钥"),
        required=False,
        max_length=200,
        help_text=_("钉钉“加签”的密钥填在这里；通用格式留空时自动生成；修改时留空则不变。"),
    )
    categories = forms.MultipleChoiceField(
        label=_("订阅的类别"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选即推送全部类别。"),
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_choices()
        if editing:
            self.fields["new_secret"] = forms.BooleanField(label=_("重新生成密钥"), required=False)
