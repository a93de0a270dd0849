"""A unit picker that works for a county of 450 units and a province of 7,000+.

``UnitPickerField(queryset=...)`` is a plain text input holding a unit *code*: without
JavaScript a person types the code (as printed on the unit's page and in every export). With
``static/js/picker.js`` the same input searches as you type: it asks ``orgs:pick`` (scoped to the
viewer) for matching units by name, code or path, and shows each hit with its ancestors so the
第一小学 of two districts can be told apart. Whatever the browser sends, the field looks the code
up in its own ``queryset`` (the caller scopes it to the user), so nothing outside it validates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shidian.apps.orgs.models import OrgUnit

PICK_LIMIT = 20


class UnitPickerWidget(forms.TextInput):
    """A text input for a unit code; ``picker.js`` turns it into a search-as-you-type combobox."""

    template_name = "orgs/widgets/unit_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, levels: Iterable[str] = ()) -> None:
        base = {"autocomplete": "off", "spellcheck": "false", "class": "picker-input"}
        super().__init__({**base, **(attrs or {})})
        self.levels = tuple(levels)
        self.queryset: Any = OrgUnit.objects.none()

    def __deepcopy__(self, memo: dict[int, Any]) -> UnitPickerWidget:
        copied = super().__deepcopy__(memo)
        copied.queryset = self.queryset  # querysets are not deep-copied (no evaluation)
        return copied

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = str(value or "").strip()
        selected = self.queryset.filter(code=code).first() if code else None
        from shidian.apps.orgs.selectors import ancestor_names

        context["picker"] = {
            "url": reverse("orgs:pick"),
            "levels": ",".join(self.levels),
            "selected": selected,
            "selected_path": " › ".join(ancestor_names([selected])[selected.pk] + [selected.name])
            if selected
            else "",
        }
        return context


class UnitPickerField(forms.Field):
    """One unit of ``queryset``, chosen by its code. A numeric primary key is accepted too (links
    such as ``?unit=<id>`` and older clients keep working), and so is a full name that only one
    unit of the queryset has."""

    widget = UnitPickerWidget
    default_error_messages = {
        "invalid_choice": _("在您的权限范围内找不到代码为 %(code)s 的单位。"),
    }

    def __init__(
        self,
        *,
        queryset: Any = None,
        levels: Iterable[str] = (),
        widget: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "help_text", _("输入单位名称、代码或上级名称搜索；不使用脚本时直接填写单位代码。")
        )
        super().__init__(widget=widget or UnitPickerWidget(levels=levels), **kwargs)
        self.levels = tuple(levels)
        self.queryset = queryset if queryset is not None else OrgUnit.objects.none()

    @property
    def queryset(self) -> Any:
        return self._queryset

    @queryset.setter
    def queryset(self, value: Any) -> None:
        self._queryset = value
        self.widget.queryset = value

    def __deepcopy__(self, memo: dict[int, Any]) -> UnitPickerField:
        result = super().__deepcopy__(memo)
        result.queryset = self._queryset
        return result

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, OrgUnit):
            return value.code
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            unit = self._lookup(str(value))
            return unit.code if unit else value
        return value

    def _lookup(self, text: str) -> OrgUnit | None:
        qs = self.queryset
        unit = qs.filter(code=text).first() or qs.filter(code__iexact=text).first()
        if unit is None and text.isdigit():
            unit = qs.filter(pk=int(text)).first()
        if unit is None:
            # A name typed in full is fine too, as long as only one unit in reach has it.
            named = list(qs.filter(name=text)[:2])
            unit = named[0] if len(named) == 1 else None
        return unit

    def to_python(self, value: Any) -> OrgUnit | None:
        if isinstance(value, OrgUnit):
            value = value.code
        text = str(value or "").strip()
        if text in self.empty_values:
            return None
        unit = self._lookup(text[:64])
        if unit is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"code": text}
            )
        return unit

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "").strip()
