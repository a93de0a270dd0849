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


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ title * 200000 }}",
        "{{ 200000 * title }}",
        "{{ [title] * 10000000 }}",
        "{{ title.center(1000000000) }}",
        "{{ title|center(1000000000) }}",
        "{{ title|indent(1000000000) }}",
        "{{ '%999999999s' % title }}",
        "{{ '{:>999999999}'.format(title) }}",
        "{{ '%999999999s'|format(title) }}",
        "{{ 9 ** 99999999 }}",
        "{% for i in range(100000000) %}{% endfor %}",
        "{% for i in range(10000) %}{{ title * 2000 }}{% endfor %}",
    ],
)
def test_uploaded_template_cannot_make_huge_output(placeholder):
    """A template that would build megabytes (or a huge number) is refused before it does."""
    from shidian.apps.documents import views
    from shidian.docgen.errors import TemplateInvalid
    from shidian.docgen.render import render_docx

    with pytest.raises(TemplateInvalid) as caught:
        render_docx("notice", views.example_data("notice"), template=_docx_with(placeholder))
    assert caught.value.code == "template_too_big"


def test_uploaded_template_rendering_is_stopped_after_the_time_limit(monkeypatch):
    from shidian.apps.documents import views
    from shidian.docgen import sandbox
    from shidian.docgen.errors import TemplateInvalid
    from shidian.docgen.render import render_docx

    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    loops = "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateInvalid) as caught:
        render_docx("notice", views.example_data("notice"), template=_docx_with(loops))
    assert caught.value.code == "template_too_slow"
    # The thread is usable afterwards: no stray timeout arrives later.
    assert render_docx("notice", views.example_data("notice"), template=_docx_with("{{ title }}"))


def test_preview_of_a_huge_template_is_refused_with_a_message(office_client, tree, office_user):
    from shidian.apps.documents import services

    template = services.template_create(
        unit=tree.county,
        kind="notice",
        name="大模板",
        data=_docx_with("{{ title * 200000 }}{{ body }}"),
        filename="big.docx",
        user=office_user,
    )
    response = office_client.get(
        reverse("documents:template_preview", kwargs={"template_id": template.pk}), follow=True
    )
    assert response.redirect_chain
    assert "模板生成的内容过大" in response.content.decode()
