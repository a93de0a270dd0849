"""The formation board's balance panel: per-community figures with display labels, distances to
the lead, a move that marks what it changed, a refused move that says why and changes nothing."""

from __future__ import annotations

import math
from statistics import mean, stdev

import lxml.html
import pytest

from shidian.apps.formations.models import Formation
from tests.community_world import community_world
from tests.formations.factories import formation, proposed


def _c(name: str) -> str:
    """An XPath test for one class (lxml's CSS selectors need cssselect, not installed)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _x(node, path: str) -> list:
    return node.xpath(path)


def _page(client, tree, f, path=""):
    client.force_login(community_world(tree).office)
    r = client.get(f"/formations/{f.pk}/{path}")
    assert r.status_code == 200
    return lxml.html.fromstring(r.content.decode())


def _move(client, f, unit, to):
    return client.post(f"/formations/{f.pk}/move/", {"unit": unit, "to": to}, HTTP_HX_REQUEST="1")


def _units(f):
    from shidian.apps.orgs.models import OrgUnit

    return OrgUnit.objects.in_bulk(f.draft["unit_ids"])  # scoping: ok test


def _km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _matrix(doc) -> dict[int, dict[str, str]]:
    """Community number -> {figure name: text} from the panel's per-community table."""
    out = {}
    for row in _x(doc, f"//table[{_c('formation-matrix')}]/tbody/tr"):
        out[int(row.get("data-group"))] = {
            td.get("data-figure"): td.text_content().strip() for td in _x(row, "td[@data-figure]")
        }
    return out


def _free_member(f, group=0):
    a = f.draft
    return next(
        pk
        for pk, g in zip(a["unit_ids"], a["labels"], strict=True)
        if g == group and pk not in a["leads"]
    )


def test_panel_shows_counts_per_community_with_labels(tree, client):
    f = proposed(tree)
    doc = _page(client, tree, f)
    units = _units(f)
    labels = {"urban": "城区", "town": "镇区", "rural": "乡村"}
    matrix = _matrix(doc)
    levels = sorted({units[pk].locality or "" for pk in f.draft["unit_ids"]})
    header = [th.text_content() for th in _x(doc, f"//table[{_c('formation-matrix')}]/thead//th")]
    for lv, code in enumerate(levels):
        assert any(labels[code] in h for h in header), header
        for g in (1, 2):
            expected = sum(
                1
                for pk, lab in zip(f.draft["unit_ids"], f.draft["labels"], strict=True)
                if lab == g - 1 and units[pk].locality == code
            )
            assert matrix[g][f"category-0-{lv}"] == str(expected)
    cards = _x(doc, f"//*[{_c('formation-group')}]//*[{_c('formation-stats')}]")
    assert len(cards) == 2 and all("城乡" in c.text_content() for c in cards)
    panel = _x(doc, f"//*[{_c('formation-panel')}]")[0].text_content()
    assert "rural" not in panel and "urban" not in panel
    for code in levels:  # the summary per level: the range of counts and the ideal
        assert labels[code] in _x(doc, f"//table[{_c('formation-categories')}]")[0].text_content()
    # sizes and each feature's community mean with its deviation in SDs
    values = [float(units[pk].students) for pk in f.draft["unit_ids"]]
    m, sd = mean(values), stdev(values)
    for g in (1, 2):
        members = [
            float(units[pk].students)
            for pk, lab in zip(f.draft["unit_ids"], f.draft["labels"], strict=True)
            if lab == g - 1
        ]
        assert matrix[g]["size"] == str(len(members))
        cell = matrix[g]["feature-0"]
        assert cell.startswith(f"{mean(members):.1f}"), cell
        assert f"{abs(mean(members) - m) / sd:.2f}" in cell, cell
    worst = _x(doc, f"//table[{_c('formation-features')}]/tbody/tr")[0].text_content()
    assert "第 " in worst


def test_each_member_shows_its_distance_to_the_lead(tree, client):
    f = proposed(tree)
    doc = _page(client, tree, f)
    units = _units(f)
    a = f.draft
    for pk, g in zip(a["unit_ids"], a["labels"], strict=True):
        li = _x(doc, f"//li[{_c('formation-member')}][@data-unit='{pk}']")[0]
        if pk in a["leads"]:
            assert not _x(li, f".//*[{_c('formation-km')}]")
            continue
        km = _km(units[pk], units[a["leads"][g]])
        assert _x(li, f".//*[{_c('formation-km')}]")[0].text_content() == f"{km:.1f} km"
    # the farthest member of each community carries a flag; none is over the 30 km limit
    assert len(_x(doc, f"//li[{_c('formation-member')}]//*[{_c('badge-warn')}]")) >= 2
    assert not _x(doc, f"//li[{_c('formation-member')}]//*[{_c('badge-err')}]")


def test_member_over_the_limit_is_flagged(tree, client):
    f = proposed(tree)
    f.params = {**f.params, "max_km": 0.5}  # the limit tightened after the run
    f.save(update_fields=["params"])
    doc = _page(client, tree, f)
    assert _x(doc, f"//li[{_c('formation-member')}]//*[{_c('badge-err')}]")
    assert _x(doc, f"//*[{_c('formation-worst-km')}]//*[{_c('badge-err')}]")
    assert _x(doc, f"//table[{_c('formation-matrix')}]//td[{_c('is-over-limit')}]")


def test_move_changes_the_figures_and_marks_them(tree, client):
    f = proposed(tree)
    before = _matrix(_page(client, tree, f))
    unit = _free_member(f, 0)
    r = _move(client, f, unit, 2)
    assert r.status_code == 200
    doc = lxml.html.fromstring(r.content.decode())
    after = _matrix(doc)
    assert int(after[1]["size"]) == int(before[1]["size"]) - 1
    assert int(after[2]["size"]) == int(before[2]["size"]) + 1
    assert after[1]["feature-0"] != before[1]["feature-0"]
    assert after[2]["feature-0"] != before[2]["feature-0"]
    # what changed is marked: both sizes, the two touched communities, the moved school
    trs = _x(doc, f"//table[{_c('formation-matrix')}]/tbody/tr")
    rows = {int(tr.get("data-group")): tr for tr in trs}
    for g in (1, 2):
        assert "is-changed" in _x(rows[g], "td[@data-figure='size']")[0].get("class")
        assert "is-touched" in rows[g].get("class")
    assert len(_x(doc, f"//article[{_c('formation-group')}][{_c('is-touched')}]")) == 2
    moved = _x(doc, f"//*[{_c('formation-group')}][@data-group='2']//li[@data-unit='{unit}']")
    assert moved and "is-moved" in moved[0].get("class")
    assert int(doc.get("data-changed")) >= 4
    assert _x(doc, f"//*[{_c('formation-changed-note')}]")
    f.refresh_from_db()
    assert f.draft["labels"][f.draft["unit_ids"].index(unit)] == 1
    # the full page afterwards shows the new figures, unmarked
    again = _page(client, tree, f)
    assert _matrix(again) == after
    assert not _x(again, f"//*[{_c('is-changed')}]")


def _refused(client, tree, f, unit, to, needle):
    before = Formation.objects.get(pk=f.pk).draft  # scoping: ok test
    page = _matrix(_page(client, tree, f))
    r = _move(client, f, unit, to)
    assert r.status_code == 422
    doc = lxml.html.fromstring(r.content.decode())
    alert = _x(doc, f"//*[{_c('formation-error')}]")[0].text_content()
    assert needle in alert, alert
    inline = _x(doc, f"//li[@data-unit='{unit}']//*[{_c('formation-refused')}]")
    assert inline and needle in inline[0].text_content()
    assert not _x(doc, f"//*[{_c('is-changed')}]") and not _x(doc, f"//*[{_c('is-touched')}]")
    assert _matrix(doc) == page
    assert Formation.objects.get(pk=f.pk).draft == before  # scoping: ok test


def test_refused_move_lead(tree, client):
    f = proposed(tree)
    _refused(client, tree, f, f.draft["leads"][0], 2, "牵头校")


def test_refused_move_distance(tree, client):
    f = proposed(tree)
    units = _units(f)
    a = f.draft
    unit = _free_member(f, 0)
    km = _km(units[unit], units[a["leads"][1]])
    f.params = {**f.params, "max_km": round(km - 0.05, 2)}
    f.save(update_fields=["params"])
    _refused(client, tree, f, unit, 2, "距离")


def test_refused_move_size(tree, client):
    f = proposed(tree)
    sizes = [f.draft["labels"].count(g) for g in (0, 1)]
    f.params = {**f.params, "size_max": sizes[1]}
    f.save(update_fields=["params"])
    _refused(client, tree, f, _free_member(f, 0), 2, "规模上限")


def test_refused_move_apart_pair(tree, client):
    f = proposed(tree)
    units = _units(f)
    a = f.draft
    unit = _free_member(f, 0)
    partner = units[a["leads"][1]].code
    f.params = {**f.params, "apart": [[units[unit].code, partner]]}
    f.save(update_fields=["params"])
    _refused(client, tree, f, unit, 2, "分开")


@pytest.mark.parametrize("to", ["", "x"])
def test_move_without_target_changes_nothing(tree, client, to):
    f = proposed(tree)
    before = f.draft
    client.force_login(community_world(tree).office)
    r = client.post(f"/formations/{f.pk}/move/", {"unit": _free_member(f), "to": to})
    assert r.status_code == 302
    assert Formation.objects.get(pk=f.pk).draft == before  # scoping: ok test


def test_board_without_draft(tree, client):
    f = formation(tree, n_groups=2, seed=1)
    doc = _page(client, tree, f)
    assert not _x(doc, f"//*[{_c('formation-panel')}]")
