"""The batches step: forming by rank or balanced, hand moves and swaps, sizes, who may."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.selection.factories import world

pytestmark = pytest.mark.django_db


def adopt_shortlist(w, units=None, count=20):
    """Adopt a shortlist of ``units`` (default: the best ``count`` candidates) in that order."""
    from shidian.apps.selection.candidates import candidate_frame
    from shidian.apps.selection.models import Selection, Shortlisted, ShortlistRun

    frame = candidate_frame(w.selection)
    scores = dict(zip(frame["unit_id"], frame["score"], strict=True))
    if units is None:
        ids = frame.sort_values("score", ascending=False)["unit_id"].head(count).tolist()
    else:
        ids = [u.pk for u in units]
    run = ShortlistRun.objects.create(selection=w.selection, number=1, status="done")
    Shortlisted.objects.bulk_create(
        Shortlisted(selection=w.selection, unit_id=u, rank=i, score=scores[u])
        for i, u in enumerate(ids, start=1)
    )
    Selection.objects.filter(pk=w.selection.pk).update(shortlist=run)  # scoping: ok test
    w.selection.refresh_from_db()
    return ids


def zone_ordered(w):
    """14 submitted schools ranked zone by zone: by rank, batch 1 is one zone only."""
    from shidian.apps.selection.candidates import candidate_frame

    frame = candidate_frame(w.selection)
    by_zone = [frame[frame["zone"] == z.name]["unit_id"].tolist() for z in w.zones]
    from shidian.apps.orgs.models import OrgUnit

    ids = by_zone[0][:5] + by_zone[1][:5] + by_zone[2][:4]
    return [OrgUnit.objects.get(pk=i) for i in ids]  # scoping: ok test


def deviations(selection):
    from shidian.apps.selection.services import batches as services

    panel = services.balance_panel(selection, services.placements_of(selection))
    return [b["deviation"] for b in panel["batches"]], panel


def test_by_rank_fills_cycles_in_order(tree, office_user):
    from shidian.apps.selection.models import BatchPlacement
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    batches_form(by=office_user, selection=w.selection, method="rank")
    rows = list(BatchPlacement.objects.filter(selection=w.selection).order_by("rank"))
    assert [r.unit_id for r in rows] == ids[:14]
    assert [r.cycle.number for r in rows] == [1] * 5 + [2] * 5 + [3] * 4
    assert not any(r.by_hand for r in rows)


def test_balanced_is_more_representative_than_by_rank(tree, office_user):
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    adopt_shortlist(w, zone_ordered(w))
    batches_form(by=office_user, selection=w.selection, method="rank")
    by_rank, _ = deviations(w.selection)
    batches_form(
        by=office_user, selection=w.selection, method="balanced", attributes=["zone", "locality"]
    )
    balanced, panel = deviations(w.selection)
    assert max(balanced) < max(by_rank)
    zone = next(a for a in panel["attributes"] if a["key"] == "zone")
    # Each zone's pilots are spread over the three batches, not all in one.
    assert all(sum(1 for n in row["counts"] if n) >= 2 for row in zone["rows"] if row["selection"])
    assert [b["size"] for b in panel["batches"]] == [5, 5, 4]


def test_reconciliation_ranking_is_read_when_adopted(tree, office_user):
    from shidian.apps.selection.models import BatchPlacement, Reconciliation, Selection
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    flipped = list(reversed(ids))
    ranking = [
        {"unit_id": u, "code": "", "name": "", "final_score": 90 - i, "rank": i + 1}
        for i, u in enumerate(flipped)
    ]
    rec = Reconciliation.objects.create(
        selection=w.selection, number=1, result={"ranking": ranking}
    )
    Selection.objects.filter(pk=w.selection.pk).update(reconciliation=rec)  # scoping: ok test
    w.selection.refresh_from_db()
    batches_form(by=office_user, selection=w.selection, method="rank")
    first = BatchPlacement.objects.filter(selection=w.selection, rank=1).get()
    assert first.unit_id == flipped[0]


def test_sizes_mismatch_says_what_to_change(tree, office_client, office_user):
    from shidian.apps.selection.models import BatchPlacement, Selection

    w = world(tree, office=office_user)
    adopt_shortlist(w)
    Selection.objects.filter(pk=w.selection.pk).update(pilot_count=12)  # scoping: ok test
    url = reverse("selection:batches", kwargs={"selection_id": w.selection.pk})
    page = office_client.get(url).content.decode()
    assert "合计 14 所，与试点学校数 12 不一致" in page
    assert "修改项目的批次目标数" in page
    response = office_client.post(
        reverse("selection:batches_form", kwargs={"selection_id": w.selection.pk}),
        {"method": "rank"},
    )
    assert response.status_code == 400
    assert not BatchPlacement.objects.filter(selection=w.selection).exists()


def test_no_shortlist_yet(tree, office_client, office_user):
    w = world(tree, office=office_user)
    page = office_client.get(reverse("selection:batches", kwargs={"selection_id": w.selection.pk}))
    assert "还没有采用入围名单或评分汇总" in page.content.decode()


def test_swap_keeps_sizes_and_updates_the_panel(tree, office_client, office_user):
    from shidian.apps.selection.models import BatchPlacement
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w, zone_ordered(w))
    batches_form(by=office_user, selection=w.selection, method="rank")
    before, _ = deviations(w.selection)
    url = reverse("selection:batches_swap", kwargs={"selection_id": w.selection.pk})
    response = office_client.post(url, {"unit_a": ids[0], "unit_b": ids[5]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="panel"' in body and "<html" not in body  # the partial only
    assert "人工调整" in body
    a = BatchPlacement.objects.get(selection=w.selection, unit_id=ids[0])
    b = BatchPlacement.objects.get(selection=w.selection, unit_id=ids[5])
    assert (a.cycle.number, b.cycle.number, a.by_hand, b.by_hand) == (2, 1, True, True)
    after, panel = deviations(w.selection)
    assert [x["size"] for x in panel["batches"]] == [5, 5, 4]
    assert after != before
    from shidian.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="selection.batches_swap").count() == 1


def test_swap_in_one_batch_is_refused(tree, office_client, office_user):
    from shidian.apps.selection.services.batches import batch_swap, batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    batches_form(by=office_user, selection=w.selection, method="rank")
    with pytest.raises(ValidationError):
        batch_swap(by=office_user, selection=w.selection, unit_a=ids[0], unit_b=ids[1])


def test_move_needs_accepting_other_sizes(tree, office_client, office_user):
    from shidian.apps.selection.models import BatchPlacement

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    from shidian.apps.selection.services.batches import batches_form

    batches_form(by=office_user, selection=w.selection, method="rank")
    third = w.programme.cycles.get(number=3)
    url = reverse("selection:batches_move", kwargs={"selection_id": w.selection.pk})
    refused = office_client.post(url, {"unit": ids[0], "cycle": third.pk})
    assert refused.status_code == 400
    assert "接受批次规模与目标不同" in refused.content.decode()
    assert BatchPlacement.objects.get(selection=w.selection, unit_id=ids[0]).cycle.number == 1
    htmx = office_client.post(url, {"unit": ids[0], "cycle": third.pk}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and 'id="batches-error"' in htmx.content.decode()
    ok = office_client.post(
        url, {"unit": ids[0], "cycle": third.pk, "accept_sizes": "on"}, HTTP_HX_REQUEST="true"
    )
    body = ok.content.decode()
    assert ok.status_code == 200 and "与目标不同" in body
    moved = BatchPlacement.objects.get(selection=w.selection, unit_id=ids[0])
    assert moved.cycle.number == 3 and moved.by_hand
    _, panel = deviations(w.selection)
    assert [(b["size"], b["off"]) for b in panel["batches"]] == [(4, True), (5, False), (5, True)]


def test_frozen_refuses(tree, office_client, office_user):
    from shidian.apps.selection.models import BatchPlacement, Selection
    from shidian.apps.selection.services.batches import batch_swap, batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    batches_form(by=office_user, selection=w.selection, method="rank")
    Selection.objects.filter(pk=w.selection.pk).update(status="pending")  # scoping: ok test
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError):
        batches_form(by=office_user, selection=w.selection, method="rank")
    with pytest.raises(ValidationError):
        batch_swap(by=office_user, selection=w.selection, unit_a=ids[0], unit_b=ids[6])
    response = office_client.post(
        reverse("selection:batches_form", kwargs={"selection_id": w.selection.pk}),
        {"method": "rank"},
    )
    assert response.status_code == 400
    assert BatchPlacement.objects.get(selection=w.selection, unit_id=ids[0]).cycle.number == 1
    page = office_client.get(reverse("selection:batches", kwargs={"selection_id": w.selection.pk}))
    assert 'id="batches-form"' not in page.content.decode()
    assert 'id="swap-form"' not in page.content.decode()


def test_balanced_needs_an_attribute(tree, office_user):
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    adopt_shortlist(w)
    with pytest.raises(ValidationError):
        batches_form(by=office_user, selection=w.selection, method="balanced", attributes=[])


def test_office_forms_through_the_page_and_exports(tree, office_client, office_user):
    from openpyxl import load_workbook

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    form_url = reverse("selection:batches_form", kwargs={"selection_id": w.selection.pk})
    response = office_client.post(
        form_url, {"method": "balanced", "attributes": ["school_type", "zone"]}
    )
    assert response.status_code == 302
    page = office_client.get(reverse("selection:batches", kwargs={"selection_id": w.selection.pk}))
    body = page.content.decode()
    assert 'id="balance-table"' in body and "全部试点" in body
    export = office_client.get(
        reverse("selection:batches_export", kwargs={"selection_id": w.selection.pk})
    )
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("id", "name", "batch", "year", "rank", "score")
    assert len(rows) == 15
    assert all(isinstance(r[0], str) for r in rows[1:])
    from shidian.apps.orgs.models import OrgUnit

    codes = {str(c) for c in OrgUnit.objects.filter(pk__in=ids[:14]).values_list("code", flat=True)}
    assert {r[0] for r in rows[1:]} == codes


def test_outsider_gets_404_and_viewer_cannot_write(tree, office_user, outsider_client, client):
    from tests.conftest import make_user

    w = world(tree, office=office_user)
    adopt_shortlist(w)
    kw = {"selection_id": w.selection.pk}
    for name in ("batches", "batches_export"):
        assert outsider_client.get(reverse(f"selection:{name}", kwargs=kw)).status_code == 404
    for name in ("batches_form", "batches_move", "batches_swap"):
        response = outsider_client.post(reverse(f"selection:{name}", kwargs=kw), {"method": "rank"})
        assert response.status_code == 404
    zone = make_user("zone-viewer", tree.zone, "zone")
    from shidian.apps.selection.models import ZoneQuota

    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    client.force_login(zone)
    # A zone with a quota sees the selection but not the county's batches.
    assert client.get(reverse("selection:batches", kwargs=kw)).status_code == 404
    assert (
        client.post(reverse("selection:batches_form", kwargs=kw), {"method": "rank"}).status_code
        == 403
    )
