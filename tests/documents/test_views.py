"""Pages of the documents app with the Django test client (no JavaScript needed)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.documents import jobs, services
from shidian.apps.documents.models import Document, DocumentTemplate, PdfStatus
from shidian.docgen.render import shipped_template
from tests.documents.conftest import example
from tests.runs.helpers import execute

NO_SOFFICE = "/nonexistent/soffice"


@pytest.fixture(autouse=True)
def no_libreoffice(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = NO_SOFFICE


def test_list_says_what_to_install(office_client):
    response = office_client.get(reverse("documents:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "apt-get install -y libreoffice-writer-nogui" in body


def test_coordinator_cannot_use_documents(coordinator_client):
    assert coordinator_client.get(reverse("documents:list")).status_code == 403


def test_generate_notice_and_download_docx(office_client, office_user):
    url = reverse("documents:generate")
    page = office_client.get(url + "?kind=notice&mode=json")
    assert page.status_code == 200
    assert "关于公布2021年智慧校园创建学校名单的通知" in page.content.decode()
    data = example("notice")
    data.pop("number")
    response = office_client.post(
        url,
        {
            "kind": "notice",
            "mode": "json",
            "prefix": "蒲教发",
            "data": json.dumps(data, ensure_ascii=False),
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{doc.pk}/")
    assert doc.number == "蒲教发〔2021〕1号" and doc.author == office_user
    detail = office_client.get(response["Location"]).content.decode()
    assert "蒲教发〔2021〕1号" in detail and "apt-get install" in detail
    download = office_client.get(reverse("documents:docx", kwargs={"document_id": doc.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert (
        office_client.get(reverse("documents:pdf", kwargs={"document_id": doc.pk})).status_code
        == 404
    )


def test_generate_with_yaml_and_bad_image(office_client):
    yaml_text = (
        "issuer: 测试县教育局\ntitle: 测试通知\ndate: 2021-05-01\n"
        "body:\n  - 正文一段。\n  - image: photo.png\n    caption: 照片\n"
    )
    response = office_client.post(
        reverse("documents:generate"),
        {
            "kind": "notice",
            "mode": "json",
            "data": yaml_text,
            "images": [SimpleUploadedFile("photo.png", b"GIF89a-not-really", "image/png")],
        },
    )
    assert response.status_code == 200
    assert "图片无法识别" in response.content.decode()
    assert not Document.objects.exists()


def test_generate_with_broken_data(office_client):
    response = office_client.post(
        reverse("documents:generate"), {"kind": "notice", "mode": "json", "data": "{ not: [valid"}
    )
    assert response.status_code == 200
    assert "数据无法解析" in response.content.decode()


def test_status_partial_for_htmx(office_client, tree, office_user):
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="booklet", data=example("booklet")
    )
    url = reverse("documents:detail", kwargs={"document_id": doc.pk})
    partial = office_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="doc-status"' in partial and "<html" not in partial
    assert 'hx-trigger="every 2s"' in partial and 'role="progressbar"' in partial
    office_client.post(reverse("documents:cancel", kwargs={"document_id": doc.pk}))
    doc.refresh_from_db()
    assert doc.status == "cancelled"
    partial = office_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial


def test_retry_after_failure(office_client, tree, office_user, settings, fake_soffice):
    settings.DOCUMENTS_SOFFICE = fake_soffice
    settings.DOCUMENTS_CONVERT_TIMEOUT = 1
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=example("bulletin")
    )
    execute(jobs.pdf_start(document=doc, by=office_user))
    url = reverse("documents:detail", kwargs={"document_id": doc.pk})
    page = office_client.get(url).content.decode()
    assert "超时" in page and 'class="btn run-retry"' in page
    office_client.post(reverse("documents:retry_pdf", kwargs={"document_id": doc.pk}))
    doc.refresh_from_db()
    assert doc.pdf_status in {PdfStatus.QUEUED, PdfStatus.FAILED}


def test_template_upload_preview_rollback(office_client, tree, office_user):
    response = office_client.post(
        reverse("documents:template_create"), {"kind": "notice", "name": "县局通知"}
    )
    template = DocumentTemplate.objects.get()
    assert response.status_code == 302
    url = reverse("documents:template_detail", kwargs={"template_id": template.pk})
    bad = office_client.post(
        url, {"file": SimpleUploadedFile("macro.docm", shipped_template("notice"))}
    )
    assert "宏" in bad.content.decode()
    good = office_client.post(
        url, {"file": SimpleUploadedFile("v2.docx", shipped_template("notice")), "note": "v2"}
    )
    assert good.status_code == 302
    template.refresh_from_db()
    assert template.current.number == 2
    preview = office_client.get(
        reverse("documents:template_preview", kwargs={"template_id": template.pk})
    )
    assert preview.status_code == 200 and preview.content[:2] == b"PK"
    v1 = template.versions.get(number=1)
    office_client.post(
        reverse(
            "documents:template_rollback",
            kwargs={"template_id": template.pk, "version_id": v1.pk},
        )
    )
    template.refresh_from_db()
    assert template.current == v1


def test_unknown_placeholder_message_names_it(office_client, tree, office_user):
    import io

    from docx import Document as Docx

    template = services.template_create(
        unit=tree.county, kind="notice", name="通知", data=None, filename="a.docx", user=office_user
    )
    doc = Docx(io.BytesIO(shipped_template("notice")))
    doc.add_paragraph("签发人：{{ signer }}")
    buf = io.BytesIO()
    doc.save(buf)
    response = office_client.post(
        reverse("documents:template_detail", kwargs={"template_id": template.pk}),
        {"file": SimpleUploadedFile("t.docx", buf.getvalue())},
    )
    body = response.content.decode()
    assert "signer" in body and "段" in body


def test_outsider_gets_404(outsider_client, tree, office_user):
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=example("bulletin")
    )
    url = reverse("documents:docx", kwargs={"document_id": doc.pk})
    assert outsider_client.get(url).status_code == 404
