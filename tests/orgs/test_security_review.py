"""Security review: the units export writes names as text, never as formulas."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shidian.apps.orgs.exporting import export_units
from shidian.apps.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_unit_export_never_writes_a_formula(tree):
    OrgUnit.objects.filter(pk=tree.school.pk).update(name='=HYPERLINK("http://x.test","a")')
    data = export_units(OrgUnit.objects.subtree(tree.county))
    sheet = load_workbook(io.BytesIO(data))["单位"]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
