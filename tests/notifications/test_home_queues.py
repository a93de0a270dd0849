"""Every queue is on its owner's home page: each registered to-do provider runs for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.core import todos
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ("office", "leading_group", "zone", "coordinator", "community_lead", "expert")


def _people(tree):
    units = {
        "office": tree.county,
        "leading_group": tree.county,
        "zone": tree.zone,
        "coordinator": tree.school,
        "community_lead": tree.school2,
        "expert": tree.city,
    }
    people = [make_user(f"q-{role}", units[role], role) for role in ROLES]
    people.append(make_user("q-nounit", None, ""))
    return people


def test_every_todo_provider_runs_for_every_role(tree):
    from tests.campaigns.factories import campaign

    campaign(tree)  # an open campaign, so providers have something to find
    now = timezone.now()
    assert todos._PROVIDERS, "no to-do provider registered"
    for person in _people(tree):
        for provider in todos._PROVIDERS:
            found = list(provider(person, now))
            assert all(isinstance(t, todos.Todo) for t in found), provider


def test_the_home_page_renders_for_every_role(tree, client):
    from tests.campaigns.factories import campaign

    campaign(tree)
    for person in _people(tree):
        client.force_login(person)
        assert client.get(reverse("core:home")).status_code == 200, person.role


def test_a_school_sees_its_sheet_to_fill_on_its_home_page(tree, coordinator, client):
    from tests.campaigns.factories import campaign

    opened = campaign(tree)
    client.force_login(coordinator)
    assert opened.name in client.get(reverse("core:home")).content.decode()
