"""Walk every URL pattern of the project and prove that scoping holds for each.

For every named pattern:
- anonymous visitors are sent to the login page (unless the pattern is declared public);
- with kwargs, an outsider asking for an object of another county gets 404 on GET and POST
  (405 is accepted for the method a view does not serve, but one of the two must be 404);
- without kwargs, an outsider's page never shows the other county's names;
- insiders without a grant (an expert of county A with no assignment, declared in
  ``INSIDER_PERSONAS``) get 404 on every pattern with kwargs and see no school of county A.

Each app declares, in ``tests/<app>/scoping.py``, ``URL_KWARG_FACTORIES`` (kwarg name ->
function(tree) returning a value that points at an object inside county A, which the outsider
cannot see) and ``PUBLIC_URL_NAMES``. A pattern whose kwarg has no factory fails the test, so a
view added later cannot escape the check.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

TESTS_DIR = Path(__file__).resolve().parent.parent
VICTIM_MARKER = "甲县"


def _declarations():
    factories, public, _insiders = _all_declarations()
    return factories, public


def _all_declarations():
    factories, public, insiders = {}, set(), {}
    for module in pkgutil.iter_modules([str(TESTS_DIR)]):
        if not module.ispkg:
            continue
        try:
            decl = importlib.import_module(f"tests.{module.name}.scoping")
        except ModuleNotFoundError:
            continue
        factories.update(getattr(decl, "URL_KWARG_FACTORIES", {}))
        public |= set(getattr(decl, "PUBLIC_URL_NAMES", set()))
        insiders.update(getattr(decl, "INSIDER_PERSONAS", {}))
    return factories, public, insiders


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield entry, namespace


def all_patterns():
    found = []
    for pattern, namespace in _walk(get_resolver().url_patterns):
        name = f"{namespace}{pattern.name}" if pattern.name else None
        kwargs = sorted(pattern.pattern.converters.keys())
        found.append((name, kwargs, str(pattern.pattern)))
    return found


PATTERNS = all_patterns()


def test_every_pattern_is_named():
    unnamed = [route for name, _kwargs, route in PATTERNS if name is None]
    assert not unnamed, f"URL patterns without a name cannot be walked: {unnamed}"


def test_every_kwarg_has_a_factory():
    factories, public = _declarations()
    missing = sorted(
        {
            (name, kw)
            for name, kwargs, _ in PATTERNS
            if name not in public
            for kw in kwargs
            if kw not in factories
        }
    )
    assert not missing, (
        "These URL kwargs have no entry in any tests/<app>/scoping.py URL_KWARG_FACTORIES, "
        f"so their scoping is unproven: {missing}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name,kwargs,route", [p for p in PATTERNS if p[0]], ids=lambda v: str(v))
def test_pattern_is_scoped(name, kwargs, route, client, tree, outsider, office_user, coordinator):
    factories, public = _declarations()
    if name in public:
        return
    values = {kw: factories[kw](tree) for kw in kwargs}
    url = reverse(name, kwargs=values)

    anonymous = client.get(url)
    assert anonymous.status_code in {302, 404, 405}, f"{url}: anonymous got {anonymous.status_code}"
    if anonymous.status_code == 302:
        assert reverse("accounts:login") in anonymous["Location"], url

    client.force_login(outsider)
    got = client.get(url)
    posted = client.post(url, {})
    if kwargs:
        statuses = {got.status_code, posted.status_code}
        assert statuses <= {404, 405} and 404 in statuses, (
            f"{url}: an outsider got GET {got.status_code} / POST {posted.status_code}; "
            "use get_scoped_or_404 or Model.objects.restrict(user)"
        )
    else:
        for response in (got, posted):
            if response.status_code == 200 and not getattr(response, "streaming", False):
                body = response.content.decode("utf-8", errors="ignore")
                assert VICTIM_MARKER not in body, f"{url} shows another county's data"


SCHOOL_NAMES = ("甲县第一小学", "甲县第二初中")
INSIDERS = sorted(_all_declarations()[2])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", INSIDERS)
@pytest.mark.parametrize("name,kwargs,route", [p for p in PATTERNS if p[0]], ids=lambda v: str(v))
def test_pattern_is_closed_to_insiders_without_grants(persona, name, kwargs, route, client, tree):
    factories, public, insiders = _all_declarations()
    if name in public:
        return
    values = {kw: factories[kw](tree) for kw in kwargs}
    url = reverse(name, kwargs=values)
    client.force_login(insiders[persona](tree))
    got, posted = client.get(url), client.post(url, {})
    if kwargs:
        statuses = {got.status_code, posted.status_code}
        assert statuses <= {403, 404, 405} and 404 in statuses, (
            f"{url}: {persona} got GET {got.status_code} / POST {posted.status_code}"
        )
    else:
        for response in (got, posted):
            if response.status_code == 200 and not getattr(response, "streaming", False):
                body = response.content.decode("utf-8", errors="ignore")
                assert not any(n in body for n in SCHOOL_NAMES), f"{url} shows county A's schools"
