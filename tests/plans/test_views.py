"""Plan pages: who sees what (404 outside), filling with row errors, approving, progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.plans.models import PlanVersion, TaskUpdate
from shidian.apps.plans.services.filings import current_filing
from tests.plans.factories import GOALS, TASKS, approved_plan, filed_plan, plan_of, plan_round

pytestmark = pytest.mark.django_db


def post_rows(goals, tasks, **extra):
    data = dict(extra)
    for table, rows in (("goals", goals), ("tasks", tasks)):
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{table}-{i}-{key}"] = value
    return data


def test_a_school_fills_and_submits_its_plan(client, tree):
    world = plan_round(tree)
    plan = plan_of(world, tree.school)
    client.force_login(world.coordinators[tree.school.pk])
    url = reverse("plans:plan", kwargs={"plan_id": plan.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'name="tasks-0-title"' in page.content.decode()
    bad = client.post(
        url,
        post_rows(GOALS, [dict(TASKS[0], due_on="2026-01-01")], base_version=0, action="submit"),
    )
    assert bad.status_code == 400
    assert "任务第 1 行：完成期限早于开始日期" in bad.content.decode()
    assert current_filing(plan).submission.version == 0  # nothing saved
    ok = client.post(url, post_rows(GOALS, TASKS, base_version=0, action="submit"))
    assert ok.status_code == 302
    sub = current_filing(plan).submission
    assert sub.status == "submitted" and [t["code"] for t in sub.answers["tasks"]] == ["T1", "T2"]


def test_another_school_and_an_outsider_get_404(client, tree, outsider):
    world, plan = approved_plan(tree)
    for user in (world.coordinators[tree.school2.pk], outsider):
        client.force_login(user)
        for name in ("plans:plan", "plans:progress", "plans:timeline"):
            assert client.get(reverse(name, kwargs={"plan_id": plan.pk})).status_code == 404
        got = client.post(
            reverse("plans:progress", kwargs={"plan_id": plan.pk}),
            {"task_code": "T1", "status": "on_track"},
        )
        assert got.status_code == 404
    assert not TaskUpdate.objects.exists()
    client.force_login(outsider)
    page = client.get(reverse("plans:index"))
    assert tree.school.name not in page.content.decode()


def test_the_office_approves_with_a_weighting(client, tree):
    world, plan = filed_plan(tree)
    client.force_login(world.office)
    page = client.get(reverse("plans:plan", kwargs={"plan_id": plan.pk}))
    assert 'id="approve-form"' in page.content.decode()
    client.post(
        reverse("plans:decide", kwargs={"plan_id": plan.pk}),
        {"action": "approve", "weighting": "count"},
    )
    assert PlanVersion.objects.get(plan=plan).weighting == "count"


def test_the_school_cannot_approve_its_own_plan(client, tree):
    world, plan = filed_plan(tree)
    client.force_login(world.coordinators[tree.school.pk])
    got = client.post(
        reverse("plans:decide", kwargs={"plan_id": plan.pk}),
        {"action": "approve", "weighting": "count"},
    )
    assert got.status_code == 404 and not PlanVersion.objects.exists()


def test_progress_done_with_evidence_shows_on_the_office_pages(client, tree):
    world, plan = approved_plan(tree)
    client.force_login(world.coordinators[tree.school.pk])
    url = reverse("plans:progress", kwargs={"plan_id": plan.pk})
    bad = client.post(url, {"task_code": "T1", "status": "done"})
    assert bad.status_code == 400 and not TaskUpdate.objects.exists()
    client.post(
        url,
        {
            "task_code": "T1",
            "status": "done",
            "evidence": SimpleUploadedFile("r.pdf", b"%PDF-1.7 report"),
        },
    )
    assert TaskUpdate.objects.get().evidence is not None
    page = client.get(url).content.decode()
    assert "r.pdf" in page and 'id="rate">75%' in page
    assert client.get(reverse("plans:timeline", kwargs={"plan_id": plan.pk})).status_code == 200

    client.force_login(world.office)
    overview = client.get(reverse("plans:programme", kwargs={"programme_id": world.programme.pk}))
    text = overview.content.decode()
    assert overview.status_code == 200 and tree.school.name in text and "按任务权重加权" in text
    late = client.get(reverse("plans:late", kwargs={"programme_id": world.programme.pk}))
    assert late.status_code == 200  # T2 is due 2027-06-30: late only after that


def test_the_office_opens_a_round_from_the_page(client, tree):
    from tests.tracking_world import pilot_world

    world = pilot_world(tree)
    client.force_login(world.office)
    url = reverse("plans:round_open", kwargs={"programme_id": world.programme.pk})
    got = client.post(url, {"batch": world.batch1.pk, "deadline": "2099-01-01", "name": ""})
    assert got.status_code == 302
    assert plan_of(world, tree.school).filings.count() == 1


def test_the_home_page_lists_the_plan_to_do(client, tree):
    world = plan_round(tree)
    client.force_login(world.coordinators[tree.school.pk])
    page = client.get("/").content.decode()
    assert "填写并提交创建方案" in page
    assert f"/plans/{plan_of(world, tree.school).pk}/" in page


def main_of(page: str) -> str:
    return page.split("<main", 1)[1]


def test_a_past_day_is_shown_with_as_of(client, tree):
    world, plan = approved_plan(tree)
    client.force_login(world.office)
    url = reverse("plans:programme", kwargs={"programme_id": world.programme.pk})
    page = client.get(url, {"as_of": "2026-02-01"}).content.decode()
    # Inside <main> only: the header's icons hold SVG paths such as "2v1h18".
    assert 'value="2026-02-01"' in page
    assert ">v1<" not in main_of(page)  # not yet in force then
    assert ">v1<" in main_of(client.get(url, {"as_of": "2026-07-01"}).content.decode())
    late = client.get(
        reverse("plans:late", kwargs={"programme_id": world.programme.pk}),
        {"as_of": "2026-07-01"},
    ).content.decode()
    assert "建设录播教室" in late  # T1 due 2026-06-30, not done
