from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shidian.apps.programmes.models import Participation, ParticipationEvent
from tests.api.helpers import bearer
from tests.programmes.factories import participation, programme

pytestmark = pytest.mark.django_db


def test_units_are_the_users_subtree(client, tree, office_user):
    got = client.get(reverse("api-v1:units"), **bearer(office_user, ["units:read"]))
    assert got.status_code == 200
    codes = {row["code"] for row in got.json()["items"]}
    assert {"A", "A1", "A1-1", "A1-2"} <= codes
    assert "B-1" not in codes and got.json()["count"] == len(codes)
    filtered = client.get(
        reverse("api-v1:units") + "?level=school&limit=1", **bearer(office_user, ["units:read"])
    ).json()
    assert filtered["count"] == 2 and len(filtered["items"]) == 1


def test_wrong_scope_is_403_with_a_code_and_message(client, tree, office_user):
    got = client.get(reverse("api-v1:units"), **bearer(office_user, ["programmes:read"]))
    assert got.status_code == 403
    assert got.json()["code"] == "scope" and "units:read" in got.json()["message"]


def test_errors_follow_accept_language(client, db):
    zh = client.get(reverse("api-v1:units"))
    en = client.get(reverse("api-v1:units"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert zh.status_code == en.status_code == 401
    assert zh.json()["code"] == en.json()["code"] == "unauthenticated"
    assert "令牌" in zh.json()["message"]
    assert "token" in en.json()["message"].lower()


def test_a_body_over_the_upload_limit_is_one_error_body(client, tree, office_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    row = participation(tree)
    url = reverse("api-v1:participation", kwargs={"participation_id": row.pk})
    headers = bearer(office_user, ["programmes:write"])
    body = json.dumps({"state": "recommended", "pad": "x" * 2048})
    got = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH='"x"', **headers)
    assert got.status_code == 413 and got.json()["code"] == "too_large"
    assert Participation.objects.get(pk=row.pk).state == "eligible"


def test_participation_move_needs_a_fresh_etag(client, tree, office_user):
    row = participation(tree)
    url = reverse("api-v1:participation", kwargs={"participation_id": row.pk})
    headers = bearer(office_user, ["programmes:write"])
    read = client.get(url, **headers)
    etag = read["ETag"]
    body = json.dumps({"state": "recommended"})

    missing = client.patch(url, body, content_type="application/json", **headers)
    assert missing.status_code == 428
    stale = client.patch(
        url, body, content_type="application/json", HTTP_IF_MATCH='"old"', **headers
    )
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert Participation.objects.get(pk=row.pk).state == "eligible"

    moved = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "recommended" and moved["ETag"] != etag
    assert ParticipationEvent.objects.filter(participation=row).exists()
    again = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert again.status_code == 412


def test_illegal_move_is_refused_and_changes_nothing(client, tree, office_user):
    row = participation(tree)
    url = reverse("api-v1:participation", kwargs={"participation_id": row.pk})
    headers = bearer(office_user, ["programmes:write"])
    etag = client.get(url, **headers)["ETag"]
    got = client.patch(
        url,
        json.dumps({"state": "accepted"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **headers,
    )
    assert got.status_code == 422 and got.json()["code"] == "refused"
    assert Participation.objects.get(pk=row.pk).state == "eligible"


def test_read_scope_cannot_write(client, tree, office_user):
    row = participation(tree)
    url = reverse("api-v1:participation", kwargs={"participation_id": row.pk})
    headers = bearer(office_user, ["programmes:read"])
    etag = client.get(url, **headers)["ETag"]
    got = client.patch(
        url,
        '{"state": "recommended"}',
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **headers,
    )
    assert got.status_code == 403
    assert Participation.objects.get(pk=row.pk).state == "eligible"


def test_school_token_cannot_move_its_own_participation(client, tree, coordinator):
    row = participation(tree)
    url = reverse("api-v1:participation", kwargs={"participation_id": row.pk})
    headers = bearer(coordinator)
    read = client.get(url, **headers)
    assert read.status_code == 200
    got = client.patch(
        url,
        '{"state": "recommended"}',
        content_type="application/json",
        HTTP_IF_MATCH=read["ETag"],
        **headers,
    )
    assert got.status_code == 403
    assert Participation.objects.get(pk=row.pk).state == "eligible"


def test_programme_lists_and_participations(client, tree, office_user):
    made = programme(tree)
    headers = bearer(office_user, ["programmes:read"])
    listed = client.get(reverse("api-v1:programmes"), **headers).json()
    assert [p["id"] for p in listed["items"]] == [made.pk]
    assert [b["year"] for b in listed["items"][0]["batches"]] == [2021, 2022, 2023]
    rows = client.get(
        reverse("api-v1:participations", kwargs={"programme_id": made.pk}) + "?state=eligible",
        **headers,
    ).json()
    assert rows["count"] == 2 and {r["unit"] for r in rows["items"]} == {"A1-1", "A1-2"}
    me = client.get(reverse("api-v1:me"), **headers).json()
    assert me["username"] == "office" and me["scopes"] == ["programmes:read"]


def test_sheets_standards_and_accounts_follow_the_pages(client, tree, office_user, coordinator):
    from tests.campaigns.factories import sheet

    row = sheet(tree)
    office = bearer(office_user, ["campaigns:read", "standards:read", "accounts:read"])
    listed = client.get(
        reverse("api-v1:sheets", kwargs={"campaign_id": row.round_id}), **office
    ).json()
    assert row.pk in {s["id"] for s in listed["items"]}
    one = client.get(reverse("api-v1:sheet", kwargs={"sheet_id": row.pk}), **office)
    assert one.status_code == 200 and "answers" in one.json() and one["ETag"]
    standards = client.get(reverse("api-v1:standards"), **office).json()
    assert standards["count"] >= 1
    detail = client.get(
        reverse("api-v1:standard", kwargs={"standard_id": standards["items"][0]["id"]}), **office
    ).json()
    assert detail["published"] is not None
    names = {
        a["username"] for a in client.get(reverse("api-v1:accounts"), **office).json()["items"]
    }
    assert {"office", "coord"} <= names

    other = sheet(tree, unit=tree.school2)
    school = bearer(coordinator, ["campaigns:read"])
    assert (
        client.get(reverse("api-v1:sheet", kwargs={"sheet_id": other.pk}), **school).status_code
        == 404
    )


def test_an_english_call_leaves_the_thread_in_chinese(client, db):
    from django.utils import translation

    before = translation.get_language()
    client.get(reverse("api-v1:units"), HTTP_ACCEPT_LANGUAGE="en")
    assert translation.get_language() == before
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in page.content.decode()


def test_nul_in_a_filter_is_refused_not_a_server_error(client, tree, office_user):
    headers = bearer(office_user, ["units:read"])
    got = client.get(reverse("api-v1:units") + "?q=%00", **headers)
    assert got.status_code == 422 and got.json()["code"] == "invalid"
    one = client.get("/api/v1/units/A%00", **headers)
    assert one.status_code in {404, 422}
