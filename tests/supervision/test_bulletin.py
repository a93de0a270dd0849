"""The monthly bulletin: a documents.Document of kind bulletin with the ranking, highlights and
the bottom units with their 督办 items."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shidian.apps.supervision.services import bulletin_generate, league_compute, league_publish
from tests.conftest import make_user


def _read(document) -> tuple[str, list[list[list[str]]]]:
    """The paragraphs' text and every table as rows of cell texts."""
    from docx import Document as Docx

    with document.docx.open("rb") as fh:
        doc = Docx(io.BytesIO(fh.read()))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


def _publish(world, fake_inputs, month, rates):
    fake_inputs.month(month, world.pilots, rates=rates)
    table = league_compute(
        programme=world.programme, cycle=world.batch1, month=month, by=world.office
    )
    league_publish(table=table, by=world.office)
    return table


def test_bulletin_has_ranking_highlights_and_bottom_units(world, fake_inputs, settings):
    _publish(world, fake_inputs, "2026-04", [0.9, 0.8, 0.7, 0.2, 0.3, 0.2])
    table = _publish(world, fake_inputs, "2026-05", [0.9, 0.8, 0.7, 0.6, 0.3, 0.2])
    document = bulletin_generate(table=table, by=world.office)
    table.refresh_from_db()
    assert table.bulletin == document
    assert document.kind == "bulletin" and document.cycle == world.batch1
    assert document.number  # numbered from the unit's prefix
    text, tables = _read(document)
    assert "2026年5月" in document.title
    ranking = next(t for t in tables if t[0][0] == "名次" and t[0][-1] == "等级")
    assert [r[1] for r in ranking[1:]] == [u.name for u in world.pilots]
    assert "较上月进步明显的是甲县第4学校（提高" in text  # 0.2 -> 0.6
    assert "督办学校名单" in text
    bottom = next(t for t in tables if "督办等级" in t[0])
    names = [r[1] for r in bottom[1:]]
    assert names == [u.name for u in reversed(world.pilots[3:])]  # the bottom three, worst first
    assert {r[3] for r in bottom[1:]} == {"预警"}  # behind in April, bottom in May


def test_bulletin_needs_a_published_table_and_the_office(world, fake_inputs, tree):
    fake_inputs.month("2026-05", world.pilots, rates=[0.5] * 6)
    table = league_compute(
        programme=world.programme, cycle=world.batch1, month="2026-05", by=world.office
    )
    with pytest.raises(ValidationError, match="发布后"):
        bulletin_generate(table=table, by=world.office)
    league_publish(table=table, by=world.office)
    with pytest.raises(PermissionDenied):
        bulletin_generate(table=table, by=make_user("sv-b-other", tree.other_county, "office"))
    from shidian.apps.documents.models import Document

    assert not Document.objects.exists()


def test_a_large_batch_lists_the_ends_a_zone_summary_and_the_worst_items(
    world, fake_inputs, monkeypatch
):
    import shidian.apps.supervision.services.bulletin as bulletin

    monkeypatch.setattr(bulletin, "FULL_LIMIT", 3)
    monkeypatch.setattr(bulletin, "PART_LIMIT", 1)
    monkeypatch.setattr(bulletin, "SUPERVISED_LIMIT", 2)
    table = _publish(world, fake_inputs, "2026-05", [0.9, 0.8, 0.7, 0.6, 0.3, 0.2])
    text, tables = _read(bulletin_generate(table=table, by=world.office))
    ranking = next(t for t in tables if t[0][0] == "名次" and t[0][-1] == "等级")
    assert [r[1] for r in ranking[1:]] == [world.pilots[0].name, world.pilots[5].name]
    zones = next(t for t in tables if t[0][0] == "片区")
    assert zones[1][1] == "6"
    bottom = next(t for t in tables if "督办等级" in t[0])
    assert [r[1] for r in bottom[1:]] == [world.pilots[5].name, world.pilots[4].name]
    assert "另有1所学校列入督办" in text
