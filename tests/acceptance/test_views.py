"""Acceptance pages: the office's list, form and round page, the pilot's own page, the expert's
phone form, the leading group's confirmation, the export; another school, an outsider and an
expert off the panel get 404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shidian.apps.acceptance.models import AcceptanceRound, Verdict
from shidian.apps.evidence.models import Evidence
from shidian.apps.inspections.models import RectificationItem
from shidian.apps.programmes.models import Participation
from shidian.apps.reviews.models import Review
from tests.acceptance.factories import (
    create,
    experts,
    item_scores,
    leader,
    pdf,
    scored_round,
    submission_of,
)
from tests.acceptance.scoping import idle_expert
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_office_pages_and_export(client, tree):
    acceptance = scored_round(tree)
    w = pilot_world(tree)
    client.force_login(w.office)
    listing = client.get(reverse("acceptance:list", kwargs={"programme_id": w.programme.pk}))
    assert listing.status_code == 200 and acceptance.name in listing.content.decode()
    programme = client.get(reverse("programmes:detail", kwargs={"programme_id": w.programme.pk}))
    assert 'id="acceptance-links"' in programme.content.decode()
    page = client.get(reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="pilot-table"' in html
    assert "档案缺失：会议记录" in html and "触及否决项" in html
    # The office manages but the leading group confirms.
    assert 'id="confirm-link"' not in html
    confirm = reverse("acceptance:confirm", kwargs={"acceptance_id": acceptance.pk})
    assert client.get(confirm).status_code == 403
    export = client.get(reverse("acceptance:export", kwargs={"acceptance_id": acceptance.pk}))
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "学校代码" and rows[1][0] == "A1-1" and rows[1][12] == "通过"
    assert len(list(book.worksheets[1].iter_rows())) == 1 + 12


def test_create_form(client, tree):
    w = pilot_world(tree)
    panel = experts(tree)
    version = published_version(tree.county)
    client.force_login(w.office)
    url = reverse("acceptance:create", kwargs={"programme_id": w.programme.pk})
    form = client.get(url)
    assert form.status_code == 200 and "本年度发生重大网络安全事件" in form.content.decode()
    data = {
        "name": "验收",
        "cycle": w.batch1.pk,
        "version": version.pk,
        "opens_on": timezone.localdate().isoformat(),
        "deadline": (timezone.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "experts": [e.pk for e in panel],
        "pass_threshold": "80",
        "conditional_threshold": "90",
        "spread_limit": "10",
        "veto_lines": "校园发生安全责任事故",
        "documents": "创建方案\n会议记录",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and not AcceptanceRound.objects.exists()
    data["conditional_threshold"] = "60"
    done = client.post(url, data)
    acceptance = AcceptanceRound.objects.get()
    assert done.status_code == 302
    assert acceptance.veto_items == [{"code": "V1", "text": "校园发生安全责任事故"}]
    assert acceptance.documents == ["创建方案", "会议记录"]
    # A coordinator does not even see the programme.
    client.force_login(w.coordinators[w.pilots[0].pk])
    assert client.get(url).status_code == 404


def test_pilot_files_through_the_page(client, tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    unit = w.pilots[0]
    sub = submission_of(acceptance, unit)
    client.force_login(w.coordinators[unit.pk])
    url = reverse("acceptance:report", kwargs={"report_id": sub.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'id="report-form"' in page.content.decode()
    attach = reverse("acceptance:report_attach", kwargs={"report_id": sub.pk})
    for code in ("summary_file", "doc1", "doc3"):
        client.post(attach, {"item_code": code, "file": pdf()})
    # A bad item code changes nothing.
    client.post(attach, {"item_code": "nope", "file": pdf()})
    assert Evidence.objects.filter(submission=sub).count() == 3  # scoping: ok test
    refused = client.post(url, {"summary": "总结", "base_version": sub.version, "action": "submit"})
    assert refused.status_code == 400 and "会议记录" in refused.content.decode()
    sub.refresh_from_db()
    assert sub.status != "submitted"
    ok = client.post(
        url,
        {"summary": "总结", "base_version": sub.version, "action": "submit",
         "doc2-missing": "1", "doc2-note": "遗失"},
    )  # fmt: skip
    assert ok.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "submitted" and sub.answers["doc2"]["note"] == "遗失"
    # Another pilot, an outsider and an expert off the panel get 404; the round page too.
    detail = reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk})
    for user in (w.coordinators[w.pilots[1].pk], idle_expert(tree)):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(detail).status_code == 404


def test_expert_scores_on_the_phone_form(client, tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    sub = submission_of(acceptance, w.pilots[0])
    expert = experts(tree)[0]
    client.force_login(expert)
    detail = client.get(reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}))
    html = detail.content.decode()
    assert detail.status_code == 200 and 'id="expert-pilots"' in html
    assert 'id="pilot-table"' not in html  # no other expert's scores
    url = reverse("acceptance:score", kwargs={"report_id": sub.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'inputmode="decimal"' in page.content.decode()
    data = {f"s-{c}": str(v) for c, v in item_scores(acceptance, 1.0).items()}
    data["s-D1.1.1"] = "9"  # above its maximum of 2
    data.update({"v-D6.2.1": "否", "v-D6.2.2": "否", "strengths": "好"})
    bad = client.post(url, data)
    assert bad.status_code == 400 and not Review.objects.exists()
    data["s-D1.1.1"] = "2"
    assert client.post(url, data).status_code == 302
    assert Review.objects.get(submission=sub, reviewer=expert).total == pytest.approx(106)
    # The office cannot score; a pilot cannot see the scoring page.
    client.force_login(w.office)
    assert client.get(url).status_code == 403
    client.force_login(w.coordinators[w.pilots[1].pk])
    assert client.get(url).status_code == 404


def test_leading_group_confirms_and_pilot_sees_its_item(client, tree):
    w = pilot_world(tree)
    acceptance = scored_round(tree)
    client.force_login(leader(tree))
    url = reverse("acceptance:confirm", kwargs={"acceptance_id": acceptance.pk})
    page = client.get(url)
    assert page.status_code == 200
    data = {"due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat()}
    for unit in w.pilots:
        data[f"outcome-{unit.pk}"] = ""
    bad = client.post(url, data)
    assert bad.status_code == 400 and not Verdict.objects.exists()
    proposed = {"A1-1": "pass", "A1-2": "conditional", "A1-3": "fail", "A1-4": "conditional",
                "A1-5": "fail", "A1-6": "conditional"}  # fmt: skip
    for unit in w.pilots:
        data[f"outcome-{unit.pk}"] = proposed[unit.code]
    assert client.post(url, data).status_code == 302
    assert Verdict.objects.count() == 6
    part = Participation.objects.get(programme=w.programme, unit=w.pilots[3])
    assert part.state == "conditional"
    # The conditional pilot sees its verdict and its rectification item.
    client.force_login(w.coordinators[w.pilots[3].pk])
    sub = submission_of(acceptance, w.pilots[3])
    html = client.get(reverse("acceptance:report", kwargs={"report_id": sub.pk})).content
    html = html.decode()
    item = RectificationItem.objects.get(unit=w.pilots[3])
    assert "有条件通过" in html and item.title in html and "亮点突出" in html
    assert (
        client.get(reverse("inspections:item", kwargs={"rect_item_id": item.pk})).status_code == 200
    )


def test_outsider_gets_404_everywhere(client, tree, outsider):
    acceptance = scored_round(tree)
    w = pilot_world(tree)
    sub = submission_of(acceptance, w.pilots[0])
    evidence = Evidence.objects.filter(submission=sub).first()  # scoping: ok test
    urls = [
        reverse("acceptance:list", kwargs={"programme_id": w.programme.pk}),
        reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}),
        reverse("acceptance:confirm", kwargs={"acceptance_id": acceptance.pk}),
        reverse("acceptance:export", kwargs={"acceptance_id": acceptance.pk}),
        reverse("acceptance:report", kwargs={"report_id": sub.pk}),
        reverse("acceptance:score", kwargs={"report_id": sub.pk}),
        reverse(
            "acceptance:report_file",
            kwargs={"report_id": sub.pk, "acceptance_file_id": evidence.pk},
        ),
    ]
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    posted = client.post(reverse("acceptance:confirm", kwargs={"acceptance_id": acceptance.pk}))
    assert posted.status_code == 404 and not Verdict.objects.exists()
