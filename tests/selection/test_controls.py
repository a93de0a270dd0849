"""Step 6, matched controls: a matching run end to end on the world factory, the SMD denominator,
unmatched pilots with what to change, adopting (replaces the pairs), frozen and outsiders."""

from __future__ import annotations

import io
import json
import shlex
import sys

import numpy as np
import pytest
from django.urls import reverse

from tests.selection.factories import world

pytestmark = pytest.mark.django_db

FORM = {
    "method": "propensity",
    "ratio": "1",
    "caliper": "0.2",
    "covariates": ["score", "students", "teachers", "classes"],
    "smd_denominator": "treated",
}


def place(w, units) -> None:
    """Pilots: BatchPlacement rows made directly (the batches step is another helper's)."""
    from shidian.apps.selection.models import BatchPlacement

    cycles = list(w.programme.cycles.order_by("number"))
    for rank, unit in enumerate(units, start=1):
        BatchPlacement.objects.create(
            selection=w.selection, unit=unit, cycle=cycles[(rank - 1) % len(cycles)], rank=rank
        )


def complete(tree) -> None:
    """The shared tree's two schools have no size data: give them some (else the page asks)."""
    from shidian.apps.orgs.models import OrgUnit

    OrgUnit.objects.filter(pk=tree.school.pk).update(students=900, teachers=60, classes=24)
    OrgUnit.objects.filter(pk=tree.school2.pk).update(students=1200, teachers=80, classes=30)


def submitted(w) -> list:
    drafts = {s.pk for s in w.drafts}
    return sorted((s for s in w.schools if s.pk not in drafts), key=lambda s: s.code)


def pilots_world(tree, office_user, n: int = 8):
    w = world(tree, office=office_user)
    complete(tree)
    units = submitted(w)
    place(w, units[::4][:n])
    return w


def controls_url(w, name: str = "controls") -> str:
    return reverse(f"selection:{name}", kwargs={"selection_id": w.selection.pk})


def run_match(client, w, capture, **changes):
    from shidian.apps.selection.models import MatchRun

    data = {**FORM, **changes}
    with capture(execute=True):
        response = client.post(controls_url(w), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return MatchRun.objects.filter(selection=w.selection).order_by("-number").first()


def test_without_pilots_the_page_says_form_batches_first(tree, office_client, office_user):
    w = world(tree, office=office_user)
    page = office_client.get(controls_url(w))
    assert page.status_code == 200
    text = page.content.decode()
    assert "controls-no-pilots" in text and "分批安排" in text
    assert 'id="match-form"' not in text
    from shidian.apps.selection.models import MatchRun

    response = office_client.post(controls_url(w), FORM)
    assert response.status_code == 400
    assert not MatchRun.objects.filter(selection=w.selection).exists()


def test_matching_end_to_end(tree, office_client, office_user, django_capture_on_commit_callbacks):
    from shidian.apps.selection.models import ControlPair, RunStatus

    w = pilots_world(tree, office_user)
    pilots = set(w.selection.placements.values_list("unit_id", flat=True))
    match_run = run_match(office_client, w, django_capture_on_commit_callbacks)
    assert match_run.status == RunStatus.DONE, match_run.message
    assert match_run.run.status == "succeeded"
    result = match_run.result
    assert result["smd_denominator"] == "treated"
    assert result["counts"]["pilots"] == len(pilots)
    assert result["counts"]["matched"] + result["counts"]["unmatched"] == len(pilots)
    controls = [p["control_id"] for p in result["pairs"]]
    assert len(controls) == len(set(controls))  # without replacement
    assert not set(controls) & pilots
    assert {p["pilot_id"] for p in result["pairs"]} <= pilots
    assert [b["covariate"] for b in result["balance"]] == FORM["covariates"]
    assert not ControlPair.objects.filter(selection=w.selection).exists()  # not adopted yet

    page = office_client.get(controls_url(w) + f"?run={match_run.number}")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="loveplot-data"' in text and 'id="balance-table"' in text
    assert "selection-loveplot.js" in text and "<script>" not in text
    assert "试点组的标准差" in text
    assert result["pairs"][0]["control_name"] in text
    assert "#1" in text  # the list of runs


def test_denominator_option_changes_smd_as_defined(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.selection.services.controls import population

    w = pilots_world(tree, office_user)
    treated = run_match(office_client, w, django_capture_on_commit_callbacks).result
    pooled = run_match(
        office_client, w, django_capture_on_commit_callbacks, smd_denominator="pooled"
    ).result
    assert pooled["smd_denominator"] == "pooled"
    assert treated["pairs"] == pooled["pairs"]
    frame = population(w.selection)
    t, c = frame[frame.treated == 1], frame[frame.treated == 0]
    for rt, rp in zip(treated["balance"], pooled["balance"], strict=True):
        x_t, x_c = t[rt["covariate"]], c[rt["covariate"]]
        diff = x_t.mean() - x_c.mean()
        assert rt["smd_before"] == pytest.approx(diff / x_t.std(ddof=1))
        pooled_sd = np.sqrt((x_t.var(ddof=1) + x_c.var(ddof=1)) / 2)
        assert rp["smd_before"] == pytest.approx(diff / pooled_sd)
        assert rt["smd_after"] * rt["denominator_sd"] == pytest.approx(
            rp["smd_after"] * rp["denominator_sd"]
        )
    page = office_client.get(controls_url(w) + "?run=2").content.decode()
    assert "两组合并的标准差" in page


def test_unmatched_pilot_says_which_and_what_to_change(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.selection.models import ControlPair

    w = world(tree, office=office_user)
    complete(tree)
    units = submitted(w)
    north = [u for u in units if u.zone_id == w.zones[2].pk]  # every submitted school of a zone
    place(w, north[:9] + units[:3])
    match_run = run_match(
        office_client, w, django_capture_on_commit_callbacks, exact=["zone"], caliper=""
    )
    unmatched = {u["unit_id"]: u for u in match_run.result["unmatched"]}
    assert {u.pk for u in north[:9]} <= set(unmatched)
    assert all(unmatched[u.pk]["reason"] == "stratum" for u in north[:9])
    assert unmatched[north[0].pk]["drop"] == "zone"
    page = office_client.get(controls_url(w) + "?run=1").content.decode()
    assert north[0].name in page and "取消按“片区”精确匹配" in page

    adopt = controls_url(w, "controls_adopt")
    response = office_client.post(adopt, {"run": 1})
    assert response.status_code == 400
    assert "没有匹配到对照学校" in response.content.decode()
    w.selection.refresh_from_db()
    assert w.selection.match_id is None
    assert not ControlPair.objects.filter(selection=w.selection).exists()  # nothing half-saved
    response = office_client.post(adopt, {"run": 1, "confirm_unmatched": "on"})
    assert response.status_code == 302
    assert ControlPair.objects.filter(selection=w.selection).count() == len(
        match_run.result["pairs"]
    )


def test_narrow_caliper_suggests_a_wider_one(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    w = pilots_world(tree, office_user, n=10)
    result = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="0.01").result
    assert result["unmatched"]
    for item in result["unmatched"]:
        assert item["reason"] in ("caliper", "taken")
        assert item["caliper"] > 0.01
    page = office_client.get(controls_url(w) + "?run=1").content.decode()
    assert "把卡钳放宽到" in page
    # The suggestion is enough: one with the widest suggested caliper matches the first of them.
    widest = max(item["caliper"] for item in result["unmatched"])
    again = run_match(
        office_client, w, django_capture_on_commit_callbacks, caliper=str(min(widest, 5))
    ).result
    assert again["counts"]["matched"] > result["counts"]["matched"]


def test_adopt_replaces_pairs_and_is_audited(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.core.models import AuditEvent
    from shidian.apps.selection.models import ControlPair

    w = pilots_world(tree, office_user, n=6)
    first = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="")
    second = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="", ratio="2")
    adopt = controls_url(w, "controls_adopt")
    assert office_client.post(adopt, {"run": first.number}).status_code == 302
    assert ControlPair.objects.filter(selection=w.selection).count() == len(first.result["pairs"])
    assert office_client.post(adopt, {"run": second.number}).status_code == 302
    pairs = set(ControlPair.objects.filter(selection=w.selection).values_list("pilot", "control"))
    assert pairs == {(p["pilot_id"], p["control_id"]) for p in second.result["pairs"]}
    assert len(pairs) == 12
    w.selection.refresh_from_db()
    assert w.selection.match_id == second.pk
    assert AuditEvent.objects.filter(action="selection.match_adopt").count() == 2
    page = office_client.get(controls_url(w)).content.decode()
    assert "已采用" in page


def test_adopt_refused_when_the_pilots_changed(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.selection.models import BatchPlacement, ControlPair

    w = pilots_world(tree, office_user, n=6)
    match_run = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="")
    BatchPlacement.objects.filter(selection=w.selection).order_by("rank").first().delete()
    response = office_client.post(controls_url(w, "controls_adopt"), {"run": match_run.number})
    assert response.status_code == 400
    assert "重新匹配" in response.content.decode()
    assert not ControlPair.objects.filter(selection=w.selection).exists()


def test_missing_covariate_values_are_named(tree, office_client, office_user):
    from shidian.apps.selection.models import MatchRun

    w = world(tree, office=office_user)
    place(w, submitted(w)[5:10])
    response = office_client.post(controls_url(w), FORM)
    assert response.status_code == 400
    assert tree.school.name in response.content.decode()
    assert not MatchRun.objects.filter(selection=w.selection).exists()


def test_bad_parameters_change_nothing(tree, office_client, office_user):
    from shidian.apps.selection.models import MatchRun

    w = pilots_world(tree, office_user)
    for change in ({"ratio": "0"}, {"caliper": "-1"}, {"covariates": []}, {"method": "nearest"}):
        response = office_client.post(controls_url(w), {**FORM, **change})
        assert response.status_code == 400, change
    response = office_client.post(
        controls_url(w), {**FORM, "covariates": ["zone"], "exact": ["zone"]}
    )
    assert response.status_code == 400
    assert not MatchRun.objects.filter(selection=w.selection).exists()


def test_frozen_selection_refuses_runs_and_adoption(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.selection.models import MatchRun, Selection, SelectionStatus

    w = pilots_world(tree, office_user)
    match_run = run_match(office_client, w, django_capture_on_commit_callbacks)
    Selection.objects.filter(pk=w.selection.pk).update(status=SelectionStatus.PENDING)
    response = office_client.post(controls_url(w), FORM)
    assert response.status_code == 400
    assert MatchRun.objects.filter(selection=w.selection).count() == 1
    response = office_client.post(
        controls_url(w, "controls_adopt"), {"run": match_run.number, "confirm_unmatched": "on"}
    )
    assert response.status_code == 400
    w.selection.refresh_from_db()
    assert w.selection.match_id is None
    page = office_client.get(controls_url(w)).content.decode()
    assert 'id="match-form"' not in page and 'id="adopt-form"' not in page


def test_outsider_gets_404(tree, outsider_client, office_user):
    w = pilots_world(tree, office_user)
    assert outsider_client.get(controls_url(w)).status_code == 404
    assert outsider_client.post(controls_url(w), FORM).status_code == 404
    assert outsider_client.post(controls_url(w, "controls_adopt"), {"run": 1}).status_code == 404
    assert outsider_client.get(controls_url(w, "controls_export") + "?run=1").status_code == 404


def test_coordinator_cannot_run(tree, coordinator_client, office_user):
    w = pilots_world(tree, office_user)
    assert coordinator_client.post(controls_url(w), FORM).status_code in (403, 404)


def test_export_goes_back_to_the_cli_with_the_same_pairs_and_balance(
    tree, office_client, office_user, django_capture_on_commit_callbacks, tmp_path, monkeypatch,
    capsys,
):  # fmt: skip
    from openpyxl import load_workbook

    w = pilots_world(tree, office_user, n=10)
    match_run = run_match(
        office_client,
        w,
        django_capture_on_commit_callbacks,
        covariates=["score", "students", "teachers", "school_type"],
        exact=["locality"],
        ratio="2",
        caliper="0.5",
    )
    response = office_client.get(controls_url(w, "controls_export") + f"?run={match_run.number}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    path = tmp_path / "population.xlsx"
    path.write_bytes(data)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:4] == ["population", "pairs", "balance", "unmatched"]
    sheet = book["population"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["id", "treated"]
    assert all(isinstance(row[0].value, str) for row in sheet.iter_rows(min_row=2))
    assert sheet.cell(row=2, column=1).data_type == "s"

    command = shlex.split(match_run.result["command"])
    assert command[:3] == ["shidian", "match", "population.xlsx"]
    report = tmp_path / "report.json"
    args = [str(path), *command[3:]]
    args[args.index("--output") + 1] = str(tmp_path / "matched.csv")
    monkeypatch.setattr(sys, "argv", ["shidian", "match", *args, "--report", str(report)])
    from shidian.cli.app import main

    try:
        main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    cli = json.loads(report.read_text(encoding="utf-8"))
    page_pairs = {(p["pilot_code"], p["control_code"]) for p in match_run.result["pairs"]}
    assert {(p["treated_id"], p["control_id"]) for p in cli["pairs"]} == page_pairs
    assert cli["smd_denominator"] == "treated"
    for ours, theirs in zip(match_run.result["balance"], cli["balance"], strict=True):
        assert ours["covariate"] == theirs["covariate"]
        assert ours["smd_before"] == pytest.approx(theirs["smd_before"])
        assert ours["smd_after"] == pytest.approx(theirs["smd_after"])
    assert cli["unmatched_treated"] == [u["code"] for u in match_run.result["unmatched"]]


def test_pilot_without_a_submitted_sheet_is_listed(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    w = pilots_world(tree, office_user, n=5)
    place_more = w.drafts[0]
    from shidian.apps.selection.models import BatchPlacement

    BatchPlacement.objects.create(
        selection=w.selection, unit=place_more, cycle=w.programme.cycles.first(), rank=99
    )
    match_run = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="")
    reasons = {u["unit_id"]: u["reason"] for u in match_run.result["unmatched"]}
    assert reasons == {place_more.pk: "no_sheet"}
    assert match_run.result["counts"]["pilots"] == 6
    page = office_client.get(controls_url(w) + "?run=1").content.decode()
    assert "没有已提交的自查表" in page
    response = office_client.post(
        controls_url(w, "controls_adopt"), {"run": 1, "confirm_unmatched": "on"}
    )
    assert response.status_code == 302


def test_engine_failure_leaves_the_run_failed_and_unadoptable(
    tree, office_client, office_user, django_capture_on_commit_callbacks, monkeypatch
):
    from shidian.apps.selection.models import ControlPair, RunStatus
    from shidian.apps.selection.services import controls
    from shidian.engine.errors import EngineInputError

    def broken(*args, **kwargs):
        raise EngineInputError("The propensity score is not finite for some units.")

    monkeypatch.setattr(controls, "compute", broken)
    w = pilots_world(tree, office_user)
    match_run = run_match(office_client, w, django_capture_on_commit_callbacks)
    match_run.refresh_from_db()
    assert match_run.status == RunStatus.FAILED
    assert match_run.result == {}
    assert match_run.run.error_code == "match_input"
    page = office_client.get(controls_url(w) + "?run=1")
    assert "match-failed" in page.content.decode()
    response = office_client.post(
        controls_url(w, "controls_adopt"), {"run": 1, "confirm_unmatched": "on"}
    )
    assert response.status_code == 400
    assert not ControlPair.objects.filter(selection=w.selection).exists()


def test_no_pilot_matched_shows_no_after_figures():
    from shidian.apps.selection.services.controls import balance_rows, loveplot_data

    row = {"covariate": "students", "smd_before": 0.3, "smd_after": 0.0}
    result = {"counts": {"matched": 0}, "balance": [row]}
    assert balance_rows(result)[0]["after"] is False
    assert balance_rows(result)[0]["flag_after"] is False
    assert loveplot_data(result)["after"] == [None]
    result["counts"]["matched"] = 3
    assert loveplot_data(result)["after"] == [0.0]


def test_unit_placed_elsewhere_is_not_a_control(
    tree, office_client, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.programmes.models import Participation, ParticipationState

    w = pilots_world(tree, office_user, n=6)
    pilots = set(w.selection.placements.values_list("unit_id", flat=True))
    earlier = next(u for u in submitted(w) if u.pk not in pilots)
    Participation.objects.filter(programme=w.programme, unit=earlier).update(
        state=ParticipationState.CONTROL
    )
    result = run_match(office_client, w, django_capture_on_commit_callbacks, caliper="").result
    assert earlier.pk not in {p["control_id"] for p in result["pairs"]}
    everyone = len(submitted(w))
    assert result["counts"]["candidates"] == everyone - len(pilots) - 1


def test_zone_with_a_quota_gets_404(tree, client, office_user, zone_user):
    from shidian.apps.selection.models import ZoneQuota

    w = pilots_world(tree, office_user)
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    client.force_login(zone_user)
    assert client.get(controls_url(w)).status_code == 404
    assert client.get(controls_url(w, "controls_export") + "?run=1").status_code == 404
    assert client.post(controls_url(w), FORM).status_code == 404


def test_a_run_without_any_pair_cannot_be_adopted_even_when_confirmed(
    tree, office_client, office_user
):
    """A run in which no pilot got a control: the office is told to widen the caliper, and
    confirming the unmatched pilots does not adopt an empty control group."""
    from shidian.apps.selection.models import ControlPair, MatchRun
    from shidian.apps.selection.services.controls import pilot_placements

    w = pilots_world(tree, office_user, n=6)
    pilots = sorted(pilot_placements(w.selection).values_list("unit_id", flat=True))
    empty = MatchRun.objects.create(
        selection=w.selection,
        number=1,
        status="done",
        params={},
        result={
            "pilot_ids": pilots,
            "pairs": [],
            "unmatched": [{"unit_id": u, "name": str(u)} for u in pilots],
        },
    )
    response = office_client.post(
        controls_url(w, "controls_adopt"), {"run": empty.number, "confirm_unmatched": "on"}
    )
    assert response.status_code == 400
    assert "放宽卡钳" in response.content.decode()
    assert not ControlPair.objects.filter(selection=w.selection).exists()
