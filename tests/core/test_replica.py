"""Dashboard reads on a read replica (apps/core/replica.py).

The router's decisions are unit-tested. The page tests give the test a ``replica`` alias that
is the primary's own connection behind a counting proxy: a TEST MIRROR would open a second
connection, which inside the test's transaction sees none of the test's rows (Django does not
share mirror connections in TestCase), so "which alias ran the query" is what is counted here.
The outage test points the alias at a database that cannot be reached.
"""

from __future__ import annotations

import contextlib
import copy
import time

import pytest
from django.db import OperationalError, connections
from django.test import override_settings
from django.urls import reverse

from shidian.apps.campaigns import sheets
from shidian.apps.campaigns.models import Sheet, SheetStatus
from shidian.apps.core import replica
from shidian.apps.core.replica import WROTE_COOKIE, ReplicaRouter, replica_scope
from tests.campaigns.factories import campaign, full_answers, sheet

ROUTED = override_settings(
    DATABASE_ROUTERS=["shidian.apps.core.replica.ReplicaRouter"],
    REPLICA_AFTER_WRITE_SECONDS=5,
)


class Counting:
    """The primary's connection under another alias, counting the cursors opened through it."""

    def __init__(self, wrapped) -> None:
        object.__setattr__(self, "_wrapped", wrapped)
        object.__setattr__(self, "cursors", 0)

    def cursor(self):
        object.__setattr__(self, "cursors", self.cursors + 1)
        return self._wrapped.cursor()

    def chunked_cursor(self):
        object.__setattr__(self, "cursors", self.cursors + 1)
        return self._wrapped.chunked_cursor()

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def __setattr__(self, name, value) -> None:
        setattr(self._wrapped, name, value)


def _add_alias(settings_dict: dict) -> None:
    connections.settings[replica.REPLICA] = settings_dict
    replica._down_until = 0.0


def _remove_alias() -> None:
    connections.settings.pop(replica.REPLICA, None)
    with contextlib.suppress(AttributeError):
        del connections[replica.REPLICA]
    replica._down_until = 0.0


@pytest.fixture
def counted(db):
    """A configured replica that is the primary's connection, counted (added after the test
    case has set up, or Django would wrap the shared connection as a forbidden alias)."""
    default = connections["default"]
    _add_alias({**copy.deepcopy(default.settings_dict), "TEST": {"MIRROR": "default"}})
    proxy = Counting(default)
    connections[replica.REPLICA] = proxy
    with ROUTED:
        yield proxy
    _remove_alias()


class Down(Counting):
    """A replica that refuses connections (``at="connect"``) or fails in the middle of a page
    (``at="query"``). Simulated: Django's test case forbids opening a real connection to an
    alias the test did not declare, and the alias cannot be declared before it exists."""

    def __init__(self, wrapped, at: str) -> None:
        super().__init__(wrapped)
        object.__setattr__(self, "at", at)

    def ensure_connection(self) -> None:
        if self.at == "connect":
            raise OperationalError("connection refused (simulated)")

    def cursor(self):
        super().cursor()
        raise OperationalError("server closed the connection unexpectedly (simulated)")

    def close(self) -> None:
        pass  # never close the primary's connection it stands on


@pytest.fixture
def down(db):
    def install(at: str) -> Down:
        default = connections["default"]
        _add_alias({**copy.deepcopy(default.settings_dict), "TEST": {"MIRROR": "default"}})
        proxy = Down(default, at)
        connections[replica.REPLICA] = proxy
        return proxy

    with ROUTED:
        yield install
    _remove_alias()


@pytest.fixture
def filled(tree, coordinator):
    opened = campaign(tree)
    first = sheet(tree)
    answers = full_answers(opened.version.as_standard())
    sheets.sheet_save_all(sheet=first, user=coordinator, answers=answers, base_version=0)
    Sheet.objects.filter(pk=first.pk).update(status=SheetStatus.SUBMITTED)
    return opened


# --- the router --------------------------------------------------------------------------------


def test_router_reads_primary_outside_the_scope_and_replica_inside():
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"
    with replica_scope():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"  # writes never leave the primary
    assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"


def test_router_never_migrates_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "campaigns") is True
    assert router.allow_migrate("replica", "campaigns") is False


@override_settings(REPLICA_AFTER_WRITE_SECONDS=5)
def test_recent_write_cookie_window(rf):
    fresh, old, garbage = rf.get("/"), rf.get("/"), rf.get("/")
    fresh.COOKIES[WROTE_COOKIE] = str(time.time() - 1)
    old.COOKIES[WROTE_COOKIE] = str(time.time() - 60)
    garbage.COOKIES[WROTE_COOKIE] = "x"
    assert replica.recently_wrote(fresh)
    assert not replica.recently_wrote(old)
    assert not replica.recently_wrote(garbage)
    assert not replica.recently_wrote(rf.get("/"))


def test_without_a_replica_nothing_changes(office_client, filled):
    assert not replica.configured()
    url = reverse("campaigns:detail", kwargs={"campaign_id": filled.pk})
    response = office_client.get(url)
    assert response.status_code == 200
    assert WROTE_COOKIE not in response.cookies


# --- pages ---------------------------------------------------------------------------------------


def test_dashboard_reads_go_to_the_replica(counted, office_client, filled):
    for name in ("campaigns:detail", "campaigns:analysis", "campaigns:ranking"):
        before = counted.cursors
        response = office_client.get(reverse(name, kwargs={"campaign_id": filled.pk}))
        assert response.status_code == 200
        assert counted.cursors > before, name
    assert "甲县第一小学" in response.content.decode()  # the rows came through the replica


def test_other_pages_and_writes_stay_on_the_primary(counted, coordinator_client, filled):
    own = filled.sheets.get(unit__code="A1-1")
    assert coordinator_client.get(reverse("core:home")).status_code == 200
    url = reverse("campaigns:sheet", kwargs={"sheet_id": own.pk})
    assert coordinator_client.get(url).status_code == 200
    assert counted.cursors == 0


def test_after_a_write_the_browser_reads_the_primary(counted, settings, office_client, filled):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "shidian.apps.core.replica.RecentWriteMiddleware"]
    url = reverse("campaigns:detail", kwargs={"campaign_id": filled.pk})
    remind = reverse("campaigns:remind", kwargs={"campaign_id": filled.pk})
    posted = office_client.post(remind)
    assert WROTE_COOKIE in posted.cookies  # whatever the POST answered, it may have written
    assert counted.cursors == 0
    assert office_client.get(url).status_code == 200
    assert counted.cursors == 0  # within the window: the primary
    office_client.cookies[WROTE_COOKIE] = str(time.time() - 60)
    assert office_client.get(url).status_code == 200
    assert counted.cursors > 0  # the window passed: the replica again


@pytest.mark.parametrize("at", ["connect", "query"])
def test_a_replica_outage_falls_back_to_the_primary(down, at, caplog, office_client, filled):
    dead = down(at)
    url = reverse("campaigns:ranking", kwargs={"campaign_id": filled.pk})
    with caplog.at_level("WARNING", logger="shidian.apps.core.replica"):
        response = office_client.get(url)
    assert response.status_code == 200
    assert "甲县第一小学" in response.content.decode()  # served whole, from the primary
    assert "read replica unavailable" in caplog.text
    assert dead.cursors == (1 if at == "query" else 0)
    assert replica._down_until > time.monotonic()  # not retried on every page meanwhile
    assert office_client.get(url).status_code == 200
    assert dead.cursors == (1 if at == "query" else 0)
