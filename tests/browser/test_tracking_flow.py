"""Tracking from end to end, in one story through the real pages: the office defines a monthly
report form; a pilot files its creation plan (the office approves it) and two months of the
report, October late; the completeness table, the league table and the bulletin PDF show it;
an inspection finding becomes a rectification item, the school answers on a 375-px phone, the
office verifies and closes it.

Only the world (programme, pilots, accounts, the plan round) is set up through services, and
time is moved once: September's report is backdated to its due day so that it counts on time.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    has_horizontal_scroll,
    login,
    screenshot,
)
from tests.plans.factories import plan_of, plan_round

pytestmark = pytest.mark.django_db(transaction=True)
FORM = "智慧校园建设月报"
MONTH = "2026-11"  # the league month: October's report closes in November
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4e30000000049454e44ae426082"
)


def _office_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def _cockpit(page, live_server, programme) -> None:
    page.goto(live_server.url + reverse("programmes:detail", kwargs={"programme_id": programme.pk}))


def _define_form(page, live_server, world) -> object:
    from shidian.apps.reports.models import ReportForm

    _cockpit(page, live_server, world.programme)
    page.click("#report-forms-link")
    page.click("#create-form")
    page.fill("#id_name", FORM)
    page.select_option("#id_period_type", "monthly")
    page.fill("#id_starts_on", "2026-09-01")
    page.fill("#id_ends_on", "2027-08-31")
    page.click("#save-form")
    page.wait_for_selector("#field-form")
    page.fill("#id_code", "classrooms")
    page.fill("#id_label", "教室数")
    page.select_option("#id_type", "number")
    page.click("#add-field-btn")
    page.wait_for_selector("#field-classrooms")
    page.click("#tab-periods")
    page.wait_for_selector("#period-table")
    page.click("#materialize")
    page.wait_for_selector("#period-table")
    page.click("#tab-detail")
    page.click("#publish-form")
    page.wait_for_selector("#close-form")
    assert "已发布" in page.inner_text("#form-status")
    form = ReportForm.objects.get(programme=world.programme, name=FORM)  # scoping: ok test
    assert form.status == "published" and form.periods.filter(key="2026-10").exists()
    # The periods that have started open from the form's completeness page (the daily task
    # does the same); the cockpit lists the published form.
    _cockpit(page, live_server, world.programme)
    page.click(f"#report-fill-links a:has-text('{FORM}')")
    page.click("form[action$='/completeness/open/'] button")
    page.wait_for_selector("#comp-periods")
    return form


def _file_month(page, live_server, label: str, rooms: str) -> None:
    page.goto(f"{live_server.url}/")
    page.locator("a", has_text=re.compile(rf"{FORM}.*{label}")).first.click()
    page.wait_for_selector("#fill-form")
    page.fill("#in-classrooms", rooms)
    page.locator("#in-classrooms").blur()
    page.wait_for_selector("#st-classrooms.is-saved")
    page.click("#submit-report")
    page.wait_for_selector("text=已报送。")


def _file_plan(page, live_server, plan) -> None:
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/plans/{plan.pk}/']")
    page.fill("[name=goals-0-title]", "多媒体教室占比")
    page.fill("[name=goals-0-baseline]", "40")
    page.fill("[name=goals-0-target]", "100")
    page.fill("[name=goals-0-target_date]", "2027-12-31")
    rows = [
        ("T1", "建设录播教室", "2026-03-01", "2026-06-30", "3"),
        ("T2", "教师信息技术培训", "2026-04-01", "2027-06-30", "1"),
    ]
    for i, (code, title, start, due, weight) in enumerate(rows):
        page.fill(f"[name=tasks-{i}-code]", code)
        page.fill(f"[name=tasks-{i}-title]", title)
        page.fill(f"[name=tasks-{i}-starts_on]", start)
        page.fill(f"[name=tasks-{i}-due_on]", due)
        page.fill(f"[name=tasks-{i}-weight]", weight)
    page.click("#plan-submit")
    page.wait_for_selector("#plan-status")
    assert "已提交" in page.inner_text("#plan-status")


def _wait_for_pdf(page, url: str, seconds: int = 150) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if page.locator("#bulletin-pdf").count():
            return
        time.sleep(2)
        page.goto(url)
    raise AssertionError("the bulletin's PDF did not appear")


def _pdf_text(bulletin) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "tracking-bulletin.pdf"
    with bulletin.pdf.open("rb") as fh:
        pdf.write_bytes(fh.read())
    assert shutil.which("pdftotext"), "apt-get install poppler-utils"
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout.replace(" ", "")


def test_tracking_from_form_to_closed_rectification(browser, live_server, tree):
    from shidian.apps.inspections.models import InspectionVisit, RectificationItem
    from shidian.apps.plans.models import PlanVersion
    from shidian.apps.submissions.models import Submission
    from shidian.apps.supervision.models import LeagueRow, LeagueTable

    world = plan_round(tree)  # the pilot world with the office's plan round open
    school = tree.school
    coordinator = world.coordinators[school.pk].username
    office_ctx, office = _office_page(browser)
    login(office, live_server, world.office.username)

    # 1. The office defines, publishes and opens a monthly report form.
    form = _define_form(office, live_server, world)
    periods = {p.key: p for p in form.periods.all()}

    # 2. The pilot files its plan and the September and October reports (today both are past
    # their grace period, so both arrive late for now).
    pilot_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    pilot = pilot_ctx.new_page()
    pilot.set_default_timeout(30_000)
    login(pilot, live_server, coordinator)
    plan = plan_of(world, school)
    _file_plan(pilot, live_server, plan)
    _file_month(pilot, live_server, "2026年9月", "12")
    _file_month(pilot, live_server, "2026年10月", "14")
    subs = {
        key: Submission.objects.get(round=periods[key].round, unit=school)  # scoping: ok test
        for key in ("2026-09", "2026-10")
    }
    assert all(s.status == "submitted" for s in subs.values())
    # Moving time: September's report went in on its due day, October's stays late.
    on_due = timezone.make_aware(dt.datetime.combine(periods["2026-09"].due_on, dt.time(10)))
    Submission.objects.filter(pk=subs["2026-09"].pk).update(submitted_at=on_due)

    # The office approves the plan, from the cockpit's list of the schools' plans.
    _cockpit(office, live_server, world.programme)
    office.click(f"#plans-links a[href$='/plans/programme/{world.programme.pk}/']")
    office.click(f"#batch-1 a:has-text('{school.name}')")
    office.check("#approve-form input[value=weight]")
    office.click("#approve")
    office.wait_for_selector("#versions li")
    # Moving time: the plan came into force in October, so November's table counts it.
    assert PlanVersion.objects.filter(plan=plan).update(effective_on=dt.date(2026, 10, 15)) == 1

    # 3. The completeness table: on time in September, late in October, for this pilot.
    _cockpit(office, live_server, world.programme)
    office.click(f"#report-fill-links a:has-text('{FORM}')")
    office.click("#comp-periods a:has-text('2026年10月')")
    row = office.locator("#comp-table tr", has_text=school.name)
    assert row.locator(".tl-late").count() == 1, row.inner_text()
    office.go_back()
    office.click("a[href$='/completeness/matrix/']")
    cells = office.locator("#comp-matrix tr", has_text=school.name).locator("td.cell")
    keys = office.locator("#comp-matrix thead th").all_inner_texts()[1:-1]  # periods only
    classes = cells.evaluate_all("tds => tds.map(td => td.className)")
    status = dict(zip(keys, classes, strict=True))
    assert "tl-on_time" in status["2026-09"] and "tl-late" in status["2026-10"], status
    screenshot(office, "tracking-completeness")

    # 4. The league table of November (October's report closes then) and its bulletin.
    _cockpit(office, live_server, world.programme)
    office.click(f"#supervision-links a[href$='/supervision/programme/{world.programme.pk}/']")
    office.select_option("#id_cycle", str(world.batch1.pk))
    office.fill("#id_month", MONTH)
    office.click("#compute-form button[type=submit]")
    office.wait_for_selector("#league")
    table = LeagueTable.objects.get(programme=world.programme, month=MONTH)  # scoping: ok test
    mine = LeagueRow.objects.get(table=table, unit=school)  # scoping: ok test
    # Its plan is counted (T1 was due in June and is not done), its October report late.
    assert mine.grade and mine.timeliness == 0 and mine.completeness == 1
    assert mine.plan_rate == 0 and mine.late_tasks == 1, (mine.plan_rate, mine.late_tasks)
    league_row = office.locator(f"#league tr[data-unit='{school.code}']")
    cells = league_row.locator("td").all_inner_texts()
    assert cells[1] == school.name and cells[7] == "100%" and cells[6] == "0%", cells
    assert league_row.locator(".sv-grade").inner_text().strip() == mine.grade
    office.click("#publish")
    office.wait_for_load_state("networkidle")
    url = office.url
    office.click("#bulletin-generate")
    office.wait_for_load_state("networkidle")
    _wait_for_pdf(office, url)
    screenshot(office, "tracking-league")
    table.refresh_from_db()
    assert school.name in _pdf_text(table.bulletin)

    # 5. An inspection of the pilot; the finding becomes a rectification item.
    _cockpit(office, live_server, world.programme)
    office.click(f"#inspections-links a[href$='/inspections/programme/{world.programme.pk}/']")
    office.click("#create-visit")
    office.fill("#id_title", "十二月督查")
    office.fill("#id_scheduled_on", timezone.localdate().isoformat())
    office.check("input[name=method][value=direct]")
    office.check(f"input[name=units][value='{school.pk}']")
    office.click("#save-visit")
    office.wait_for_selector("#visit-status")
    visit = InspectionVisit.objects.get(title="十二月督查")  # scoping: ok test
    office.click("#visit-start")
    office.wait_for_selector("#visit-complete")
    office.click("#add-finding")
    office.check(f"input[name=units][value='{school.pk}']")
    office.fill("#id_text", "月报逾期，录播教室未投入使用")
    office.select_option("#id_severity", "major")
    office.click("#save-finding")
    office.wait_for_selector(".finding")
    finding = visit.findings.get()
    office.click(f"#turn-{finding.pk}")
    turn = office.locator(f"#finding-{finding.pk} form.turn-form")
    turn.locator("input[name=due_on]").fill(
        (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    )
    turn.locator("textarea[name=evidence_required]").fill("投入使用后的照片")
    turn.locator("button[type=submit]").click()
    office.wait_for_selector(f"#finding-{finding.pk} .item-links")
    item = RectificationItem.objects.get(finding=finding, unit=school)  # scoping: ok test

    # 6. The school answers on a phone, from its home page's to-do.
    phone_ctx = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    phone = phone_ctx.new_page()
    phone.set_default_timeout(30_000)
    login(phone, live_server, coordinator)
    phone.goto(f"{live_server.url}/")
    item_url = reverse("inspections:item", kwargs={"rect_item_id": item.pk})
    phone.click(f"a[href='{item_url}']")
    phone.wait_for_selector("#answer-form")
    assert not has_horizontal_scroll(phone)
    phone.fill("#id_text", "录播教室已投入使用，月报按时报送")
    photo = ARTIFACTS / "tracking-rectification.png"
    photo.write_bytes(PNG)
    phone.set_input_files("#id_files", str(photo))
    phone.click("#submit-answer")
    phone.wait_for_selector("#answers")
    assert "待核验" in phone.inner_text("#item-status")
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "tracking-answer-phone")
    phone_ctx.close()

    # 7. The office verifies and closes it, from its list of items awaiting verification.
    office.goto(f"{live_server.url}/")
    office.click("a[href$='/inspections/items/?status=answered']")
    office.click(f"#item-table a[href$='/items/{item.pk}/']")
    assert "tracking-rectification.png" in office.inner_text("#answers")
    office.click("#verify-close")
    office.wait_for_selector("#item-status")
    assert "已销号" in office.inner_text("#item-status")
    item.refresh_from_db()
    assert item.status == "closed"
    screenshot(office, "tracking-item-closed")
    pilot_ctx.close()
    office_ctx.close()
