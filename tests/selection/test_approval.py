"""Approval: submit, approve, return; who may; the frozen selection; versions; participations."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.selection.test_approval_helpers import (
    SHORTLIST,
    leader,
    member,
    pair,
    place,
    ready,
    state_of,
)

pytestmark = pytest.mark.django_db


def _url(w, name="approval"):
    return reverse(f"selection:{name}", kwargs={"selection_id": w.selection.pk})


def _submit(w, office, note="请审批"):
    from shidian.apps.selection.services.approval import selection_submit

    return selection_submit(by=office, selection=w.selection, note=note)


def test_office_submits_and_the_leading_group_is_told(tree, office_user, office_client):
    from shidian.apps.notifications.models import Notification
    from shidian.apps.selection.models import SelectionEvent

    w, _rows = ready(tree, office_user)
    boss = leader(tree)
    deputy = member(tree, office_user, w.programme)
    page = office_client.get(_url(w))
    assert page.status_code == 200
    assert "提交领导小组审批" in page.content.decode()
    response = office_client.post(_url(w, "approval_submit"), {"note": "经专家评审"})
    assert response.status_code == 302
    w.selection.refresh_from_db()
    assert w.selection.status == "pending" and w.selection.frozen
    event = SelectionEvent.objects.get(selection=w.selection)
    assert (event.action, event.comment, event.by) == ("submitted", "经专家评审", office_user)
    told = set(
        Notification.objects.filter(kind="selection.submitted").values_list("user", flat=True)
    )
    assert told == {boss.pk, deputy.pk}
    assert office_user.pk not in told


def test_submitting_needs_pilots_and_warns_without_controls(tree, office_user, office_client):
    from shidian.apps.selection.models import BatchPlacement

    w, rows = ready(tree, office_user, controls=0)
    page = office_client.get(_url(w)).content.decode()
    assert 'id="no-controls"' in page
    response = office_client.post(_url(w, "approval_submit"), {"note": ""}, follow=True)
    assert "对照组" in response.content.decode()  # the warning message
    w.selection.refresh_from_db()
    assert w.selection.status == "pending"

    w.selection.status = "open"
    w.selection.save()
    BatchPlacement.objects.filter(selection=w.selection).delete()  # scoping: ok test
    response = office_client.post(_url(w, "approval_submit"), {"note": ""})
    assert response.status_code == 400
    assert "批次安排" in response.content.decode()
    w.selection.refresh_from_db()
    assert w.selection.status == "open"


def test_stale_controls_refuse_the_submission(tree, office_user):
    w, rows = ready(tree, office_user)
    pair(w, [rows[30]], [rows[31]])  # a pilot that is no longer placed
    with pytest.raises(ValidationError, match="重新匹配"):
        _submit(w, office_user)


def test_frozen_selection_refuses_every_step(tree, office_user):
    from shidian.apps.selection.services.selections import ensure_open, selection_update

    w, _rows = ready(tree, office_user)
    _submit(w, office_user)
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError, match="待审批"):
        ensure_open(w.selection)
    with pytest.raises(ValidationError):
        selection_update(
            by=office_user, selection=w.selection, name="x", recommend=False, pilot_count=14
        )
    with pytest.raises(ValidationError, match="不能再次提交"):
        _submit(w, office_user)


def test_who_may_see_and_decide(tree, office_user, zone_user, coordinator, outsider, client):
    from shidian.apps.selection.services.approval import selection_approve

    w, _rows = ready(tree, office_user)
    _submit(w, office_user)
    for person in (zone_user, coordinator, outsider):
        client.force_login(person)
        assert client.get(_url(w)).status_code == 404, person
        assert client.post(_url(w, "approval_decide"), {"decision": "approve"}).status_code == 404
    client.force_login(office_user)
    page = client.get(_url(w)).content.decode()
    assert "等待领导小组审批" in page and 'id="decision-form"' not in page
    assert client.post(_url(w, "approval_decide"), {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        selection_approve(by=office_user, selection=w.selection)
    w.selection.refresh_from_db()
    assert w.selection.status == "pending"


def test_leader_approves_version_one(tree, office_user, client):
    from shidian.apps.notifications.models import Notification
    from shidian.apps.programmes.models import ParticipationEvent
    from shidian.apps.selection.models import SelectionEvent, SelectionVersion

    w, rows = ready(tree, office_user)
    _submit(w, office_user)
    boss = leader(tree)
    client.force_login(boss)
    page = client.get(_url(w)).content.decode()
    assert 'id="decision-form"' in page and rows[0]["name"] in page
    response = client.post(_url(w, "approval_decide"), {"decision": "approve", "comment": "同意"})
    assert response.status_code == 302
    w.selection.refresh_from_db()
    assert w.selection.status == "approved"
    version = SelectionVersion.objects.get(selection=w.selection)
    assert (version.number, version.reason, version.approved_by) == (1, "同意", boss)
    pilots = version.snapshot["pilots"]
    assert [p["unit_id"] for p in pilots] == [r["unit_id"] for r in rows[:14]]
    assert pilots[0] == {
        "unit_id": rows[0]["unit_id"],
        "code": rows[0]["id"],
        "name": rows[0]["name"],
        "batch": 1,
        "year": 2021,
        "rank": 1,
        "score": rows[0]["score"],
    }
    assert [p["batch"] for p in pilots] == [1] * 5 + [2] * 5 + [3] * 4
    assert isinstance(pilots[0]["code"], str)
    controls = version.snapshot["controls"]
    assert len(controls) == 4
    assert set(controls[0]) == {
        "pilot_id",
        "pilot_code",
        "control_id",
        "control_code",
        "control_name",
    }
    # Participations: pilots of their batch, controls, the rest of the shortlist back.
    assert state_of(w, rows[0]["unit_id"]) == ("pilot", 1)
    assert state_of(w, rows[13]["unit_id"]) == ("pilot", 3)
    assert state_of(w, rows[SHORTLIST]["unit_id"]) == ("control", None)
    assert state_of(w, rows[15]["unit_id"]) == ("eligible", None)
    event = ParticipationEvent.objects.filter(participation__unit_id=rows[0]["unit_id"]).last()
    assert (event.to_state, event.to_batch, event.by) == ("pilot", 1, boss)
    assert "第1版批准" in event.reason
    assert SelectionEvent.objects.filter(selection=w.selection, action="approved").exists()
    assert Notification.objects.filter(kind="selection.approved", user=office_user).exists()
    from shidian.apps.core.models import AuditEvent

    audit = AuditEvent.objects.get(action="selection.approve")
    assert audit.unit == tree.county and audit.actor == boss and audit.data["moved"] == 14 + 4 + 4


def test_member_by_grant_approves_and_the_history_names_them(tree, office_user, client):
    from shidian.apps.programmes.models import ParticipationEvent

    w, rows = ready(tree, office_user)
    _submit(w, office_user)
    deputy = member(tree, office_user, w.programme)
    client.force_login(deputy)
    assert client.get(_url(w)).status_code == 200
    response = client.post(_url(w, "approval_decide"), {"decision": "approve"})
    assert response.status_code == 302
    w.selection.refresh_from_db()
    assert w.selection.status == "approved"
    assert w.selection.versions.get().approved_by == deputy
    event = ParticipationEvent.objects.filter(participation__unit_id=rows[0]["unit_id"]).last()
    assert event.to_state == "pilot" and event.by == deputy


def test_units_never_shortlisted_become_pilots_through_the_allowed_path(tree, office_user):
    from shidian.apps.programmes.models import ParticipationEvent
    from shidian.apps.selection.models import Shortlisted
    from shidian.apps.selection.services.approval import selection_approve

    w, rows = ready(tree, office_user, controls=0)
    outsider_row = rows[25]  # eligible: no shortlist step put it there
    place(w, [*rows[:13], outsider_row])
    Shortlisted.objects.filter(unit_id=rows[13]["unit_id"]).delete()  # scoping: ok test
    _submit(w, office_user)
    selection_approve(by=leader(tree), selection=w.selection)
    assert state_of(w, outsider_row["unit_id"]) == ("pilot", 3)
    moves = list(
        ParticipationEvent.objects.filter(participation__unit_id=outsider_row["unit_id"])
        .order_by("pk")
        .values_list("from_state", "to_state")
    )
    assert moves[-2:] == [("eligible", "shortlisted"), ("shortlisted", "pilot")]
    assert (
        "未经入围测算"
        in ParticipationEvent.objects.filter(
            participation__unit_id=outsider_row["unit_id"], to_state="shortlisted"
        )
        .get()
        .reason
    )


def test_a_refused_move_rolls_everything_back(tree, office_user):
    from shidian.apps.programmes.models import Participation
    from shidian.apps.selection.services.approval import selection_approve

    w, rows = ready(tree, office_user)
    Participation.objects.filter(  # scoping: ok test
        programme=w.programme, unit_id=rows[2]["unit_id"]
    ).update(state="withdrawn")
    _submit(w, office_user)
    with pytest.raises(ValidationError, match="未做任何更改"):
        selection_approve(by=leader(tree), selection=w.selection)
    w.selection.refresh_from_db()
    assert w.selection.status == "pending" and not w.selection.versions.exists()
    assert state_of(w, rows[0]["unit_id"]) == ("shortlisted", None)


def test_return_needs_a_comment_and_reopens(tree, office_user, client):
    from shidian.apps.core.todos import RETURNED_TASK
    from shidian.apps.selection.services.approval import approval_todos
    from shidian.apps.selection.services.selections import ensure_open

    w, _rows = ready(tree, office_user)
    _submit(w, office_user)
    boss = leader(tree)
    client.force_login(boss)
    response = client.post(_url(w, "approval_decide"), {"decision": "return", "comment": " "})
    assert response.status_code == 400
    assert "退回时请填写意见" in response.content.decode()
    w.selection.refresh_from_db()
    assert w.selection.status == "pending"
    response = client.post(
        _url(w, "approval_decide"), {"decision": "return", "comment": "第三批农村学校偏少"}
    )
    assert response.status_code == 302
    w.selection.refresh_from_db()
    assert w.selection.status == "returned" and not w.selection.frozen
    ensure_open(w.selection)
    event = w.selection.events.order_by("-pk").first()
    assert (event.action, event.comment, event.by) == ("returned", "第三批农村学校偏少", boss)
    from shidian.apps.notifications.models import Notification

    told = Notification.objects.get(kind="selection.returned")
    assert told.user == office_user and "第三批农村学校偏少" in told.body
    todos = approval_todos(office_user, None)
    assert [(t.kind, t.note) for t in todos] == [(RETURNED_TASK, "第三批农村学校偏少")]
    assert approval_todos(boss, None) == []  # who returned it is not asked to fix it
    client.force_login(office_user)
    page = client.get(_url(w)).content.decode()
    assert "第三批农村学校偏少" in page and 'id="submit-form"' in page


def test_approve_todo_for_who_may_approve(tree, office_user):
    from django.utils import timezone

    from shidian.apps.core.todos import APPROVE_TASK, todos_for

    w, _rows = ready(tree, office_user)
    boss = leader(tree)
    deputy = member(tree, office_user, w.programme)
    assert not [t for t in todos_for(user=boss, now=timezone.now()) if t.kind == APPROVE_TASK]
    _submit(w, office_user)
    for person in (boss, deputy):
        todos = [t for t in todos_for(user=person, now=timezone.now()) if t.kind == APPROVE_TASK]
        assert [t.url for t in todos] == [_url(w)], person
    assert not [
        t for t in todos_for(user=office_user, now=timezone.now()) if t.kind == APPROVE_TASK
    ]


def test_amendment_makes_version_two_and_moves_the_difference(tree, office_user, client):
    from shidian.apps.programmes.models import ParticipationEvent
    from shidian.apps.selection.services.approval import (
        selection_approve,
        selection_return,
    )

    w, rows = ready(tree, office_user)
    boss = leader(tree)
    _submit(w, office_user)
    selection_approve(by=boss, selection=w.selection)
    client.force_login(office_user)
    assert (
        client.post(_url(w, "approval_decide"), {"decision": "return", "comment": "x"}).status_code
        == 403
    )
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError):
        selection_return(by=boss, selection=w.selection, comment="")
    selection_return(by=boss, selection=w.selection, comment="第二所学校合并，撤出")
    w.selection.refresh_from_db()
    assert w.selection.status == "returned"
    assert state_of(w, rows[1]["unit_id"]) == ("pilot", 1)  # nothing moves until approved
    # Version 2: rows[1] out, rows[14] in at the end; so every pilot after it shifts.
    new = [rows[0], *rows[2:15]]
    place(w, new)
    pair(w, new[:3], rows[SHORTLIST : SHORTLIST + 3])  # the 4th control is dropped
    _submit(w, office_user)
    version = selection_approve(by=boss, selection=w.selection, comment="同意调整")
    assert version.number == 2
    assert state_of(w, rows[1]["unit_id"]) == ("withdrawn", None)
    reason = (
        ParticipationEvent.objects.filter(
            participation__unit_id=rows[1]["unit_id"], to_state="withdrawn"
        )
        .get()
        .reason
    )
    assert "第二所学校合并" in reason
    assert state_of(w, rows[5]["unit_id"]) == ("pilot", 1)  # moved up from batch 2
    assert state_of(w, rows[14]["unit_id"]) == ("pilot", 3)  # was shortlisted
    assert state_of(w, rows[SHORTLIST + 3]["unit_id"]) == ("eligible", None)  # control dropped
    assert state_of(w, rows[SHORTLIST]["unit_id"]) == ("control", None)
    page = client.get(_url(w)).content.decode()
    assert "第 2 版" in page and "调整批次" in page and rows[1]["name"] in page


def test_amendment_refuses_a_pilot_turned_control(tree, office_user):
    from shidian.apps.selection.services.approval import selection_approve, selection_return

    w, rows = ready(tree, office_user)
    boss = leader(tree)
    _submit(w, office_user)
    selection_approve(by=boss, selection=w.selection)
    selection_return(by=boss, selection=w.selection, comment="调整")
    place(w, rows[1:15])
    pair(w, [rows[1]], [rows[0]])  # the former pilot as a control
    _submit(w, office_user)
    with pytest.raises(ValidationError) as caught:
        selection_approve(by=boss, selection=w.selection)
    assert any("试点" in m and rows[0]["name"] in m for m in caught.value.messages)
    assert state_of(w, rows[0]["unit_id"]) == ("pilot", 1)


def test_a_zone_with_a_quota_sees_the_selection_but_not_its_approval(tree, office_user, client):
    from shidian.apps.selection.models import ZoneQuota
    from tests.conftest import make_user

    w, _rows = ready(tree, office_user)
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    client.force_login(make_user("zone-q", tree.zone, "zone"))
    detail = reverse("selection:detail", kwargs={"selection_id": w.selection.pk})
    assert client.get(detail).status_code == 200
    assert client.get(_url(w)).status_code == 404


def test_the_page_reads_in_english(tree, office_user, client):
    from django.conf import settings

    w, _rows = ready(tree, office_user, controls=0)
    client.force_login(office_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url(w)).content.decode()
    assert "Submit to the leading group" in page
    assert "No control schools yet" in page


def test_the_list_and_the_design_table_download_with_codes_as_text(tree, office_user, client):
    import io

    from openpyxl import load_workbook

    w, rows = ready(tree, office_user)
    client.force_login(office_user)
    kw = {"selection_id": w.selection.pk}
    response = client.get(reverse("selection:approval_export", kwargs=kw))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    pilots = list(book["pilots"].iter_rows(values_only=True))
    assert pilots[0] == ("batch", "year", "rank", "id", "name")
    assert len(pilots) == 15 and all(isinstance(r[3], str) for r in pilots[1:])
    assert len(list(book["controls"].iter_rows(values_only=True))) > 1
    design = client.get(reverse("selection:design", kwargs=kw) + "?format=xlsx")
    table = list(load_workbook(io.BytesIO(b"".join(design.streaming_content))).active.values)
    assert table[0][:3] == ("controls_per_pilot", "pilots", "controls") and len(table) > 5
