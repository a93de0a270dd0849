"""Bad input: templates that are not .docx, macros, zip bombs, broken or unknown placeholders;
LibreOffice missing or hanging."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from docx import Document

from shidian.docgen import convert
from shidian.docgen.errors import ConversionError, TemplateInvalid
from shidian.docgen.render import render_docx, shipped_template
from shidian.docgen.validate import check_template
from tests.documents.conftest import example, needs_soffice


def docx_with_paragraphs(*texts: str) -> bytes:
    doc = Document(io.BytesIO(shipped_template("notice")))
    for text in texts:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_shipped_templates_pass():
    for kind in ("notice", "bulletin", "commendation", "booklet"):
        assert check_template(shipped_template(kind), kind=kind).fields


def test_not_a_docx():
    with pytest.raises(TemplateInvalid) as err:
        check_template(b"%PDF-1.4 not a word file", kind="notice", filename="x.docx")
    assert err.value.code == "template_not_docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "a zip, but no Word document")
    with pytest.raises(TemplateInvalid) as err:
        check_template(buf.getvalue(), kind="notice")
    assert err.value.code == "template_not_docx"


def test_macro_enabled():
    with pytest.raises(TemplateInvalid) as err:
        check_template(shipped_template("notice"), kind="notice", filename="x.docm")
    assert err.value.code == "template_macro"
    src = zipfile.ZipFile(io.BytesIO(shipped_template("notice")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        zf.writestr("word/vbaProject.bin", b"\x00" * 100)
    with pytest.raises(TemplateInvalid) as err:
        check_template(buf.getvalue(), kind="notice", filename="innocent.docx")
    assert err.value.code == "template_macro"


def test_zip_bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (120 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(TemplateInvalid) as err:
        check_template(buf.getvalue(), kind="notice")
    assert err.value.code == "template_bomb"


def test_broken_placeholder_names_the_paragraph():
    data = docx_with_paragraphs("正常段落", "这里的占位符坏了：{{ title }")
    with pytest.raises(TemplateInvalid) as err:
        check_template(data, kind="notice")
    assert err.value.code == "template_syntax"
    assert err.value.params["line"] > 0
    assert "占位符坏了" in err.value.message


def test_unknown_placeholder_names_it():
    data = docx_with_paragraphs("发文人：{{ sender_name }}")
    with pytest.raises(TemplateInvalid) as err:
        check_template(data, kind="notice")
    assert err.value.code == "template_unknown_field"
    assert err.value.params["name"] == "sender_name"
    assert err.value.params["line"] > 0
    assert "sender_name" in err.value.message


def test_missing_required_placeholder():
    doc = Document()
    doc.add_paragraph("{{ title }}")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(TemplateInvalid) as err:
        check_template(buf.getvalue(), kind="notice")
    assert err.value.code == "template_missing_field"


def test_libreoffice_missing(tmp_path):
    docx = tmp_path / "a.docx"
    docx.write_bytes(render_docx("bulletin", example("bulletin")))
    out = tmp_path / "a.pdf"
    with pytest.raises(ConversionError) as err:
        convert.docx_to_pdf(docx, out, soffice=str(tmp_path / "no-such-soffice"))
    assert err.value.code == "soffice_missing"
    assert "apt-get install" in err.value.message
    assert not out.exists()


def test_libreoffice_hanging_is_stopped(tmp_path, fake_soffice):
    docx = tmp_path / "a.docx"
    docx.write_bytes(render_docx("bulletin", example("bulletin")))
    out = tmp_path / "a.pdf"
    started = time.monotonic()
    with pytest.raises(ConversionError) as err:
        convert.docx_to_pdf(docx, out, soffice=fake_soffice, timeout=1.5)
    assert err.value.code == "soffice_timeout"
    assert time.monotonic() - started < 10
    assert not out.exists()
    assert not list(tmp_path.glob(".part-*"))  # nothing half-written


@needs_soffice
def test_two_conversions_at_once_use_their_own_profiles(tmp_path):
    """One LibreOffice profile per worker thread: simultaneous conversions do not block."""
    import threading

    docx = tmp_path / "a.docx"
    docx.write_bytes(render_docx("bulletin", example("bulletin")))
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            convert.docx_to_pdf(docx, tmp_path / f"{i}.pdf", timeout=120)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert (tmp_path / "0.pdf").read_bytes()[:4] == b"%PDF" == (tmp_path / "1.pdf").read_bytes()[:4]


@needs_soffice
def test_without_python3_uno_falls_back_to_convert_to(tmp_path):
    docx = tmp_path / "a.docx"
    docx.write_bytes(render_docx("bulletin", example("bulletin")))
    out = tmp_path / "a.pdf"
    convert.docx_to_pdf(docx, out, python=str(tmp_path / "no-python"))
    assert out.read_bytes()[:4] == b"%PDF"
    with pytest.raises(ConversionError) as err:
        convert.update_toc_and_export(
            docx, docx_out=None, pdf_out=out, python=str(tmp_path / "no-python")
        )
    assert err.value.code == "uno_missing"


def test_sc_faces_are_extracted_with_sc_names(tmp_path):
    """The SC face of a Noto CJK collection becomes a file of its own whose CFF names say "sc"
    (LibreOffice names the PDF's embedded fonts after them)."""
    from PIL import ImageFont

    from shidian.docgen import fonts

    faces = [f for f in fonts.find_sc_faces() if f.collection.name == "NotoSerifCJK-Regular.ttc"]
    assert faces, "fonts-noto-cjk is needed: " + convert.INSTALL_HINT
    data = fonts.extract_face(faces[0].collection, faces[0].index)
    assert b"CJKjp" not in data and b"NotoSerifCJKsc-Regular" in data
    path = tmp_path / "sc.otf"
    path.write_bytes(data)
    assert ImageFont.truetype(str(path), 20).getname() == ("Noto Serif CJK SC", "Regular")


def test_fontconfig_file_without_noto_collections(monkeypatch, tmp_path):
    from shidian.docgen import fonts

    monkeypatch.setenv("SHIDIAN_FONT_DIR", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "find_sc_faces", lambda: [])
    assert fonts.fontconfig_file() == fonts.FONTS_CONF  # the plain mapping, no error
