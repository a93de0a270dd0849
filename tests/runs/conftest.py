from __future__ import annotations

import pytest

import tests.runs.kinds  # noqa: F401 - registers the test kinds


@pytest.fixture(autouse=True)
def every_progress_call_writes(settings, tmp_path):
    settings.RUNS_PROGRESS_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    tests.runs.kinds.STEPS.clear()
