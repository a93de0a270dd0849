"""Property: any forest of new units, rows in any order, imports into a consistent tree, and
importing the same rows again changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.apps.orgs import paths
from shidian.apps.orgs.importer import build_plan
from shidian.apps.orgs.imports import _apply
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.orgs.unitrows import RawRow

COLUMNS = ["code", "name", "parent_code", "level", "school_type"]


@st.composite
def forests(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    # parent index < own index: always a forest; -1 = directly under zone A1 (existing)
    parents = [draw(st.integers(min_value=-1, max_value=i - 1)) for i in range(size)]
    order = draw(st.permutations(range(size)))
    return parents, order


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=forests())
def test_any_order_builds_a_consistent_tree(office_user, tree, data):
    parents, order = data
    rows = []
    for line, index in enumerate(order, start=2):
        parent = "A1" if parents[index] < 0 else f"H{parents[index]}"
        values = {
            "code": f"H{index}",
            "name": f"甲县测试{index}",
            "parent_code": parent,
            "level": "学校",
            "school_type": "小学",
        }
        rows.append(RawRow(line=line, values=values))
    plan = build_plan(rows, COLUMNS, user=office_user)
    assert not plan.has_errors, [r.errors for r in plan.rows if r.errors]
    _apply(plan, office_user)
    units = {
        u.code: u for u in OrgUnit.objects.filter(code__startswith="H").select_related("parent")
    }
    assert len(units) == len(parents)
    for index, parent_index in enumerate(parents):
        unit = units[f"H{index}"]
        parent = tree.zone if parent_index < 0 else units[f"H{parent_index}"]
        assert unit.parent_id == parent.pk
        assert unit.path[: -paths.SEGMENT_WIDTH] == parent.path
        assert unit.depth == parent.depth + 1
    again = build_plan(rows, COLUMNS, user=office_user)
    assert again.counts["unchanged"] == len(parents)
    # clean up for the next example (the test transaction spans all examples)
    for depth in sorted({u.depth for u in units.values()}, reverse=True):
        OrgUnit.objects.filter(code__startswith="H", depth=depth).delete()
