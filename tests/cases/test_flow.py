"""The case call's flow: open, fill, return (with a reason), resubmit, expert review, accept,
publish; uploads checked; who sees what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shidian.apps.cases import services
from shidian.apps.cases.models import Case, CaseOpinion
from tests.cases.factories import (
    PNG,
    call,
    coordinator_of,
    expert,
    png_upload,
    published,
    sheet,
    submitted,
)
from tests.conftest import make_user
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_call_invites_every_pilot_only(tree):
    w = pilot_world(tree)
    round_obj = call(tree)
    units = set(round_obj.sheets.values_list("unit_id", flat=True))
    assert units == {u.pk for u in w.pilots}
    assert round_obj.kind == "typical_case" and round_obj.programme_id == w.programme.pk


def test_only_the_office_opens_a_call(tree):
    w = pilot_world(tree)
    with pytest.raises(PermissionDenied):
        services.case_call_open(by=coordinator_of(tree), programme=w.programme, name="x")
    with pytest.raises(ValidationError):
        services.case_call_open(by=w.office, programme=w.programme, name="  ")


def test_submit_needs_the_required_items(tree):
    s = sheet(tree)
    user = coordinator_of(tree)
    s = services.case_save(
        submission=s, user=user, answers={"title": "只有标题"}, base_version=s.version
    )
    with pytest.raises(ValidationError) as exc:
        services.case_submit(submission=s, user=user)
    assert any("摘要" in m for m in exc.value.messages)


def test_return_needs_a_reason_then_accept_publishes(tree):
    w = pilot_world(tree)
    s = submitted(tree)
    with pytest.raises(ValidationError):
        services.case_return(submission=s, user=w.office, note="  ")
    s = services.case_return(submission=s, user=w.office, note="请补充成效数据。")
    assert s.status == "returned"
    user = coordinator_of(tree)
    s = services.case_save(
        submission=s,
        user=user,
        answers={**s.answers, "summary": "补充了成效：课堂参与率提高。"},
        base_version=s.version,
    )
    s = services.case_submit(submission=s, user=user)
    assert s.status == "resubmitted"
    assert not Case.objects.exists()
    case = services.case_accept(submission=s, user=w.office)
    assert case.title == "试点学校的智慧课堂实践"
    assert case.school_type == "primary" and case.subject == "maths"
    assert "参与率" in case.summary


def test_the_school_cannot_accept_its_own_case(tree):
    s = submitted(tree)
    with pytest.raises(PermissionDenied):
        services.case_accept(submission=s, user=coordinator_of(tree))


def test_expert_review_then_accept(tree):
    w = pilot_world(tree)
    s = submitted(tree)
    reviewer = expert(tree)
    other = expert(tree, "case-expert-2")
    with pytest.raises(PermissionDenied):
        services.case_opinion(submission=s, user=reviewer, verdict="recommend", comment="")
    services.case_send_review(submission=s, user=w.office, experts=[reviewer])
    with pytest.raises(ValidationError):
        services.case_opinion(submission=s, user=reviewer, verdict="revise", comment="")
    services.case_opinion(submission=s, user=reviewer, verdict="recommend", comment="做法可推广")
    assert CaseOpinion.objects.get().verdict == "recommend"
    with pytest.raises(PermissionDenied):
        services.case_opinion(submission=s, user=other, verdict="reject", comment="no")
    assert services.case_accept(submission=s, user=w.office).pk


def test_bad_uploads_are_refused(tree):
    s = sheet(tree)
    user = coordinator_of(tree)
    with pytest.raises(ValidationError):  # not a PNG inside
        services.case_attach(
            submission=s, user=user, item_code="images", upload=png_upload(data=b"hello world")
        )
    with pytest.raises(ValidationError):  # a PDF is no image for the body
        services.case_attach(
            submission=s, user=user, item_code="images",
            upload=png_upload("doc.pdf", b"%PDF-1.4\n%%EOF\n"),
        )  # fmt: skip
    with pytest.raises(ValidationError):  # too large
        services.case_attach(
            submission=s, user=user, item_code="images",
            upload=png_upload(data=PNG + b"\0" * (5 * 1024 * 1024)),
        )  # fmt: skip
    with pytest.raises(ValidationError):  # an executable as an attachment
        services.case_attach(
            submission=s, user=user, item_code="attachments",
            upload=png_upload("tool.exe", b"MZ\x90\x00"),
        )  # fmt: skip
    good = services.case_attach(submission=s, user=user, item_code="images", upload=png_upload())
    assert good.kind == "image"


def test_case_visibility(tree, client):
    case = published(tree)
    url = reverse("cases:case", kwargs={"case_id": case.pk})
    other_school = make_user("case-colleague", tree.school2, "coordinator")  # same county
    outsider = make_user("case-outsider", tree.other_school, "coordinator")
    idle_expert = make_user("case-idle-expert", tree.county, "expert")
    client.force_login(other_school)
    assert client.get(url).status_code == 200
    for who in (outsider, idle_expert):
        client.force_login(who)
        assert client.get(url).status_code == 404
        assert case.title not in client.get(reverse("cases:library") + "?q=试点").content.decode()


def test_outsider_cannot_reach_a_submission(tree, client):
    s = submitted(tree)
    client.force_login(make_user("case-outsider2", tree.other_school, "coordinator"))
    url = reverse("cases:submission", kwargs={"case_submission_id": s.pk})
    assert client.get(url).status_code == 404
    decide = reverse("cases:submission_decide", kwargs={"case_submission_id": s.pk})
    assert client.post(decide, {"action": "accept"}).status_code == 404
