"""Fixtures shared by the API tests of one area."""

from __future__ import annotations

import pytest


@pytest.fixture
def plan_filing(tree):
    """A community's semester plan filing, open for its lead school: (world, filing)."""
    from shidian.apps.activities import filings
    from shidian.apps.activities.models import CommunityFiling
    from tests.activities.world import activity_world

    w, semester, _activity = activity_world(tree)
    filings.filings_open(by=w.office, semester=semester)
    filing = CommunityFiling.objects.get(  # scoping: ok test
        semester=semester, community=w.first, kind="plan"
    )
    return w, filing
