"""Expert review (专家复评): the panel, the assignment (engine.assignment as a Run), hand moves,
progress, reminders, grants, and who sees what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.selection.factories import expert, world

pytestmark = pytest.mark.django_db


def shortlist(w, office, n: int = 6):
    """Adopt a shortlist of the ``n`` best submitted schools (what step 2 stores)."""
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.selection.models import Selection, Shortlisted, ShortlistRun

    sheets = list(
        Sheet.objects.filter(round=w.round, submitted_at__isnull=False)  # scoping: ok test
        .select_related("unit")
        .order_by("-total", "unit__code")[:n]
    )
    run = ShortlistRun.objects.create(selection=w.selection, number=1, status="done")
    for rank, sheet in enumerate(sheets, start=1):
        Shortlisted.objects.create(
            selection=w.selection, unit=sheet.unit, rank=rank, score=sheet.total
        )
    Selection.objects.filter(pk=w.selection.pk).update(shortlist=run)  # scoping: ok test
    w.selection.refresh_from_db()
    return [s.unit for s in sheets]


def org(code: str, parent, name: str | None = None):
    from shidian.apps.orgs.models import Level
    from shidian.apps.orgs.services import unit_create

    return unit_create(code=code, name=name or f"单位{code}", level=Level.COUNTY, parent=parent)


def panel(tree, w, office, count: int = 4, **loads):
    """``count`` experts, each of a different county of the city (no conflict with county A)."""
    from shidian.apps.selection.services.review import panel_add

    users = []
    for i in range(1, count + 1):
        unit = tree.other_county if i == 1 else org(f"X{i}", tree.city, f"外县{i}")
        user = expert(tree, f"exp{i}", unit, full_name=f"专家{i}")
        panel_add(by=office, selection=w.selection, user=user, expertise="数学", **loads)
        users.append(user)
    return users


@pytest.fixture
def setup(tree, office_user):
    w = world(tree, office=office_user)
    units = shortlist(w, office_user)
    return w, units


def pairs_of(selection):
    from shidian.apps.selection.models import ExpertAssignment

    return list(
        ExpertAssignment.objects.filter(selection=selection)  # scoping: ok test
        .select_related("unit", "expert", "grant")
        .order_by("unit__code", "expert__username")
    )


def test_assignment_balanced_with_grants(tree, office_user, setup):
    from collections import Counter

    from shidian.apps.core.access import REVIEW, can
    from shidian.apps.selection.services.review import assign

    w, units = setup
    experts = panel(tree, w, office_user, 4)
    counts = assign(by=office_user, selection=w.selection, per_unit=2)
    pairs = pairs_of(w.selection)
    assert counts["pairs"] == len(pairs) == 12
    per_unit = Counter(p.unit_id for p in pairs)
    assert set(per_unit.values()) == {2}
    loads = Counter(p.expert_id for p in pairs)
    assert sorted(loads.values()) == [3, 3, 3, 3]  # 12 reviews over 4 experts
    for p in pairs:
        assert p.grant is not None and p.grant.revoked_at is None
        assert p.grant.role == "expert" and p.grant.unit_id == p.unit_id
    # The expert may review their schools' sheets and nothing else.
    from shidian.apps.campaigns.models import Sheet

    mine = {p.unit_id for p in pairs if p.expert_id == experts[0].pk}
    for unit in units:
        sheet = Sheet.objects.get(round=w.round, unit=unit)  # scoping: ok test
        assert can(experts[0], REVIEW, sheet) == (unit.pk in mine)


def test_conflicts_honoured(tree, office_user, setup):
    """An expert of zone A1 never reviews a school of zone A1; two experts of one organisation
    never share a unit."""
    from shidian.apps.selection.services.review import assign, panel_add

    w, units = setup
    panel(tree, w, office_user, 3)
    zone_expert = expert(tree, "zone-exp", tree.zone, full_name="片区专家")
    panel_add(by=office_user, selection=w.selection, user=zone_expert)
    twin = expert(tree, "twin", tree.other_county, full_name="同单位专家")
    panel_add(by=office_user, selection=w.selection, user=twin)
    assign(by=office_user, selection=w.selection, per_unit=3)
    pairs = pairs_of(w.selection)
    for p in pairs:
        if p.expert_id == zone_expert.pk:
            assert not p.unit.path.startswith(tree.zone.path)
    by_unit: dict = {}
    for p in pairs:
        by_unit.setdefault(p.unit_id, []).append(p.expert.unit_id)
    for orgs in by_unit.values():
        assert len(orgs) == len(set(orgs)) == 3


def test_panel_too_small_names_the_fix(tree, office_user, setup):
    from shidian.apps.selection.services.review import assignment_start

    w, _units = setup
    panel(tree, w, office_user, 2)
    with pytest.raises(ValidationError) as exc:
        assignment_start(by=office_user, selection=w.selection, per_unit=3)
    text = " ".join(exc.value.messages)
    assert "只有 2 位专家" in text and "再添加 1 位专家" in text and "2 或更少" in text
    assert pairs_of(w.selection) == []
    from shidian.apps.runs.models import Run

    assert not Run.objects.filter(kind="selection.assignment").exists()  # scoping: ok test


def test_expert_with_conflict_on_every_unit(tree, office_user, setup):
    from shidian.apps.selection.services.review import assignment_start, panel_add

    w, _units = setup
    panel(tree, w, office_user, 3)
    boss = expert(tree, "city-exp", tree.city, full_name="市局专家")  # above every school
    panel_add(by=office_user, selection=w.selection, user=boss)
    with pytest.raises(ValidationError) as exc:
        assignment_start(by=office_user, selection=w.selection, per_unit=2)
    text = " ".join(exc.value.messages)
    assert "市局专家" in text and "全部 6 所入围学校都有利益冲突" in text and "移出专家组" in text
    assert pairs_of(w.selection) == []


def test_unit_short_of_organisations(tree, office_user, setup):
    from shidian.apps.selection.services.review import assignment_problems, panel_add

    w, _units = setup
    for i in range(3):
        panel_add(
            by=office_user,
            selection=w.selection,
            user=expert(tree, f"same{i}", tree.other_county),
        )
    problems = assignment_problems(w.selection, 2)
    assert any("只有 1 个单位的专家" in p and "其他单位的专家" in p for p in problems)


def test_no_shortlist_says_do_step_two(tree, office_user, office_client):
    from shidian.apps.selection.services.review import assignment_problems

    w = world(tree, office=office_user)
    assert "第 2 步" in assignment_problems(w.selection, 3)[0]
    page = office_client.get(reverse("selection:review", args=[w.selection.pk]))
    assert page.status_code == 200 and "review-no-shortlist" in page.content.decode()


def test_run_through_the_page(
    tree, office_user, office_client, setup, django_capture_on_commit_callbacks
):
    from shidian.apps.runs.models import Run

    w, _units = setup
    panel(tree, w, office_user, 4)
    url = reverse("selection:review_assign", args=[w.selection.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(url, {"per_unit": "2"})
    assert response.status_code == 302
    run = Run.objects.get(kind="selection.assignment")  # scoping: ok test
    assert run.status == "succeeded", (run.error_code, run.error_params)
    assert run.result["pairs"] == 12
    page = office_client.get(reverse("selection:review", args=[w.selection.pk]))
    body = page.content.decode()
    assert "units-table" in body and "已分配 12 项" in body
    # Too small a panel for r=5: 400, the reason, nothing stored.
    response = office_client.post(url, {"per_unit": "5"})
    assert response.status_code == 400
    assert "再添加 1 位专家" in response.content.decode()
    assert len(pairs_of(w.selection)) == 12


def test_reassign_replaces_and_revokes(tree, office_user, setup):
    from shidian.apps.core.models import Grant
    from shidian.apps.selection.services.review import assign

    w, _units = setup
    panel(tree, w, office_user, 4)
    assign(by=office_user, selection=w.selection, per_unit=3)
    first = {p.grant_id for p in pairs_of(w.selection)}
    assign(by=office_user, selection=w.selection, per_unit=1)
    now = pairs_of(w.selection)
    assert len(now) == 6
    kept = {p.grant_id for p in now}
    assert kept <= first
    gone = Grant.objects.filter(pk__in=first - kept)  # scoping: ok test
    assert gone.count() == 12 and all(g.revoked_at for g in gone)


def _review(w, expert_user, unit, total=80.0):
    from shidian.apps.reviews.models import Review
    from shidian.apps.submissions.models import Submission

    sub = Submission.objects.get(round=w.round, unit=unit)  # scoping: ok test
    return Review.objects.create(submission=sub, reviewer=expert_user, total=total)


def test_hand_move_rules(tree, office_user, setup):
    from shidian.apps.selection.services.review import assign, assignment_move, panel_add

    w, _units = setup
    experts = panel(tree, w, office_user, 4)
    zone_expert = expert(tree, "zone-exp", tree.zone)
    panel_add(by=office_user, selection=w.selection, user=zone_expert, max_load=0)
    assign(by=office_user, selection=w.selection, per_unit=2)
    pairs = pairs_of(w.selection)
    pair = pairs[0]
    on_unit = {p.expert_id for p in pairs if p.unit_id == pair.unit_id}
    free = next(e for e in experts if e.pk not in on_unit)
    busy = next(e for e in experts if e.pk in on_unit and e.pk != pair.expert_id)
    outsider = expert(tree, "not-on-panel", org("X9", tree.city))
    move = {"by": office_user, "selection": w.selection, "unit_id": pair.unit_id}
    with pytest.raises(ValidationError, match="重复分配"):
        assignment_move(**move, from_expert_id=pair.expert_id, to_expert_id=busy.pk)
    with pytest.raises(ValidationError, match="专家组中的专家"):
        assignment_move(**move, from_expert_id=pair.expert_id, to_expert_id=outsider.pk)
    if pair.unit.path.startswith(tree.zone.path):
        with pytest.raises(ValidationError, match="利益冲突"):
            assignment_move(**move, from_expert_id=pair.expert_id, to_expert_id=zone_expert.pk)
    else:
        with pytest.raises(ValidationError, match="最多评审数"):
            assignment_move(**move, from_expert_id=pair.expert_id, to_expert_id=zone_expert.pk)
    old_grant = pair.grant
    moved = assignment_move(**move, from_expert_id=pair.expert_id, to_expert_id=free.pk)
    assert moved.by_hand and moved.expert_id == free.pk
    old_grant.refresh_from_db()
    assert old_grant.revoked_at is not None
    assert moved.grant.user_id == free.pk and moved.grant.unit_id == pair.unit_id
    # A reviewed pair stays where it is; re-assigning is refused too.
    _review(w, free, pair.unit)
    with pytest.raises(ValidationError, match="已保存了对"):
        assignment_move(**move, from_expert_id=free.pk, to_expert_id=pair.expert_id)
    from shidian.apps.selection.services.review import assign as again

    with pytest.raises(ValidationError, match="不能再重新分配"):
        again(by=office_user, selection=w.selection, per_unit=2)
    from shidian.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="selection.assignment_move").count() == 1  # scoping: ok


def test_conflicting_hand_move(tree, office_user, setup):
    from shidian.apps.selection.services.review import assign, assignment_move, panel_add

    w, units = setup
    panel(tree, w, office_user, 3)
    assign(by=office_user, selection=w.selection, per_unit=2)
    school = next(u for u in units)
    local = expert(tree, "local", school.parent)  # the school's zone: a parent
    panel_add(by=office_user, selection=w.selection, user=local)
    pair = next(p for p in pairs_of(w.selection) if p.unit_id == school.pk)
    with pytest.raises(ValidationError, match="利益冲突"):
        assignment_move(
            by=office_user,
            selection=w.selection,
            unit_id=school.pk,
            from_expert_id=pair.expert_id,
            to_expert_id=local.pk,
        )


def test_panel_remove(tree, office_user, setup):
    from shidian.apps.selection.models import PanelMember
    from shidian.apps.selection.services.review import assign, panel_remove

    w, _units = setup
    experts = panel(tree, w, office_user, 4)
    assign(by=office_user, selection=w.selection, per_unit=2)
    first = PanelMember.objects.get(selection=w.selection, user=experts[0])  # scoping: ok
    unit = next(p.unit for p in pairs_of(w.selection) if p.expert_id == experts[0].pk)
    _review(w, experts[0], unit)
    with pytest.raises(ValidationError, match="不能移出专家组"):
        panel_remove(by=office_user, selection=w.selection, member=first)
    second = PanelMember.objects.get(selection=w.selection, user=experts[1])  # scoping: ok
    grants = [p.grant for p in pairs_of(w.selection) if p.expert_id == experts[1].pk]
    panel_remove(by=office_user, selection=w.selection, member=second)
    assert not any(p.expert_id == experts[1].pk for p in pairs_of(w.selection))
    for g in grants:
        g.refresh_from_db()
        assert g.revoked_at is not None


def test_panel_add_rules(tree, office_user, office_client, setup):
    from shidian.apps.selection.services.review import panel_add

    w, _units = setup
    coordinator = expert(tree, "not-expert", tree.school)
    coordinator.role = "coordinator"
    coordinator.save()
    with pytest.raises(ValidationError):
        panel_add(by=office_user, selection=w.selection, user=coordinator)
    e = expert(tree, "far", org("Z1", tree.province, "省师范大学"))
    with pytest.raises(ValidationError, match="大于最多评审数"):
        panel_add(by=office_user, selection=w.selection, user=e, min_load=5, max_load=2)
    url = reverse("selection:review_panel", args=[w.selection.pk])
    # Candidates list: the province's experts; others by username.
    page = office_client.get(reverse("selection:review", args=[w.selection.pk])).content.decode()
    assert "far" in page
    response = office_client.post(url, {"action": "add", "username": "nobody"})
    assert response.status_code == 400 and "nobody" in response.content.decode()
    response = office_client.post(url, {"action": "add", "username": "far", "expertise": "语文"})
    assert response.status_code == 302
    page = office_client.get(reverse("selection:review", args=[w.selection.pk])).content.decode()
    assert "测试省 / 省师范大学" in page and "语文" in page
    response = office_client.post(url, {"action": "add", "username": "far"})
    assert response.status_code == 400 and "已在专家组中" in response.content.decode()


def test_progress_and_reminders(tree, office_user, office_client, setup):
    from shidian.apps.notifications.models import Notification
    from shidian.apps.selection.services.review import assign, progress_of

    w, _units = setup
    experts = panel(tree, w, office_user, 4)
    assign(by=office_user, selection=w.selection, per_unit=2)
    for p in pairs_of(w.selection):
        if p.expert_id == experts[0].pk:
            _review(w, experts[0], p.unit, total=91.5)
    prog = progress_of(w.selection)
    rows = {r.member.user_id: r for r in prog["experts"]}
    assert rows[experts[0].pk].remaining == 0 and rows[experts[0].pk].reviewed == 3
    assert rows[experts[1].pk].remaining == 3 and rows[experts[0].pk].last_activity
    page = office_client.get(reverse("selection:review", args=[w.selection.pk])).content.decode()
    assert "91.5" not in page  # blind: who has reviewed, never the score
    url = reverse("selection:review_remind", args=[w.selection.pk])
    assert office_client.post(url).status_code == 302
    notes = Notification.objects.filter(kind="selection.review_remind")  # scoping: ok test
    assert {n.user_id for n in notes} == {e.pk for e in experts[1:]}
    assert all(reverse("campaigns:my_reviews") in n.url for n in notes)
    assert office_client.post(url, {"expert": experts[0].pk}).status_code == 400
    prog = progress_of(w.selection)
    assert all(r.last_reminded for r in prog["experts"] if r.remaining)


def test_expert_sees_only_their_schools(tree, office_user, client, setup):
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.selection.services.review import assign

    w, units = setup
    experts = panel(tree, w, office_user, 4)
    assign(by=office_user, selection=w.selection, per_unit=2)
    pairs = pairs_of(w.selection)
    mine = [p.unit for p in pairs if p.expert_id == experts[0].pk]
    other = next(u for u in units if u not in mine)
    client.force_login(experts[0])
    sheet = Sheet.objects.get(round=w.round, unit=mine[0])  # scoping: ok test
    assert client.get(reverse("campaigns:review", args=[sheet.pk])).status_code == 200
    not_mine = Sheet.objects.get(round=w.round, unit=other)  # scoping: ok test
    assert client.get(reverse("campaigns:review", args=[not_mine.pk])).status_code == 404
    # Blind: another expert's score on a shared school is invisible before release.
    shared = next(p for p in pairs if p.unit_id == mine[0].pk and p.expert_id != experts[0].pk)
    colleague = next(e for e in experts if e.pk == shared.expert_id)
    _review(w, colleague, mine[0], total=73.25)
    body = client.get(reverse("campaigns:review", args=[sheet.pk])).content.decode()
    assert "73.25" not in body
    # Their to-do list shows the assigned schools.
    from django.utils import timezone

    from shidian.apps.campaigns.todos import campaign_todos

    todos = campaign_todos(experts[0], timezone.now())
    titles = " ".join(t.title for t in todos)
    assert all(u.name in titles for u in mine)
    assert other.name not in titles
    # Experts never reach the selection's pages.
    for name in ("selection:review", "selection:detail"):
        assert client.get(reverse(name, args=[w.selection.pk])).status_code == 404


def test_outsiders_get_404(tree, office_user, outsider_client, setup):
    w, _units = setup
    for name in ("selection:review", "selection:review_export"):
        assert outsider_client.get(reverse(name, args=[w.selection.pk])).status_code == 404
    for name in ("review_panel", "review_assign", "review_move", "review_remind"):
        url = reverse(f"selection:{name}", args=[w.selection.pk])
        assert outsider_client.post(url, {"per_unit": 2}).status_code == 404


def test_expert_not_on_panel_gets_404(tree, office_user, client, setup):
    w, _units = setup
    client.force_login(expert(tree, "stranger", org("X8", tree.city)))
    assert client.get(reverse("selection:review", args=[w.selection.pk])).status_code == 404
    url = reverse("selection:review_assign", args=[w.selection.pk])
    assert client.post(url, {"per_unit": 2}).status_code == 404


def test_frozen_selection_refuses(tree, office_user, setup):
    from shidian.apps.selection.models import Selection
    from shidian.apps.selection.services.review import assignment_start

    w, _units = setup
    panel(tree, w, office_user, 4)
    Selection.objects.filter(pk=w.selection.pk).update(status="pending")  # scoping: ok test
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError, match="不能修改"):
        assignment_start(by=office_user, selection=w.selection, per_unit=2)


def test_export_reads_back_in_the_cli(tree, office_user, office_client, setup, tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from shidian.apps.selection.services.review import assign
    from shidian.cli.app import app

    w, units = setup
    panel(tree, w, office_user, 4, max_load=4)
    assign(by=office_user, selection=w.selection, per_unit=2)
    files = {}
    for table in ("units", "experts", "assignments"):
        url = reverse("selection:review_export", args=[w.selection.pk]) + f"?table={table}"
        response = office_client.get(url)
        assert response.status_code == 200
        files[table] = tmp_path / f"{table}.xlsx"
        files[table].write_bytes(b"".join(response.streaming_content))
    exported = pd.read_excel(files["assignments"], dtype=str, engine="openpyxl")
    assert list(exported.columns[:3]) == ["unit", "unit_name", "expert"]
    assert len(exported) == 12 and set(exported["unit"]) == {u.code for u in units}
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["assign", str(files["units"]), str(files["experts"]), "-r", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out, dtype=str)
    assert len(pairs) == 12 and set(pairs["unit"]) == {u.code for u in units}
    assert set(pairs["expert"]) == {f"exp{i}" for i in range(1, 5)}


def test_run_fails_cleanly_when_the_panel_changed(
    tree, office_user, setup, django_capture_on_commit_callbacks
):
    """The run re-checks: a panel shrunk after the start fails the run with the named reason,
    and nothing is stored."""
    from shidian.apps.runs.models import Run
    from shidian.apps.runs.presenters import card
    from shidian.apps.selection.models import PanelMember
    from shidian.apps.selection.services.review import assignment_start, panel_remove

    w, _units = setup
    panel(tree, w, office_user, 3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assignment_start(by=office_user, selection=w.selection, per_unit=3)
    member = PanelMember.objects.filter(selection=w.selection).first()  # scoping: ok test
    panel_remove(by=office_user, selection=w.selection, member=member)
    for callback in callbacks:
        callback()
    run = Run.objects.get(kind="selection.assignment")  # scoping: ok test
    assert run.status == "failed" and run.error_code == "check"
    text = card(run, user=office_user)["error_text"]
    assert "再添加 1 位专家" in str(text)
    assert pairs_of(w.selection) == []


def test_engine_failure_is_described():
    from shidian.apps.selection.jobs.assignment import _describe_error

    text = _describe_error("infeasible", {"message": "找不到分配", "detail": "unit X short"})
    assert text.startswith("找不到分配") and "unit X short" in text


def test_panel_member_update(tree, office_user, office_client, setup):
    from shidian.apps.selection.models import PanelMember

    w, _units = setup
    panel(tree, w, office_user, 1)
    member = PanelMember.objects.get(selection=w.selection)  # scoping: ok test
    url = reverse("selection:review_panel", args=[w.selection.pk])
    data = {"action": "update", "member": member.pk, "expertise": "物理", "min_load": "1"}
    assert office_client.post(url, {**data, "max_load": "0"}).status_code == 400
    assert office_client.post(url, {**data, "max_load": "4"}).status_code == 302
    member.refresh_from_db()
    assert (member.expertise, member.min_load, member.max_load) == ("物理", 1, 4)


def test_a_new_shortlist_takes_the_dropped_schools_away_from_their_experts(
    tree, office_user, setup
):
    """Adopting a shortlist without a school revokes its experts' grants (they can no longer
    read its sheet), except where an expert already saved a review: that work is kept."""
    from shidian.apps.selection.models import ShortlistRun
    from shidian.apps.selection.services.review import assign
    from shidian.apps.selection.services.shortlist import shortlist_adopt

    w, units = setup
    panel(tree, w, office_user, 4)
    assign(by=office_user, selection=w.selection, per_unit=2)
    dropped, reviewed = units[-1], units[-2]
    pairs = [p for p in pairs_of(w.selection) if p.unit_id == reviewed.pk]
    _review(w, pairs[0].expert, reviewed)
    kept = [
        {"unit_id": u.pk, "code": u.code, "name": u.name, "rank": i, "score": 80.0}
        for i, u in enumerate(units[:-2], start=1)
    ]
    ShortlistRun.objects.create(
        selection=w.selection, number=2, status="done", result={"selected": kept}
    )
    shortlist_adopt(by=office_user, selection=w.selection, number=2)
    left = pairs_of(w.selection)
    assert not [p for p in left if p.unit_id == dropped.pk]
    assert [(p.unit_id, p.expert_id) for p in left if p.unit_id == reviewed.pk] == [
        (reviewed.pk, pairs[0].expert_id)
    ]
    for pair in pairs[1:]:
        pair.grant.refresh_from_db()
        assert pair.grant.revoked_at is not None
