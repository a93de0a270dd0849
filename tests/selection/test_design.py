"""The design check: the MDE sentence and table from the population's SD, who may see it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.urls import reverse

from shidian.engine.power import minimum_detectable_effect
from tests.selection.factories import world
from tests.selection.test_batches import adopt_shortlist

pytestmark = pytest.mark.django_db


def sd_of_totals(selection):
    from shidian.apps.selection.candidates import candidate_frame

    return float(np.std(candidate_frame(selection)["score"], ddof=1))


def pair_controls(w, ids, per_pilot=2):
    from shidian.apps.selection.candidates import candidate_frame
    from shidian.apps.selection.models import BatchPlacement, ControlPair

    pilots = list(
        BatchPlacement.objects.filter(selection=w.selection).values_list("unit_id", flat=True)
    )
    others = [u for u in candidate_frame(w.selection)["unit_id"] if u not in set(ids)]
    pairs = []
    for i, pilot in enumerate(pilots):
        for j in range(per_pilot):
            pairs.append(
                ControlPair(
                    selection=w.selection,
                    pilot_id=pilot,
                    control_id=others[(i * per_pilot + j) % len(others)],
                )
            )
    ControlPair.objects.bulk_create(pairs)
    return len({p.control_id for p in pairs})


def test_sentence_with_pilots_and_controls(tree, office_client, office_user):
    from shidian.apps.selection.services.batches import batches_form

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w)
    batches_form(by=office_user, selection=w.selection, method="rank")
    n_c = pair_controls(w, ids, per_pilot=1)
    sigma = sd_of_totals(w.selection)
    expected = minimum_detectable_effect(14, n_c, sigma).effect
    page = office_client.get(reverse("selection:design", kwargs={"selection_id": w.selection.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"按 14 所试点、{n_c} 所对照计算，低于 {expected:.1f} 分的效应很可能无法被发现" in body
    doubled = minimum_detectable_effect(14, 2 * n_c, sigma).effect
    assert f"降到 {doubled:.1f} 分" in body
    assert 'id="design-chart-data"' in body and "selection-design.js" in body
    assert "<script>" not in body.replace('<script id="design-chart-data"', "")


def test_no_controls_shows_hypothetical_ratios(tree, office_client, office_user):
    w = world(tree, office=office_user)
    adopt_shortlist(w)  # no batches yet: the shortlist's top 14 are counted
    sigma = sd_of_totals(w.selection)
    page = office_client.get(reverse("selection:design", kwargs={"selection_id": w.selection.pk}))
    body = page.content.decode()
    assert "还没有采用对照组" in body
    for r in (1, 2, 3):
        mde = minimum_detectable_effect(14, 14 * r, sigma).effect
        assert f"按 14 所试点、{14 * r} 所对照计算，低于 {mde:.1f} 分" in body
    assert "还没有安排批次" in body


def test_inputs_normal_rho_and_power(tree, office_client, office_user):
    w = world(tree, office=office_user)
    adopt_shortlist(w)
    sigma = sd_of_totals(w.selection)
    url = reverse("selection:design", kwargs={"selection_id": w.selection.pk})
    body = office_client.get(
        url, {"outcome": "total", "alpha": "0.05", "power": "0.9", "rho": "0.6", "method": "normal"}
    ).content.decode()
    z = 1.959963984540054 + 1.2815515655446004
    mde = z * sigma * math.sqrt(2 / 14) * 0.8
    assert f"低于 {mde:.1f} 分" in body
    assert "ρ = 0.6" in body
    bad = office_client.get(url, {"power": "2"})
    assert bad.status_code == 400


def test_dimension_outcome_uses_dimension_sd(tree, office_client, office_user):
    from shidian.apps.selection.services.design import design_check, outcomes_of
    from shidian.apps.submissions.models import Submission

    w = world(tree, office=office_user)
    adopt_shortlist(w)
    outcomes = outcomes_of(w.selection)
    assert outcomes[0][0] == "total" and len(outcomes) >= 2
    key = outcomes[1][0]
    code = key.removeprefix("dim:")
    sheets = Submission.objects.filter(round=w.round)  # scoping: ok test
    for i, sheet in enumerate(sheets.order_by("pk")):
        Submission.objects.filter(pk=sheet.pk).update(
            dimension_scores={code: float(i % 5)}
        )  # scoping: ok test
    inputs = {"outcome": key, "alpha": 0.05, "power": 0.8, "rho": None, "method": "t"}
    check = design_check(w.selection, inputs=inputs)
    assert check["sigma"] < sd_of_totals(w.selection)
    page = office_client.get(
        reverse("selection:design", kwargs={"selection_id": w.selection.pk}), {"outcome": key}
    )
    assert page.status_code == 200


def test_no_pilots_says_so(tree, office_client, office_user):
    w = world(tree, office=office_user)
    body = office_client.get(
        reverse("selection:design", kwargs={"selection_id": w.selection.pk})
    ).content.decode()
    assert "还没有试点学校" in body


def test_outsider_404(tree, office_user, outsider_client):
    w = world(tree, office=office_user)
    url = reverse("selection:design", kwargs={"selection_id": w.selection.pk})
    assert outsider_client.get(url).status_code == 404
