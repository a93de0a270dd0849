"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms

from shidian.textclean import clean_text


class CleanCharField(forms.CharField):
    """A CharField whose value has no control characters (``shidian.textclean.clean_text``).

    Cleaned before validation, so a NUL or a vertical tab pasted from Word is dropped instead of
    failing the form with "Null characters are not allowed" or reaching the database.
    """

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return clean_text(text, multiline=self.multiline) if text else text


def date_input() -> forms.DateInput:
    """The browser's date picker: it only takes ISO dates, whatever the page's language."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
