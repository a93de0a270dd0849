"""The case pages through the test client (no JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.cases.models import Case
from tests.cases.factories import TEXT, coordinator_of, image_bytes, png_upload, published, sheet
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_office_opens_a_call_and_pilot_fills_and_office_accepts(tree, client):
    w = pilot_world(tree)
    client.force_login(w.office)
    programme_url = reverse("cases:programme", kwargs={"programme_id": w.programme.pk})
    assert client.get(programme_url).status_code == 200
    response = client.post(programme_url, {"name": "优秀案例征集", "due": ""})
    assert response.status_code == 302
    s = sheet(tree)
    url = reverse("cases:submission", kwargs={"case_submission_id": s.pk})

    client.force_login(coordinator_of(tree))
    library = client.get(reverse("cases:library")).content.decode()
    assert url in library  # the school's own case to fill
    attach = reverse("cases:submission_attach", kwargs={"case_submission_id": s.pk})
    client.post(attach, {"item_code": "images", "file": png_upload(data=image_bytes())})
    image = s.evidence.get()
    body = TEXT["body"] + f"\n\n[图片:{image.pk}]"
    response = client.post(
        url, {**TEXT, "body": body, "base_version": s.version + 0, "action": "submit"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    s.refresh_from_db()
    assert s.status == "submitted"

    client.force_login(w.office)
    page = client.get(url).content.decode()
    assert 'id="accept"' in page and "<img" in page
    decide = reverse("cases:submission_decide", kwargs={"case_submission_id": s.pk})
    assert (
        "退回"
        in client.post(decide, {"action": "return", "note": ""}, follow=True).content.decode()
    )
    s.refresh_from_db()
    assert s.status == "submitted"
    response = client.post(decide, {"action": "accept"})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case", kwargs={"case_id": case.pk})
    detail = client.get(response["Location"]).content.decode()
    file_url = reverse("cases:case_file", kwargs={"case_id": case.pk, "case_file_id": image.pk})
    assert f'src="{file_url}"' in detail
    assert client.get(file_url).status_code == 200


def test_library_highlights_and_escapes(tree, client):
    published(tree, title="<b>课堂</b>里的试点")
    client.force_login(coordinator_of(tree, tree.school2))
    page = client.get(reverse("cases:library"), {"q": "课堂"}).content.decode()
    assert "&lt;b&gt;<mark>课堂</mark>&lt;/b&gt;" in page
    assert "<b>课堂" not in page
    partial = client.get(reverse("cases:library"), {"q": "试点"}, HTTP_HX_REQUEST="true")
    assert "<mark>试点</mark>" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_programme_page_shows_the_cases_card(tree, client):
    w = pilot_world(tree)
    client.force_login(w.office)
    page = client.get(reverse("programmes:detail", kwargs={"programme_id": w.programme.pk}))
    assert (
        reverse("cases:programme", kwargs={"programme_id": w.programme.pk}) in page.content.decode()
    )


def test_home_card_for_a_pilot(tree, client):
    from tests.cases.factories import call

    call(tree)
    client.force_login(coordinator_of(tree))
    page = client.get("/").content.decode()
    assert 'id="cases-home"' in page and reverse("cases:library") in page
