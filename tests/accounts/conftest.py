"""Fixtures for the accounts tests: invitations and e-mail links."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_user

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; start every test with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city_office(tree):
    """Office staff of the city: county A and county B are both in its subtree."""
    return make_user("cityoffice", tree.city, "office", full_name="市项目办")


@pytest.fixture
def other_office(tree):
    """Office staff of county B: an outsider with management rights."""
    return make_user("officeb", tree.other_county, "office", full_name="乙县项目办")


@pytest.fixture
def invite(office_client, django_capture_on_commit_callbacks, tree):
    """Invite someone as the county-A office; returns the link from the e-mail."""

    def _invite(email="new@example.org", role="coordinator", unit=None, full_name="新联络人"):
        from django.core import mail

        unit = unit or tree.school
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = office_client.post(
                "/accounts/invite/",
                {"email": email, "role": role, "unit": unit.pk, "full_name": full_name},
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert len(mail.outbox) == before + 1
        return email_link(mail.outbox[-1])

    return _invite


def email_link(message) -> str:
    links = LINK.findall(message.body)
    assert links, message.body
    return links[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
