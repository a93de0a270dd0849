"""Balancing by the self-assessment total (自评总分) and large set-ups with a distance limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shidian.apps.formations import inputs, services
from tests.community_world import CODES, community_world
from tests.formations.factories import formation

TOTALS = dict(zip(CODES, [91.0, 62.0, 75.0, 70.0, 88.0, 66.0, 80.0, 72.0], strict=True))


def _round(tree, name, deadline):
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign

    return Campaign.objects.create(  # scoping: ok test data
        unit=tree.county,
        name=name,
        opens_on=deadline.date() - dt.timedelta(days=30),
        deadline=deadline if deadline.tzinfo else timezone.make_aware(deadline),
    )


def _sheets(tree, totals, *, skip=()):
    from shidian.apps.campaigns.models import Sheet, SheetStatus

    cw = community_world(tree)
    old = _round(tree, "2025 自查", dt.datetime(2025, 6, 1, 12))
    new = _round(tree, "2026 自查", dt.datetime(2026, 6, 1, 12))
    later = _round(tree, "2027 自查（未审核）", dt.datetime(2027, 6, 1, 12))
    for code, total in totals.items():
        unit = cw.schools[code]
        # a newer sheet not yet accepted never counts
        Sheet.objects.create(round=later, unit=unit, status=SheetStatus.SUBMITTED, total=99.0)
        if code not in skip:
            # an older accepted sheet counts only until a newer one is accepted
            Sheet.objects.create(round=old, unit=unit, status=SheetStatus.ACCEPTED, total=10.0)
            Sheet.objects.create(round=new, unit=unit, status=SheetStatus.ACCEPTED, total=total)
    return cw


def test_latest_accepted_total_per_unit(tree):
    cw = _sheets(tree, TOTALS)
    got = inputs.self_totals(list(cw.schools.values()))
    assert got == {cw.schools[c].pk: t for c, t in TOTALS.items()}


def test_balance_by_self_total_with_leads_by_self_total(tree):
    cw = _sheets(tree, TOTALS)
    f = formation(tree, features=["self_total", "students"], lead_codes=[], lead_by="self_total")
    assert f.params["lead_by"] == "self_total"
    version = services.propose(f)
    leads = {
        u.code
        for u in type(cw.schools["A1-1"]).objects.filter(  # scoping: ok test
            pk__in=version.assignment["leads"]
        )
    }
    assert leads == {"A1-1", "A1-5"}  # the two highest totals (91 and 88)
    names = [feat["name"] for feat in version.balance["features"]]
    assert names[0] == "自评总分"
    mean = sum(TOTALS.values()) / len(TOTALS)
    assert version.balance["features"][0]["mean"] == pytest.approx(mean)
    # the panel of the draft reads the same totals
    f.refresh_from_db()
    _panel, built = services.panel_of(f)
    assert sorted(built.features[:, 0]) == sorted(TOTALS.values())


def test_missing_total_is_refused_naming_the_school(tree):
    cw = _sheets(tree, TOTALS, skip=("A1-3",))
    f = formation(tree, features=["self_total"])
    with pytest.raises(ValidationError) as err:
        services.formation_run(by=cw.office, formation=f)
    text = " ".join(err.value.messages)
    assert "自评总分" in text and "A1-3" in text
    assert not f.versions.exists()


def test_form_offers_self_total(tree, client):
    cw = _sheets(tree, TOTALS)
    client.force_login(cw.office)
    page = client.get("/formations/").content.decode()
    assert 'value="self_total"' in page and 'name="lead_by"' in page
    assert "btn btn-primary" in page
    r = client.post(
        "/formations/",
        {
            "name": "按自评总分",
            "kind": "merged",
            "n_groups": 2,
            "features": ["self_total", "teachers"],
            "lead_by": "self_total",
        },
    )
    assert r.status_code == 302
    from shidian.apps.formations.models import Formation

    made = Formation.objects.get(name="按自评总分")  # scoping: ok test
    assert made.params["features"] == ["self_total", "teachers"]
    assert made.params["lead_by"] == "self_total"


def test_beyond_the_milp_limit_the_distance_start_is_used(tree, monkeypatch):
    """The page used to refuse items x groups over the MILP limit with a distance limit."""
    from shidian.engine.grouping import start

    monkeypatch.setattr(start, "MILP_START_LIMIT", 1)
    f = formation(tree, max_km=30)
    version = services.propose(f)
    assert len(version.assignment["leads"]) == 2
    assert version.balance["worst_km"] <= 30


def test_engine_families_are_named_in_chinese():
    from shidian.engine.errors import InfeasibleError
    from shidian.engine.grouping.start import FAMILY_TEXT

    exc = InfeasibleError(
        "These constraints cannot all hold: ... or more possible leads).",
        relaxations=[FAMILY_TEXT["max_km"], FAMILY_TEXT["sizes"]],
    )
    text = services.engine_message(exc)
    assert "与牵头校的距离上限、规模上下限" in text
    assert "可作牵头校的学校少于" not in text  # not mistaken for too few leads
