"""The shared approval step (core.approval), on a commendation list as the subject: the lock
and status check, the comment rule, the history row with its audit record, the last return,
and the to-dos of both sides."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.commendations.factories import commendation, leader, passed_world
from tests.conftest import make_user

NOW = datetime.datetime(2028, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def world(tree):
    return passed_world(tree)


def _audits(subject):
    from shidian.apps.core.models import AuditEvent

    return AuditEvent.objects.filter(  # scoping: ok test
        target_type=subject._meta.label, target_id=str(subject.pk)
    ).order_by("pk")


def test_clean_comment_strips_requires_on_return_and_bounds_the_length():
    from shidian.apps.core.approval import COMMENT_MAX, clean_comment

    assert clean_comment("  ok  ", required=True) == "ok"
    assert clean_comment(None, required=False) == ""
    assert clean_comment("x" * COMMENT_MAX, required=False) == "x" * COMMENT_MAX
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError, match="退回时请填写意见"):
            clean_comment("   ", required=True)
        with pytest.raises(ValidationError, match="意见不能超过 5 个字"):
            clean_comment("123456", required=False, limit=5)


def test_open_step_checks_the_permission_then_the_status_of_the_locked_row(tree, world):
    from shidian.apps.commendations.models import Commendation
    from shidian.apps.core.access import APPROVE, MANAGE
    from shidian.apps.core.approval import open_step

    c = commendation(tree)
    with pytest.raises(PermissionDenied):
        open_step(c, by=world.office, permission=APPROVE, statuses=("draft",), refused="x")
    # the row as stored decides, not the instance the caller holds
    Commendation.objects.filter(pk=c.pk).update(status="pending")  # scoping: ok test
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        open_step(
            c, by=world.office, permission=MANAGE, statuses=("draft",), refused="名单%(status)s"
        )
    assert refused.value.messages == ["名单待审批"]
    got = open_step(c, by=world.office, permission=MANAGE, statuses=("pending",), refused="x")
    assert got.pk == c.pk and got.status == "pending" and got is not c


def test_finish_saves_the_status_and_records_the_event_and_the_audit(tree, world):
    from shidian.apps.core.approval import RETURNED, SUBMITTED, finish, last_return

    c = commendation(tree)
    assert last_return(c) is None
    finish(
        c,
        by=world.office,
        status="pending",
        event=SUBMITTED,
        comment="",
        action="commendations.submit",
        summary="x" * 400,
    )
    finish(
        c,
        by=leader(tree),
        status="returned",
        event=RETURNED,
        comment="请补充",
        action="commendations.return",
        summary=c.title,
        data={"amendment": False},
    )
    c.refresh_from_db()
    assert c.status == "returned"
    assert [(e.action, e.comment, e.by) for e in c.events.order_by("pk")] == [
        ("submitted", "", world.office),
        ("returned", "请补充", leader(tree)),
    ]
    audits = list(_audits(c).exclude(action="commendations.create"))
    assert [a.action for a in audits] == ["commendations.submit", "commendations.return"]
    assert len(audits[0].summary) == 300 and audits[0].unit == c.programme.unit
    assert audits[1].data == {"amendment": False}
    assert last_return(c).comment == "请补充"


def test_the_system_acts_without_an_actor(tree, world):
    from shidian.apps.core.approval import SUBMITTED, actor, record

    c = commendation(tree)
    assert actor(None) is None and actor(world.office) == world.office
    record(c, by=None, event=SUBMITTED, comment="", action="commendations.submit", summary="")
    assert c.events.get().by is None


def test_last_return_is_the_latest_return(tree, world):
    from shidian.apps.core.approval import APPROVED, RETURNED, last_event, last_return

    c = commendation(tree)
    for event, comment in [(RETURNED, "一"), (APPROVED, ""), (RETURNED, "二")]:
        c.events.create(action=event, comment=comment)
    assert last_return(c).comment == "二"
    assert last_event(c, APPROVED).action == APPROVED


def test_todos_ask_the_approver_to_approve_and_the_office_to_amend(tree, world):
    from shidian.apps.commendations.models import Commendation
    from shidian.apps.core.approval import approval_todos
    from shidian.apps.core.todos import APPROVE_TASK, RETURNED_TASK

    c = commendation(tree)
    kw = {
        "pending": "pending",
        "returned": "returned",
        "approve": "审批",
        "amend": "修改",
        "title": lambda s: s.title,
        "url": lambda s: f"/c/{s.pk}/",
        "note": lambda s: "意见" * 200,
    }
    Commendation.objects.filter(pk=c.pk).update(status="pending")  # scoping: ok test
    got = approval_todos(leader(tree), Commendation, **kw)
    assert [(t.kind, t.title, t.action, t.url) for t in got] == [
        (APPROVE_TASK, c.title, "审批", f"/c/{c.pk}/")
    ]
    assert approval_todos(world.office, Commendation, **kw) == []
    Commendation.objects.filter(pk=c.pk).update(status="returned")  # scoping: ok test
    (todo,) = approval_todos(world.office, Commendation, **kw)
    assert todo.kind == RETURNED_TASK and todo.action == "修改" and len(todo.note) == 200
    # who may approve it sent it back: not asked to amend it
    assert approval_todos(leader(tree), Commendation, **kw) == []
    outsider = make_user("ap-outsider", tree.other_county, "office")
    assert approval_todos(outsider, Commendation, **kw) == []
