"""Walk every API route: anonymous callers get 401; an outsider's token with every scope gets
404 for another county's objects (read with GET, written with PUT, PATCH, POST or DELETE) and
never sees its names in lists. A route added later is walked automatically (its path kwargs need a
factory in some tests/<app>/scoping.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.api.api import api
from tests.api.helpers import bearer
from tests.core.test_url_scoping import VICTIM_MARKER, _declarations

ROUTES = sorted(
    {
        (f"{api.urls_namespace}:{p.name}", tuple(sorted(p.pattern.converters.keys())))
        for p in api.urls[0]
        if p.name and p.name not in {"openapi-json", "openapi-view", "api-root"}
    }
)


@pytest.mark.django_db
@pytest.mark.parametrize("name,kwargs", ROUTES, ids=lambda v: str(v))
def test_route_is_scoped(name, kwargs, client, tree, outsider, office_user):
    factories, _public = _declarations()
    url = reverse(name, kwargs={kw: factories[kw](tree) for kw in kwargs})

    for method in ("get", "put", "patch", "post", "delete"):
        assert getattr(client, method)(url).status_code in {401, 405}, (url, method)

    headers = bearer(outsider)
    if kwargs:
        # Every method a route may have: a write (PUT, PATCH, DELETE, or POST for an action)
        # must find nothing of another county's, before its If-Match or its body is looked at.
        statuses = {
            client.get(url, **headers).status_code,
            client.patch(url, "{}", content_type="application/json", **headers).status_code,
            client.post(url, "{}", content_type="application/json", **headers).status_code,
            client.put(url, "{}", content_type="application/json", **headers).status_code,
            client.delete(url, **headers).status_code,
        }
        assert statuses <= {404, 405, 422} and 404 in statuses, (url, statuses)
    else:
        got = client.get(url, **headers)
        assert got.status_code == 200, url
        assert VICTIM_MARKER not in got.content.decode(), url


def test_every_route_kwarg_has_a_factory():
    factories, _public = _declarations()
    missing = sorted({kw for _name, kwargs in ROUTES for kw in kwargs if kw not in factories})
    assert not missing


def test_openapi_document_and_docs_are_served(client, db):
    doc = client.get(reverse("api-v1:openapi-json"))
    assert doc.status_code == 200
    paths = doc.json()["paths"]
    assert "/api/v1/units" in paths and "/api/v1/participations/{participation_id}" in paths
    # Every write is in the document (so schemathesis calls it too) with its If-Match, except
    # what makes a new object (a create answers 201; a Run started answers 202) and the bulk
    # imports, whose rows each carry their own natural keys.
    writes = [
        (method, path, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in {"post", "put", "patch", "delete"}
    ]
    assert len(writes) >= 40
    exempt = {"201", "202"}
    for method, path, operation in writes:
        if path.startswith("/api/v1/exchange/") or exempt & set(operation["responses"]):
            continue
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "If-Match" in names, (method, path)
        assert operation.get("description"), (method, path)
    page = client.get(reverse("api-v1:openapi-view"))
    assert page.status_code == 200
    assert b"cdn" not in page.content.lower()
