"""Security review: a new template's file is size-checked by the form, before it is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.documents import forms, services
from shidian.apps.documents.models import DocumentTemplate

pytestmark = pytest.mark.django_db


def test_template_create_refuses_an_oversized_file(office_client, monkeypatch):
    monkeypatch.setattr(forms, "MAX_TEMPLATE_UPLOAD", 100)

    def must_not_run(**kwargs):
        raise AssertionError("template_create got an oversized file")

    monkeypatch.setattr(services, "template_create", must_not_run)
    upload = SimpleUploadedFile("big.docx", b"PK\x03\x04" + b"x" * 200)
    response = office_client.post(
        reverse("documents:template_create"), {"kind": "notice", "name": "大文件", "file": upload}
    )
    assert response.status_code == 200
    assert "10 MB" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("reference", ["{abs}", "../{rel}", "sub/../../{rel}"])
def test_generated_document_cannot_embed_a_server_file(tree, office_user, tmp_path, reference):
    """Images in the web's data are the uploaded ones only: a path to another file on the server
    (another county's evidence photo, say) is refused, not embedded."""
    from django.test import override_settings

    from shidian.apps.documents import views
    from shidian.docgen.errors import DataInvalid

    secret = tmp_path / "secret.jpg"
    secret.write_bytes((views.EXAMPLES / "photo1.jpg").read_bytes())
    data = views.example_data("bulletin")
    data.pop("number", None)
    name = reference.format(abs=secret, rel=f"../../../../../../../..{secret}")
    data["body"] = [{"image": name}]
    with (
        override_settings(DOCUMENTS_SOFFICE="/nonexistent/soffice"),
        pytest.raises(DataInvalid) as caught,
    ):
        services.document_generate(unit=tree.county, user=office_user, kind="bulletin", data=data)
    assert caught.value.code == "image_missing"


def _docx_with(text: str) -> bytes:
    import io

    from docx import Document as Docx

    doc = Docx()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_uploaded_template_runs_sandboxed():
    """An office's own .docx template is Jinja: it must not reach Python internals (that is a
    way to run code on the server)."""
    from shidian.apps.documents import views
    from shidian.docgen.errors import TemplateInvalid
    from shidian.docgen.render import render_docx

    data = views.example_data("notice")
    probe = _docx_with("{{ title.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateInvalid):
        render_docx("notice", data, template=probe)
    # An ordinary placeholder still renders.
    assert render_docx("notice", data, template=_docx_with("{{ title }}"))
