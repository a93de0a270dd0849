"""Forms of account management and of the invitation link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts import selectors
from shidian.apps.accounts.models import Invitation, Role, User
from shidian.apps.accounts.permissions import ROLE_LEVELS, role_fits_level
from shidian.apps.core.formfields import CleanCharField
from shidian.apps.orgs.models import Level, OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth below the viewer's own unit."""

    def __init__(self, *args: Any, base_depth: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_depth = base_depth

    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = "\u3000" * max(obj.depth - self.base_depth, 0)
        return f"{indent}{obj.name}（{obj.code}）"


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
    unit = UnitChoiceField(label=_("所属单位"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = selectors.manageable_units(viewer=viewer)
        field.base_depth = viewer.unit.depth if viewer.unit else 1
        field.empty_label = _("请选择单位")
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
    unit = UnitChoiceField(label=_("单位"), required=False, queryset=OrgUnit.objects.none())
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("active", _("启用")), ("inactive", _("已停用"))],
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("全部角色")), *Role.choices]
        field = self.fields["unit"]
        # Units above schools only: school names are found by the search box, and a province
        # would otherwise send thousands of options.
        field.queryset = selectors.manageable_units(viewer=viewer).exclude(level=Level.SCHOOL)
        field.base_depth = viewer.unit.depth if viewer.unit else 1
        field.empty_label = _("全部单位")
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
