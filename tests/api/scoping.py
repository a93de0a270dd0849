"""URL kwargs of the API app, for tests/core/test_url_scoping.py.

The page walker signs in with a session; the API takes only tokens (anonymous and session
callers get 401), so the API routes are walked by tests/api/test_api_scoping.py instead, with
an outsider's token that holds every scope.
"""


def _token_in_county_a(tree):
    from shidian.apps.api.tokens import token_create
    from tests.conftest import make_user

    owner = make_user("token-owner", tree.county, "office")
    return token_create(user=owner, name="sync", scopes=["units:read"], days=30).token.pk


def _verdict_in_county_a(tree):
    from tests.api.lifecycle_world import confirmed_round

    return confirmed_round(tree).verdicts.order_by("unit__code").first().pk


def _api_names() -> set[str]:
    from shidian.apps.api.api import api

    names = set()
    for pattern in api.urls[0]:
        if pattern.name:
            names.add(f"{api.urls_namespace}:{pattern.name}")
    return names


URL_KWARG_FACTORIES = {
    "token_id": _token_in_county_a,
    "unit_code": lambda tree: tree.school.code,
    "verdict_id": _verdict_in_county_a,
    # An item code of the example standard; the version (tests/standards/scoping.py) is the
    # victim's, so the route answers 404 before the item is looked for.
    "item_code": lambda tree: "D1.1.1",
}
PUBLIC_URL_NAMES = _api_names()
