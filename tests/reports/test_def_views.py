"""Definition pages: the office works; outsiders get 404, schools 403/404; bad input saves
nothing; moves are HTMX partials."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.reports.models import ReportField, ReportForm
from tests.reports.scoping import county_calendar, monthly_form
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _urls(form):
    field = form.fields.first()
    return [
        reverse("reports:def_list", kwargs={"programme_id": form.programme_id}),
        reverse("reports:def_create", kwargs={"programme_id": form.programme_id}),
        reverse("reports:def_detail", kwargs={"form_id": form.pk}),
        reverse("reports:def_edit", kwargs={"form_id": form.pk}),
        reverse("reports:def_fields", kwargs={"form_id": form.pk}),
        reverse("reports:def_rules", kwargs={"form_id": form.pk}),
        reverse("reports:def_periods", kwargs={"form_id": form.pk}),
        reverse("reports:def_preview", kwargs={"form_id": form.pk}),
        reverse("reports:def_field_edit", kwargs={"field_id": field.pk}),
    ]


def test_office_sees_every_page(client, tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    client.force_login(world.office)
    for url in _urls(form):
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get(reverse("reports:def_rules", kwargs={"form_id": form.pk})).content.decode()
    assert "联网教室数应小于等于教室数" in body


def test_outsider_and_school_are_refused(client, tree, outsider):
    form = monthly_form(tree)
    world = pilot_world(tree)
    client.force_login(outsider)
    for url in _urls(form):
        assert client.get(url).status_code == 404, url
    client.force_login(world.coordinators[tree.school.pk])
    for url in _urls(form):
        assert client.get(url).status_code in (403, 404), url
    response = client.post(reverse("reports:def_publish", kwargs={"form_id": form.pk}))
    assert response.status_code in (403, 404)
    form.refresh_from_db()
    assert form.status == "draft"


def test_create_form_and_bad_input(client, tree):
    world = pilot_world(tree)
    client.force_login(world.office)
    url = reverse("reports:def_create", kwargs={"programme_id": world.programme.pk})
    data = {
        "name": "周调度",
        "period_type": "weekly",
        "starts_on": "2026-03-02",
        "ends_on": "2031-06-28",
        "due_days": "2",
        "grace_days": "1",
        "audience": "pilots",
        "prefill": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "项目年份" in response.content.decode()
    assert not ReportForm.objects.filter(name="周调度").exists()  # scoping: ok test
    response = client.post(url, data | {"ends_on": "2026-06-28"})
    assert response.status_code == 302
    assert ReportForm.objects.filter(
        name="周调度", period_type="weekly"
    ).exists()  # scoping: ok test


def test_fields_add_move_remove(client, tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    client.force_login(world.office)
    url = reverse("reports:def_fields", kwargs={"form_id": form.pk})
    bad = client.post(
        url, {"code": "classrooms", "label": "重复", "type": "number", "required": "on"}
    )
    assert bad.status_code == 400 and "已被本表其他字段使用" in bad.content.decode()
    assert form.fields.count() == 2
    ok = client.post(url, {"code": "fibre", "label": "是否通光纤", "type": "yes_no"})
    assert ok.status_code == 302
    fibre = form.fields.get(code="fibre")
    move = reverse("reports:def_field_move", kwargs={"field_id": fibre.pk})
    response = client.post(move, {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="field-table"' in body and "<html" not in body
    assert list(form.fields.values_list("code", flat=True)) == ["classrooms", "fibre", "connected"]
    remove = reverse("reports:def_field_remove", kwargs={"field_id": fibre.pk})
    assert client.post(remove).status_code == 302
    assert not ReportField.objects.filter(pk=fibre.pk).exists()  # scoping: ok test


def test_rules_page_errors(client, tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    client.force_login(world.office)
    url = reverse("reports:def_rules", kwargs={"form_id": form.pk})
    response = client.post(url, {"left": "connected", "operator": "le", "right": "connected"})
    assert response.status_code == 400 and "自己" in response.content.decode()
    assert form.rules.count() == 1


def test_periods_preview_materialize_publish(client, tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    client.force_login(world.office)
    url = reverse("reports:def_periods", kwargs={"form_id": form.pk})
    body = client.get(url).content.decode()
    assert "2027年8月" in body and "不需报送（假期）" in body and 'id="periods-stale"' in body
    publish = reverse("reports:def_publish", kwargs={"form_id": form.pk})
    client.post(publish)
    form.refresh_from_db()
    assert form.status == "draft"
    assert client.post(url).status_code == 302
    assert form.periods.count() == 12
    client.post(publish)
    form.refresh_from_db()
    assert form.status == "published"
    assert (
        'id="frozen-note"'
        in client.get(reverse("reports:def_edit", kwargs={"form_id": form.pk})).content.decode()
    )
    assert county_calendar(tree).forms.count() == 1
