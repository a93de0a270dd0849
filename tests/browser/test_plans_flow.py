"""A pilot files its creation plan with two tasks, the office approves it, the pilot marks a
task done with evidence and sees the completion; the progress page reads on a 375-px phone."""

from __future__ import annotations

import pytest

from shidian.apps.plans.models import PlanVersion, TaskUpdate
from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.plans.factories import plan_of, plan_round

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_filed_approved_and_progress_shown(page, phone_page, live_server, tree, tmp_path):
    world = plan_round(tree)
    plan = plan_of(world, tree.school)
    coordinator = world.coordinators[tree.school.pk].username

    login(page, live_server, coordinator)
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
    page.click("[data-add-row=tasks-table]")  # a third empty row, added by the script
    assert page.locator("#tasks-table tbody tr").count() == 3
    for i, (code, title, start, due, weight) in enumerate(rows):
        page.fill(f"[name=tasks-{i}-code]", code)
        page.fill(f"[name=tasks-{i}-title]", title)
        page.fill(f"[name=tasks-{i}-starts_on]", start)
        page.fill(f"[name=tasks-{i}-due_on]", due)
        page.fill(f"[name=tasks-{i}-weight]", weight)
    page.click("#plan-submit")
    page.wait_for_selector("#plan-status")
    assert "已提交" in page.inner_text("#plan-status")
    screenshot(page, "plans-filed")

    page.context.clear_cookies()
    login(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.check("#approve-form input[value=weight]")
    page.click("#approve")
    page.wait_for_selector("#versions li")
    assert PlanVersion.objects.get(plan=plan).tasks.count() == 2

    page.context.clear_cookies()
    login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/plans/{plan.pk}/progress/")
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.7 acceptance report")
    form = page.locator("#task-T1 form")
    form.locator("select[name=status]").select_option("done")
    form.locator("input[name=evidence]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#task-T1.status-done")
    assert page.inner_text("#rate").strip() == "75%"
    assert TaskUpdate.objects.get().evidence.original_name == "验收报告.pdf"
    screenshot(page, "plans-progress")

    login(phone_page, live_server, coordinator)
    phone_page.goto(f"{live_server.url}/plans/{plan.pk}/progress/")
    assert not has_horizontal_scroll(phone_page)
    phone_page.goto(f"{live_server.url}/plans/{plan.pk}/timeline/")
    assert phone_page.locator(".pt-bar").count() == 2 and not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "plans-timeline-phone")

    phone_page.context.clear_cookies()
    login(phone_page, live_server, "tw-office")
    phone_page.goto(f"{live_server.url}/plans/programme/{world.programme.pk}/")
    phone_page.wait_for_selector("#plans-chart canvas")
    assert "75%" in phone_page.inner_text("#batch-1")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "plans-programme-phone")
