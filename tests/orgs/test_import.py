"""The import services: dry run, confirmation, idempotence, and each rejected-row reason."""

from __future__ import annotations

import pytest

from shidian.apps.core.models import AuditEvent
from shidian.apps.orgs.imports import UnitImportError, import_apply, import_preview
from shidian.apps.orgs.models import ImportBatch, ImportStatus, OrgUnit
from shidian.apps.orgs.unitfile import UnitFileError
from tests.orgs.files import NEW_ZONE_ROWS, csv_bytes, xlsx

pytestmark = pytest.mark.django_db


def preview(user, rows, name="units.xlsx", **kwargs):
    data = xlsx(rows, **kwargs) if name.endswith(".xlsx") else csv_bytes(rows, **kwargs)
    return import_preview(actor=user, filename=name, data=data)


def by_code(batch):
    return {r["code"]: r for r in batch.plan}


def errors(row):
    return [code for code, _params in row["errors"]]


def test_dry_run_writes_no_unit_and_plans_each_row(office_user, tree):
    before = OrgUnit.objects.count()
    batch = preview(office_user, NEW_ZONE_ROWS)
    assert OrgUnit.objects.count() == before
    assert batch.notes["counts"] == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    assert [r["line"] for r in batch.plan] == [2, 3, 4]


def test_apply_creates_parents_before_children_and_sets_zone(office_user, tree):
    batch = preview(office_user, NEW_ZONE_ROWS)
    result = import_apply(batch=batch, actor=office_user)
    assert result["created"] == 3
    zone = OrgUnit.objects.get(code="A2")
    school = OrgUnit.objects.get(code="A2-1")
    point = OrgUnit.objects.get(code="A2-2")
    assert zone.parent == tree.county and school.parent == zone and point.parent == school
    assert point.path.startswith(school.path) and point.depth == school.depth + 1
    assert school.zone == zone and point.zone == zone  # by code and by name
    assert point.school_type == "teaching_point" and point.students == 15
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.APPLIED
    assert AuditEvent.objects.filter(action="orgs.import", unit=tree.county).exists()


def test_reimporting_the_same_file_changes_nothing(office_user, tree):
    import_apply(batch=preview(office_user, NEW_ZONE_ROWS), actor=office_user)
    again = preview(office_user, NEW_ZONE_ROWS)
    assert again.notes["counts"] == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert import_apply(batch=again, actor=office_user)["created"] == 0


def test_export_then_reimport_is_idempotent(office_client, office_user, tree):
    import_apply(batch=preview(office_user, NEW_ZONE_ROWS), actor=office_user)
    exported = office_client.get("/units/export.xlsx").content
    batch = import_preview(actor=office_user, filename="export.xlsx", data=exported)
    assert batch.notes["counts"]["create"] == 0
    assert batch.notes["counts"]["update"] == 0
    assert batch.notes["counts"]["error"] == 0


def test_changed_fields_show_old_and_new(office_user, tree):
    rows = [["A1-1", "甲县第一小学（新校区）", "A1", "学校", "小学", "城区", "A1", "850"]]
    batch = preview(office_user, rows)
    row = by_code(batch)["A1-1"]
    assert row["action"] == "update"
    assert ["students", 800, 850] in row["changes"]
    assert ["name", "甲县第一小学", "甲县第一小学（新校区）"] in row["changes"]
    import_apply(batch=batch, actor=office_user)
    tree.school.refresh_from_db()
    assert tree.school.students == 850


def test_moving_by_import_rewrites_the_subtree(office_user, tree):
    rows = [["A2", "甲县西片区", "A", "片区", "", "", "", ""]]
    import_apply(batch=preview(office_user, rows), actor=office_user)
    moved = [["A1-1", "甲县第一小学", "A2", "学校", "小学", "城区", "A1", "800"]]
    batch = preview(office_user, moved)
    assert ["parent_code", "A1", "A2"] in by_code(batch)["A1-1"]["changes"]
    import_apply(batch=batch, actor=office_user)
    tree.school.refresh_from_db()
    assert tree.school.parent.code == "A2"
    assert tree.school.path.startswith(OrgUnit.objects.get(code="A2").path)


def test_a_cycle_is_rejected_with_a_clear_message_and_nothing_written(office_user, tree):
    rows = [
        ["A5", "甲县五片区", "A6", "片区", "", "", "", ""],
        ["A6", "甲县六片区", "A5", "片区", "", "", "", ""],
        ["A7", "甲县七小学", "A6", "学校", "小学", "", "", ""],
    ]
    batch = preview(office_user, rows)
    plan = by_code(batch)
    assert errors(plan["A5"]) == ["cycle"]
    assert plan["A5"]["errors"][0][1]["chain"] == "A5 → A6 → A5"
    assert "parent_rejected" in errors(plan["A7"])
    before = OrgUnit.objects.count()
    with pytest.raises(UnitImportError):
        import_apply(batch=batch, actor=office_user)
    assert OrgUnit.objects.count() == before


def test_moving_an_existing_unit_under_its_descendant_is_a_cycle(office_user, tree):
    rows = [["A1", "甲县东片区", "A1-1", "片区", "", "", "", ""]]
    row = by_code(preview(office_user, rows))["A1"]
    assert "cycle" in errors(row)


@pytest.mark.parametrize(
    "row,code",
    [
        (["N1", "新校", "NOPE", "学校", "小学", "", "", ""], "unknown_parent"),
        (["N1", "新校", "B", "学校", "小学", "", "", ""], "parent_outside_scope"),
        (["B-1", "乙县外部小学", "A1", "学校", "小学", "", "", ""], "code_outside_scope"),
        (["N1", "", "A1", "学校", "小学", "", "", ""], "missing_name"),
        (["N1", "新校", "A1", "", "小学", "", "", ""], "missing_level"),
        (["N1", "新校", "A1", "学校", "大学", "", "", ""], "unknown_school_type"),
        (["N1", "新校", "A1", "学校", "小学", "", "", "三百"], "bad_number"),
        (["N1", "新校", "", "学校", "小学", "", "", ""], "missing_parent"),
        (["N1", "新校", "A1", "学校", "小学", "", "不存在片区", ""], "unknown_zone"),
        (["N1", "新县", "A1", "县", "", "", "", ""], "bad_level_order"),
        (["A", "甲县", "C1-X", "县", "", "", "", ""], "cannot_move_own_unit"),
    ],
)
def test_rejected_rows(office_user, tree, row, code):
    batch = preview(office_user, [row])
    assert code in errors(batch.plan[0]), batch.plan[0]
    with pytest.raises(UnitImportError):
        import_apply(batch=batch, actor=office_user)


def test_duplicate_codes_reject_every_occurrence(office_user, tree):
    rows = [
        ["N1", "新校一", "A1", "学校", "小学", "", "", ""],
        ["N1", "新校二", "A1", "学校", "小学", "", "", ""],
    ]
    batch = preview(office_user, rows)
    assert all("duplicate_code" in errors(r) for r in batch.plan)
    assert batch.plan[0]["errors"][0][1]["lines"] == "2, 3"


def test_the_own_unit_row_with_unchanged_parent_is_accepted(office_user, tree):
    batch = preview(office_user, [["A", "甲县", "C1", "县", "", "", "", ""]])
    assert batch.plan[0]["action"] == "unchanged"


def test_confirm_revalidates_when_data_changed_meanwhile(office_user, tree):
    batch = preview(office_user, NEW_ZONE_ROWS)
    from shidian.apps.orgs.services import unit_create

    unit_create(code="A2", name="别人先建的片区", level="zone", parent=tree.county)
    with pytest.raises(UnitImportError):
        import_apply(batch=batch, actor=office_user)
    assert not OrgUnit.objects.filter(code="A2-1").exists()
    batch.refresh_from_db()
    assert batch.notes["counts"]["update"] == 1  # the preview now shows the new situation


def test_a_batch_applies_once(office_user, tree):
    batch = preview(office_user, NEW_ZONE_ROWS)
    import_apply(batch=batch, actor=office_user)
    with pytest.raises(UnitImportError):
        import_apply(batch=batch, actor=office_user)


def test_gbk_csv_imports(office_user, tree):
    batch = preview(office_user, NEW_ZONE_ROWS, name="gbk.csv", encoding="gbk")
    assert batch.notes["counts"]["create"] == 3
    assert by_code(batch)["A2"]["name"] == "甲县西片区"


def test_unreadable_file_creates_no_batch(office_user, tree):
    with pytest.raises(UnitFileError):
        import_preview(actor=office_user, filename="x.xlsx", data=b"not a workbook")
    assert not ImportBatch.objects.exists()


def test_zone_user_cannot_reach_outside_their_zone(zone_user, tree):
    rows = [["N1", "新校", "A", "学校", "小学", "", "", ""]]
    assert "parent_outside_scope" in errors(preview(zone_user, rows).plan[0])


def test_old_unconfirmed_previews_are_dropped(office_user, tree):
    from datetime import timedelta

    from django.utils import timezone

    old = preview(office_user, NEW_ZONE_ROWS)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    applied = preview(office_user, NEW_ZONE_ROWS)
    import_apply(batch=applied, actor=office_user)
    ImportBatch.objects.filter(pk=applied.pk).update(created_at=timezone.now() - timedelta(days=8))
    preview(office_user, NEW_ZONE_ROWS)
    assert not ImportBatch.objects.filter(pk=old.pk).exists()
    assert ImportBatch.objects.filter(pk=applied.pk).exists()  # applied batches are the record


def test_a_moved_school_keeps_the_zone_the_file_names(office_user, tree):
    import_apply(
        batch=preview(office_user, [["A2", "甲县西片区", "A", "片区"] + [""] * 4]),
        actor=office_user,
    )
    rows = [["A1-1", "甲县第一小学", "A2", "学校", "小学", "城区", "A1", "800"]]
    import_apply(batch=preview(office_user, rows), actor=office_user)
    tree.school.refresh_from_db()
    assert tree.school.zone == tree.zone
    assert preview(office_user, rows).notes["counts"]["unchanged"] == 1
