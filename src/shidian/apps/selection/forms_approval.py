"""The approval step's forms: the office's note on submitting, the leading group's comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.approval import COMMENT_MAX
from shidian.apps.core.formfields import CleanCharField


class SubmitForm(forms.Form):
    note = CleanCharField(
        label=_("报送说明"),
        max_length=COMMENT_MAX,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如遴选经过、需要领导小组特别关注的学校。"),
    )


class DecisionForm(forms.Form):
    """Approve (comment optional) or return (comment required: the service says so)."""

    comment = CleanCharField(
        label=_("审批意见"),
        max_length=COMMENT_MAX,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("批准时可不填；退回时必须说明需要修改的地方。"),
    )
