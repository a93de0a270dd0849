"""Pilot selection end to end, through the browser only: the office opens the selection, runs a
shortlist with zone quotas and adopts it; builds a panel of two experts from other counties and
assigns two experts per school; both experts score their schools on the review form; the office
reconciles and adopts, forms the batches, matches controls and adopts, submits; the leader
approves; the office generates the notice, whose PDF is rendered to PNG and checked (size, ink,
and the pilots' names in its text). Runs execute inline (the immediate task backend of the test
settings), as the documents job does."""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np
import pytest

from tests.browser.conftest import ARTIFACTS, login, screenshot
from tests.conftest import make_user
from tests.selection.factories import expert, world
from tests.selection.test_controls import complete

pytestmark = pytest.mark.django_db(transaction=True)

PILOTS = 14


def _people(tree):
    from shidian.apps.orgs.models import Level
    from shidian.apps.orgs.services import unit_create

    third = unit_create(code="X9", name="丙县", level=Level.COUNTY, parent=tree.city)
    expert(tree, "expz", tree.other_county, full_name="赵专家")
    expert(tree, "expq", third, full_name="钱专家")
    make_user("leader", tree.county, "leading_group", full_name="局长张")


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    login(page, live_server, username)


def _score_all(page, live_server, username: str, shift: float) -> int:
    """The expert opens their review list and scores every assigned school on the form: each
    item a share of its maximum (by school, shifted a little per expert), then saves."""
    _as(page, live_server, username)
    page.goto(f"{live_server.url}/campaigns/reviews/")
    links = page.locator('a[href^="/campaigns/sheets/"][href$="/review/"]')
    hrefs = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
    for n, href in enumerate(hrefs):
        page.goto(live_server.url + href)
        share = 0.55 + ((n * 7) % 10) / 25 + shift
        page.evaluate(
            """share => document.querySelectorAll('form.review-form input[type=number]')
                .forEach(i => { i.value = (Number(i.max) * share).toFixed(1); })""",
            share,
        )
        page.fill("#strengths", f"{username}：佐证材料齐全")
        page.click("button:has-text('保存评审意见')")
        page.wait_for_selector("#my-total")
    return len(hrefs)


def _wait_for_pdf(page, url: str, seconds: int = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if page.locator('#notice-card a[href$="/pdf/"]').count():
            return
        time.sleep(1)
        page.goto(url)
    raise AssertionError("the notice's PDF did not appear")


def _render(pdf, page_no: int):
    from PIL import Image

    stem = ARTIFACTS / f"selection-flow-notice-page{page_no}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", str(page_no), "-l", str(page_no), "-singlefile"]
        + [str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    return Image.open(f"{stem}.png").convert("RGB")


def _text(pdf) -> list[str]:
    """The PDF's text, one string per page (pdftotext separates pages by form feeds)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=60, capture_output=True
    ).stdout.decode()
    return [page.replace(" ", "") for page in out.split("\f")]  # names are typeset spaced


def _ink(image) -> int:
    r, g, b = (np.asarray(image).astype(int)[:, :, i] for i in range(3))
    return int(((r < 110) & (g < 110) & (b < 110)).sum())


def test_selection_from_shortlist_to_notice(page, live_server, tree, office_user):
    from shidian.apps.reviews.models import Review
    from shidian.apps.selection.models import (
        BatchPlacement,
        ControlPair,
        ExpertAssignment,
        Selection,
        Shortlisted,
    )

    w = world(tree, office=office_user)
    complete(tree)  # the shared tree's two schools get their size data (for matching)
    _people(tree)
    base = f"{live_server.url}/selections/{w.selection.pk}"

    # 1. The office opens the selection from the programme's list and runs a shortlist of 14
    #    with a minimum per zone (one that binds), then adopts it.
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/selections/programme/{w.programme.pk}/")
    page.click(f'#selection-table a[href="/selections/{w.selection.pk}/"]')
    page.wait_for_selector("#selection-steps")
    page.click('#selection-steps a[href$="/shortlist/"]')
    page.fill("#id_count", str(PILOTS))
    if not page.is_visible("#quota-zone"):
        page.click("#quota-details summary")
    minimum = {}
    rows = page.locator("#quota-zone tbody tr")
    for i in range(rows.count()):
        # 北片区 has 4 schools in the plain top 14: its minimum of 5 binds.
        name = rows.nth(i).locator("td").first.inner_text().strip()
        minimum[name] = 5 if name.endswith("北片区") else 4
        page.fill(f"#quota-zone input[name$='-{i}-min']", str(minimum[name]))
    assert len(minimum) == 3
    page.click("#shortlist-run")
    page.wait_for_selector("#shortlist-result[data-status=done]")
    assert page.locator("#selected-table tbody tr").count() == PILOTS
    screenshot(page, "selection-flow-1-shortlist")
    page.click("#adopt")
    page.wait_for_selector("#shortlist-result .badge-ok")
    shortlisted = list(Shortlisted.objects.filter(selection=w.selection).select_related("unit"))
    assert len(shortlisted) == PILOTS
    for zone in w.zones:
        chosen = sum(1 for s in shortlisted if s.unit.zone_id == zone.pk)
        assert chosen >= minimum[zone.name], (zone.name, chosen)

    # 2. Two experts of other counties join the panel; two experts per school.
    page.goto(f"{base}/review/")
    for username in ("expz", "expq"):
        select = page.locator("#id_user")
        value = select.locator("option", has_text=f"（{username}）").get_attribute("value")
        select.select_option(value)
        page.fill("#id_expertise", "教育信息化")
        page.click("#panel-add-form button[type=submit]")
        page.wait_for_selector(f"#panel-table tr[data-expert={username}]")
    page.fill("#id_per_unit", "2")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#units-table")
    assert ExpertAssignment.objects.filter(selection=w.selection).count() == 2 * PILOTS
    screenshot(page, "selection-flow-2-review")

    # 3. Both experts score their schools on the review form.
    assert _score_all(page, live_server, "expz", 0.0) == PILOTS
    screenshot(page, "selection-flow-3-review-form")
    assert _score_all(page, live_server, "expq", 0.03) == PILOTS
    reviews = Review.objects.filter(submission__round=w.round)
    assert reviews.count() == 2 * PILOTS and all(r.total > 0 for r in reviews)

    # 4. The office reconciles (mean, 30% self) and adopts.
    _as(page, live_server, "office")
    page.goto(f"{base}/review/")
    assert "已完成 28 / 28 项评审" in page.inner_text("#review-progress")
    for username in ("expz", "expq"):
        remaining = page.locator(f"#experts-table tr[data-expert={username}] .remaining")
        assert remaining.inner_text().strip() == "0"
    page.goto(f"{base}/reconcile/")
    page.check("input[name=method][value=mean]")
    page.click("#reconcile-form button[type=submit]")
    page.wait_for_selector("#reconcile-ranking")
    assert page.locator("#reconcile-ranking tbody tr").count() == PILOTS
    screenshot(page, "selection-flow-4-reconcile")
    page.click("#reconcile-adopt")
    page.wait_for_selector("#reconcile-result .badge-ok")
    selection = Selection.objects.get(pk=w.selection.pk)
    ranking = selection.reconciliation.result["ranking"]
    assert all(row["n_experts"] == 2 for row in ranking)

    # 5. Batches (balanced), 5/5/4.
    page.goto(f"{base}/batches/")
    page.check('input[name="method"][value="balanced"]')
    page.once("dialog", lambda d: d.accept())
    page.click("#batches-form button[type=submit]")
    page.wait_for_selector("#balance-table")
    placed = BatchPlacement.objects.filter(selection=w.selection).select_related("cycle", "unit")
    assert sorted(p.cycle.number for p in placed) == [1] * 5 + [2] * 5 + [3] * 4
    screenshot(page, "selection-flow-5-batches")

    # 6. Matched controls, adopted. The pilots are the best self-scores, so no candidate lies
    #    within the default caliper (0.2 SD of the logit): the office clears it, as the page
    #    suggests for each unmatched pilot.
    page.goto(f"{base}/controls/")
    page.fill("#id_caliper", "")
    page.click("#match-form button[type=submit]")
    page.wait_for_selector("#loveplot canvas")
    assert page.locator("input[name=confirm_unmatched]").count() == 0  # every pilot matched
    page.click("#adopt-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "selection-flow-6-controls")
    assert "已采用" in page.inner_text("#match-result")
    pairs = list(ControlPair.objects.filter(selection=w.selection))
    pilot_ids = {p.unit_id for p in placed}
    assert len(pairs) == PILOTS
    assert all(p.pilot_id in pilot_ids and p.control_id not in pilot_ids for p in pairs)
    assert len({p.control_id for p in pairs}) == PILOTS  # 1:1 without replacement

    # 7. Submit; the leader approves.
    approval = f"{base}/approval/"
    page.goto(approval)
    page.fill("#id_note", "经自查赋分、专家评审、合议，报请审定。")
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "等待领导小组审批" in page.inner_text("#approval-action")
    _as(page, live_server, "leader")
    page.goto(approval)
    names = [p.unit.name for p in placed]
    assert all(name in page.inner_text("#approval-list") for name in names)
    page.fill("#id_comment", "同意。")
    page.click("button[name=decision][value=approve]")
    page.wait_for_load_state("networkidle")
    assert "已批准" in page.inner_text("#approval-action")
    screenshot(page, "selection-flow-7-approved")

    # 8. The office generates the notice; its PDF renders and lists the pilots.
    _as(page, live_server, "office")
    page.goto(approval)
    page.click("#notice-generate")
    page.wait_for_load_state("networkidle")
    _wait_for_pdf(page, approval)
    screenshot(page, "selection-flow-8-notice")
    href = page.locator('#notice-card a[href$="/pdf/"]').first.get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.body().startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "selection-flow-notice.pdf"
    pdf.write_bytes(response.body())

    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "apt-get install poppler-utils"
    pages = _text(pdf)
    missing = [name for name in names if name not in "".join(pages)]
    assert not missing, missing
    first = _render(pdf, 1)
    width, height = first.size
    assert height > width > 500  # A4 portrait at 80 dpi: 661 x 935
    assert _ink(first) > 2000
    # The attachment lists every pilot on one line with its code and batch, and is not blank.
    listing = [n for n, text in enumerate(pages, 1) if all(name in text for name in names)]
    assert listing, "no page lists all the pilots"
    lines = pages[listing[-1] - 1].splitlines()
    batch = {1: "第一批", 2: "第二批", 3: "第三批"}
    for p in placed:
        assert any(
            p.unit.name in line and p.unit.code in line and batch[p.cycle.number] in line
            for line in lines
        ), p.unit.name
    assert _ink(_render(pdf, listing[-1])) > 2000
