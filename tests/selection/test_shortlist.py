"""The shortlist step: runs kept and computed in a Run, results beside plain top-K, infeasible
told in words (zh and en), adopting moves participations, who sees what."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shidian.apps.selection.models import RunStatus, Shortlisted, ShortlistRun
from shidian.apps.selection.services import shortlist as service
from tests.runs.helpers import execute
from tests.selection.factories import world

pytestmark = pytest.mark.django_db


def url(w, **query):
    base = reverse("selection:shortlist", kwargs={"selection_id": w.selection.pk})
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def params(**kw):
    base = {
        "count": 10,
        "strata": ["school_type"],
        "proportional": True,
        "tolerance": 5.0,
        "quotas": [],
        "balance": [],
        "max_smd": 0.2,
        "min_score": None,
        "include": [],
        "exclude": [],
    }
    base.update(kw)
    return base


def run(w, by, **kw):
    shortlist = service.shortlist_run_start(by=by, selection=w.selection, params=params(**kw))
    execute(shortlist.run)
    shortlist.refresh_from_db()
    return shortlist


def post_form(client, w, **data):
    form = {"count": 10, "strata": ["school_type"], "proportional": "on", "tolerance": 5,
            "max_smd": 0.2, "include": "", "exclude": ""}  # fmt: skip
    form.update(data)
    return client.post(url(w), form)


def test_run_selects_submitted_schools_with_proportional_shares(tree, office_user):
    w = world(tree, office=office_user)
    shortlist = run(w, office_user)
    assert shortlist.number == 1 and shortlist.status == RunStatus.DONE
    result = shortlist.result
    chosen = {r["unit_id"] for r in result["selected"]}
    assert len(chosen) == 10
    assert not chosen & {s.pk for s in w.drafts}  # drafts are never selected
    assert set(result["selected"][0]) >= {
        "unit_id", "code", "name", "rank", "score", "forced_reason"
    }  # fmt: skip
    assert [r["rank"] for r in result["selected"]] == list(range(1, 11))
    assert result["solver"]["optimal"] and result["price"]["difference"] >= 0
    for share in result["shares"]:
        assert abs(share["deviation"]) <= 0.05 + 1 / 10 + 1e-9
    assert result["largest_deviation"]["attribute"] == "school_type"
    assert len(result["topk"]) == 10
    assert shortlist.run.status == "succeeded"


def test_page_runs_from_the_form_and_shows_the_result(
    tree, office_user, office_client, django_capture_on_commit_callbacks
):
    w = world(tree, office=office_user)
    page = office_client.get(url(w))
    assert page.status_code == 200 and 'id="shortlist-run-form"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(office_client, w, exclude="A1-03 已承担其他项目")
    assert response.status_code == 302
    shortlist = ShortlistRun.objects.get()
    assert shortlist.status == RunStatus.DONE
    assert shortlist.params["exclude"] == [{"code": "A1-03", "reason": "已承担其他项目"}]
    assert "A1-03" not in {r["code"] for r in shortlist.result["selected"]}
    html = office_client.get(response["Location"]).content.decode()
    assert 'id="selected-table"' in html and 'id="shares-table"' in html
    assert "代表性的代价" in html and "已证明最优" in html


def test_include_needs_a_reason_and_bad_input_stores_nothing(tree, office_user, office_client):
    w = world(tree, office=office_user)
    response = post_form(office_client, w, include="A1-03")
    assert response.status_code == 400 and "缺少理由" in response.content.decode()
    response = post_form(office_client, w, include="NOPE 理由")
    assert response.status_code == 400 and "NOPE 不在候选学校中" in response.content.decode()
    draft = w.drafts[0].code
    response = post_form(office_client, w, include=f"{draft} 想要它")
    assert response.status_code == 400
    response = post_form(office_client, w, count=100)
    assert response.status_code == 400 and "无法凑满" in response.content.decode()
    assert ShortlistRun.objects.count() == 0
    from shidian.apps.runs.models import Run

    assert Run.objects.count() == 0


def test_included_unit_is_chosen_with_its_reason(tree, office_user):
    w = world(tree, office=office_user)
    frame = service.population(w.selection)
    low = frame.sort_values("score").iloc[0]
    shortlist = run(w, office_user, include=[{"code": low["id"], "reason": "乡村薄弱校"}])
    (row,) = [r for r in shortlist.result["selected"] if r["code"] == low["id"]]
    assert row["forced_reason"] == "乡村薄弱校"


def test_vetoed_sheets_are_excluded_but_count_in_the_population(tree, office_user):
    from shidian.apps.campaigns.models import Sheet

    w = world(tree, office=office_user)
    frame = service.population(w.selection)
    best = frame.sort_values("score", ascending=False).iloc[0]
    Sheet.objects.filter(round=w.round, unit_id=int(best["unit_id"])).update(
        vetoed=True
    )  # scoping: ok test
    shortlist = run(w, office_user)
    assert best["id"] not in {r["code"] for r in shortlist.result["selected"]}
    assert shortlist.result["n_candidates"] == len(frame)
    assert shortlist.result["n_eligible"] == len(frame) - 1
    with pytest.raises(ValidationError, match="一票否决"):
        service.shortlist_run_start(
            by=office_user,
            selection=w.selection,
            params=params(include=[{"code": best["id"], "reason": "x"}]),
        )


def test_recommended_only_when_the_selection_collects_recommendations(tree, office_user):
    from shidian.apps.selection.models import Recommendation, Selection

    w = world(tree, office=office_user)
    Selection.objects.filter(pk=w.selection.pk).update(recommend=True)  # scoping: ok test
    w.selection.refresh_from_db()
    frame = service.population(w.selection)
    picked = frame.iloc[::2]
    for rec in picked.to_dict("records"):
        Recommendation.objects.create(
            selection=w.selection, unit_id=rec["unit_id"], zone=w.zones[0], reason="推荐"
        )
    shortlist = run(w, office_user)
    assert {r["code"] for r in shortlist.result["selected"]} <= set(picked["id"])
    # The shares still use everyone.
    total = sum(s["population"] for s in shortlist.result["shares"])
    assert total == len(frame)


def test_infeasible_quota_is_told_in_chinese_and_english(tree, office_user, office_client):
    w = world(tree, office=office_user)
    frame = service.population(w.selection)
    junior = int((frame["school_type"] == "junior_high").sum())
    shortlist = run(
        w,
        office_user,
        strata=["school_type"],
        proportional=False,
        quotas=[
            {"attribute": "school_type", "stratum": "junior_high", "min": 8, "max": None},
            {"attribute": "school_type", "stratum": "primary", "min": 5, "max": None},
        ],
    )
    assert junior >= 8
    assert shortlist.status == RunStatus.INFEASIBLE
    assert shortlist.message.startswith("The constraints cannot all hold")
    (detail,) = shortlist.result["relaxations"]
    assert detail["code"] == "quota_min"
    html = office_client.get(url(w, run=shortlist.number)).content.decode()
    assert 'id="infeasible"' in html
    assert "至少需要" in html and "请把下限降到" in html
    with translation.override("en"):
        text = service.describe_relaxation(detail)
        error = service.describe_error("not_enough_eligible", {"count": 99, "eligible": 35})
    assert text.startswith("School type=Junior") or text.startswith("School type=")
    assert "needs at least 8 schools" in text and "lower its minimum to" in text
    assert "cannot be filled" in error and "35" in error
    zh = service.describe_relaxation(detail)
    assert zh.startswith("学校类型=") and "其他约束最多只留出" in zh


def test_quota_on_an_unknown_value_or_min_above_max_refuses(tree, office_user):
    w = world(tree, office=office_user)
    with pytest.raises(ValidationError, match="下限 11 大于入围数 10"):
        service.shortlist_run_start(
            by=office_user,
            selection=w.selection,
            params=params(
                quotas=[{"attribute": "school_type", "stratum": "primary", "min": 11, "max": None}]
            ),
        )
    with pytest.raises(ValidationError, match="下限 5 大于上限 2"):
        service.shortlist_run_start(
            by=office_user,
            selection=w.selection,
            params=params(
                quotas=[{"attribute": "school_type", "stratum": "primary", "min": 5, "max": 2}]
            ),
        )
    assert ShortlistRun.objects.count() == 0


def test_every_run_is_kept_and_two_compare(tree, office_user, office_client):
    w = world(tree, office=office_user)
    first = run(w, office_user)
    second = run(
        w,
        office_user,
        quotas=[{"attribute": "locality", "stratum": "rural", "min": 5, "max": None}],
    )
    assert (first.number, second.number) == (1, 2)
    html = office_client.get(url(w, a=1, b=2)).content.decode()
    assert 'id="shortlist-compare"' in html
    view = service.compare(first, second)
    a = {r["code"] for r in first.result["selected"]}
    b = {r["code"] for r in second.result["selected"]}
    assert {r["code"] for r in view["only_a"]} == a - b
    assert {r["code"] for r in view["only_b"]} == b - a
    assert 'id="run-row-1"' in html and 'id="run-row-2"' in html


def test_adopt_moves_participations_and_readopt_moves_back(tree, office_user, office_client):
    from shidian.apps.programmes.models import Participation

    w = world(tree, office=office_user)
    first = run(w, office_user)
    second = run(
        w,
        office_user,
        quotas=[{"attribute": "locality", "stratum": "rural", "min": 5, "max": None}],
    )
    adopt = reverse("selection:shortlist_adopt", kwargs={"selection_id": w.selection.pk})
    assert office_client.post(adopt, {"number": 1}).status_code == 302
    w.selection.refresh_from_db()
    assert w.selection.shortlist == first
    a = {r["unit_id"] for r in first.result["selected"]}
    assert (
        set(Shortlisted.objects.filter(selection=w.selection).values_list("unit_id", flat=True))
        == a
    )  # scoping: ok test
    states = dict(
        Participation.objects.filter(programme=w.programme).values_list(
            "unit_id", "state"
        )  # scoping: ok test
    )
    assert all(states[u] == "shortlisted" for u in a)
    service.shortlist_adopt(by=office_user, selection=w.selection, number=2)
    b = {r["unit_id"] for r in second.result["selected"]}
    states = dict(
        Participation.objects.filter(programme=w.programme).values_list(
            "unit_id", "state"
        )  # scoping: ok test
    )
    assert all(states[u] == "shortlisted" for u in b)
    assert all(states[u] == "eligible" for u in a - b)
    from shidian.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="selection.shortlist_adopt").count() == 2


def test_frozen_selection_refuses_runs_and_adoption(tree, office_user, office_client):
    from shidian.apps.selection.models import Selection

    w = world(tree, office=office_user)
    run(w, office_user)
    Selection.objects.filter(pk=w.selection.pk).update(status="pending")  # scoping: ok test
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError):
        service.shortlist_run_start(by=office_user, selection=w.selection, params=params())
    with pytest.raises(ValidationError):
        service.shortlist_adopt(by=office_user, selection=w.selection, number=1)
    html = office_client.get(url(w)).content.decode()
    assert 'id="shortlist-run-form"' not in html and 'id="adopt"' not in html
    assert ShortlistRun.objects.count() == 1


def test_outsider_and_coordinator_get_404(tree, office_user, outsider_client, coordinator_client):
    w = world(tree, office=office_user)
    run(w, office_user)
    export = reverse("selection:shortlist_export", kwargs={"selection_id": w.selection.pk})
    for client in (outsider_client, coordinator_client):
        assert client.get(url(w)).status_code == 404
        assert client.get(export).status_code == 404
        assert client.post(url(w), {"count": 3}).status_code == 404


def test_a_zone_never_sees_the_county_wide_shortlist(tree, office_user, zone_user, client):
    """A zone with a quota sees the selection (to recommend), not the county's results."""
    from shidian.apps.selection.models import ZoneQuota

    w = world(tree, office=office_user)
    run(w, office_user)
    client.force_login(zone_user)
    assert client.get(url(w)).status_code == 404
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=3)
    assert client.get(url(w)).status_code == 404
    assert client.post(url(w), {"count": 3}).status_code in (403, 404)
    export = reverse("selection:shortlist_export", kwargs={"selection_id": w.selection.pk})
    assert client.get(export).status_code == 403


def test_exports_candidates_and_a_run(tree, office_user, office_client):
    w = world(tree, office=office_user)
    shortlist = run(w, office_user)
    export = reverse("selection:shortlist_export", kwargs={"selection_id": w.selection.pk})
    book = load_workbook(io.BytesIO(b"".join(office_client.get(export).streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("id", "name", "score", "school_type", "locality", "zone")
    assert all(isinstance(r[0], str) for r in rows[1:])
    data = office_client.get(export + f"?run={shortlist.number}")
    book = load_workbook(io.BytesIO(b"".join(data.streaming_content)))
    assert [ws.title for ws in book.worksheets][1] == "shares"
    assert len(list(book.worksheets[0].iter_rows())) == 11


def test_infeasible_page_in_english(tree, office_user, office_client, settings):
    w = world(tree, office=office_user)
    shortlist = run(
        w,
        office_user,
        proportional=False,
        quotas=[
            {"attribute": "zone", "stratum": w.zones[0].name, "min": 8, "max": None},
            {"attribute": "zone", "stratum": w.zones[1].name, "min": 5, "max": None},
        ],
        count=10,
    )
    assert shortlist.status == RunStatus.INFEASIBLE
    office_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = office_client.get(url(w, run=shortlist.number)).content.decode()
    assert "These constraints cannot all hold" in html
    assert "needs at least" in html and "lower its minimum to" in html and "至少需要" not in html


def test_a_run_that_breaks_leaves_its_shortlist_failed(tree, office_user, monkeypatch):
    w = world(tree, office=office_user)

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(service, "compute", boom)
    shortlist = service.shortlist_run_start(by=office_user, selection=w.selection, params=params())
    execute(shortlist.run)
    shortlist.refresh_from_db()
    assert shortlist.run.status == "failed" and shortlist.status == RunStatus.FAILED


def test_pilots_of_an_earlier_batch_are_never_shortlisted_again(tree, office_user):
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move_bulk
    from shidian.apps.selection.candidates import candidate_frame

    w = world(tree, office=office_user)
    top = candidate_frame(w.selection).nlargest(5, "score")["unit_id"].tolist()
    best = list(Participation.objects.filter(programme=w.programme, unit_id__in=top))  # scoping: ok
    batch1 = w.programme.cycles.get(number=1)
    for to, batch in (("shortlisted", None), ("pilot", batch1)):
        participation_move_bulk(
            by=None, programme=w.programme, participations=best, to=to, batch=batch, reason="t"
        )
    shortlist = run(w, office_user, count=9)
    chosen = {row["unit_id"] for row in shortlist.result["selected"]}
    assert len(chosen) == 9 and not chosen & {p.unit_id for p in best}
