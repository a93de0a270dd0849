"""An acceptance round end to end with one conditional pass: the office opens the round and
assigns one expert a pilot, a pilot files its summary report and archive checklist (one
document marked missing), its expert saves a partial draft on a 375 px phone, comes back and
submits, the leading group confirms, and the conditional pilot sees its rectification item.
The other pilots file and are scored by their assigned experts through the services."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.acceptance.factories import PDF, experts, file_report, leader, score, submission_of
from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_acceptance_round_with_one_conditional_pass(page, phone_page, live_server, tree, tmp_path):
    from shidian.apps.acceptance.models import AcceptanceRound, Assignment, Verdict
    from shidian.apps.inspections.models import RectificationItem
    from shidian.apps.programmes.models import Participation

    w = pilot_world(tree)
    panel = experts(tree)
    chief = leader(tree)
    published_version(tree.county)

    # 1. The office opens the round.
    login(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/acceptance/programmes/{w.programme.pk}/")
    page.click("#create-acceptance")
    page.fill("#id_pass_threshold", "80")
    page.fill("#id_conditional_threshold", "60")
    page.fill("#id_documents", "创建方案\n会议记录")
    for expert in panel:
        page.check(f"#acceptance-form input[name=experts][value='{expert.pk}']")
    screenshot(page, "acceptance-create-desktop")
    page.click("#acceptance-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    acceptance = AcceptanceRound.objects.get()
    assert page.locator("#pilot-table tbody tr").count() == 6

    # 1b. The office assigns one expert a pilot (balanced: three pilots each).
    page.click("#assign-link")
    page.wait_for_load_state("networkidle")
    page.fill("#per_pilot", "1")
    page.click("#assign-propose-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator(".message-success").first.is_visible()
    screenshot(page, "acceptance-assign-desktop")
    assigned = {a.unit_id: a.expert for a in Assignment.objects.filter(acceptance=acceptance)}
    assert len(assigned) == 6
    assert sorted(Counter(e.pk for e in assigned.values()).values()) == [3, 3]

    # 2. Pilot A1-1 files on its own page: one document uploaded, one marked missing.
    own = w.pilots[0]
    sub = submission_of(acceptance, own)
    report = tmp_path / "总结报告.pdf"
    report.write_bytes(PDF)
    login(phone_page, live_server, f"coord-{own.code}")
    phone_page.goto(f"{live_server.url}/")
    phone_page.click(f"a[href='/acceptance/reports/{sub.pk}/']")
    phone_page.wait_for_load_state("networkidle")
    phone_page.set_input_files("#upload-summary_file input[type=file]", str(report))
    phone_page.click("#upload-summary_file button")
    phone_page.wait_for_load_state("networkidle")
    phone_page.set_input_files("#upload-doc1 input[type=file]", str(report))
    phone_page.click("#upload-doc1 button")
    phone_page.wait_for_load_state("networkidle")
    phone_page.fill("#summary", "三年创建工作总结：完成全部任务。")
    phone_page.check("#doc2-missing")
    phone_page.fill("#doc2-note", "会议记录原件遗失，正在补办")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "acceptance-report-phone")
    phone_page.click("#report-submit")
    phone_page.wait_for_load_state("networkidle")
    sub.refresh_from_db()
    assert sub.status == "submitted"

    # The other pilots file complete checklists and their experts give them full marks.
    for unit in w.pilots[1:]:
        other = file_report(acceptance, w, unit)
        score(acceptance, other, assigned[unit.pk], 1.0)

    # 3. A1-1's expert sees only their three pilots, saves half the items as a draft on a
    # 375 px phone, comes back later and submits.
    mine = assigned[own.pk]
    phone_page.context.clear_cookies()
    login(phone_page, live_server, mine.username)
    phone_page.goto(f"{live_server.url}/acceptance/{acceptance.pk}/")
    assert phone_page.locator("#expert-pilots .score-list li").count() == 3
    phone_page.click(f"#score-{own.code}")
    phone_page.wait_for_load_state("networkidle")
    inputs = phone_page.locator("#score-form input[type=number]")
    half = inputs.count() // 2
    for i in range(half):
        box = inputs.nth(i)
        box.fill(box.get_attribute("max"))
    assert phone_page.locator("#score-draft").bounding_box()["width"] <= 375
    phone_page.click("#score-draft")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("#draft-note").is_visible()
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "acceptance-score-draft-phone")
    phone_page.goto(f"{live_server.url}/acceptance/{acceptance.pk}/")
    assert "草稿" in phone_page.locator("#expert-pilots").inner_text()
    phone_page.click(f"#score-{own.code}")
    phone_page.wait_for_load_state("networkidle")
    inputs = phone_page.locator("#score-form input[type=number]")
    assert inputs.nth(0).input_value() == inputs.nth(0).get_attribute("max")
    for i in range(half, inputs.count()):
        box = inputs.nth(i)
        box.fill(box.get_attribute("max"))
    for veto in acceptance.veto_items:
        phone_page.check(f"input[name='v-{veto['code']}'][value='否']")
    phone_page.fill("#strengths", "资料扎实")
    assert not has_horizontal_scroll(phone_page)
    assert phone_page.locator("#score-submit").bounding_box()["width"] <= 375
    screenshot(phone_page, "acceptance-score-phone")
    phone_page.click("#score-submit")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator(".message-success").first.is_visible()

    # The office's round page proposes a conditional pass for A1-1 (archive missing).
    page.goto(f"{live_server.url}/acceptance/{acceptance.pk}/")
    assert "档案缺失：会议记录" in page.locator(f"#pilot-{own.code}").inner_text()
    screenshot(page, "acceptance-round-desktop")

    # 4. The leading group confirms the proposals.
    page.context.clear_cookies()
    login(page, live_server, chief.username)
    page.goto(f"{live_server.url}/acceptance/{acceptance.pk}/")
    page.click("#confirm-link")
    page.wait_for_load_state("networkidle")
    screenshot(page, "acceptance-confirm-desktop")
    page.click("#confirm-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator(".message-success").first.is_visible()
    verdicts = {v.unit_id: v.outcome for v in Verdict.objects.all()}
    assert verdicts[own.pk] == "conditional"
    assert sorted(verdicts.values()).count("pass") == 5
    states = dict(
        Participation.objects.filter(programme=w.programme, unit__in=w.pilots).values_list(
            "unit_id", "state"
        )
    )
    assert states[own.pk] == "conditional" and states[w.pilots[1].pk] == "accepted"

    # 5. The conditional pilot sees its verdict and its rectification item.
    item = RectificationItem.objects.get(unit=own)
    phone_page.context.clear_cookies()
    login(phone_page, live_server, f"coord-{own.code}")
    phone_page.goto(f"{live_server.url}/acceptance/reports/{sub.pk}/")
    assert "有条件通过" in phone_page.locator("#verdict").inner_text()
    phone_page.click(f"#rect-items a[href='/inspections/items/{item.pk}/']")
    phone_page.wait_for_load_state("networkidle")
    assert "会议记录" in phone_page.content()
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "acceptance-item-phone")
