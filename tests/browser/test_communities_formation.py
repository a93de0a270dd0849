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
    """The balance panel's figures: each feature row's text, and the farthest member line."""
    return page.locator(".formation-panel").inner_text().split("\n")


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


def _row(name: str, figures: tuple[float, float]) -> str:
    """A feature's row as the panel prints it (Django's floatformat rounds half up)."""
    from django.template.defaultfilters import floatformat

    return f"{name}\t{floatformat(figures[0], 1)}\t{floatformat(figures[1], 2)}"


def _a_move_that_shows(formation) -> tuple[int, int]:
    """A (non-lead unit id, 1-based target community) whose move changes the shown figures."""
    draft = formation.draft
    now = _max_dev(formation)
    leads = set(draft["leads"])
    k = len(draft["leads"])
    for pk, g in zip(draft["unit_ids"], draft["labels"], strict=True):
        if pk in leads:
            continue
        for to in range(k):
            if to == g:
                continue
            then = _max_dev(formation, {pk: to})
            if _row("", then["students"]) != _row("", now["students"]):
                return pk, to + 1
    raise AssertionError("no move changes the balance panel")


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
    leads = page.locator(".formation-member:has-text('牵头校')").all_inner_texts()
    assert sorted(t.split("（")[1].split("）")[0] for t in leads) == sorted(LEADS)
    before = _panel(page)
    formation.refresh_from_db()
    now = _max_dev(formation)
    assert _row("学生数", now["students"]) in before, before
    assert _row("教师数", now["teachers"]) in before, before
    screenshot(page, "communities-formation-proposed")

    # 4. Move a member (not a lead) to another community: the board and the balance panel
    # re-render in place (HTMX). The panel shows only each feature's largest deviation, so the
    # test picks a move that changes the students' figure, computed here independently.
    unit_id, to = _a_move_that_shows(formation)
    frm = formation.draft["labels"][formation.draft["unit_ids"].index(unit_id)] + 1
    expected = _max_dev(formation, {unit_id: to - 1})
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
    assert _row("学生数", expected["students"]) in after, after
    assert _row("教师数", expected["teachers"]) in after, after
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
