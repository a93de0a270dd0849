"""The unit picker: a scoped search endpoint and a form field that takes a unit code."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.orgs.picker import PICK_LIMIT, UnitPickerField
from shidian.apps.orgs.selectors import unit_pick
from shidian.apps.orgs.services import unit_create

pytestmark = pytest.mark.django_db
PICK = "/units/pick/"


@pytest.fixture
def two_first_schools(tree):
    """第一小学 in two zones: only the ancestors tell them apart."""
    west = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    east = unit_create(
        code="A1-9", name="第一小学", level=Level.SCHOOL, parent=tree.zone, school_type="primary"
    )
    other = unit_create(
        code="A2-9", name="第一小学", level=Level.SCHOOL, parent=west, school_type="primary"
    )
    return east, other


def test_search_by_name_code_and_path_shows_ancestors(office_client, two_first_schools):
    body = office_client.get(PICK, {"q": "第一小学"}).content.decode()
    assert 'data-code="A1-9"' in body and 'data-code="A2-9"' in body
    assert "甲县东片区" in body and "甲县西片区" in body  # each hit's ancestors
    by_code = office_client.get(PICK, {"q": "a2-"}).content.decode()
    assert 'data-code="A2-9"' in by_code and 'data-code="A1-9"' not in by_code
    by_path = office_client.get(PICK, {"q": "西片区 第一小学"}).content.decode()
    assert 'data-code="A2-9"' in by_path and 'data-code="A1-9"' not in by_path
    assert 'role="option"' in by_path and 'role="listbox"' in by_path


def test_exact_code_comes_first(office_user, tree):
    unit_create(code="A1-10", name="甲县A1-1分校", level=Level.SCHOOL, parent=tree.zone)
    hits, _ = unit_pick(user=office_user, q="A1-1")
    assert hits[0].unit.code == "A1-1"


def test_only_the_viewers_subtree(office_client, coordinator_client, tree):
    body = office_client.get(PICK, {"q": "县"}).content.decode()
    assert "甲县" in body and "乙县" not in body
    own = coordinator_client.get(PICK, {"q": "小学"}).content.decode()
    assert 'data-code="A1-1"' in own and 'data-code="A1-2"' not in own


def test_levels_narrow_the_hits(office_client, tree):
    body = office_client.get(PICK, {"q": "甲县", "levels": "zone"}).content.decode()
    assert 'data-code="A1"' in body and 'data-code="A1-1"' not in body


def test_results_are_limited(office_user, office_client, tree):
    for n in range(PICK_LIMIT + 5):
        unit_create(code=f"S{n:03d}", name=f"甲县测试学校{n}", level=Level.SCHOOL, parent=tree.zone)
    hits, more = unit_pick(user=office_user, q="测试学校")
    assert len(hits) == PICK_LIMIT and more
    body = office_client.get(PICK, {"q": "测试学校"}).content.decode()
    assert body.count('role="option"') == PICK_LIMIT and "只显示前" in body


def test_anonymous_is_sent_to_login(client, tree):
    assert client.get(PICK, {"q": "甲"}).status_code == 302


def test_empty_query_gives_nothing(office_client):
    assert office_client.get(PICK).content.decode().strip() == ""


class PickForm(forms.Form):
    unit = UnitPickerField(label="单位")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user)


def test_field_takes_a_code_or_id_within_its_queryset(office_user, tree):
    assert PickForm({"unit": "A1-1"}, user=office_user).is_valid()
    form = PickForm({"unit": " a1-1 "}, user=office_user)
    assert form.is_valid() and form.cleaned_data["unit"] == tree.school
    assert PickForm({"unit": str(tree.school.pk)}, user=office_user).is_valid()
    outside = PickForm({"unit": "B-1"}, user=office_user)
    assert not outside.is_valid()
    assert "找不到代码为 B-1 的单位" in str(outside.errors)
    by_id = PickForm({"unit": str(tree.other_school.pk)}, user=office_user)
    assert not by_id.is_valid()
    named = PickForm({"unit": "甲县第二初中"}, user=office_user)
    assert named.is_valid() and named.cleaned_data["unit"] == tree.school2


def test_a_name_two_units_share_is_not_guessed(office_user, two_first_schools):
    form = PickForm({"unit": "第一小学"}, user=office_user)
    assert not form.is_valid()


def test_field_renders_the_code_and_the_chosen_path(office_user, tree):
    html = str(PickForm(initial={"unit": tree.school.pk}, user=office_user)["unit"])
    assert 'value="A1-1"' in html and "data-unit-picker" in html
    assert "甲县东片区 › 甲县第一小学" in html
    assert 'data-url="/units/pick/"' in html


def test_forms_that_offered_unit_selects_now_use_the_picker(office_client, tree):
    pages = [
        reverse("accounts:invite"),
        reverse("accounts:list"),
        reverse("accounts:bulk_create"),
        reverse("campaigns:create"),
        reverse("orgs:list"),
    ]
    for url in pages:
        body = office_client.get(url).content.decode()
        assert "data-unit-picker" in body, url
        assert f'<option value="{tree.school.pk}"' not in body, url
