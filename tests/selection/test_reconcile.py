"""The reconcile step: aggregates, agreement, flags, the final ranking, the discussion round,
adoption, the XLSX export and who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.selection.factories import expert, world

pytestmark = pytest.mark.django_db

# unit index -> the three experts' scores; unit 2 is far apart (range 20), the rest agree.
SCORES = [
    [90, 88, 86],
    [80, 82, 79],
    [60, 80, 70],
    [70, 71, 69],
    [85, 84, 87],
    [75, 73, 76],
]


def panel(tree, office_user, *, scores=SCORES, crossed=True, review=True):
    """A shortlist of len(scores) schools, three experts each scoring every one (crossed), and
    their reviews; returns (world, units, experts)."""
    from shidian.apps.reviews.models import Review
    from shidian.apps.selection.models import ExpertAssignment, Shortlisted
    from shidian.apps.submissions.models import Submission

    w = world(tree, office=office_user)
    submitted = [s for s in w.schools if s not in w.drafts]
    units = sorted(submitted, key=lambda u: u.code)[: len(scores)]
    experts = [expert(tree, f"expert{i}", full_name=f"专家{i}") for i in range(1, 4)]
    for rank, unit in enumerate(units, start=1):
        sheet = Submission.objects.get(round=w.round, unit=unit)  # scoping: ok test
        Shortlisted.objects.create(selection=w.selection, unit=unit, rank=rank, score=sheet.total)
        for j, person in enumerate(experts):
            if not crossed and (rank + j) % 3 == 0:
                continue
            ExpertAssignment.objects.create(selection=w.selection, unit=unit, expert=person)
            if review:
                Review.objects.create(submission=sheet, reviewer=person, total=scores[rank - 1][j])
    return w, units, experts


def run(w, office_user, **kw):
    from shidian.apps.selection.services.reconcile import reconciliation_run

    params = {"method": "mean", "trim": 0.2, "max_range": 10, "self_weight": 0.3, **kw}
    return reconciliation_run(by=office_user, selection=w.selection, **params)


def test_methods_give_the_right_aggregates(tree, office_user):
    import numpy as np
    from scipy import stats

    w, units, _ = panel(tree, office_user)
    for method, fn in (
        ("mean", np.mean),
        ("median", np.median),
        ("trimmed", lambda v: stats.trim_mean(v, 0.34)),
    ):
        rec = run(w, office_user, method=method, trim=0.34)
        by_code = {r["code"]: r for r in rec.result["ranking"]}
        for unit, row in zip(units, SCORES, strict=True):
            assert by_code[unit.code]["expert_score"] == pytest.approx(fn(np.array(row)))
            self_score = by_code[unit.code]["self_score"]
            final = 0.3 * self_score + 0.7 * by_code[unit.code]["expert_score"]
            assert by_code[unit.code]["final_score"] == pytest.approx(final)
            assert by_code[unit.code]["gap"] == pytest.approx(
                self_score - by_code[unit.code]["expert_score"]
            )
        ranks = [r["rank"] for r in rec.result["ranking"]]
        assert ranks == sorted(ranks)
        finals = [r["final_score"] for r in rec.result["ranking"]]
        assert finals == sorted(finals, reverse=True)
    assert rec.number == 3 and rec.params["method"] == "trimmed"


def test_agreement_matches_the_engine_and_flags(tree, office_user):
    import numpy as np

    from shidian.engine.reconcile import icc_twoway, kendall_w

    w, units, _ = panel(tree, office_user)
    rec = run(w, office_user)
    result = rec.result
    assert result["design"] == "crossed"
    icc = icc_twoway(np.array(SCORES, dtype=float))
    assert result["icc"]["ICC(2,1)"]["value"] == pytest.approx(icc["ICC(2,1)"].value)
    assert result["icc"]["ICC(2,k)"]["value"] == pytest.approx(icc["ICC(2,k)"].value)
    assert result["icc"]["ICC(2,1)"]["ci95"][0] == pytest.approx(icc["ICC(2,1)"].ci95[0])
    wv, _, p = kendall_w(np.array(SCORES, dtype=float))
    assert result["kendall"]["w"] == pytest.approx(wv)
    assert result["kendall"]["p"] == pytest.approx(p)
    assert result["flagged"] == [units[2].pk]
    flagged = [r["code"] for r in result["ranking"] if r["flagged"]]
    assert flagged == [units[2].code]
    assert result["params"]["weights"] == {"self": 0.3, "expert": 0.7}
    for row in result["ranking"]:
        assert set(row) >= {
            "unit_id",
            "code",
            "name",
            "self_score",
            "expert_score",
            "final_score",
            "rank",
            "flagged",
            "gap",
            "n_experts",
        }


def test_nested_design_uses_one_way_icc(tree, office_user):
    w, _, _ = panel(tree, office_user, crossed=False)
    rec = run(w, office_user)
    assert rec.result["design"] == "nested"
    assert "ICC(1,1)" in rec.result["icc"] and rec.result["kendall"] is None


def test_page_shows_agreement_ranking_flagged_and_scores(tree, office_user, office_client):
    w, units, experts = panel(tree, office_user)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    assert office_client.get(url).status_code == 200
    response = office_client.post(
        url, {"method": "median", "trim": "0.2", "max_range": "10", "self_weight": "0.3"}
    )
    assert response.status_code == 302
    page = office_client.get(response["Location"]).content.decode()
    assert "最终得分 = 30% 自评 + 70% 专家" in page
    assert "ICC(2,1)" in page and "ICC(2,k)" in page and "Kendall" in page
    assert "交叉设计" in page
    assert f'class="flagged" data-unit="{units[2].code}"' in page
    assert "专家1" in page  # the office sees individual scores


def test_units_not_fully_scored_are_listed(tree, office_user, office_client):
    from shidian.apps.reviews.models import Review

    w, units, experts = panel(tree, office_user)
    Review.objects.filter(reviewer=experts[1], submission__unit=units[0]).delete()  # scoping: ok
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    page = office_client.get(url).content.decode()
    assert 'id="reconcile-missing"' in page and "专家2" in page
    rec = run(w, office_user)
    row = next(r for r in rec.result["ranking"] if r["code"] == units[0].code)
    assert row["n_experts"] == 2
    assert rec.result["missing"][0]["experts"] == ["专家2"]


@pytest.mark.parametrize(
    "bad",
    [
        {"trim": "0.5", "method": "trimmed"},
        {"trim": "-0.1", "method": "trimmed"},
        {"self_weight": "1.2"},
        {"self_weight": "-0.1"},
        {"max_range": "-1"},
        {"method": "mode"},
    ],
)
def test_bad_input_stores_nothing(tree, office_user, office_client, bad):
    from shidian.apps.selection.models import Reconciliation

    w, _, _ = panel(tree, office_user)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    data = {"method": "mean", "trim": "0.2", "max_range": "10", "self_weight": "0.3", **bad}
    response = office_client.post(url, data)
    assert response.status_code == 400
    assert not Reconciliation.objects.exists()  # scoping: ok test


def test_no_assignments_or_no_scores_say_what_to_do(tree, office_user, office_client):
    from shidian.apps.selection.models import ExpertAssignment, Reconciliation

    w, _, _ = panel(tree, office_user, review=False)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    data = {"method": "mean", "trim": "0.2", "max_range": "10", "self_weight": "0.3"}
    response = office_client.post(url, data)
    assert response.status_code == 400 and "专家还没有提交评分" in response.content.decode()
    ExpertAssignment.objects.all().delete()  # scoping: ok test
    response = office_client.post(url, data)
    assert response.status_code == 400 and "还没有分配评审专家" in response.content.decode()
    assert not Reconciliation.objects.exists()  # scoping: ok test


def _open(w, office_user, rec, units):
    from shidian.apps.selection.services.reconcile import discussion_open

    return discussion_open(
        by=office_user, selection=w.selection, reconciliation=rec, unit_ids=[u.pk for u in units]
    )


def test_discussion_round_blind_until_own_score_and_overrides(tree, office_user, client):
    from django.core.exceptions import ValidationError

    from shidian.apps.reviews.models import Review
    from shidian.apps.selection.models import DiscussionScore

    w, units, experts = panel(tree, office_user)
    rec = run(w, office_user)
    with pytest.raises(ValidationError):  # only flagged units
        _open(w, office_user, rec, [units[0]])
    _open(w, office_user, rec, [units[2]])
    # expert 1 has not reviewed unit 2 yet: sees nobody else's score, cannot enter a second one
    Review.objects.filter(reviewer=experts[0], submission__unit=units[2]).delete()  # scoping: ok
    url = reverse("selection:reconcile_discuss", kwargs={"selection_id": w.selection.pk})
    client.force_login(experts[0])
    page = client.get(url).content.decode()
    assert units[2].code in page and units[0].code not in page
    assert "专家2" not in page and "专家3" not in page
    refused = client.post(url, {"unit": units[2].pk, "score": "70", "note": "看过材料"})
    assert refused.status_code == 400 and not DiscussionScore.objects.exists()  # scoping: ok
    # expert 2 has reviewed: sees the others' first scores and gives a second one with a note
    client.force_login(experts[1])
    page = client.get(url).content.decode()
    assert "专家1" not in page or "未评" in page
    assert "专家3" in page and "70.00" in page
    assert client.post(url, {"unit": units[2].pk, "score": "68", "note": ""}).status_code == 400
    too_high = client.post(url, {"unit": units[2].pk, "score": "1000", "note": "x"})
    assert too_high.status_code == 400
    saved = client.post(url, {"unit": units[2].pk, "score": "68", "note": "合议后\x0b下调"})
    assert saved.status_code == 302
    score = DiscussionScore.objects.get()  # scoping: ok test
    assert score.score == 68 and score.note == "合议后\n下调"
    # the re-run uses the discussion score instead of the review
    Review.objects.create(
        submission=Review.objects.filter(submission__unit=units[2]).first().submission,
        reviewer=experts[0],
        total=SCORES[2][0],
    )
    again = run(w, office_user)
    row = next(r for r in again.result["ranking"] if r["code"] == units[2].code)
    assert row["expert_score"] == pytest.approx((60 + 68 + 70) / 3)
    assert not row["flagged"]
    sources = {
        s["expert"]: s["source"] for s in again.result["scores"] if s["code"] == units[2].code
    }
    assert sources == {"expert1": "review", "expert2": "discussion", "expert3": "review"}


def test_expert_not_assigned_and_outsider_get_404(tree, office_user, client, outsider_client):
    w, units, _ = panel(tree, office_user)
    url = reverse("selection:reconcile_discuss", kwargs={"selection_id": w.selection.pk})
    stranger = expert(tree, "expert-elsewhere")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"unit": units[0].pk, "score": "1", "note": "x"}).status_code == 404
    page = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    assert client.get(page).status_code == 404
    for name in ("reconcile", "reconcile_adopt", "reconcile_open", "reconcile_export"):
        target = reverse(f"selection:{name}", kwargs={"selection_id": w.selection.pk})
        assert outsider_client.get(target).status_code == 404
        assert outsider_client.post(target, {"number": 1}).status_code == 404


def test_assigned_expert_cannot_see_the_office_page(tree, office_user, client):
    w, _, experts = panel(tree, office_user)
    client.force_login(experts[0])
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    assert client.get(url).status_code == 404
    export = reverse("selection:reconcile_export", kwargs={"selection_id": w.selection.pk})
    assert client.get(export).status_code == 404


def test_adopt_and_frozen_refuses(tree, office_user, office_client):
    from shidian.apps.core.models import AuditEvent
    from shidian.apps.selection.models import Reconciliation, Selection

    w, units, _ = panel(tree, office_user)
    rec = run(w, office_user)
    url = reverse("selection:reconcile_adopt", kwargs={"selection_id": w.selection.pk})
    assert office_client.post(url, {"number": rec.number}).status_code == 302
    selection = Selection.objects.get(pk=w.selection.pk)  # scoping: ok test
    assert selection.reconciliation_id == rec.pk
    assert AuditEvent.objects.filter(action="selection.reconcile_adopt").exists()  # scoping: ok
    Selection.objects.filter(pk=selection.pk).update(status="pending")  # scoping: ok test
    assert office_client.post(url, {"number": rec.number}).status_code == 400
    page = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    data = {"method": "mean", "trim": "0.2", "max_range": "10", "self_weight": "0.3"}
    assert office_client.post(page, data).status_code == 400
    assert Reconciliation.objects.count() == 1  # scoping: ok test
    opened = reverse("selection:reconcile_open", kwargs={"selection_id": w.selection.pk})
    assert office_client.post(opened, {"number": rec.number}).status_code == 400


def test_export_reproduces_icc_and_ranking_with_the_cli(tree, office_user, office_client, tmp_path):
    import json

    from typer.testing import CliRunner

    from shidian.cli.app import app

    w, units, _ = panel(tree, office_user)
    rec = run(w, office_user, method="trimmed", trim=0.34, max_range=8, self_weight=0.25)
    base = reverse("selection:reconcile_export", kwargs={"selection_id": w.selection.pk})
    scores = office_client.get(f"{base}?n={rec.number}")
    ranking = office_client.get(f"{base}?n={rec.number}&table=ranking")
    assert scores.status_code == 200 and ranking.status_code == 200
    (tmp_path / "scores.xlsx").write_bytes(b"".join(scores.streaming_content))
    (tmp_path / "ranking.xlsx").write_bytes(b"".join(ranking.streaming_content))
    out = CliRunner().invoke(
        app,
        [
            "reconcile",
            str(tmp_path / "scores.xlsx"),
            "--self",
            str(tmp_path / "ranking.xlsx"),
            "--self-score",
            "self_score",
            "--weights",
            "0.25,0.75",
            "--method",
            "trimmed",
            "--trim",
            "0.34",
            "--max-range",
            "8",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["icc"]["ICC(2,1)"]["value"] == pytest.approx(
        rec.result["icc"]["ICC(2,1)"]["value"]
    )
    table = report["table"]
    cli_rows = table if isinstance(table, list) else table["data"]
    assert [str(r["unit"]) for r in cli_rows] == [r["code"] for r in rec.result["ranking"]]
    assert [r["final_score"] for r in cli_rows] == pytest.approx(
        [r["final_score"] for r in rec.result["ranking"]]
    )


def test_english_page(tree, office_user, office_client):
    w, _, _ = panel(tree, office_user)
    run(w, office_user)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    office_client.cookies["shidian_language"] = "en"
    page = office_client.get(url).content.decode()
    assert "Final score = 30% self-assessment + 70% experts" in page
    assert "最终得分" not in page


def test_english_page_has_no_chinese_of_this_step(tree, office_user, office_client):
    import re

    w, units, _ = panel(tree, office_user)
    run(w, office_user)
    office_client.cookies["shidian_language"] = "en"
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    page = office_client.get(url).content.decode()
    body = page.split('class="reconcile"', 1)[1]
    for name in [u.name for u in units] + [f"专家{i}" for i in range(1, 4)]:
        body = body.replace(name, "")
    assert not re.findall(r"[\u4e00-\u9fff]+", body)


def test_nested_page_explains_the_design(tree, office_user, office_client):
    w, _, _ = panel(tree, office_user, crossed=False)
    run(w, office_user)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    page = office_client.get(url).content.decode()
    assert "嵌套设计" in page and 'data-icc="ICC(1,1)"' in page and "data-kendall" not in page


def test_viewer_without_manage_cannot_run(tree, office_user, client):
    from shidian.apps.selection.models import Reconciliation
    from tests.conftest import make_user

    w, _, _ = panel(tree, office_user)
    viewer = make_user("zone-viewer", tree.zone, "zone")
    client.force_login(viewer)
    url = reverse("selection:reconcile", kwargs={"selection_id": w.selection.pk})
    data = {"method": "mean", "trim": "0.2", "max_range": "10", "self_weight": "0.3"}
    assert client.post(url, data).status_code in (403, 404)
    assert not Reconciliation.objects.exists()  # scoping: ok test


def test_expert_gets_a_todo_for_an_open_discussion(tree, office_user):
    from django.utils import timezone

    from shidian.apps.core.todos import todos_for

    w, units, experts = panel(tree, office_user)
    rec = run(w, office_user)
    assert not [t for t in todos_for(user=experts[0], now=timezone.now()) if "合议" in t.action]
    _open(w, office_user, rec, [units[2]])
    found = [t for t in todos_for(user=experts[0], now=timezone.now()) if "合议" in t.action]
    assert len(found) == 1 and found[0].url.endswith("/reconcile/discuss/")
