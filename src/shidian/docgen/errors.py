"""Errors of the document library: a stable code for the web layer to translate, an English
message for the command line, and parameters (line, name, path...)."""

from __future__ import annotations

from typing import Any


class DocgenError(Exception):
    code = "docgen_error"

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.params = params

    def __str__(self) -> str:
        return self.message


class TemplateInvalid(DocgenError):
    """An uploaded template that cannot be used (not a .docx, macros, zip bomb, bad placeholder)."""

    code = "template_invalid"


class DataInvalid(DocgenError):
    """Input data that does not fit the document type's schema (or an image that is no image)."""

    code = "data_invalid"


class ConversionError(DocgenError):
    """LibreOffice is missing, hung past the timeout, or failed to convert."""

    code = "conversion_failed"
