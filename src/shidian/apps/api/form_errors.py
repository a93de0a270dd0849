"""A page's form refusing an API body: 422 with the form's own messages, each named by the
field's label as the page shows it beside the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from shidian.apps.api.errors import ApiError


def form_refused(form: forms.Form, *, code: str = "invalid") -> ApiError:
    """The ApiError for an invalid bound ``form``: every problem in ``details`` (with its
    field), all of them in ``message``."""
    details = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for message in errors:
            text = _("%(field)s：%(message)s") % {"field": label, "message": message}
            details.append({"loc": ["body", field], "message": text if label else message})
    return ApiError(422, code, "；".join(d["message"] for d in details), details)
