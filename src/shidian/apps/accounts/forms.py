"""Forms of account management and of the invitation link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts import activation, selectors
from shidian.apps.accounts.models import Invitation, Role, User
from shidian.apps.accounts.onboarding import BULK_ROLES
from shidian.apps.accounts.permissions import ROLE_LEVELS, role_fits_level
from shidian.apps.core.formfields import CleanCharField
from shidian.apps.orgs.models import Level, SchoolType
from shidian.apps.orgs.picker import UnitPickerField


def _role_help() -> str:
    return str(
        _(
            "学校联络人和共同体牵头校属于学校，片区账号属于片区，项目办公室和领导小组属于县级及以上单位，专家可属于任一单位。"
        )
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("电子邮箱"), max_length=254)
    full_name = CleanCharField(label=_("姓名"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = UnitPickerField(label=_("所属单位"))

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.manageable_units(viewer=viewer)
        self.fields["role"].help_text = _role_help()
        self.fields["role"].initial = Role.COORDINATOR

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role, unit = data.get("role"), data.get("unit")
        if role and unit and not role_fits_level(role, unit.level):
            levels = ROLE_LEVELS.get(role) or set()
            self.add_error(
                "unit",
                _("“%(role)s”应属于以下层级的单位：%(levels)s。")
                % {
                    "role": Role(role).label,
                    "levels": "、".join(
                        str(Level(lv).label) for lv in Level.values if lv in levels
                    ),
                },
            )
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("角色"), required=False)
    unit = UnitPickerField(label=_("单位"), required=False, help_text="")
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("active", _("启用")), ("inactive", _("已停用"))],
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("全部角色")), *Role.choices]
        # Any unit of the subtree, found by the picker's search (a province has thousands).
        self.fields["unit"].queryset = selectors.manageable_units(viewer=viewer)
        self.fields["unit"].widget.attrs["placeholder"] = _("全部单位")
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("用户名、姓名、邮箱或单位")}
        )


class InvitationAcceptForm(SetPasswordMixin, forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("登录时使用，可包含字母、数字和 @ . + - _。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    full_name = CleanCharField(
        label=_("姓名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("密码"), label2=_("确认密码")
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用，请换一个。"))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.validate_passwords()
        # Validators such as "too similar to the username" need the would-be user.
        candidate = User(
            username=data.get("username", ""),
            full_name=data.get("full_name", ""),
            email=self.invitation.email,
        )
        self.validate_password_for_user(candidate)
        return data


BULK_ROLE_CHOICES = [
    (Role.COORDINATOR, _("每所学校一个学校联络人账号")),
    (Role.ZONE, _("每个片区一个片区账号")),
]


class BulkAccountsForm(forms.Form):
    root = UnitPickerField(
        label=_("范围"),
        levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.ZONE),
        help_text=_("为该单位之下的单位创建账号。输入名称或代码搜索；不使用脚本时填写单位代码。"),
    )
    role = forms.ChoiceField(
        label=_("创建"),
        choices=BULK_ROLE_CHOICES,
        widget=forms.RadioSelect,
        initial=Role.COORDINATOR,
    )
    school_types = forms.MultipleChoiceField(
        label=_("学校类型（不选则全部）"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label=_("激活码有效天数"),
        min_value=1,
        max_value=activation.MAX_DAYS,
        initial=activation.DEFAULT_DAYS,
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = selectors.manageable_units(viewer=viewer).exclude(
            level=Level.SCHOOL
        )
        if viewer.unit is not None:
            self.fields["root"].initial = viewer.unit.code

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role not in BULK_ROLES:
            raise forms.ValidationError(_("请选择要创建的账号类型。"))
        return role


class ReissueForm(forms.Form):
    days = forms.IntegerField(
        label=_("激活码有效天数"),
        min_value=1,
        max_value=activation.MAX_DAYS,
        initial=activation.DEFAULT_DAYS,
    )


class ActivationCheckForm(forms.Form):
    username = CleanCharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = CleanCharField(
        label=_("激活码"),
        max_length=32,
        help_text=_("项目办公室发放的表格中的激活码，不区分大小写。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


class ActivationPasswordForm(SetPasswordMixin, forms.Form):
    full_name = CleanCharField(
        label=_("姓名"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("密码"), label2=_("确认密码")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.validate_passwords()
        candidate = User(
            username=self.user.username,
            full_name=data.get("full_name") or self.user.full_name,
            email=self.user.email,
        )
        self.validate_password_for_user(candidate)
        return data
