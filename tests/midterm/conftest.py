import pytest

from tests.midterm.factories import FakeRectification


@pytest.fixture
def fake_issue(monkeypatch):
    """The inspections contract replaced by a fake that records calls."""
    from shidian.apps.inspections.services import rectification

    fake = FakeRectification()
    monkeypatch.setattr(rectification, "rectification_issue", fake)
    return fake
