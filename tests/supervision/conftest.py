"""Each selection test starts in the site's language: a request with the English cookie leaves
English active in the thread (LocaleMiddleware does not reset it), and a later test calling a
service directly would then read English messages."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _site_language():
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(tree):
    from tests.tracking_world import pilot_world

    return pilot_world(tree)


@pytest.fixture
def fake_inputs(monkeypatch):
    from tests.supervision.fakes import FakeInputs

    fake = FakeInputs()
    fake.install(monkeypatch)
    return fake
