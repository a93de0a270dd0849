"""One rule for control characters in text that people type, paste or import (no Django).

Word pastes a vertical tab for a manual line break, and exported systems leave NULs and other
C0 characters behind. Stored, they break every XLSX written from them (openpyxl refuses them)
and show as boxes on screen. Every way in (imports, forms, the API) cleans text with
:func:`clean_text`; every XLSX writer passes values through :func:`shidian.xlsxcell.safe_value`
so what is already stored cannot break an export.
"""

from __future__ import annotations

import re

# C0 controls and DEL, except tab, line feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Vertical tab and form feed are line breaks in Word and in PDFs pasted from Word.
LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})
SPACES_RE = re.compile(r"[ \t\u00a0\u3000]*[\r\n]+[ \t\u00a0\u3000]*")


def has_control(value: str) -> bool:
    return bool(CONTROL_RE.search(value))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control characters, stripped.

    Single-line text (names, codes) turns line breaks into one space; multi-line text (answers,
    remarks) keeps them as ``\\n``.
    """
    text = value.translate(LINE_BREAKS).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    if not multiline:
        text = SPACES_RE.sub(" ", text).replace("\t", " ")
    return text.strip()


def clean_value(value, *, multiline: bool = False):
    """:func:`clean_text` for strings; anything else is returned as is."""
    return clean_text(value, multiline=multiline) if isinstance(value, str) else value
