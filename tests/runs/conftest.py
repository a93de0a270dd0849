from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import translation

import tests.runs.kinds  # noqa: F401 - registers the test kinds


@pytest.fixture(autouse=True)
def every_progress_call_writes(settings, tmp_path):
    settings.RUNS_PROGRESS_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    tests.runs.kinds.STEPS.clear()
    yield
    # A request in English leaves English active in this thread: do not leak it to the next test.
    translation.activate(django_settings.LANGUAGE_CODE)
