"""Commendation services: nominations, proposals from a zone, submission, approval with the
notice, return, and bad input that changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.commendations.factories import commendation, leader, passed_world, zone_account


def _unit(code):
    from shidian.apps.orgs.models import OrgUnit

    return OrgUnit.objects.get(code=code)  # scoping: ok test


@pytest.fixture
def world(tree):
    return passed_world(tree)


def test_passed_units_are_accepted_and_conditional(tree, world):
    from shidian.apps.commendations.services import passed_units

    assert [u.code for u in passed_units(world.programme)] == ["A1-1", "A1-2", "A1-3"]


def test_office_nominates_and_refusals_change_nothing(tree, world):
    from shidian.apps.commendations.services import nomination_add

    c = commendation(tree)
    n = nomination_add(
        by=world.office, commendation=c, category="unit", unit=_unit("A1-1"), reason="成效突出"
    )
    assert n.status == "included" and n.proposed_by_unit is None
    bad = [
        {"category": "unit", "unit": _unit("A1-4"), "reason": "x"},  # not accepted
        {"category": "unit", "unit": _unit("A1-2"), "reason": "  "},  # no reason
        {"category": "unit", "unit": _unit("A1-1"), "reason": "again"},  # duplicate
        {"category": "person", "unit": _unit("A1-1"), "reason": "x", "name": "张三"},  # no role
        {"category": "team", "unit": _unit("A1-1"), "reason": "x"},  # no name
        {"category": "medal", "unit": _unit("A1-1"), "reason": "x", "name": "y"},
    ]
    for args in bad:
        with pytest.raises(ValidationError):
            nomination_add(by=world.office, commendation=c, **args)
    assert c.nominations.count() == 1


def test_zone_proposes_office_includes_or_declines(tree, world):
    from shidian.apps.commendations.services import nomination_add, nomination_decide

    c = commendation(tree)
    zone = zone_account(tree)
    team = nomination_add(
        by=zone,
        commendation=c,
        category="team",
        unit=_unit("A1-2"),
        name="信息化团队",
        reason="带动片区",
    )
    person = nomination_add(
        by=zone,
        commendation=c,
        category="person",
        unit=_unit("A1-3"),
        name="李老师",
        role="信息技术教师",
        reason="课例获奖",
    )
    assert team.status == person.status == "proposed"
    assert team.proposed_by_unit == tree.zone
    with pytest.raises(PermissionDenied):
        nomination_decide(by=zone, nomination=team, include=True)
    with pytest.raises(ValidationError):  # declining a proposal needs a reason
        nomination_decide(by=world.office, nomination=person, include=False)
    nomination_decide(by=world.office, nomination=team, include=True)
    nomination_decide(by=world.office, nomination=person, include=False, note="材料不足")
    team.refresh_from_db(), person.refresh_from_db()
    assert (team.status, person.status, person.decline_note) == ("included", "declined", "材料不足")


def test_outsiders_cannot_nominate(tree, world, outsider):
    from shidian.apps.commendations.services import nomination_add

    c = commendation(tree)
    with pytest.raises(PermissionDenied):
        nomination_add(by=outsider, commendation=c, category="unit", unit=_unit("A1-1"), reason="x")
    # a zone may not propose a unit outside its subtree
    with pytest.raises(PermissionDenied):
        nomination_add(
            by=zone_account(tree),
            commendation=c,
            category="unit",
            unit=tree.other_school,
            reason="x",
        )
    assert c.nominations.count() == 0


def test_submit_approve_generates_the_notice(tree, world):
    from shidian.apps.commendations.services import (
        commendation_approve,
        commendation_submit,
        nomination_add,
    )

    c = commendation(tree)
    with pytest.raises(ValidationError):  # empty list
        commendation_submit(by=world.office, commendation=c)
    nomination_add(
        by=world.office, commendation=c, category="unit", unit=_unit("A1-1"), reason="成效突出"
    )
    nomination_add(
        by=world.office,
        commendation=c,
        category="person",
        unit=_unit("A1-2"),
        name="王校长",
        role="校长",
        reason="领导有力",
    )
    nomination_add(
        by=zone_account(tree),
        commendation=c,
        category="team",
        unit=_unit("A1-3"),
        name="教研组",
        reason="x",
    )
    with pytest.raises(ValidationError):  # a proposal waits
        commendation_submit(by=world.office, commendation=c)
    c.nominations.filter(status="proposed").update(status="declined")
    with pytest.raises(ValidationError):
        commendation_approve(by=leader(tree), commendation=c)  # not pending yet
    commendation_submit(by=world.office, commendation=c)
    with pytest.raises(PermissionDenied):
        commendation_approve(by=world.office, commendation=c)  # the office may not approve
    document = commendation_approve(by=leader(tree), commendation=c)
    c.refresh_from_db()
    assert c.status == "approved" and c.notice == document
    assert document.kind == "commendation" and document.number
    assert "先进单位、先进个人" in document.title
    text = str(document.inputs)
    assert "甲县第一小学" in text and "王校长" in text and "教研组" not in text
    with pytest.raises(ValidationError):
        commendation_approve(by=leader(tree), commendation=c)


def test_return_needs_a_comment(tree, world):
    from shidian.apps.commendations.services import (
        commendation_return,
        commendation_submit,
        nomination_add,
    )

    c = commendation(tree)
    nomination_add(by=world.office, commendation=c, category="unit", unit=_unit("A1-1"), reason="y")
    commendation_submit(by=world.office, commendation=c)
    with pytest.raises(ValidationError):
        commendation_return(by=leader(tree), commendation=c, comment=" ")
    c.refresh_from_db()
    assert c.status == "pending"
    commendation_return(by=leader(tree), commendation=c, comment="补充个人")
    c.refresh_from_db()
    assert c.status == "returned" and c.editable


def test_todos(tree, world):
    from django.utils import timezone

    from shidian.apps.commendations.services import commendation_submit, nomination_add
    from shidian.apps.commendations.todos import commendation_todos

    c = commendation(tree)
    nomination_add(by=world.office, commendation=c, category="unit", unit=_unit("A1-1"), reason="y")
    commendation_submit(by=world.office, commendation=c)
    assert [t.kind for t in commendation_todos(leader(tree), timezone.now())] == ["approve"]
    assert commendation_todos(world.office, timezone.now()) == []
