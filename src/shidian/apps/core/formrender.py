"""One way every form renders: ``{{ form }}`` anywhere looks like the rest of the app.

``settings.FORM_RENDERER`` points here. Each field is a ``.field`` block (label with a required
mark, the widget, its errors, its help text); choices are a fieldset with the options in a grid;
a single checkbox sits inside its label. ``{{ form.as_div }}`` and ``{{ field.as_field_group }}``
use the same field template.

Dates: Django's ``DateInput`` is ``type="text"`` and formats the value with the locale's first
input format (``2026/03/01`` in zh-Hans), which a browser's date picker cannot show. Rendered here,
date, time and datetime widgets become ``type="date"``/``"time"``/``"datetime-local"`` with the
ISO value those inputs need; Django parses ISO back in every language.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

# widget class -> (input type, the value format that input type requires)
HTML5_INPUTS: list[tuple[type[forms.Widget], str, str]] = [
    (forms.DateTimeInput, "datetime-local", "%Y-%m-%dT%H:%M"),
    (forms.DateInput, "date", "%Y-%m-%d"),
    (forms.TimeInput, "time", "%H:%M"),
]


def html5_widget(widget: forms.Widget) -> forms.Widget:
    """``widget`` as the browser's native date/time input, or unchanged."""
    for widget_class, input_type, value_format in HTML5_INPUTS:
        if isinstance(widget, widget_class):
            if widget.input_type not in ("text", input_type):
                return widget  # a deliberate other type (hidden, a custom picker)
            native = copy.copy(widget)
            native.input_type = input_type
            native.format = value_format
            return native
    return widget


class AppBoundField(BoundField):
    def as_widget(
        self, widget: forms.Widget | None = None, attrs: dict[str, Any] | None = None, **kwargs: Any
    ) -> str:
        return super().as_widget(html5_widget(widget or self.field.widget), attrs, **kwargs)


class FormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
    bound_field_class = AppBoundField
