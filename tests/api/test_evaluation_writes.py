"""The evaluation's one write: start the annual self-evaluation report (202, a run to poll at
/runs/{id}), as the annual report page does; its year check (422 in the form's words), who may
(403 for a leading-group member who sees the programme, 404 for another county), the scope.
The run itself (figures, document, booklet and PDF) is tested in tests/evaluation/test_annual.py:
here it is only started, which keeps this world small."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.runs.models import Run
from tests.api.helpers import bearer, call
from tests.conftest import make_user
from tests.evaluation.annual_world import TODAY
from tests.selection.test_approval_helpers import member
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db

WRITE = ["evaluation:write"]
KIND = "evaluation.annual_report"


def runs():
    return sorted(Run.objects.filter(kind=KIND).values_list("pk", "params"))  # scoping: ok test


def test_start_the_annual_report_and_its_refusals(client, tree, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)  # the programme's first year
    w = pilot_world(tree)
    target = reverse("api-v1:evaluation_annual_report", kwargs={"programme_id": w.programme.pk})
    office = bearer(w.office, WRITE)
    before = runs()
    # read-only scope, another county, a member who sees the programme without managing it
    read_only = call(client, "post", target, bearer(w.office, ["evaluation:read"]), {"year": 2026})
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    other = bearer(make_user("ev-outsider", tree.other_county, "office"), WRITE)
    hidden = call(client, "post", target, other, {"year": 2026})
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    deputy = bearer(member(tree, w.office, w.programme), WRITE)
    refused = call(client, "post", target, deputy, {"year": 2026})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # the form's words: which years are possible
    for body in ({"year": 2031}, {}):
        bad = call(client, "post", target, office, body)
        assert bad.status_code == 422 and bad.json()["code"] == "invalid", body
        assert "请选择项目已开始的年度（2026—2026 年）" in bad.json()["message"], body
        assert bad.json()["details"][0]["loc"] == ["body", "year"]
    assert runs() == before

    started = call(client, "post", target, office, {"year": 2026})
    assert started.status_code == 202, started.content
    body = started.json()
    poll = reverse("api-v1:run", kwargs={"run_id": body["run"]})
    assert started["Location"] == body["poll"] == poll
    assert body["year"] == 2026 and body["status"] == "queued"
    [(run_id, params)] = runs()
    assert run_id == body["run"] and params == {"programme_id": w.programme.pk, "year": 2026}
    polled = client.get(poll, **bearer(w.office, ["evaluation:read"]))
    assert polled.status_code == 200 and polled.json()["kind"] == KIND
    # the run is the office's: another county's account does not see it
    assert client.get(poll, **other).status_code == 404

    english = call(client, "post", target, office, {"year": 2031}, lang="en")
    assert english.status_code == 422 and english.json()["message"].startswith("Year: ")
