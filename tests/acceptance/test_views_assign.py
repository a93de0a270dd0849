"""The assignment page and the scoring page with assignments and drafts: the office proposes
and edits, an expert sees only their pilots (404 on another's scoring page), saves a draft and
submits it; the round page and the export show assigned experts and counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.acceptance import services
from shidian.apps.acceptance.models import Assignment
from shidian.apps.acceptance.services.scoring import scored_items
from shidian.apps.reviews.models import Review
from tests.acceptance.factories import create, experts, file_report, item_scores, submission_of
from tests.acceptance.scoping import idle_expert
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _assign_url(acceptance):
    return reverse("acceptance:assign", kwargs={"acceptance_id": acceptance.pk})


def test_office_proposes_and_edits_on_the_page(client, tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    client.force_login(w.office)
    page = client.get(_assign_url(acceptance))
    assert page.status_code == 200 and 'id="assign-propose"' in page.content.decode()
    reply = client.post(_assign_url(acceptance), {"action": "propose", "per_pilot": "1"})
    assert reply.status_code == 302
    assert Assignment.objects.filter(acceptance=acceptance).count() == 6
    pair = Assignment.objects.filter(acceptance=acceptance, unit=w.pilots[0]).get()
    other = next(e for e in experts(tree) if e.pk != pair.expert_id)
    client.post(
        _assign_url(acceptance),
        {"action": "add", "unit": str(w.pilots[0].pk), "expert": str(other.pk)},
    )
    assert Assignment.objects.filter(acceptance=acceptance, unit=w.pilots[0]).count() == 2
    client.post(
        _assign_url(acceptance),
        {"action": "remove", "unit": str(w.pilots[0].pk), "expert": str(other.pk)},
    )
    assert Assignment.objects.filter(acceptance=acceptance, unit=w.pilots[0]).count() == 1
    # A bad choice is a message, not an error page.
    bad = client.post(_assign_url(acceptance), {"action": "add", "unit": "0", "expert": "0"})
    assert bad.status_code == 302
    detail = client.get(reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}))
    html = detail.content.decode()
    assert 'id="assign-link"' in html and pair.expert.display_name in html
    assert "已提交 0/1" in html
    export = client.get(reverse("acceptance:export", kwargs={"acceptance_id": acceptance.pk}))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][5:8] == ("分配专家", "已提交评分", "评分草稿")
    assert rows[1][5] == pair.expert.display_name and rows[1][6] == 0


def test_assignment_page_is_the_office_s(client, tree):
    acceptance = create(tree)
    client.force_login(experts(tree)[0])
    assert client.get(_assign_url(acceptance)).status_code == 403
    client.force_login(idle_expert(tree))
    assert client.get(_assign_url(acceptance)).status_code == 404


def test_expert_sees_only_assigned_pilots_and_saves_a_draft(client, tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    expert = experts(tree)[0]
    mine, theirs = w.pilots[0], w.pilots[1]
    services.assignment_add(by=w.office, acceptance=acceptance, unit=mine, expert=expert)
    sub = file_report(acceptance, w, mine)
    client.force_login(expert)
    detail = client.get(reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}))
    html = detail.content.decode()
    assert detail.status_code == 200 and f'id="score-{mine.code}"' in html
    assert f'id="score-{theirs.code}"' not in html
    other = submission_of(acceptance, theirs)
    assert (
        client.get(reverse("acceptance:score", kwargs={"report_id": other.pk})).status_code == 404
    )
    url = reverse("acceptance:score", kwargs={"report_id": sub.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'id="score-draft"' in page.content.decode()
    items = scored_items(acceptance)
    first = items[0]
    reply = client.post(url, {f"s-{first.code}": str(first.max_score), "action": "draft"})
    assert reply.status_code == 302 and reply.url == url
    review = Review.objects.get(submission=sub, reviewer=expert)
    assert review.draft and review.item_scores == {first.code: float(first.max_score)}
    again = client.get(url).content.decode()
    assert 'id="draft-note"' in again and f'value="{first.max_score:g}' in again
    # Submitting the incomplete draft: the missing items are named, nothing changes.
    refused = client.post(url, {f"s-{first.code}": "1", "action": "submit"})
    assert refused.status_code == 400 and items[1].code in refused.content.decode()
    review.refresh_from_db()
    assert review.draft and review.item_scores == {first.code: float(first.max_score)}
    data = {f"s-{c}": str(v) for c, v in item_scores(acceptance, 1.0).items()}
    data.update({f"v-{v['code']}": "否" for v in acceptance.veto_items})
    data["action"] = "submit"
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert not review.draft
    done = client.get(url).content.decode()
    assert 'id="score-draft"' not in done and 'id="submitted-note"' in done
