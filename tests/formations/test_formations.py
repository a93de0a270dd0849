"""Formations: engine run, moves, versions, adoption, XLSX round trip, refusals."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from shidian.apps.formations import services, sheets
from shidian.apps.formations.models import Formation, FormationStatus
from tests.community_world import community_world
from tests.conftest import make_user
from tests.formations.factories import formation, proposed


def _client(client, user):
    client.force_login(user)
    return client


def test_propose_makes_draft_and_version_one(tree):
    f = proposed(tree)
    v = f.versions.get()
    assert v.number == 1 and f.status == FormationStatus.DRAFT
    assert len(v.assignment["leads"]) == 2 and len(v.assignment["unit_ids"]) == 8
    assert v.balance["features"][0]["name"]


def test_run_kind_end_to_end(tree, django_capture_on_commit_callbacks):
    from shidian.apps.runs.models import Run

    f = formation(tree)
    cw = community_world(tree)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.formation_run(by=cw.office, formation=f)
    run = Run.objects.get(pk=run.pk)  # scoping: ok test
    assert run.status == "succeeded", run.error_code
    f.refresh_from_db()
    assert f.draft and f.versions.count() == 1


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"n_groups": 9}, "共同体数量"),
        ({"lead_codes": ["A1-1"]}, "牵头校"),
        ({"max_km": 0.5}, "距离"),
        ({"size_max": 3, "size_min": 1}, "规模上限"),
        ({"size_max": 3}, "规模上下限"),
        ({"apart": [["A1-2", "A1-3"], ["A1-3", "A1-4"], ["A1-2", "A1-4"]]}, "分开"),
        ({"lead_codes": ["A1-1", "ZZZ"]}, "ZZZ"),
    ],
)
def test_infeasible_setups_name_the_constraint(tree, params, needle):
    f = formation(tree, **params)
    with pytest.raises(ValidationError) as err:
        services.formation_run(by=community_world(tree).office, formation=f)
    assert needle in " ".join(err.value.messages)
    assert not f.versions.exists()


def test_missing_coordinates_named(tree):
    f = formation(tree)
    cw = community_world(tree)
    unit = cw.schools["A1-3"]
    unit.latitude = None
    unit.save(update_fields=["latitude"])
    with pytest.raises(ValidationError) as err:
        services.precheck(f)
    assert "A1-3" in err.value.messages[0]


def test_move_refusals_and_allowed_move(tree):
    f = proposed(tree)
    office = community_world(tree).office
    a = f.draft
    lead = a["leads"][0]
    with pytest.raises(ValidationError, match="牵头校"):
        services.draft_move(by=office, formation=f, unit_id=lead, to_group=1)
    member = next(
        pk for pk, g in zip(a["unit_ids"], a["labels"], strict=True) if g == 0 and pk != lead
    )
    services.draft_move(by=office, formation=f, unit_id=member, to_group=1)
    f.refresh_from_db()
    assert f.draft["labels"][f.draft["unit_ids"].index(member)] == 1
    with pytest.raises(ValidationError):
        services.version_save(by=office, formation=f, note="  ")
    v2 = services.version_save(by=office, formation=f, note="调整一所学校")
    diff = services.compare(f, f.versions.get(number=1), v2)
    assert [m["after"] for m in diff["moved"]] == [2]


def test_adopt_creates_then_updates_communities(tree):
    from shidian.apps.communities.models import Community

    f = proposed(tree)
    office = community_world(tree).office
    v1 = f.versions.get()
    made = services.version_adopt(by=office, version=v1)
    assert len(made) == 2 and all(c.formation_version_id == v1.pk for c in made)
    again = services.version_adopt(by=office, version=v1)
    assert {c.pk for c in again} == {c.pk for c in made}
    assert Community.objects.filter(formation_version_id=v1.pk).count() == 2  # scoping: ok


def test_xlsx_round_trip_and_row_errors(tree):
    f = proposed(tree)
    office = community_world(tree).office
    data = sheets.export_xlsx(f, f.draft)
    assert sheets.parse_xlsx(f, data) == {
        "unit_ids": sorted(f.draft["unit_ids"]),
        "labels": [
            dict(zip(f.draft["unit_ids"], f.draft["labels"], strict=True))[i]
            for i in sorted(f.draft["unit_ids"])
        ],
        "leads": f.draft["leads"],
    }
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.cell(3, 3).value = 7
    ws.cell(4, 1).value = "NOPE"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError) as err:
        sheets.import_xlsx(by=office, formation=f, data=out.getvalue())
    text = " ".join(err.value.messages)
    assert "第 3 行" in text and "第 4 行" in text
    sheets.import_xlsx(by=office, formation=f, data=data)


def test_pages_for_office(tree, client):
    f = proposed(tree)
    c = _client(client, community_world(tree).office)
    assert c.get("/formations/").status_code == 200
    page = c.get(f"/formations/{f.pk}/")
    assert page.status_code == 200 and "第 1 共同体" in page.content.decode()
    lead = f.draft["leads"][0]
    r = c.post(f"/formations/{f.pk}/move/", {"unit": lead, "to": 2}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "牵头校" in r.content.decode()
    assert c.get(f"/formations/{f.pk}/versions/?a=1&b=1").status_code == 200
    assert c.get(f"/formations/{f.pk}/export/").status_code == 200
    r = c.post(
        "/formations/",
        {"name": "新方案", "kind": "merged", "n_groups": 2, "features": ["students"]},
    )
    assert r.status_code == 302
    assert Formation.objects.filter(name="新方案").exists()  # scoping: ok test


def test_refusals(tree, client):
    f = proposed(tree)
    outsider = make_user("fm-outsider", tree.other_county, "office")
    assert _client(client, outsider).get(f"/formations/{f.pk}/").status_code == 404
    client.logout()
    school = community_world(tree).coordinators["A1-1"]
    c = _client(client, school)
    assert c.get("/formations/").status_code == 403
    v = f.versions.get()
    assert c.post(f"/formations/version/{v.pk}/adopt/").status_code in (403, 404)


def test_largest_apart_clique():
    assert services.largest_apart_clique(5, [(0, 1), (1, 2), (0, 2), (3, 4)]) == [0, 1, 2]
    assert services.largest_apart_clique(3, []) == []
