"""Fixtures of the document tests: rendered PDFs are cached per session (each conversion costs
LibreOffice seconds), and a tiny fake soffice for the failure paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shidian.docgen import convert
from shidian.docgen.render import render_docx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "documents"


@pytest.fixture
def _require_soffice():
    """.ci/run and `make demo` install LibreOffice and poppler; a missing one fails, not skips."""
    if not (convert.available() and shutil.which("pdftotext")):
        pytest.fail(
            "LibreOffice and poppler-utils are needed: " + convert.INSTALL_HINT + " poppler-utils"
        )


needs_soffice = pytest.mark.usefixtures("_require_soffice")


def example(kind: str) -> dict:
    return json.loads((EXAMPLES / f"{kind}.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """kind -> (docx path, pdf path), made once per session."""
    cache: dict[str, tuple[Path, Path]] = {}
    out = tmp_path_factory.mktemp("rendered")

    def get(kind: str, data: dict | None = None, name: str | None = None):
        key = name or kind
        if key not in cache:
            docx = out / f"{key}.docx"
            docx.write_bytes(render_docx(kind, data or example(kind), base_dir=EXAMPLES))
            pdf = out / f"{key}.pdf"
            if kind == "booklet":
                convert.update_toc_and_export(docx, docx_out=out / f"{key}-toc.docx", pdf_out=pdf)
            else:
                convert.docx_to_pdf(docx, pdf)
            cache[key] = (docx, pdf)
        return cache[key]

    return get


@pytest.fixture
def fake_soffice(tmp_path):
    """A soffice that hangs (sleeps), to test the timeout."""
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    return str(script)
