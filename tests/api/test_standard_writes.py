"""Standard writes (standards:write): start a draft, replace its tree or change one item,
publish. A published version is frozen (409); each refusal changes nothing."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from shidian.apps.core.models import AuditEvent
from shidian.apps.standards.models import StandardVersion
from tests.api.helpers import bearer, call
from tests.conftest import make_user
from tests.standards.factories import published_version

pytestmark = pytest.mark.django_db


def version_url(version_id, name="standard_version", **kwargs):
    return reverse(f"api-v1:{name}", kwargs={"version_id": version_id, **kwargs})


def drafts_url(standard_id):
    return reverse("api-v1:standard_draft", kwargs={"standard_id": standard_id})


def snapshot():
    """Every version's row, as a refused write must leave it."""
    return list(StandardVersion.objects.order_by("pk").values())  # scoping: ok test


def new_draft(client, headers, published):
    got = call(client, "post", drafts_url(published.standard_id), headers, {})
    assert got.status_code == 201, got.content
    return got


def test_revise_edit_and_publish(client, tree, office_user):
    published = published_version(tree.county)
    headers = bearer(office_user, ["standards:write"])
    made = new_draft(client, headers, published)
    draft = made.json()
    assert draft["status"] == "draft" and draft["number"] == published.number + 1
    assert draft["data"] == published.data
    # One draft at a time: asking again gives the same one.
    again = call(client, "post", drafts_url(published.standard_id), headers, {})
    assert again.status_code == 200 and again.json()["id"] == draft["id"]

    etag = client.get(version_url(draft["id"]), **headers)["ETag"]
    assert etag == made["ETag"]
    url = version_url(draft["id"], "standard_item_update", item_code="D1.1.1")
    edited = call(client, "patch", url, headers, {"text": "学校接入千兆光纤"}, etag)
    assert edited.status_code == 200, edited.content
    assert edited["ETag"] != etag
    item = edited.json()["data"]["dimensions"][0]["indicators"][0]["items"][0]
    assert item["text"] == "学校接入千兆光纤" and item["guidance"] == "以运营商合同或缴费凭证为准。"

    done = call(
        client,
        "post",
        version_url(draft["id"], "standard_version_publish"),
        headers,
        None,
        edited["ETag"],
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "published" and done.json()["published_at"]
    assert AuditEvent.objects.filter(
        action="standards.publish", target_id=str(draft["id"])
    ).exists()


def test_replace_the_whole_tree(client, tree, office_user):
    published = published_version(tree.county)
    headers = bearer(office_user, ["standards:write"])
    made = new_draft(client, headers, published)
    data = copy.deepcopy(made.json()["data"])
    data["name"] = "改名后的标准"
    data["dimensions"][0]["indicators"][0]["items"][0]["text"] = "新的要点"
    url = version_url(made.json()["id"], "standard_version_replace")
    got = call(client, "put", url, headers, {"data": data, "note": "整体替换"}, made["ETag"])
    assert got.status_code == 200, got.content
    assert got.json()["name"] == "改名后的标准" and got.json()["note"] == "整体替换"
    assert got.json()["data"]["dimensions"][0]["indicators"][0]["items"][0]["text"] == "新的要点"
    assert AuditEvent.objects.filter(action="standards.import").count() == 1 + 1


def test_draft_from_given_content(client, tree, office_user):
    published = published_version(tree.county)
    headers = bearer(office_user, ["standards:write"])
    data = copy.deepcopy(published.data)
    data["dimensions"][0]["indicators"][0]["items"][0]["text"] = "给定内容"
    got = call(client, "post", drafts_url(published.standard_id), headers, {"data": data})
    assert got.status_code == 201, got.content
    assert got.json()["data"]["dimensions"][0]["indicators"][0]["items"][0]["text"] == "给定内容"
    bad = copy.deepcopy(data)
    bad["dimensions"][0]["indicators"][0]["items"][0]["max_score"] = "两分"
    refused = call(client, "post", drafts_url(published.standard_id), headers, {"data": bad})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_standard"
    assert any("不是数字" in d["message"] for d in refused.json()["details"])


def test_refusals_change_nothing(client, tree, office_user, coordinator):
    published = published_version(tree.county)
    headers = bearer(office_user, ["standards:write"])
    draft = new_draft(client, headers, published)
    draft_id, etag = draft.json()["id"], draft["ETag"]
    item_url = version_url(draft_id, "standard_item_update", item_code="D1.1.1")
    put_url = version_url(draft_id, "standard_version_replace")
    own = published_version(tree.school)
    before = snapshot()

    assert call(client, "patch", item_url, headers, {"text": "x"}).status_code == 428
    stale = call(client, "patch", item_url, headers, {"text": "x"}, '"old"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    read_only = bearer(office_user, ["standards:read"])
    got = call(client, "patch", item_url, read_only, {"text": "x"}, etag)
    assert got.status_code == 403 and got.json()["code"] == "scope"
    assert call(client, "post", drafts_url(published.standard_id), read_only, {}).status_code == 403
    # Bad input: the page's form and the engine's checks, nothing saved.
    negative = call(client, "patch", item_url, headers, {"max_score": -1}, etag)
    assert negative.status_code == 422 and negative.json()["code"] == "invalid_item"
    assert "分值" in negative.json()["message"] and negative.json()["details"]
    blank = call(client, "patch", item_url, headers, {"text": ""}, etag)
    assert blank.status_code == 422 and "评分要点" in blank.json()["message"]
    missing = version_url(draft_id, "standard_item_update", item_code="NOPE")
    assert call(client, "patch", missing, headers, {"text": "x"}, etag).status_code == 404
    bad_tree = call(client, "put", put_url, headers, {"data": {"code": "SCH-INFO"}}, etag)
    assert bad_tree.status_code == 422 and bad_tree.json()["details"]
    other = copy.deepcopy(published.data) | {"code": "OTHER"}
    renamed = call(client, "put", put_url, headers, {"data": other}, etag)
    assert renamed.status_code == 422 and "SCH-INFO" in renamed.json()["message"]
    # A published version is frozen.
    frozen = published.pk
    for method, url, body in [
        ("patch", version_url(frozen, "standard_item_update", item_code="D1.1.1"), {"text": "x"}),
        ("put", version_url(frozen, "standard_version_replace"), {"data": published.data}),
        ("post", version_url(frozen, "standard_version_publish"), None),
    ]:
        got = call(client, method, url, headers, body, "*")
        assert got.status_code == 409 and got.json()["code"] == "not_editable", got.content
    # Another county's office does not see county A's standard.
    outsider = make_user("other-office", tree.other_county, "office")
    hidden = call(client, "patch", item_url, bearer(outsider), {"text": "x"}, "*")
    assert hidden.status_code == 404
    assert (
        call(client, "post", drafts_url(published.standard_id), bearer(outsider), {}).status_code
        == 404
    )
    # A school's coordinator sees its school's standard but does not manage standards; the
    # county's it does not see at all.
    school = bearer(coordinator)
    assert call(client, "patch", item_url, school, {"text": "x"}, etag).status_code == 404
    drafts = call(client, "post", drafts_url(own.standard_id), school, {})
    assert drafts.status_code == 403 and drafts.json()["code"] == "forbidden"
    own_item = version_url(own.pk, "standard_item_update", item_code="D1.1.1")
    edit = call(client, "patch", own_item, school, {"text": "x"}, "*")
    assert edit.status_code == 403 and edit.json()["code"] == "forbidden"
    assert snapshot() == before
