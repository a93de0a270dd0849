"""The office forms communities in the browser: it sets up a formation of 24 schools into four
communities, runs it (a Run, waited to its end), reads the balance panel, moves a school to
another community and sees the balance figures change, saves a version with a reason and finds
it in the versions list.

The world (county A's schools with coordinates, students and teachers) is seeded through
services; everything the office does goes through the pages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot
from tests.community_world import community_world

pytestmark = pytest.mark.django_db(transaction=True)
LEADS = ["A1-1", "A1-5", "A1-9", "A1-13"]
NOTE = "按片区就近调整一所成员校"


def _more_schools(tree) -> None:
    """Sixteen more schools beside the community world's eight, 24 in all, within ~15 km."""
    from shidian.apps.orgs.models import Level, Locality, SchoolType
    from shidian.apps.orgs.services import unit_create

    for i in range(9, 25):
        unit_create(
            code=f"A1-{i}",
            name=f"甲县第{i}学校",
            level=Level.SCHOOL,
            parent=tree.zone,
            zone=tree.zone,
            school_type=[SchoolType.PRIMARY, SchoolType.JUNIOR_HIGH][i % 2],
            locality=[Locality.URBAN, Locality.RURAL][i % 2],
            students=200 + 37 * i,
            teachers=20 + (i * 7) % 30,
            latitude=30.50 + 0.01 * (i % 6),
            longitude=114.30 + 0.012 * (i % 5),
        )


def _panel(page) -> list[str]:
    """The balance panel's summary rows (one line per feature) and the farthest member line."""
    return page.locator(".formation-panel").inner_text().split("\n")


def _matrix(page) -> dict[int, dict[str, str]]:
    """The panel's per-community table: community number -> {figure: text}."""
    out = {}
    for row in page.locator("table.formation-matrix tbody tr").all():
        cells = row.locator("td[data-figure]")
        out[int(row.get_attribute("data-group"))] = {
            cells.nth(i).get_attribute("data-figure"): cells.nth(i).inner_text().strip()
            for i in range(cells.count())
        }
    return out


def _community_means(formation, moves: dict | None = None) -> dict[int, dict[str, float]]:
    """Each community's (1-based) size and mean students/teachers with ``moves`` applied."""
    from statistics import mean

    from shidian.apps.orgs.models import OrgUnit

    draft = formation.draft
    labels = dict(zip(draft["unit_ids"], draft["labels"], strict=True)) | (moves or {})
    units = OrgUnit.objects.in_bulk(draft["unit_ids"])  # scoping: ok test
    out: dict[int, dict[str, float]] = {}
    for g in sorted(set(labels.values())):
        pks = [pk for pk, lab in labels.items() if lab == g]
        out[g + 1] = {
            "size": len(pks),
            "students": mean(float(units[pk].students or 0) for pk in pks),
            "teachers": mean(float(units[pk].teachers or 0) for pk in pks),
        }
    return out


def _sizes(page) -> list[str]:
    return page.locator(".formation-group h3").all_inner_texts()


def _max_dev(formation, moves: dict | None = None) -> dict[str, tuple[float, float]]:
    """Each feature's (overall mean, largest deviation of a community mean in SDs) for the
    draft with ``moves`` (unit id -> 0-based community) applied, as the panel defines it."""
    from statistics import mean, stdev

    from shidian.apps.orgs.models import OrgUnit

    draft = formation.draft
    labels = dict(zip(draft["unit_ids"], draft["labels"], strict=True)) | (moves or {})
    units = OrgUnit.objects.in_bulk(draft["unit_ids"])  # scoping: ok test
    out = {}
    for f in ("students", "teachers"):
        values = {pk: float(getattr(units[pk], f) or 0) for pk in labels}
        m, sd = mean(values.values()), stdev(values.values())
        groups = {}
        for pk, g in labels.items():
            groups.setdefault(g, []).append(values[pk])
        out[f] = (m, max(abs(mean(v) - m) for v in groups.values()) / sd)
    return out


def _fmt(value: float, places: int) -> str:
    """A figure as the panel prints it (Django's floatformat rounds half up)."""
    from django.template.defaultfilters import floatformat

    return str(floatformat(value, places))


def _row(name: str, figures: tuple[float, float]) -> tuple[str, str, str]:
    """A feature's summary row as the panel prints it: name, overall mean, largest deviation."""
    return (name, _fmt(figures[0], 1), _fmt(figures[1], 2))


def _has_row(lines: list[str], row: tuple[str, str, str]) -> bool:
    for line in lines:
        cells = line.split("\t")
        if cells[0] == row[0] and len(cells) >= 4 and cells[1] == row[1] and cells[3] == row[2]:
            return True
    return False


def _a_member_move(formation) -> tuple[int, int]:
    """A (non-lead unit id, 1-based target community): the first member, to the next one."""
    draft = formation.draft
    k = len(draft["leads"])
    for pk, g in zip(draft["unit_ids"], draft["labels"], strict=True):
        if pk not in draft["leads"]:
            return pk, (g + 1) % k + 1
    raise AssertionError("no member to move")


def test_form_move_and_save_a_version(page, live_server, tree):
    from shidian.apps.formations.models import Formation
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.runs.models import Run

    world = community_world(tree)
    _more_schools(tree)
    login(page, live_server, world.office.username)

    # 1. The set-up, on the formations page.
    page.goto(f"{live_server.url}/formations/")
    page.fill("#id_name", "2026年共同体组建")
    page.select_option("#id_kind", index=0)
    page.fill("#id_n_groups", "4")
    page.check("input[name=features][value=students]")
    page.check("input[name=features][value=teachers]")
    page.check("input[name=categories][value=locality]")
    page.fill("#id_lead_codes", "，".join(LEADS))
    page.fill("#id_max_km", "40")
    page.click("form.formation-setup button[type=submit]")
    page.wait_for_url("**/formations/*/")
    formation = Formation.objects.get(name="2026年共同体组建")  # scoping: ok test
    assert formation.params["n_groups"] == 4 and formation.params["lead_codes"] == LEADS
    assert "尚无组建草稿" in page.inner_text("main")

    # 2. The run: its card reaches done (the immediate backend runs it on commit; the page
    # waits for the card's state rather than assuming it), then links back to the board.
    page.click("form[action$='/run/'] button")
    page.wait_for_url("**/runs/*/")
    page.wait_for_selector(".run-card[data-run-status=succeeded]", timeout=30_000)
    assert "4 个共同体" in page.inner_text(".run-card")
    assert Run.objects.get(kind="formations.form").status == "succeeded"
    page.click(".run-card .run-link")
    page.wait_for_selector(".formation-panel")

    # 3. The board: four communities over 24 schools, each led by one of the chosen leads.
    groups = page.locator(".formation-group")
    assert groups.count() == 4
    heads = _sizes(page)
    counts = [int(h.split("（")[1].split(" ")[0]) for h in heads]
    assert sum(counts) == 24, heads
    # each lead's row: its name, its code (muted) and the lead badge
    leads = page.locator(".formation-member:has(.badge-ok) > span > .muted").all_inner_texts()
    assert sorted(leads) == sorted(LEADS), leads
    before = _panel(page)
    formation.refresh_from_db()
    now = _max_dev(formation)
    assert _has_row(before, _row("学生数", now["students"])), before
    assert _has_row(before, _row("教师数", now["teachers"])), before
    matrix = _matrix(page)
    for g, figures in _community_means(formation).items():
        assert matrix[g]["size"] == str(figures["size"])
        assert matrix[g]["feature-0"].startswith(_fmt(figures["students"], 1) + " ("), matrix
    assert "城乡" in page.inner_text(".formation-group[data-group='1'] .formation-stats")
    screenshot(page, "communities-formation-proposed")

    # 4. Move a member (not a lead) to another community: the board and the balance panel
    # re-render in place (HTMX). Both communities' sizes and means change on screen (computed
    # here independently) and are marked; the summary follows.
    unit_id, to = _a_member_move(formation)
    frm = formation.draft["labels"][formation.draft["unit_ids"].index(unit_id)] + 1
    expected = _max_dev(formation, {unit_id: to - 1})
    means = _community_means(formation, {unit_id: to - 1})
    member = page.locator(f".formation-member[data-unit='{unit_id}']")
    member.locator("select[name=to]").select_option(str(to))
    with page.expect_response(lambda r: r.url.endswith("/move/")) as moved:
        member.locator("button[type=submit]").click()
    assert moved.value.status == 200  # the HTMX partial, not a redirect
    page.wait_for_selector(
        f".formation-group[data-group='{to}'] .formation-member[data-unit='{unit_id}']"
    )
    moved_away = f".formation-group[data-group='{frm}'] .formation-member[data-unit='{unit_id}']"
    assert page.locator(moved_away).count() == 0
    after = _panel(page)
    assert after != before, (before, after)
    assert _has_row(after, _row("学生数", expected["students"])), after
    assert _has_row(after, _row("教师数", expected["teachers"])), after
    new_matrix = _matrix(page)
    for g in (frm, to):
        assert new_matrix[g] != matrix[g], (g, matrix[g], new_matrix[g])
        assert new_matrix[g]["size"] == str(means[g]["size"])
        assert new_matrix[g]["feature-0"].startswith(_fmt(means[g]["students"], 1) + " (")
        assert new_matrix[g]["feature-1"].startswith(_fmt(means[g]["teachers"], 1) + " (")
        row = page.locator(f"table.formation-matrix tr[data-group='{g}']")
        assert "is-touched" in (row.get_attribute("class") or "")
        assert row.locator("td[data-figure=size].is-changed").count() == 1
    untouched = [g for g in new_matrix if g not in (frm, to)]
    assert all(new_matrix[g] == matrix[g] for g in untouched)
    assert page.locator(".formation-group.is-touched").count() == 2
    screenshot(page, "communities-formation-moved")

    # 4b. A refused move (the distance limit tightened behind the page's back) says why beside
    # the school, and nothing on the board changes.
    params = dict(formation.params)
    Formation.objects.filter(pk=formation.pk).update(  # scoping: ok test
        params={**params, "max_km": 0.1}
    )
    other = page.locator(".formation-member[draggable=true]").nth(1)
    other_id = int(other.get_attribute("data-unit"))
    now_in = int(other.locator("select[name=to]").input_value())
    other.locator("select[name=to]").select_option(str(now_in % 4 + 1))
    with page.expect_response(lambda r: r.url.endswith("/move/")) as refused:
        other.locator("button[type=submit]").click()
    assert refused.value.status == 422
    reason = page.locator(f".formation-member[data-unit='{other_id}'] .formation-refused")
    reason.wait_for()
    assert "距离" in reason.inner_text()
    assert _matrix(page) == new_matrix
    assert page.locator(".is-changed").count() == 0
    Formation.objects.filter(pk=formation.pk).update(params=params)  # scoping: ok test
    new_counts = [int(h.split("（")[1].split(" ")[0]) for h in _sizes(page)]
    assert new_counts[frm - 1] == counts[frm - 1] - 1 and new_counts[to - 1] == counts[to - 1] + 1
    formation.refresh_from_db()
    labels = dict(zip(formation.draft["unit_ids"], formation.draft["labels"], strict=True))
    assert labels[unit_id] == to - 1
    first = page.locator(".formation-group[data-group='1']")

    # 5. A lead cannot be moved: its row has no move form.
    assert first.locator(".formation-member[draggable=false] form").count() == 0

    # 6. Save a version with a reason; it appears in the versions list.
    page.fill("form.formation-save input[name=note]", NOTE)
    with page.expect_navigation():
        page.click("form.formation-save button[type=submit]")
    assert "已保存为第 2 版" in page.inner_text("body")
    page.click("a[href$='/versions/']")
    rows = page.locator("table.formation-versions tbody tr")
    assert rows.count() == 2
    texts = rows.all_inner_texts()
    assert any(NOTE in t and t.strip().startswith("2") for t in texts), texts
    page.fill("form.formation-compare input[name=a]", "1")
    page.fill("form.formation-compare input[name=b]", "2")
    with page.expect_navigation():
        page.click("form.formation-compare button[type=submit]")
    name = OrgUnit.objects.get(pk=unit_id).name  # scoping: ok test
    moved_line = page.locator("main li", has_text=name).inner_text()
    assert f"第 {frm} → 第 {to} 共同体" in moved_line, moved_line
    assert page.locator("main li", has_text="共同体").filter(has_text="→").count() == 1
    screenshot(page, "communities-formation-versions")
