"""unit_move: one UPDATE rewrites the subtree's paths; cycles and scope are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shidian.apps.core.models import AuditEvent
from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.orgs.services import UnitMoveError, unit_create, unit_move

pytestmark = pytest.mark.django_db


def test_move_rewrites_the_whole_subtree(office_user, tree):
    west = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    child = unit_create(code="A1-1-1", name="教学点", level=Level.SCHOOL, parent=tree.school)
    old_school_path = tree.school.path
    with CaptureQueriesContext(connection) as queries:
        unit_move(unit=tree.zone, new_parent=west, actor=office_user)
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    path_updates = [sql for sql in updates if 'SET "path"' in sql]
    assert len(path_updates) == 1  # the whole subtree in ONE statement
    for unit in (tree.zone, tree.school, tree.school2, child):
        unit.refresh_from_db()
    assert tree.zone.parent == west
    assert tree.zone.path.startswith(west.path) and tree.zone.depth == west.depth + 1
    assert tree.school.path.startswith(tree.zone.path) and tree.school.path != old_school_path
    assert child.depth == tree.school.depth + 1 and child.path.startswith(tree.school.path)
    assert set(OrgUnit.objects.subtree(west).values_list("code", flat=True)) == {
        "A2",
        "A1",
        "A1-1",
        "A1-2",
        "A1-1-1",
    }
    assert AuditEvent.objects.filter(action="orgs.move", target_id=str(tree.zone.pk)).exists()


def test_move_under_own_descendant_is_refused(office_user, tree):
    with pytest.raises(UnitMoveError, match="循环"):
        unit_move(unit=tree.zone, new_parent=tree.school, actor=office_user)
    with pytest.raises(UnitMoveError):
        unit_move(unit=tree.zone, new_parent=tree.zone, actor=office_user)
    tree.school.refresh_from_db()
    assert tree.school.parent == tree.zone


def test_move_outside_scope_is_refused(office_user, tree):
    with pytest.raises(PermissionDenied):
        unit_move(unit=tree.zone, new_parent=tree.other_county, actor=office_user)
    with pytest.raises(UnitMoveError):
        unit_move(unit=tree.county, new_parent=tree.zone, actor=office_user)


def test_move_back_and_forth_keeps_paths_unique(office_user, tree):
    west = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    unit_move(unit=tree.school, new_parent=west, actor=office_user)
    unit_move(unit=tree.school, new_parent=tree.zone, actor=office_user)
    paths = list(OrgUnit.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths))
    tree.school.refresh_from_db()
    assert tree.school.parent == tree.zone


def test_a_school_moved_to_another_zone_follows_it(office_user, tree):
    west = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    centre = unit_create(code="A2-C", name="西片中心校", level=Level.SCHOOL, parent=west, zone=west)
    point = unit_create(
        code="A1-1-1", name="教学点", level=Level.SCHOOL, parent=tree.school, zone=tree.zone
    )
    unit_move(unit=tree.school, new_parent=centre, actor=office_user)
    tree.school.refresh_from_db()
    point.refresh_from_db()
    assert tree.school.zone == west and point.zone == west
