"""Property-based tests of the API from its own OpenAPI document (schemathesis).

For every operation, generated requests with the token of a school and of an office of county
A must never get a server error, must answer as the document says, and must never show a name
from county B (outside both callers' scope). Writes use If-Match; a generated one is refused
(412/428/422) or lands inside the caller's scope.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from shidian.apps.api.routers.exchange import XLSX_TYPE
from tests.api.helpers import bearer
from tests.conftest import make_user
from tests.programmes.factories import programme

# An import's XLSX body is any bytes to the generator: the API must refuse them as unreadable.
schemathesis.serializer.alias(XLSX_TYPE, "application/octet-stream")
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OUTSIDE_NAMES = ("乙县", "乙县外部小学")


@pytest.fixture
def world(tree):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tests.campaigns.factories import sheet

    # Calls go through the real WSGI handler, which closes the database connection at the end
    # of each request; inside the test's transaction that would kill it (Django's own test
    # client disconnects these receivers the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    programme(tree)
    sheet(tree)
    office = make_user("st-office", tree.county, "office")
    school = make_user("st-school", tree.school, "coordinator")
    yield {"office": bearer(office), "school": bearer(school)}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("persona", ["office", "school"])
def test_api_holds_its_contract_and_scope(case, persona, world):
    token = world[persona]["HTTP_AUTHORIZATION"]
    response = case.call(headers={"Authorization": token})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    text = response.text
    for name in OUTSIDE_NAMES:
        assert name not in text, (persona, case.method, case.formatted_path)
    if response.status_code == 405:
        assert response.headers.get("allow"), case.path
    elif response.status_code >= 400:
        body = response.json()
        assert body.get("code") and body.get("message"), (case.path, body)
