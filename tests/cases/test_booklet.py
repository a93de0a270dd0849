"""The booklet draft (汇编成册): services (order kept, scope, bad input, all or nothing), the
pages without JavaScript and with HTMX, and the compiled booklet's chapters."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shidian.apps.cases import booklets
from shidian.apps.cases.models import CaseBooklet, CaseBookletItem
from shidian.apps.cases.services import case_attach
from shidian.apps.core.models import AuditEvent
from tests.cases.factories import coordinator_of, image_bytes, png_upload, published, sheet
from tests.conftest import make_user
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = "/nonexistent/soffice"  # .docx only here; the PDF: browser test


def three_cases(tree):
    w = pilot_world(tree)
    titles = ["课堂观察的数字化实践", "专递课堂开齐开足", "家校共育平台建设"]
    return [published(tree, unit, title=t) for unit, t in zip(w.pilots[:3], titles, strict=True)]


def _titles(booklet):
    return [i.case.title for i in booklet.items.select_related("case").order_by("position")]


def test_create_defaults_the_title_and_needs_the_office(tree):
    w = pilot_world(tree)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    assert booklet.title == f"{w.programme.name}典型案例汇编"
    assert AuditEvent.objects.filter(action="cases.booklet_create").count() == 1
    with pytest.raises(PermissionDenied):
        booklets.booklet_create(by=coordinator_of(tree), programme=w.programme)
    with pytest.raises(ValidationError):
        booklets.booklet_update(booklet=booklet, by=w.office, title="  ", foreword="")


def test_add_keeps_the_order_and_moves_swap(tree):
    w = pilot_world(tree)
    a, b, c = three_cases(tree)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[str(c.pk), str(a.pk)])
    booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[b.pk])
    assert _titles(booklet) == [c.title, a.title, b.title]
    first, second, third = booklet.items.order_by("position")
    booklets.booklet_move(booklet=booklet, by=w.office, item_id=third.pk, direction="up")
    assert _titles(booklet) == [c.title, b.title, a.title]
    booklets.booklet_move(booklet=booklet, by=w.office, item_id=first.pk, direction="up")
    assert _titles(booklet) == [c.title, b.title, a.title]  # the top stays
    booklets.booklet_remove(booklet=booklet, by=w.office, item_id=first.pk)
    assert _titles(booklet) == [b.title, a.title]
    assert list(booklet.items.values_list("position", flat=True)) == [1, 2]
    with pytest.raises(ValidationError):
        booklets.booklet_move(booklet=booklet, by=w.office, item_id=second.pk, direction="left")


def test_bad_input_saves_nothing(tree):
    w = pilot_world(tree)
    a, b, _c = three_cases(tree)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    with pytest.raises(ValidationError, match="请至少选择"):
        booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[])
    booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[a.pk])
    with pytest.raises(ValidationError, match="已在汇编中"):
        booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[b.pk, a.pk])
    with pytest.raises(ValidationError, match="已在汇编中"):
        booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[b.pk, b.pk])
    with pytest.raises(booklets.ItemNotFound):
        booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[b.pk, 999999])
    with pytest.raises(booklets.ItemNotFound):
        booklets.booklet_add(booklet=booklet, by=w.office, case_ids=["x"])
    assert _titles(booklet) == [a.title]  # nothing of the refused calls was saved


def test_cases_of_another_programme_or_unpublished_are_not_found(tree):
    from shidian.apps.cases.models import Case

    w = pilot_world(tree)
    a = three_cases(tree)[0]
    outsider_office = make_user("b-office", tree.other_county, "office")
    from shidian.apps.programmes.services import CycleInput, programme_create

    other = programme_create(
        by=None, unit=tree.other_county, name="乙县试点", start_year=2026, end_year=2027,
        scope_root=tree.other_county, scope_levels=["school"], cycles=[CycleInput(2026, 1)],
    )  # fmt: skip
    theirs = booklets.booklet_create(by=outsider_office, programme=other)
    with pytest.raises(booklets.ItemNotFound):  # a case of county A, invisible to county B
        booklets.booklet_add(booklet=theirs, by=outsider_office, case_ids=[a.pk])
    with pytest.raises(PermissionDenied):  # county A's office cannot edit county B's draft
        booklets.booklet_add(booklet=theirs, by=w.office, case_ids=[a.pk])
    assert not CaseBookletItem.objects.exists()
    assert Case.objects.count() == 3


def test_compile_makes_a_booklet_document_with_the_chapters_in_order(
    tree, django_capture_on_commit_callbacks
):
    w = pilot_world(tree)
    s = sheet(tree)
    image = case_attach(
        submission=s, user=coordinator_of(tree), item_code="images",
        upload=png_upload(data=image_bytes()),
    )  # fmt: skip
    a = published(
        tree,
        title="带图片的案例",
        body=f"一、做法\n教研组集体备课。\n[图片:{image.pk}]\n[图：other.png]",
    )
    b = published(tree, pilot_world(tree).pilots[1], title="第二个案例")
    booklet = booklets.booklet_create(by=w.office, programme=w.programme, foreword="这是前言。")
    with pytest.raises(ValidationError, match="还没有案例"):
        booklets.booklet_compile(booklet=booklet, by=w.office)
    booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[b.pk, a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        document = booklets.booklet_compile(booklet=booklet, by=w.office)
    document.refresh_from_db()
    assert document.kind == "booklet" and document.programme_id == w.programme.pk
    assert document.unit_id == w.programme.unit_id
    chapters = document.inputs["chapters"]
    assert [c["title"] for c in chapters] == ["第二个案例", "带图片的案例"]
    assert chapters[1]["author"] == tree.school.name
    assert "学科：数学" in chapters[1]["meta"] and chapters[1]["summary"]
    images = [x for x in chapters[1]["body"] if isinstance(x, dict) and "image" in x]
    assert [x["image"] for x in images] == [f"case{s.pk}-{image.pk}.png"]  # the typed one dropped
    assert document.assets == [f"case{s.pk}-{image.pk}.png"]
    assert document.status == "done" and document.docx  # the booklet run ran (test backend)
    with document.docx.open("rb") as fh:
        xml = zipfile.ZipFile(io.BytesIO(fh.read())).read("word/document.xml").decode()
    assert xml.index("第二个案例") < xml.index("带图片的案例")
    assert "前  言" in xml and "摘要：" in xml and xml.count("<pic:pic") == 1
    booklet.refresh_from_db()
    assert booklet.document_id == document.pk
    assert AuditEvent.objects.filter(action="cases.booklet_compile").count() == 1


def test_acceptance_summaries_can_be_chapters(tree):
    from tests.acceptance.factories import create, file_report

    w = pilot_world(tree)
    acceptance = create(tree)
    report = file_report(acceptance, w, tree.school)
    draft = file_report(acceptance, w, tree.school2, submit=False)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    with pytest.raises(booklets.ItemNotFound):  # not handed in yet
        booklets.booklet_add(booklet=booklet, by=w.office, summary_ids=[draft.pk])
    booklets.booklet_add(booklet=booklet, by=w.office, summary_ids=[report.pk])
    items = list(
        booklet.items.select_related("case__unit", "submission__unit", "submission__round")
    )
    from shidian.apps.cases.booklet_chapters import chapters_for

    chapters, assets = chapters_for(items)
    assert chapters[0]["title"] == f"{tree.school.name}试点工作总结报告"
    assert chapters[0]["body"] == [f"{tree.school.name}三年创建工作总结。"]
    assert chapters[0]["attachments"] == ["总结报告.pdf"]
    assert list(assets) == []


# --- pages ------------------------------------------------------------------------------------


def test_pages_choose_reorder_and_compile(tree, client, django_capture_on_commit_callbacks):
    w = pilot_world(tree)
    a, b, c = three_cases(tree)
    client.force_login(w.office)
    programme_page = client.get(reverse("cases:programme", kwargs={"programme_id": w.programme.pk}))
    assert 'id="booklets-link"' in programme_page.content.decode()
    url = reverse("cases:booklets", kwargs={"programme_id": w.programme.pk})
    assert f"{w.programme.name}典型案例汇编" in client.get(url).content.decode()
    response = client.post(url, {"title": "甲县典型案例汇编", "foreword": "前言"})
    booklet = CaseBooklet.objects.get()
    assert response["Location"] == reverse("cases:booklet", kwargs={"case_booklet_id": booklet.pk})
    page = client.get(response["Location"]).content.decode()
    assert 'id="booklet-empty"' in page and all(x.title in page for x in (a, b, c))

    add = reverse("cases:booklet_add", kwargs={"case_booklet_id": booklet.pk})
    empty = client.post(add, {}, follow=True).content.decode()
    assert "请至少选择一个案例或总结报告" in empty
    client.post(add, {"case": [a.pk, b.pk, c.pk]})
    assert _titles(booklet) == [a.title, b.title, c.title]
    assert "已在汇编中" in client.post(add, {"case": [a.pk]}, follow=True).content.decode()
    assert client.post(add, {"case": [a.pk, 999999]}).status_code == 404
    assert booklet.items.count() == 3

    move = reverse("cases:booklet_move", kwargs={"case_booklet_id": booklet.pk})
    last = booklet.items.order_by("position").last()
    response = client.post(move, {"item": last.pk, "direction": "up"})  # plain POST
    assert response.status_code == 302 and response["Location"].endswith("#items")
    assert _titles(booklet) == [a.title, c.title, b.title]
    partial = client.post(
        move, {"item": last.pk, "direction": "up"}, headers={"HX-Request": "true"}
    )
    html = partial.content.decode()
    assert html.startswith('<section class="card" id="items">') and "<html" not in html
    assert html.index(c.title) < html.index(a.title) < html.index(b.title)
    assert client.post(move, {"item": "abc", "direction": "up"}).status_code == 404

    remove = reverse("cases:booklet_remove", kwargs={"case_booklet_id": booklet.pk})
    client.post(remove, {"item": booklet.items.get(case=b).pk})
    assert _titles(booklet) == [c.title, a.title]

    compile_url = reverse("cases:booklet_compile", kwargs={"case_booklet_id": booklet.pk})
    with django_capture_on_commit_callbacks(execute=True):  # the run, as a worker would
        response = client.post(compile_url)
    assert response.status_code == 302
    booklet.refresh_from_db()
    assert booklet.document is not None
    page = client.get(response["Location"]).content.decode()
    assert 'class="card run-card"' in page and 'data-run-status="succeeded"' in page
    assert 'id="dl-docx"' in page


def test_other_people_cannot_edit(tree, client):
    w = pilot_world(tree)
    a = three_cases(tree)[0]
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    url = reverse("cases:booklet", kwargs={"case_booklet_id": booklet.pk})
    add = reverse("cases:booklet_add", kwargs={"case_booklet_id": booklet.pk})
    client.force_login(coordinator_of(tree))  # a pilot school: reads cases, not the draft
    assert client.get(url).status_code == 404
    assert client.post(add, {"case": [a.pk]}).status_code == 404
    client.force_login(make_user("b-office", tree.other_county, "office"))
    assert client.get(url).status_code == 404
    assert client.post(add, {"case": [a.pk]}).status_code == 404
    assert not booklet.items.exists()


def test_title_and_foreword_are_checked(tree, client):
    w = pilot_world(tree)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    client.force_login(w.office)
    url = reverse("cases:booklet", kwargs={"case_booklet_id": booklet.pk})
    response = client.post(url, {"title": "", "foreword": "x"})
    assert response.status_code == 400 and "请填写汇编标题" in response.content.decode()
    client.post(url, {"title": "新标题", "foreword": "第一段\n第二段"})
    booklet.refresh_from_db()
    assert booklet.title == "新标题" and booklet.foreword == "第一段\n第二段"
