"""Services of the documents app: templates and versions, generation, regeneration, PDF task
failures and retry, booklets with progress and cancel."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shidian.apps.documents import jobs, services
from shidian.apps.documents.models import Document, NumberCounter, PdfStatus, Status
from shidian.docgen.errors import DataInvalid, TemplateInvalid
from shidian.docgen.render import shipped_template
from tests.documents.conftest import EXAMPLES, example, needs_soffice
from tests.runs.helpers import execute, run_about

NO_SOFFICE = "/nonexistent/soffice"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_template_versions_and_rollback(tree, office_user):
    template = services.template_create(
        unit=tree.county, kind="notice", name="通知", data=None, filename="a.docx", user=office_user
    )
    v1 = template.current
    v2 = services.template_upload(
        template=template, data=shipped_template("notice"), filename="b.docx", user=office_user
    )
    template.refresh_from_db()
    assert template.current == v2 and v2.number == 2
    services.template_rollback(template=template, version=v1, user=office_user)
    template.refresh_from_db()
    assert template.current == v1
    assert template.versions.count() == 2


def test_rejected_upload_leaves_template_untouched(tree, office_user):
    template = services.template_create(
        unit=tree.county, kind="notice", name="通知", data=None, filename="a.docx", user=office_user
    )
    with pytest.raises(TemplateInvalid):
        services.template_upload(
            template=template, data=b"not a docx", filename="x.docx", user=office_user
        )
    template.refresh_from_db()
    assert template.versions.count() == 1 and template.current.number == 1


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_generate_allocates_number_and_stores_inputs(tree, office_user):
    data = example("bulletin")
    data.pop("number")
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=data, prefix="蒲教函"
    )
    assert doc.number == "蒲教函〔2021〕1号"
    assert doc.inputs["number"] == doc.number and doc.author == office_user
    assert doc.status == Status.DONE and doc.docx and doc.pdf_status == PdfStatus.NONE
    again = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=data, prefix="蒲教函"
    )
    assert again.number == "蒲教函〔2021〕2号"


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_failed_generation_leaves_no_gap(tree, office_user):
    data = example("bulletin")
    data.pop("number")
    bad = dict(data, body=[{"image": "missing.png"}])
    with pytest.raises(DataInvalid):
        services.document_generate(
            unit=tree.county, user=office_user, kind="bulletin", data=bad, prefix="蒲教函"
        )
    assert not Document.objects.exists()
    assert not NumberCounter.objects.filter(last__gt=0).exists()
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=data, prefix="蒲教函"
    )
    assert doc.number == "蒲教函〔2021〕1号"


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_regenerate_is_identical(tree, office_user):
    template = services.template_create(
        unit=tree.county, kind="notice", name="通知", data=None, filename="a.docx", user=office_user
    )
    first = services.document_generate(
        unit=tree.county,
        user=office_user,
        kind="notice",
        data=example("notice"),
        template_version=template.current,
    )
    # A newer template version does not change the regenerated document.
    services.template_upload(
        template=template, data=shipped_template("notice"), filename="b.docx", user=office_user
    )
    second = services.document_regenerate(document=first, user=office_user)
    assert second.template_version == first.template_version
    assert second.docx_sha256 == first.docx_sha256
    assert second.regenerated_from == first


def test_pdf_missing_libreoffice_marks_failed_then_retry(tree, office_user, settings):
    settings.DOCUMENTS_SOFFICE = NO_SOFFICE
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=example("bulletin")
    )
    run = execute(jobs.pdf_start(document=doc, by=office_user))
    doc.refresh_from_db()
    assert doc.pdf_status == PdfStatus.FAILED
    assert run.status == "failed" and run.error_code == "soffice_missing"
    assert not doc.pdf
    again = jobs.document_request_pdf(document=doc, user=office_user)
    doc.refresh_from_db()
    assert doc.pdf_status == PdfStatus.QUEUED
    assert again.pk == run.pk and again.status == "queued"  # the same run, retried


def test_pdf_hanging_libreoffice_times_out(tree, office_user, settings, fake_soffice):
    settings.DOCUMENTS_SOFFICE = fake_soffice
    settings.DOCUMENTS_CONVERT_TIMEOUT = 1.5
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="bulletin", data=example("bulletin")
    )
    run = execute(jobs.pdf_start(document=doc, by=office_user))
    doc.refresh_from_db()
    assert doc.pdf_status == PdfStatus.FAILED and run.error_code == "soffice_timeout"
    assert run.attempts == 1 and not doc.pdf


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_booklet_builds_in_background_with_progress(tree, office_user, tmp_path):
    data = example("booklet")
    assets = [(p.name, p.read_bytes()) for p in EXAMPLES.glob("photo*.jpg")]
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="booklet", data=data, assets=assets
    )
    assert doc.status == Status.QUEUED and sorted(doc.assets) == ["photo1.jpg", "photo2.jpg"]
    run = execute(run_about(doc, jobs.BOOKLET))
    doc.refresh_from_db()
    assert doc.status == Status.DONE and run.percent == 100 and doc.docx
    assert run.status == "succeeded" and run.progress_total == len(data["chapters"])


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_booklet_cancel(tree, office_user):
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="booklet", data=example("booklet")
    )
    jobs.document_cancel(document=doc, user=office_user)
    run = execute(run_about(doc, jobs.BOOKLET))
    doc.refresh_from_db()
    assert doc.status == Status.CANCELLED and not doc.docx
    assert run.status == "cancelled" and run.attempts == 0  # never started


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_booklet_with_a_bad_image_fails_clearly(tree, office_user):
    data = example("booklet")
    doc = services.document_generate(
        unit=tree.county,
        user=office_user,
        kind="booklet",
        data=data,
        assets=[("photo1.jpg", b"not an image"), ("photo2.jpg", b"nor this")],
    )
    run = execute(run_about(doc, jobs.BOOKLET))
    doc.refresh_from_db()
    assert doc.status == Status.FAILED and run.error_code == "image_invalid"
    assert not doc.docx


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_demo_documents(tree, office_user, django_capture_on_commit_callbacks):
    from shidian.apps.documents.demo import demo_documents

    with django_capture_on_commit_callbacks(execute=True):
        made = demo_documents(unit=tree.county, user=office_user)
    notice = made["notice"]
    assert notice.title == "关于公布2021年智慧校园创建学校名单的通知"
    assert notice.number == "蒲教发〔2021〕17号" and notice.docx
    booklet = made["booklet"]
    booklet.refresh_from_db()
    assert booklet.status == Status.DONE and len(booklet.assets) == 20
    again = demo_documents(unit=tree.county, user=office_user, booklet=False)
    assert again["notice"] == notice  # idempotent


@needs_soffice
def test_booklet_with_libreoffice_gets_toc_and_pdf(tree, office_user, settings):
    import io
    import zipfile

    settings.DOCUMENTS_SOFFICE = "soffice"
    assets = [(p.name, p.read_bytes()) for p in EXAMPLES.glob("photo*.jpg")]
    doc = services.document_generate(
        unit=tree.county, user=office_user, kind="booklet", data=example("booklet"), assets=assets
    )
    booklet_run = execute(run_about(doc, jobs.BOOKLET))
    pdf_run = execute(run_about(doc, jobs.PDF))  # queued by the booklet when it succeeded
    doc.refresh_from_db()
    assert doc.status == Status.DONE and doc.pdf_status == PdfStatus.DONE
    assert booklet_run.percent == 100 and pdf_run.percent == 100
    with doc.docx.open("rb") as fh:
        body = zipfile.ZipFile(io.BytesIO(fh.read())).read("word/document.xml").decode()
    assert "目录页码在生成" not in body  # the placeholder was replaced by the real entries
    with doc.pdf.open("rb") as fh:
        assert fh.read(4) == b"%PDF"


@override_settings(DOCUMENTS_SOFFICE=NO_SOFFICE)
def test_demo_documents_name_units_of_the_demo_county(db, django_capture_on_commit_callbacks):
    """The demo notice's attachment and the demo booklet's cases are schools of the demo
    county (the samples' fictional names are not in its database)."""
    import io

    from docx import Document as Docx

    from shidian.apps.documents.demo import SAMPLE_FIRST_SCHOOL, demo_documents
    from shidian.apps.orgs.demo import generate_demo_county
    from shidian.apps.orgs.models import OrgUnit
    from shidian.docgen.text import WORD_JOINER

    tree = generate_demo_county(seed=2021)
    with django_capture_on_commit_callbacks(execute=True):
        made = demo_documents(unit=tree.county, user=None)
    schools = {u.name: u for u in OrgUnit.objects.subtree(tree.county).select_related("zone")}
    notice = made["notice"]
    assert notice.inputs["issuer"] == "蒲阳县教育局"
    rows = notice.inputs["attachments"][0]["body"][0]["table"]["rows"]
    assert len(rows) == 5 and len({row[1] for row in rows}) == 5
    for _n, name, stage, zone, _contact in rows:
        assert name in schools, name
        unit = schools[name]
        assert stage == unit.get_school_type_display()
        assert zone and unit.zone.name.endswith(zone)
    assert len({row[2] for row in rows}) >= 3  # a mix of school types
    assert notice.inputs["body"][0].count(rows[0][1]) == 1
    with notice.docx.open("rb") as fh:
        text = "\n".join(p.text for p in Docx(io.BytesIO(fh.read())).paragraphs)
    assert SAMPLE_FIRST_SCHOOL not in text.replace(WORD_JOINER, "")
    authors = {ch["author"] for ch in made["booklet"].inputs["chapters"]}
    assert authors <= set(schools) and len(authors) == 10
