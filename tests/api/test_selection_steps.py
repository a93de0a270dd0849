"""The selection's step writes: quotas and deadline, batch moves and swaps, the expert
assignment (a Run) and hand moves, reconciling (with a discussion round and adoption), the
shortlist (a Run) and its adoption. Each happy path changes the selection's ETag; each refusal
changes nothing: missing If-Match 428, stale 412, read-only scope 403, another county 404, a
role that may not 403, bad input 422 with the page's words, a state that forbids it 409."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.selection.models import (
    BatchPlacement,
    ExpertAssignment,
    Reconciliation,
    Selection,
    ShortlistRun,
    ZoneQuota,
)
from tests.api.helpers import bearer, call
from tests.api.test_selection_writes import etag, url
from tests.conftest import make_user
from tests.runs.helpers import execute
from tests.selection.factories import world
from tests.selection.test_approval_helpers import member, ready

pytestmark = pytest.mark.django_db

WRITE = ["selection:write"]


def snapshot(selection):
    """What a refused write must leave as it was."""
    fresh = Selection.objects.get(pk=selection.pk)  # scoping: ok test
    rows = {
        "quotas": ZoneQuota.objects.filter(selection=selection).values_list("zone_id", "quota"),
        "placements": BatchPlacement.objects.filter(selection=selection).values_list(
            "unit_id", "cycle_id"
        ),
        "pairs": ExpertAssignment.objects.filter(selection=selection).values_list(
            "unit_id", "expert_id"
        ),
        "reconciliations": Reconciliation.objects.filter(selection=selection).values_list(
            "number", "result"
        ),
        "shortlists": ShortlistRun.objects.filter(selection=selection).values_list("number"),
    }  # scoping: ok test
    return {
        "updated_at": fresh.updated_at,
        "due": fresh.recommend_due,
        "adopted": (fresh.shortlist_id, fresh.reconciliation_id),
        **{name: sorted(map(str, qs)) for name, qs in rows.items()},
    }


def guarded(client, method, target, user, body, tag, selection):
    """The refusals every step write shares, each changing nothing."""
    headers = bearer(user, WRITE)
    before = snapshot(selection)
    assert call(client, method, target, headers, body).status_code == 428
    stale = call(client, method, target, headers, body, '"stale"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    read_only = call(client, method, target, bearer(user, ["selection:read"]), body, tag)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    assert snapshot(selection) == before


def outsiders_and_boss(client, method, target, body, tag, tree, selection):
    """Another county's office gets 404; a leading-group member named on the programme (sees
    it, manages nothing) 403."""
    before = snapshot(selection)
    outsider = make_user("outsider-steps", tree.other_county, "office")
    hidden = call(client, method, target, bearer(outsider, WRITE), body, tag)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    deputy = member(tree, selection.created_by, selection.programme)
    boss = call(client, method, target, bearer(deputy, WRITE), body, tag)
    assert boss.status_code == 403 and boss.json()["code"] == "forbidden"
    assert snapshot(selection) == before


def frozen(client, method, target, headers, body, selection):
    Selection.objects.filter(pk=selection.pk).update(status="pending")  # scoping: ok test
    before = snapshot(selection)
    got = call(client, method, target, headers, body, etag(client, selection, headers))
    assert got.status_code == 409 and got.json()["code"] == "not_editable", got.content
    assert snapshot(selection) == before
    Selection.objects.filter(pk=selection.pk).update(status="open")  # scoping: ok test


# --- quotas ---------------------------------------------------------------------------------


def test_the_office_sets_quotas_and_the_deadline(tree, office_user, client):
    w = world(tree, office=office_user, recommend=True)
    other = next(z for z in w.zones if z.pk != tree.zone.pk)
    headers = bearer(office_user, WRITE)
    first = etag(client, w.selection, headers)
    body = {
        "quotas": [{"zone": tree.zone.code, "quota": 3}, {"zone": other.code, "quota": 2}],
        "recommend_due": "2030-06-30",
    }
    got = call(client, "put", url(w.selection, "selection_quotas"), headers, body, first)
    assert got.status_code == 200, got.content
    assert got.json()["recommend_due"] == "2030-06-30"
    assert got["ETag"] != first and got["ETag"] == etag(client, w.selection, headers)
    quotas = ZoneQuota.objects.filter(selection=w.selection)  # scoping: ok test
    assert dict(quotas.values_list("zone_id", "quota")) == {tree.zone.pk: 3, other.pk: 2}
    # only the zones named change; null removes a quota; the deadline stays when not sent
    again = call(
        client,
        "put",
        url(w.selection, "selection_quotas"),
        headers,
        {"quotas": [{"zone": other.code, "quota": None}]},
        got["ETag"],
    )
    assert again.status_code == 200, again.content
    assert dict(quotas.values_list("zone_id", "quota")) == {tree.zone.pk: 3}
    assert again.json()["recommend_due"] == "2030-06-30" and again["ETag"] != got["ETag"]


@pytest.mark.parametrize(
    "quota, zone, expected",
    [(1001, None, "名额应为 0 到 1000 之间的整数"), (2, "NO-SUCH", "不在本项目的参与范围内")],
)
def test_bad_quotas_are_refused_with_the_pages_words(
    tree, office_user, client, quota, zone, expected
):
    w = world(tree, office=office_user, recommend=True)
    headers = bearer(office_user, WRITE)
    body = {"quotas": [{"zone": zone or tree.zone.code, "quota": quota}], "recommend_due": None}
    before = snapshot(w.selection)
    got = call(
        client,
        "put",
        url(w.selection, "selection_quotas"),
        headers,
        body,
        etag(client, w.selection, headers),
    )
    assert got.status_code == 422 and got.json()["code"] == "refused", got.content
    assert expected in got.json()["message"]
    assert snapshot(w.selection) == before


def test_quota_refusals_change_nothing(tree, office_user, zone_user, client):
    w = world(tree, office=office_user, recommend=True)
    headers = bearer(office_user, WRITE)
    target = url(w.selection, "selection_quotas")
    body = {"quotas": [{"zone": tree.zone.code, "quota": 2}]}
    tag = etag(client, w.selection, headers)
    guarded(client, "put", target, office_user, body, tag, w.selection)
    outsiders_and_boss(client, "put", target, body, tag, tree, w.selection)
    # a zone with a quota sees the selection but sets no quota
    from shidian.apps.selection.services.recommend import zone_quotas_set

    zone_quotas_set(by=office_user, selection=w.selection, quotas={tree.zone.pk: 1})
    zone = bearer(zone_user, WRITE)
    before = snapshot(w.selection)
    own = call(client, "put", target, zone, body, etag(client, w.selection, zone))
    assert own.status_code == 403 and own.json()["code"] == "forbidden"
    assert snapshot(w.selection) == before
    frozen(client, "put", target, headers, body, w.selection)
    # no recommendation step: closed
    Selection.objects.filter(pk=w.selection.pk).update(recommend=False)  # scoping: ok test
    before = snapshot(w.selection)
    closed = call(client, "put", target, headers, body, etag(client, w.selection, headers))
    assert closed.status_code == 409 and closed.json()["code"] == "closed"
    assert snapshot(w.selection) == before


def test_a_refusal_speaks_english(tree, office_user, client):
    w = world(tree, office=office_user, recommend=True)
    Selection.objects.filter(pk=w.selection.pk).update(recommend=False)  # scoping: ok test
    headers = bearer(office_user, WRITE)
    got = call(
        client,
        "put",
        url(w.selection, "selection_quotas"),
        headers,
        {"quotas": [{"zone": tree.zone.code, "quota": 2}]},
        etag(client, w.selection, headers),
        lang="en",
    )
    assert got.status_code == 409 and got.json()["code"] == "closed"
    assert got.json()["message"] == "This selection has no recommendation by zones."


# --- batches --------------------------------------------------------------------------------


def placed(selection):
    rows = BatchPlacement.objects.filter(selection=selection)  # scoping: ok test
    return {p.unit.code: p.cycle.number for p in rows.select_related("unit", "cycle")}


def test_the_office_swaps_and_moves_pilots(tree, office_user, client):
    w, _rows = ready(tree, office_user, controls=0)
    headers = bearer(office_user, WRITE)
    batches = placed(w.selection)
    a = next(c for c, n in batches.items() if n == 1)
    b = next(c for c, n in batches.items() if n == 2)
    first = etag(client, w.selection, headers)
    swapped = call(
        client,
        "post",
        url(w.selection, "selection_batch_swap"),
        headers,
        {"unit_a": a, "unit_b": b},
        first,
    )
    assert swapped.status_code == 200, swapped.content
    assert swapped["ETag"] != first and swapped.json()["id"] == w.selection.pk
    assert (placed(w.selection)[a], placed(w.selection)[b]) == (2, 1)
    target = url(w.selection, "selection_batch_move")
    before = snapshot(w.selection)
    off = call(client, "post", target, headers, {"unit": a, "batch": 3}, swapped["ETag"])
    assert off.status_code == 422 and "接受批次规模与目标不同" in off.json()["message"]
    assert snapshot(w.selection) == before
    moved = call(
        client,
        "post",
        target,
        headers,
        {"unit": a, "batch": 3, "accept_sizes": True},
        swapped["ETag"],
    )
    assert moved.status_code == 200, moved.content
    assert placed(w.selection)[a] == 3 and moved["ETag"] != swapped["ETag"]


@pytest.mark.parametrize(
    "name, body, expected",
    [
        ("selection_batch_move", {"unit": "NO-SUCH", "batch": 2}, "请选择学校和要移到的批次"),
        ("selection_batch_move", {"batch": 9}, "请选择学校和要移到的批次"),
        ("selection_batch_swap", {"unit_a": "NO-SUCH"}, "请选择要对调的两所学校"),
        ("selection_batch_swap", "same", "两所学校在同一批次"),
    ],
)
def test_bad_batch_changes_are_refused(tree, office_user, client, name, body, expected):
    w, _rows = ready(tree, office_user, controls=0)
    if body == "same":
        first = [c for c, n in placed(w.selection).items() if n == 1]
        body = {"unit_a": first[0], "unit_b": first[1]}
    headers = bearer(office_user, WRITE)
    before = snapshot(w.selection)
    got = call(
        client, "post", url(w.selection, name), headers, body, etag(client, w.selection, headers)
    )
    assert got.status_code == 422 and got.json()["code"] == "refused", got.content
    assert expected in got.json()["message"]
    assert snapshot(w.selection) == before


def test_batch_refusals_change_nothing(tree, office_user, client):
    w, _rows = ready(tree, office_user, controls=0)
    headers = bearer(office_user, WRITE)
    batches = placed(w.selection)
    a = next(c for c, n in batches.items() if n == 1)
    b = next(c for c, n in batches.items() if n == 2)
    body = {"unit_a": a, "unit_b": b}
    target = url(w.selection, "selection_batch_swap")
    tag = etag(client, w.selection, headers)
    guarded(client, "post", target, office_user, body, tag, w.selection)
    outsiders_and_boss(client, "post", target, body, tag, tree, w.selection)
    frozen(client, "post", target, headers, body, w.selection)


# --- the expert review ----------------------------------------------------------------------


def reviewing(tree, office_user, experts=3):
    from tests.selection.test_review import panel, shortlist

    w = world(tree, office=office_user)
    units = shortlist(w, office_user)
    return w, units, panel(tree, w, office_user, experts)


def test_the_office_assigns_experts_in_a_run_and_moves_one(tree, office_user, client):
    from shidian.apps.runs.models import Run

    w, _units, experts = reviewing(tree, office_user)
    headers = bearer(office_user, WRITE)
    first = etag(client, w.selection, headers)
    got = call(
        client,
        "post",
        url(w.selection, "selection_assignment_runs"),
        headers,
        {"per_unit": 2},
        first,
    )
    assert got.status_code == 202, got.content
    run = Run.objects.get(kind="selection.assignment")  # scoping: ok test
    poll = reverse("api-v1:run", kwargs={"run_id": run.pk})
    assert got["Location"] == got.json()["poll"] == poll and got.json()["number"] is None
    assert execute(run).status == "succeeded", (run.error_code, run.error_params)
    pairs = list(ExpertAssignment.objects.filter(selection=w.selection))  # scoping: ok test
    assert len(pairs) == 12
    pair = pairs[0]
    on_unit = {p.expert_id for p in pairs if p.unit_id == pair.unit_id}
    free = next(e for e in experts if e.pk not in on_unit)
    tag = etag(client, w.selection, headers)
    body = {"unit": pair.unit.code, "from_expert": pair.expert.username, "to_expert": free.username}
    moved = call(client, "post", url(w.selection, "selection_assignment_move"), headers, body, tag)
    assert moved.status_code == 200, moved.content
    assert moved["ETag"] != tag
    pair.refresh_from_db()
    assert pair.expert_id == free.pk and pair.by_hand


def test_review_refusals_change_nothing(tree, office_user, client):
    from shidian.apps.runs.models import Run

    w, units, experts = reviewing(tree, office_user, experts=2)
    headers = bearer(office_user, WRITE)
    target = url(w.selection, "selection_assignment_runs")
    tag = etag(client, w.selection, headers)
    before = snapshot(w.selection)
    bad = call(client, "post", target, headers, {"per_unit": 0}, tag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert "每校专家数" in bad.json()["message"]
    small = call(client, "post", target, headers, {"per_unit": 3}, tag)
    assert small.status_code == 422 and "再添加 1 位专家" in small.json()["message"]
    move = url(w.selection, "selection_assignment_move")
    body = {"unit": units[0].code, "from_expert": experts[0].username, "to_expert": "nobody"}
    none = call(client, "post", move, headers, body, tag)
    assert none.status_code == 422 and "这项分配不存在" in none.json()["message"]
    assert snapshot(w.selection) == before
    guarded(client, "post", target, office_user, {"per_unit": 2}, tag, w.selection)
    outsiders_and_boss(client, "post", target, {"per_unit": 2}, tag, tree, w.selection)
    frozen(client, "post", target, headers, {"per_unit": 2}, w.selection)
    frozen(client, "post", move, headers, body, w.selection)
    assert not Run.objects.filter(kind="selection.assignment").exists()  # scoping: ok test


# --- reconciling ----------------------------------------------------------------------------


def test_the_office_reconciles_opens_a_discussion_and_adopts(tree, office_user, client):
    from tests.selection.test_reconcile import panel

    w, units, _experts = panel(tree, office_user)
    headers = bearer(office_user, WRITE)
    first = etag(client, w.selection, headers)
    made = call(client, "post", url(w.selection, "selection_reconcile"), headers, {}, first)
    assert made.status_code == 200, made.content
    body = made.json()
    assert body["number"] == 1 and body["params"]["method"] == "mean"
    assert body["flagged"] == [units[2].code] and len(body["ranking"]) == len(units)
    assert made["ETag"] != first and made["ETag"] == etag(client, w.selection, headers)
    opened = call(
        client,
        "post",
        url(w.selection, "selection_discussion_open", run_number=1),
        headers,
        {"units": [units[2].code]},
        made["ETag"],
    )
    assert opened.status_code == 200, opened.content
    rec = Reconciliation.objects.get(selection=w.selection)  # scoping: ok test
    assert rec.result["discussion_open"] == [units[2].pk]
    adopted = call(
        client,
        "post",
        url(w.selection, "selection_reconcile_adopt", run_number=1),
        headers,
        {},
        opened["ETag"],
    )
    assert adopted.status_code == 200, adopted.content
    assert Selection.objects.get(pk=w.selection.pk).reconciliation_id == rec.pk  # scoping: ok
    assert adopted["ETag"] != opened["ETag"]


def test_reconcile_refusals_change_nothing(tree, office_user, client):
    from tests.selection.test_reconcile import panel, run

    w, units, _experts = panel(tree, office_user)
    run(w, office_user)
    headers = bearer(office_user, WRITE)
    tag = etag(client, w.selection, headers)
    target = url(w.selection, "selection_reconcile")
    before = snapshot(w.selection)
    bad = call(client, "post", target, headers, {"method": "mode"}, tag)
    assert bad.status_code == 422 and "专家得分的汇总方法" in bad.json()["message"]
    weight = call(client, "post", target, headers, {"self_weight": 2}, tag)
    assert weight.status_code == 422 and weight.json()["code"] == "refused"
    calm = call(
        client,
        "post",
        url(w.selection, "selection_discussion_open", run_number=1),
        headers,
        {"units": [units[0].code]},
        tag,
    )
    assert calm.status_code == 422 and "分歧超过阈值" in calm.json()["message"]
    missing = url(w.selection, "selection_reconcile_adopt", run_number=9)
    assert call(client, "post", missing, headers, {}, tag).status_code == 404
    assert snapshot(w.selection) == before
    guarded(client, "post", target, office_user, {}, tag, w.selection)
    outsiders_and_boss(client, "post", target, {}, tag, tree, w.selection)
    adopt = url(w.selection, "selection_reconcile_adopt", run_number=1)
    frozen(client, "post", target, headers, {}, w.selection)
    frozen(client, "post", adopt, headers, {}, w.selection)


# --- the shortlist --------------------------------------------------------------------------

SHORTLIST = {"count": 10, "strata": ["school_type"], "proportional": True, "tolerance": 5}


def test_the_office_computes_a_shortlist_in_a_run_and_adopts_it(tree, office_user, client):
    w = world(tree, office=office_user)
    headers = bearer(office_user, WRITE)
    first = etag(client, w.selection, headers)
    body = {**SHORTLIST, "include": [{"unit": tree.school.code, "reason": "城乡结合\n代表"}]}
    got = call(client, "post", url(w.selection, "selection_shortlist_runs"), headers, body, first)
    assert got.status_code == 202, got.content
    shortlist = ShortlistRun.objects.get(selection=w.selection)  # scoping: ok test
    assert got.json()["number"] == 1 and got.json()["run"] == shortlist.run_id
    assert got["Location"] == reverse("api-v1:run", kwargs={"run_id": shortlist.run_id})
    assert shortlist.params["include"] == [{"code": tree.school.code, "reason": "城乡结合 代表"}]
    assert execute(shortlist.run).status == "succeeded"
    tag = etag(client, w.selection, headers)
    adopted = call(
        client,
        "post",
        url(w.selection, "selection_shortlist_adopt", run_number=1),
        headers,
        {},
        tag,
    )
    assert adopted.status_code == 200, adopted.content
    assert adopted["ETag"] != tag
    listed = client.get(url(w.selection, "selection_shortlist"), **headers).json()
    assert listed["count"] == 10
    assert tree.school.code in {i["unit"] for i in listed["items"]}


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"strata": []}, "入围数"),
        ({**SHORTLIST, "exclude": [{"unit": "A1-03"}]}, "缺少理由"),
        (
            {**SHORTLIST, "quotas": [{"attribute": "school_type", "stratum": "x", "min": 1}]},
            "这一层",
        ),
        ({**SHORTLIST, "include": [{"unit": "NO-SUCH", "reason": "好"}]}, "NO-SUCH"),
    ],
)
def test_bad_shortlists_are_refused_with_the_pages_words(tree, office_user, client, body, expected):
    w = world(tree, office=office_user)
    headers = bearer(office_user, WRITE)
    before = snapshot(w.selection)
    got = call(
        client,
        "post",
        url(w.selection, "selection_shortlist_runs"),
        headers,
        body,
        etag(client, w.selection, headers),
    )
    # The form's problems are `invalid`, the service's `refused`.
    assert got.status_code == 422 and got.json()["code"] in {"invalid", "refused"}, got.content
    assert expected in got.json()["message"]
    assert snapshot(w.selection) == before


def test_shortlist_refusals_change_nothing(tree, office_user, client):
    w = world(tree, office=office_user)
    ShortlistRun.objects.create(selection=w.selection, number=1, params={})  # scoping: ok test
    headers = bearer(office_user, WRITE)
    tag = etag(client, w.selection, headers)
    adopt = url(w.selection, "selection_shortlist_adopt", run_number=1)
    before = snapshot(w.selection)
    queued = call(client, "post", adopt, headers, {}, tag)
    assert queued.status_code == 409 and queued.json()["code"] == "not_allowed"
    assert "只能采用已完成的测算" in queued.json()["message"]
    missing = url(w.selection, "selection_shortlist_adopt", run_number=7)
    assert call(client, "post", missing, headers, {}, tag).status_code == 404
    assert snapshot(w.selection) == before
    target = url(w.selection, "selection_shortlist_runs")
    guarded(client, "post", target, office_user, SHORTLIST, tag, w.selection)
    outsiders_and_boss(client, "post", target, SHORTLIST, tag, tree, w.selection)
    frozen(client, "post", target, headers, SHORTLIST, w.selection)


def test_the_step_writes_declare_if_match(client, db):
    paths = client.get(reverse("api-v1:openapi-json")).json()["paths"]
    base = "/api/v1/selections/{selection_id}"
    for method, path in (
        ("put", "/quotas"),
        ("post", "/batches/move"),
        ("post", "/batches/swap"),
        ("post", "/review/assignment-runs"),
        ("post", "/review/moves"),
        ("post", "/reconciliations"),
        ("post", "/reconciliations/{run_number}/adopt"),
        ("post", "/reconciliations/{run_number}/discussion"),
        ("post", "/shortlist-runs"),
        ("post", "/shortlist-runs/{run_number}/adopt"),
    ):
        operation = paths[base + path][method]
        assert any(p["name"] == "If-Match" for p in operation["parameters"]), path
        assert operation.get("description"), path
